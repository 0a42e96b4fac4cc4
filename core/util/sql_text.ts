/**
 * Reading SQL text as every part of Retort reads it: where its first statement character is
 * (past whitespace, semicolons and comments), and the words it refuses text with.
 *
 * @module
 */

/**
 * Where the first character of a statement is in `text`, from `from` up to `end`: past
 * whitespace, semicolons, `--` and `/* *\/` comments (and opening parentheses, with
 * `parens`); -1 when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statementStart } from "./sql_text.ts";
 * assert.equal(statementStart(" ; -- c\n SELECT 1"), 9);
 * assert.equal(statementStart("  /* only *\/ ;"), -1);
 * assert.equal(statementStart("(SELECT 1)", 0, undefined, true), 1);
 * ```
 */
export function statementStart(
  text: string,
  from = 0,
  end: number = text.length,
  parens = false,
): number {
  for (let i = from; i < end;) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 59 /* ; */ || (parens && c === 40)) i++;
    else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf("\n", i + 2);
      i = nl < 0 ? end : nl + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? end : close + 2;
    } else return i;
  }
  return -1;
}

/** The message for SQL text that holds no statement, the same on every database. */
export const NO_STATEMENT =
  "The SQL text holds no statement (only whitespace, comments or semicolons); pass the " +
  "statement to run.";

/** The message for SQL text that holds more than one statement, the same on every database. */
export const SEVERAL_STATEMENTS =
  "The SQL text holds more than one statement; send one statement per call (in a " +
  "transaction to make them atomic).";

/**
 * Where a SQLite statement ends, read as SQLite reads it: `sqlite3_prepare` compiles the
 * first statement of a text and ignores the rest (every client Retort takes runs that one
 * statement and drops the others, silently), so the driver refuses a text that holds more
 * than one. Strings, quoted identifiers and comments hide their semicolons, and so does the
 * body of a `CREATE TRIGGER` (`BEGIN ...; ...; END`), as `sqlite3_complete` reads them.
 *
 * @module
 */
import { NO_STATEMENT, SEVERAL_STATEMENTS, statementStart } from "../../core/util/sql_text.ts";
import { ArgumentError, ProgrammingError } from "../../core/errors.ts";

/** Whether the code is SQLite's whitespace (space, tab, newline, form feed, return, vtab). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Whether the code is part of an unquoted SQLite word (letters, digits, `_`, `$`, non-ASCII). */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ||
    c === 36 || c >= 128;
}

/**
 * The end of the comment starting at `i` (`--` to the end of the line, `/* ... *\/`, to the
 * end of the text when unterminated), or `i` when none starts there.
 */
function commentEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  if (c === 45 && next === 45) {
    const nl = text.indexOf("\n", i + 2);
    return nl < 0 ? text.length : nl + 1;
  }
  if (c === 47 && next === 42) {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

/** The end of text SQLite reads: it stops at a NUL. */
function readableEnd(text: string): number {
  const nul = text.indexOf("\0");
  return nul < 0 ? text.length : nul;
}

/**
 * Whether `text` (from `from`) holds no statement: only whitespace, comments and semicolons,
 * up to the end or a NUL, where SQLite stops reading.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBlankSql } from "./statement_text.ts";
 * assert(isBlankSql(" ; -- nothing\n/* here *\/"));
 * assert(!isBlankSql("SELECT 1"));
 * ```
 */
export function isBlankSql(text: string, from = 0): boolean {
  return statementStart(text, from, readableEnd(text)) < 0;
}

// The states and tokens of SQLite's `sqlite3_complete` (complete.c), and its transitions.
const SEMI = 0, WS = 1, OTHER = 2, EXPLAIN = 3, CREATE = 4, TEMP = 5, TRIGGER = 6, END = 7;
const START = 1;
/** `NEXT[state][token]`: state 0 is the start of the text, 1 the start of a statement. */
const NEXT: readonly (readonly number[])[] = [
  /* 0 INVALID */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 START   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 NORMAL  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 EXPLAIN */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 CREATE  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 TRIGGER */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 SEMI    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 END     */ [1, 7, 5, 5, 5, 5, 5, 5],
];
const KEYWORDS = new Map<string, number>([
  ["EXPLAIN", EXPLAIN],
  ["CREATE", CREATE],
  ["TEMP", TEMP],
  ["TEMPORARY", TEMP],
  ["TRIGGER", TRIGGER],
  ["END", END],
]);

/**
 * The end of the first statement of `text`: just past the semicolon that ends it, or the
 * end of the text when none does. Semicolons in strings, quoted names, comments and trigger
 * bodies do not end a statement; semicolons before the first statement are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstStatementEnd } from "./statement_text.ts";
 * assert.equal(firstStatementEnd("SELECT ';'; SELECT 2"), 11);
 * const trigger = "CREATE TRIGGER g AFTER INSERT ON t BEGIN DELETE FROM u; END; SELECT 1";
 * assert.equal(trigger.slice(firstStatementEnd(trigger)), " SELECT 1");
 * ```
 */
export function firstStatementEnd(text: string): number {
  const end = readableEnd(text);
  let state = 0;
  for (let i = 0; i < end;) {
    const c = text.charCodeAt(i);
    let token: number;
    let j: number;
    if (c === 59) {
      token = SEMI;
      j = i + 1;
    } else if (isSpace(c)) {
      token = WS;
      j = i + 1;
    } else if ((j = commentEnd(text, i)) !== i) {
      token = WS;
    } else if (c === 39 || c === 34 || c === 96 || c === 91) { // ' " ` [
      const close = c === 91 ? "]" : text[i];
      const k = text.indexOf(close, i + 1);
      if (k < 0) return text.length; // unterminated: SQLite reports it
      token = OTHER;
      j = k + 1; // a doubled quote reads as two strings: the same for this purpose
    } else if (isWordChar(c)) {
      j = i + 1;
      while (j < end && isWordChar(text.charCodeAt(j))) j++;
      token = j - i <= 9 ? KEYWORDS.get(text.slice(i, j).toUpperCase()) ?? OTHER : OTHER;
    } else {
      token = OTHER;
      j = i + 1;
    }
    const next = NEXT[state][token];
    if (token === SEMI && next === START && state !== 0 && state !== START) return j;
    state = next;
    i = j;
  }
  return text.length;
}

/**
 * Refuses text that SQLite would not run whole: empty text (an ArgumentError), or text with a
 * statement after the first (a ProgrammingError). `firstEnd` is where the first statement
 * ends, when the client reports it; else it is read here.
 */
export function checkOneStatement(
  text: string,
  params: readonly unknown[],
  hide: boolean,
  firstEnd?: number,
): void {
  if (!isBlankSql(text, firstEnd ?? firstStatementEnd(text))) {
    throw new ProgrammingError(
      SEVERAL_STATEMENTS,
      { sql: text, params: hide ? undefined : params, code: "MULTIPLE_STATEMENTS" },
    );
  }
}

/**
 * Refuses text SQLite cannot prepare as it reads: text holding a NUL (SQLite stops reading
 * there, and would drop the rest), and text holding no statement (the engine refuses it
 * first, with the same words; this covers what reaches the driver by another road).
 */
export function checkText(text: string): void {
  if (text.includes("\0")) {
    throw new ArgumentError(
      "The SQL text contains a NUL character, where SQLite stops reading it; remove it (a " +
        "value that holds one goes in a parameter).",
    );
  }
  if (isBlankSql(text)) throw new ArgumentError(NO_STATEMENT);
}

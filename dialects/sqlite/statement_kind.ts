/**
 * What a SQLite statement is, by its verb: the main statement's first keyword, after comments
 * and, for `WITH`, after the whole list of common table expressions (their names, column
 * lists and bodies, with strings, quoted identifiers, comments and nested parentheses read
 * as SQLite reads them). A CTE named `deleted`, or a string holding `delete`, does not make
 * a query a write.
 *
 * None of the clients says it all: `@db/sqlite` has `sqlite3_stmt_readonly`, but
 * `node:sqlite` and `bun:sqlite` expose nothing of the kind, so every client is read the same
 * way, here.
 *
 * @module
 */

/** What the pool and the connection need to know of a statement. */
export interface StatementKind {
  /** The main statement's verb, upper case ("SELECT", "INSERT", ...), or "" when unknown. */
  readonly verb: string;
  /** Whether it only reads (SELECT, VALUES, EXPLAIN, a PRAGMA that sets nothing). */
  readonly readOnly: boolean;
  /** Whether it changes rows (INSERT, UPDATE, DELETE, REPLACE), so its change count is its own. */
  readonly writes: boolean;
}

const READS = new Set(["SELECT", "VALUES", "EXPLAIN"]);
const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);

/** Skips whitespace and comments from `i`; returns the next position. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) i++;
    else if (c === 45 && text.charCodeAt(i + 1) === 45) { // --
      const end = text.indexOf("\n", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) { // /*
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** Skips a quoted token starting at `i` (`'...'`, `"..."`, `` `...` ``, `[...]`). */
function skipQuoted(text: string, i: number): number {
  const open = text[i];
  const close = open === "[" ? "]" : open;
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] !== close) continue;
    if (close !== "]" && text[j + 1] === close) { // a doubled quote stands for itself
      j++;
      continue;
    }
    return j + 1;
  }
  return text.length;
}

/** Skips one token (a word, a quoted name or string, or one character) from `i`. */
function skipToken(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"' || c === "`" || c === "[") return skipQuoted(text, i);
  const word = /^[\p{L}\p{N}_$]+/u.exec(text.slice(i, i + 256));
  return word === null ? i + 1 : i + word[0].length;
}

/** Skips a parenthesised group starting at `i` (at its `(`), nested groups included. */
function skipGroup(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    i = skipSpace(text, i);
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
    i = c === "(" || c === ")" ? i + 1 : skipToken(text, i);
  }
  return i;
}

/** The keyword at `i`, upper case, or "" when none. */
function wordAt(text: string, i: number): string {
  const m = /^[A-Za-z_]+/.exec(text.slice(i, i + 32));
  return m === null ? "" : m[0].toUpperCase();
}

/** The verb of the main statement. */
function verbOf(text: string): string {
  let i = skipSpace(text, 0);
  const verb = wordAt(text, i);
  if (verb !== "WITH") return verb;
  i = skipSpace(text, i + 4);
  if (wordAt(text, i) === "RECURSIVE") i = skipSpace(text, i + 9);
  // name [(columns)] AS [[NOT] MATERIALIZED] (body) [, ...]
  for (;;) {
    i = skipSpace(text, skipToken(text, i));
    if (text[i] === "(") i = skipSpace(text, skipGroup(text, i));
    if (wordAt(text, i) !== "AS") return "";
    i = skipSpace(text, i + 2);
    if (wordAt(text, i) === "NOT") i = skipSpace(text, i + 3);
    if (wordAt(text, i) === "MATERIALIZED") i = skipSpace(text, i + 12);
    if (text[i] !== "(") return "";
    i = skipSpace(text, skipGroup(text, i));
    if (text[i] !== ",") break;
    i = skipSpace(text, i + 1);
  }
  return wordAt(text, i);
}

/** A PRAGMA that sets a value (`PRAGMA x = 1`) writes; one that asks (`PRAGMA x`) reads. */
function pragmaSets(text: string): boolean {
  let i = skipSpace(text, 0) + 6;
  i = skipSpace(text, i);
  i = skipSpace(text, skipToken(text, i));
  if (text[i] === ".") i = skipSpace(text, skipToken(text, skipSpace(text, i + 1)));
  return text[i] === "=";
}

const known = new Map<string, StatementKind>();
const KNOWN_MOST = 512;
/** Longer texts (large multi-row inserts) are read again rather than kept. */
const KNOWN_LONGEST = 4096;

/**
 * What a statement is: its verb, whether it only reads, whether it changes rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statementKind } from "./statement_kind.ts";
 * const q = statementKind("WITH deleted AS (SELECT 'delete') SELECT * FROM deleted");
 * assert(q.readOnly && !q.writes);
 * assert(statementKind("WITH x AS (SELECT 1) DELETE FROM t").writes);
 * ```
 */
export function statementKind(text: string): StatementKind {
  let kind = known.get(text);
  if (kind !== undefined) return kind;
  const verb = verbOf(text);
  kind = {
    verb,
    readOnly: READS.has(verb) || (verb === "PRAGMA" && !pragmaSets(text)),
    writes: WRITES.has(verb),
  };
  if (text.length <= KNOWN_LONGEST) {
    if (known.size >= KNOWN_MOST) known.delete(known.keys().next().value as string);
    known.set(text, kind);
  }
  return kind;
}

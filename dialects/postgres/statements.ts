/**
 * What a PostgreSQL statement's text is, read through its words: whether it is a plain query a
 * cursor can be declared for, and whether it holds more than one statement. Quoted text
 * (`'...'`, `E'...'`, `$tag$...$tag$`), quoted identifiers and comments are skipped, so that
 * nothing in them counts.
 *
 * @module
 */

/** A word (lowercased; a quoted identifier is `""`), a parenthesis, a comma or a semicolon. */
interface Token {
  readonly text: string;
  /** How many parentheses enclose it. */
  readonly depth: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The end (exclusive) of a `$tag$...$tag$` string starting at `i`, or -1 when none does. */
function dollarEnd(text: string, i: number): number {
  const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
  if (m === null) return -1;
  const close = text.indexOf(m[0], i + m[0].length);
  return close < 0 ? text.length : close + m[0].length;
}

/** The end (exclusive) of a quoted run from `i` closed by `quote`, doubled quotes kept. */
function quotedEnd(text: string, i: number, quote: string, backslashes: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (backslashes && c === "\\") j += 2;
    else if (c === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return text.length;
}

/** The words and punctuation of a statement, outside quotes and comments. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      // Block comments nest in PostgreSQL.
      let level = 1;
      i += 2;
      while (i < text.length && level > 0) {
        if (text[i] === "/" && text[i + 1] === "*") (level++, i += 2);
        else if (text[i] === "*" && text[i + 1] === "/") (level--, i += 2);
        else i++;
      }
    } else if (c === "'") i = quotedEnd(text, i, "'", false);
    else if (c === '"') {
      out.push({ text: '""', depth });
      i = quotedEnd(text, i, '"', false);
    } else if (c === "$") {
      const end = dollarEnd(text, i);
      i = end < 0 ? i + 1 : end; // `$1`, a parameter, is not a string
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < text.length && WORD.test(text[j])) j++;
      const word = text.slice(i, j).toLowerCase();
      if (text[j] === "'" && (word === "e" || word === "x" || word === "b" || word === "u&")) {
        i = quotedEnd(text, j, "'", word === "e");
      } else {
        out.push({ text: word, depth });
        i = j;
      }
    } else if (c === "(") {
      out.push({ text: c, depth });
      depth++;
      i++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
      out.push({ text: c, depth });
      i++;
    } else if (c === "," || c === ";") {
      out.push({ text: c, depth });
      i++;
    } else i++;
  }
  return out;
}

const QUERY_STARTS = new Set(["select", "values", "table", "with"]);
const WRITES = new Set(["insert", "update", "delete", "merge"]);
const MAIN = new Set(["select", "values", "table", ...WRITES]);
const LOCKS = new Set(["update", "share", "no", "key"]);

/**
 * Whether a statement is a plain query that `DECLARE ... CURSOR FOR` takes: a SELECT, VALUES,
 * TABLE or WITH ... SELECT, with no data-modifying WITH (`WITH t AS (INSERT ...)`), no
 * `SELECT ... INTO`, and, for a cursor held past its transaction (`holdable`), no locking
 * clause (`FOR UPDATE`, `FOR SHARE`...), which only a cursor in a transaction may have.
 * Anything else (`INSERT ... RETURNING`, `EXPLAIN`, `SHOW`) is not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlainQuery } from "./statements.ts";
 * assert(isPlainQuery("WITH t AS (SELECT 1) SELECT * FROM t", true));
 * assert(!isPlainQuery("WITH t AS (DELETE FROM x RETURNING *) SELECT * FROM t", true));
 * assert(!isPlainQuery('INSERT INTO t VALUES (1) RETURNING "id"', true));
 * ```
 */
export function isPlainQuery(text: string, holdable: boolean): boolean {
  const ts = tokens(text);
  let first = 0;
  while (first < ts.length && ts[first].text === "(") first++;
  if (first === ts.length || !QUERY_STARTS.has(ts[first].text)) return false;
  let main = ts[first].text === "with" ? "" : ts[first].text;
  for (let i = first; i < ts.length; i++) {
    const t = ts[i].text;
    const next = ts[i + 1]?.text ?? "";
    if (t === "(" && WRITES.has(next)) return false; // (INSERT ...) in a WITH
    if (holdable && t === "for" && LOCKS.has(next)) return false;
    if (ts[i].depth !== 0) continue;
    if (main === "" && MAIN.has(t)) main = t; // the statement after WITH's list
    if (t === "into") return false; // SELECT ... INTO a new table
  }
  return !WRITES.has(main);
}

/**
 * Whether a text holds more than one statement: something other than comments follows a
 * semicolon outside quotes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holdsSeveral } from "./statements.ts";
 * assert(holdsSeveral("SELECT 1; SELECT 2"));
 * assert(!holdsSeveral("SELECT ';'; -- done"));
 * ```
 */
export function holdsSeveral(text: string): boolean {
  const ts = tokens(text);
  const semicolon = ts.findIndex((t) => t.text === ";");
  return semicolon >= 0 && ts.slice(semicolon + 1).some((t) => t.text !== ";");
}

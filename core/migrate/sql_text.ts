/**
 * SQL text helpers for comparing and parsing expressions: whitespace collapsed outside
 * quotes, enclosing parentheses removed, top-level splitting. Quotes (`'...'`, `"..."`,
 * `` `...` ``, `[...]`) and comments are respected.
 *
 * @module
 */

/** The end (exclusive) of a quoted run or comment starting at `i`, or `i` when none does. */
export function skipQuoted(text: string, i: number): number {
  const ch = text[i];
  const close = ch === "'" ? "'" : ch === '"' ? '"' : ch === "`" ? "`" : ch === "[" ? "]" : "";
  if (close !== "") {
    let j = i + 1;
    while (j < text.length) {
      if (text[j] === close) {
        if (close !== "]" && text[j + 1] === close) j += 2;
        else return j + 1;
      } else j++;
    }
    return text.length;
  }
  if (ch === "-" && text[i + 1] === "-") {
    const nl = text.indexOf("\n", i);
    return nl < 0 ? text.length : nl;
  }
  if (ch === "/" && text[i + 1] === "*") {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

/** Whether the parenthesis at 0 closes at the very end. */
function wrapped(text: string): boolean {
  if (!text.startsWith("(") || !text.endsWith(")")) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) {
      i = j - 1;
      continue;
    }
    if (text[i] === "(") depth++;
    else if (text[i] === ")") {
      depth--;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0;
}

/**
 * An expression with whitespace collapsed outside quotes and comments dropped, and the
 * parentheses that enclose all of it removed: the form compared by the diff.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeSql } from "@retort/orm/migrate";
 * assert.equal(normalizeSql("((pages  >\n 0))"), "pages > 0");
 * assert.equal(normalizeSql("'a  b'"), "'a  b'");
 * ```
 */
export function normalizeSql(text: string): string {
  let out = "";
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) {
      const part = text.slice(i, j);
      if (part.startsWith("--") || part.startsWith("/*")) space = true;
      else {
        if (space && out !== "") out += " ";
        space = false;
        out += part;
      }
      i = j - 1;
      continue;
    }
    if (/\s/.test(text[i])) {
      space = true;
      continue;
    }
    const tight = text[i] === ")" || out.endsWith("(");
    if (space && out !== "" && !tight) out += " ";
    space = false;
    out += text[i];
  }
  while (wrapped(out)) out = out.slice(1, -1).trim();
  return out;
}

/**
 * An expression in the form two spellings of it compare equal in: `normalizeSql`, with the
 * quotes taken off double-quoted names that need none (`"label"` is `label`), as a column
 * rename writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparableSql } from "@retort/orm/migrate";
 * assert.equal(comparableSql(`length("label") > 0`), comparableSql("(length(label) > 0)"));
 * assert.notEqual(comparableSql(`"Label" > 0`), comparableSql("label > 0"));
 * ```
 */
export function comparableSql(text: string): string {
  const normal = normalizeSql(text);
  let out = "";
  for (let i = 0; i < normal.length; i++) {
    const j = skipQuoted(normal, i);
    if (j === i) {
      out += normal[i];
      continue;
    }
    const part = normal.slice(i, j);
    const bare = part.startsWith('"') ? part.slice(1, -1) : null;
    out += bare !== null && /^[a-z_][a-z0-9_$]*$/.test(bare) ? bare : part;
    i = j - 1;
  }
  return out;
}

/**
 * A column type in the form two spellings of it compare equal in: whitespace collapsed, none
 * around parentheses and commas, upper case outside quotes (`numeric (8,2)` is
 * `NUMERIC(8,2)`, as `numeric( 8, 2 )` is); a quoted name keeps its case.
 */
export function comparableType(text: string): string {
  const normal = normalizeSql(text);
  let out = "";
  for (let i = 0; i < normal.length; i++) {
    const j = skipQuoted(normal, i);
    if (j !== i) {
      out += normal.slice(i, j);
      i = j - 1;
      continue;
    }
    const ch = normal[i];
    if (ch === " " && /^[(),]/.test(normal[i + 1] ?? "")) continue;
    if (ch === " " && /[(,]$/.test(out)) continue;
    out += ch.toUpperCase();
  }
  return out;
}

/**
 * Splits text at a separator that is outside quotes and parentheses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitTopLevel } from "@retort/orm/migrate";
 * assert.deepEqual(splitTopLevel("a INT, b NUMERIC(10, 2), 'x,y'", ","), [
 *   "a INT",
 *   " b NUMERIC(10, 2)",
 *   " 'x,y'",
 * ]);
 * ```
 */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) {
      i = j - 1;
      continue;
    }
    const ch = text[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The index of the parenthesis that closes the one at `open`, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closingParen } from "@retort/orm/migrate";
 * assert.equal(closingParen("f(a, (b))", 1), 8);
 * ```
 */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) {
      i = j - 1;
      continue;
    }
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/**
 * An expression with an identifier renamed wherever it appears as a name (bare or
 * double-quoted, possibly qualified), never inside a string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameIdentifier } from "@retort/orm/migrate";
 * assert.equal(
 *   renameIdentifier(`"name" <> '' AND name_x > 0 AND t.name IS NOT NULL`, "name", "title"),
 *   `"title" <> '' AND name_x > 0 AND t."title" IS NOT NULL`,
 * );
 * ```
 */
export function renameIdentifier(text: string, from: string, to: string): string {
  const quoted = `"${to.replaceAll('"', '""')}"`;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) {
      const part = text.slice(i, j);
      out += part === `"${from.replaceAll('"', '""')}"` ? quoted : part;
      i = j - 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (word && !/[A-Za-z0-9_$]/.test(text[i - 1] ?? "")) {
      out += word[0].toLowerCase() === from.toLowerCase() && /^[a-z_][a-z0-9_$]*$/.test(from)
        ? quoted
        : word[0];
      i += word[0].length - 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

/**
 * The strings of a list of SQL string literals (`'a', 'b'`, or PostgreSQL's `'a'::text,
 * 'b'::text`), or `null` when the text is anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringList } from "@retort/orm/migrate";
 * assert.deepEqual(stringList("'a'::text, 'it''s'::text"), ["a", "it's"]);
 * assert.equal(stringList("'a', b"), null);
 * ```
 */
export function stringList(text: string): string[] | null {
  const out: string[] = [];
  for (const part of splitTopLevel(text, ",")) {
    const m = /^\s*'((?:[^']|'')*)'(?:::[a-z ]+)?\s*$/i.exec(part);
    if (!m) return null;
    out.push(m[1].replaceAll("''", "'"));
  }
  return out;
}

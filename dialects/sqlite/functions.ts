/**
 * SQL functions registered on every SQLite connection so that LIKE means what it means on
 * PostgreSQL:
 *
 * - `like(pattern, text[, escape])`, which SQLite calls for `text LIKE pattern [ESCAPE e]`:
 *   case-sensitive; `%` matches any run of characters, `_` one character (a code point, not
 *   a UTF-16 unit); a backslash escapes the next character unless `ESCAPE` names another
 *   (`ESCAPE ''` turns escaping off).
 * - `lower(text)` and `upper(text)` with Unicode case mapping, one code point at a time as
 *   PostgreSQL maps (SQLite's own change ASCII letters only), so that `ilike`, which is
 *   `lower(x) LIKE lower(pattern)` on SQLite, folds "Élan" as PostgreSQL does.
 *
 * What remains different: PostgreSQL refuses a pattern that ends in its escape character and
 * an ESCAPE longer than one character; here the first matches the character itself and the
 * second is NULL (these functions never throw: an exception from a function makes
 * `node:sqlite`'s `all()` hang in Deno). This is what SQLite's ICU extension does too. A client that cannot register functions
 * (`bun:sqlite`, `node:sqlite` before Node.js 22.13) gets `PRAGMA case_sensitive_like = ON`
 * instead: LIKE has case, ILIKE folds ASCII letters only, and a backslash is an ordinary
 * character.
 *
 * @module
 */

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
/** A character as itself in a regular expression. */
const literal = (c: string): string => c.replace(SYNTAX, "\\$&");

const patterns = new Map<string, RegExp>();
const PATTERNS_MOST = 256;

/** A LIKE pattern as an anchored regular expression over code points. */
function compilePattern(pattern: string, escape: string): RegExp {
  const key = escape + "\u0000" + pattern;
  let re = patterns.get(key);
  if (re !== undefined) return re;
  let source = "^";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === escape) {
      // PostgreSQL refuses a pattern that ends in its escape; here it stands for itself, as
      // a function that throws would hang node:sqlite's all() in Deno.
      source += literal(i + 1 < chars.length ? chars[++i] : c);
    } else if (c === "%") source += "[^]*";
    else if (c === "_") source += "[^]";
    else source += literal(c);
  }
  re = new RegExp(source + "$", "u");
  if (patterns.size >= PATTERNS_MOST) patterns.delete(patterns.keys().next().value as string);
  patterns.set(key, re);
  return re;
}

/** A SQL value as the text SQLite's string functions see (null stays null). */
function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

const NOT_ASCII = /[^\p{ASCII}]/u;

/**
 * Unicode case mapping one code point at a time, as PostgreSQL's `lower()` and `upper()` map
 * (the simple mappings): "ß" stays "ß" in upper case (JavaScript makes it "SS"), a final "Σ"
 * becomes "σ" like any other, "İ" becomes "i".
 */
export function mapCase(text: string, upper: boolean): string {
  if (!NOT_ASCII.test(text)) return upper ? text.toUpperCase() : text.toLowerCase();
  let out = "";
  for (const c of text) {
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    const single = m.length === 1 || (m.length === 2 && m.codePointAt(0)! > 0xffff);
    out += single ? m : c === "\u0130" ? "i" : c;
  }
  return out;
}

/** `text LIKE pattern [ESCAPE escape]`, with PostgreSQL's meaning: 1, 0 or null. */
export function likeMatch(pattern: unknown, text: unknown, escape: unknown = "\\"): number | null {
  const p = textOf(pattern);
  const t = textOf(text);
  const e = textOf(escape);
  if (p === null || t === null || e === null) return null;
  if ([...e].length > 1) return null; // PostgreSQL refuses it; never throw (see above)
  return compilePattern(p, e).test(t) ? 1 : 0;
}

/** What registering a function takes, on `node:sqlite` or on `@db/sqlite`. */
type Register = (name: string, fn: (...args: unknown[]) => unknown) => void;

function registrar(db: unknown): Register | null {
  const fn = (db as { function?: unknown }).function;
  if (typeof fn !== "function") return null;
  const options = { deterministic: true };
  // @db/sqlite: function(name, fn, options); node:sqlite: function(name, options, fn).
  return "lastInsertRowId" in (db as object)
    ? (name, f) => fn.call(db, name, f, options)
    : (name, f) => fn.call(db, name, options, f);
}

/**
 * Registers `like`, `lower` and `upper` on a connection, or, for a client without functions,
 * makes LIKE case-sensitive with the pragma. Returns whether the functions were registered.
 */
export function registerFunctions(db: { exec(text: string): unknown }): boolean {
  const register = registrar(db);
  if (register !== null) {
    try {
      // Each arity is a function of its own; the parameters' count tells SQLite which.
      register("like", (p: unknown, t: unknown) => likeMatch(p, t));
      register("like", (p: unknown, t: unknown, e: unknown) => likeMatch(p, t, e));
      register("lower", (v: unknown) => {
        const t = textOf(v);
        return t === null ? null : mapCase(t, false);
      });
      register("upper", (v: unknown) => {
        const t = textOf(v);
        return t === null ? null : mapCase(t, true);
      });
      return true;
    } catch {
      // A library built without user functions: fall back to the pragma.
    }
  }
  db.exec("PRAGMA case_sensitive_like = ON");
  return false;
}

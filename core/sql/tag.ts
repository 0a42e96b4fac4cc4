/**
 * The `sql` tagged template: safe, immutable, composable SQL fragments.
 *
 * A value interpolated into a fragment is always a bound parameter, never text. A fragment,
 * an identifier, a table or a column interpolated into a fragment nests as SQL. The only way
 * raw text gets in is `sql.unsafe(text)`.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { describe } from "../util/describe.ts";
import { toJsonText } from "../util/json.ts";
import { checkLiteral, checkParam, checkValue, uninspectable } from "./check.ts";
import { ByDialect, EMPTY, Fragment, Identifier, List, Literal, Param } from "./nodes.ts";
import { cachedStrings } from "./templates.ts";

/**
 * What the `sql` tag is: a template tag with helpers attached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, type SqlTag, sqliteDialect } from "@retort/orm";
 * const tag: SqlTag = sql;
 * const q = tag`UPDATE ${tag.id("users")} SET ${tag.set({ name: "ada" })} WHERE id = ${1}`;
 * assert(compile(q, sqliteDialect).text === 'UPDATE "users" SET "name" = ? WHERE id = ?');
 * ```
 */
export interface SqlTag {
  /**
   * Builds a fragment from a template. Values become bound parameters; fragments, tables,
   * columns and identifiers nest as SQL.
   */
  (strings: TemplateStringsArray, ...values: unknown[]): Fragment;
  /** Quotes an identifier, qualified by its parts: `sql.id("public", "users")`. */
  id(...names: string[]): Identifier;
  /** Expands values into a parenthesised list for `IN`. */
  list(values: readonly unknown[]): List;
  /** Joins fragments with a separator fragment (a comma by default). */
  join(parts: readonly unknown[], separator?: Fragment): Fragment;
  /** Builds `"a" = $1, "b" = $2` for `UPDATE ... SET`. */
  set(values: Record<string, unknown>): Fragment;
  /** Builds `("a", "b") VALUES ($1, $2), ($3, $4)` for a multi-row `INSERT`. */
  values(rows: readonly object[]): Fragment;
  /** Puts raw text into SQL. Never pass it user input. */
  unsafe(text: string): Fragment;
  /** Binds a value explicitly, checked as the tag checks it. */
  param(value: unknown): Param;
  /** Binds any JSON-serialisable value as JSON text. */
  json(value: unknown): Param;
  /**
   * Writes a value into the SQL text as a literal (for DDL, which cannot bind): a string,
   * number, bigint, boolean, null, Date or Uint8Array; or, given a fragment, writes every
   * value inside it as a literal.
   */
  literal(value: unknown): Literal;
  /**
   * SQL that differs by dialect: the compile step picks the case named after its dialect, or
   * `otherwise`.
   */
  byDialect(cases: Readonly<Record<string, Fragment>>): ByDialect;
  /** The empty fragment. */
  readonly empty: Fragment;
}

const COMMA: Fragment = new Fragment([", "], []);

function tag(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  if (!Array.isArray(strings) || !Array.isArray((strings as TemplateStringsArray).raw)) {
    throw new ArgumentError(
      'sql must be used as a tagged template: write sql`SELECT ${value}`, not sql("..."). ' +
        "For trusted raw text use sql.unsafe(text).",
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (typeof v) {
      case "number":
      case "bigint":
      case "boolean":
        continue; // the common cases, checked without building a message
      case "string":
        if (v.isWellFormed()) continue;
        break;
      case "object":
        if (v === null) continue;
    }
    if ((typeof v !== "object" && typeof v !== "function") || v === null) {
      values[i] = checkParam(v, `Value ${i + 1} of the sql template`);
    } else values[i] = checkValue(v, `Value ${i + 1} of the sql template`);
  }
  return new Fragment(strings, values);
}

function join(parts: readonly unknown[], separator: Fragment = COMMA): Fragment {
  if (!(separator instanceof Fragment)) {
    throw new ArgumentError(
      "sql.join's separator must be a fragment, such as sql`, ` or sql` AND `.",
    );
  }
  if (parts.length === 0) return EMPTY;
  const strings: string[] = [""];
  const values: unknown[] = [];
  parts.forEach((part, i) => {
    if (i > 0) {
      values.push(separator);
      strings.push("");
    }
    values.push(checkValue(part, `Part ${i + 1} of sql.join`));
    strings.push("");
  });
  return new Fragment(strings, values);
}

function set(assignments: Record<string, unknown>): Fragment {
  if (typeof assignments !== "object" || assignments === null) {
    throw new ArgumentError("sql.set takes an object of column names to values.");
  }
  const keys = Object.keys(assignments);
  if (keys.length === 0) {
    throw new ArgumentError("sql.set needs at least one column to assign.");
  }
  const strings: string[] = [""];
  const values: unknown[] = [];
  keys.forEach((key, i) => {
    values.push(new Identifier([key]));
    strings.push(" = ");
    values.push(checkValue(assignments[key], `sql.set's value for ${JSON.stringify(key)}`));
    strings.push(i === keys.length - 1 ? "" : ", ");
  });
  return new Fragment(strings, values);
}

function valuesOf(input: readonly object[]): Fragment {
  const rows = input as readonly Record<string, unknown>[];
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new ArgumentError("sql.values takes a non-empty array of rows.");
  }
  const keys = Object.keys(rows[0]);
  if (keys.length === 0) throw new ArgumentError("sql.values' rows need at least one column.");
  const n = keys.length;
  // One template and one set of identifiers per shape, so that the compile step's cache of
  // large nested fragments (nested.ts) serves every statement of the shape after the first.
  const values: unknown[] = new Array(n + rows.length * n);
  const ids = columnIds(keys);
  for (let i = 0; i < n; i++) values[i] = ids[i];
  let j = n;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (r > 0 && !sameKeys(row, keys)) {
      throw new ArgumentError(
        `Row ${r + 1} of sql.values has the columns [${Object.keys(row)}], but row 1 has ` +
          `[${keys}]; every row must have the same columns.`,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = row[keys[i]];
      const t = typeof v;
      values[j++] = t === "number" || t === "bigint" || t === "boolean" || v === null ||
          (t === "string" && (v as string).isWellFormed())
        ? v
        : checkValue(v, `sql.values' row ${r + 1}, column ${JSON.stringify(keys[i])}`);
    }
  }
  return new Fragment(valuesStrings(n, rows.length), values);
}

/** `(a, b) VALUES (?, ?), (?, ?)`: the strings of `count` rows of `width` columns. */
function valuesStrings(width: number, count: number): readonly string[] {
  return cachedStrings(`values:${width}:${count}`, () => {
    const s = ["("];
    for (let i = 1; i < width; i++) s.push(", ");
    for (let r = 0; r < count; r++) {
      s.push(r === 0 ? ") VALUES (" : "), (");
      for (let i = 1; i < width; i++) s.push(", ");
    }
    s.push(")");
    return s;
  });
}

const idLists = new Map<string, readonly Identifier[]>();

/** The identifiers of a list of column names, made once per list (a bounded cache). */
function columnIds(keys: readonly string[]): readonly Identifier[] {
  const key = JSON.stringify(keys);
  let ids = idLists.get(key);
  if (ids === undefined) {
    ids = Object.freeze(keys.map((k) => {
      const id = new Identifier([k]);
      Object.freeze(id.names);
      return Object.freeze(id);
    }));
    if (idLists.size >= 1024) idLists.clear();
    idLists.set(key, ids);
  }
  return ids;
}

/**
 * Whether `row` has exactly the own keys `keys`, in any order (counted without making an
 * array per row). Rows made alike list their keys in the same order: that is checked in one
 * pass, and any other row in full.
 */
function sameKeys(row: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (k !== keys[i++] || !Object.hasOwn(row, k)) return sameKeySet(row, keys);
  }
  return i === keys.length || sameKeySet(row, keys);
}

function sameKeySet(row: Record<string, unknown>, keys: readonly string[]): boolean {
  let count = 0;
  for (const k in row) {
    if (!Object.hasOwn(row, k)) continue;
    count++;
  }
  if (count !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (!Object.hasOwn(row, keys[i])) return false;
  return true;
}

/**
 * The `sql` tag. Values are bound, never inlined; identifiers are quoted; fragments nest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const name = "Robert'); DROP TABLE students;--";
 * const row = await engine.one<{ greeting: string }>(
 *   sql`SELECT ${"hello, "} || ${name} AS greeting`,
 * );
 * assert(row.greeting === "hello, " + name);
 * ```
 */
export const sql: SqlTag = Object.assign(tag, {
  id(...names: string[]): Identifier {
    if (names.length === 0) throw new ArgumentError("sql.id needs at least one name.");
    return new Identifier(names);
  },
  list(items: readonly unknown[]): List {
    if (!Array.isArray(items)) {
      throw new ArgumentError(`sql.list takes an array, not ${describe(items)}.`);
    }
    return new List(items.map((v, i) => checkValue(v, `Item ${i + 1} of sql.list`)));
  },
  join,
  set,
  values: valuesOf,
  unsafe(text: string): Fragment {
    if (typeof text !== "string") {
      throw new ArgumentError(`sql.unsafe takes a string, not ${describe(text)}.`);
    }
    return new Fragment([text], []);
  },
  param(value: unknown): Param {
    try {
      return new Param(checkParam(value, "sql.param's value"));
    } catch (error) {
      throw uninspectable(error, "sql.param's value");
    }
  },
  json(value: unknown): Param {
    let text: string;
    try {
      text = toJsonText(value);
    } catch (error) {
      throw new ArgumentError(`sql.json cannot serialise its value: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    return new Param(text);
  },
  literal(value: unknown): Literal {
    return new Literal(checkLiteral(value));
  },
  byDialect(cases: Readonly<Record<string, Fragment>>): ByDialect {
    const entries = typeof cases === "object" && cases !== null ? Object.entries(cases) : [];
    if (entries.length === 0 || entries.some(([, f]) => !(f instanceof Fragment))) {
      throw new ArgumentError(
        "sql.byDialect takes { sqlite: sql`...`, postgres: sql`...` }, a fragment for each " +
          "dialect (and `otherwise` for the rest).",
      );
    }
    return new ByDialect(cases);
  },
  empty: EMPTY,
});

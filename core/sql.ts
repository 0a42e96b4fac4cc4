/**
 * The `sql` tagged template: safe, immutable, composable SQL fragments.
 *
 * A value interpolated into a fragment is always a bound parameter, never text. A fragment,
 * an identifier, a table or a column interpolated into a fragment nests as SQL. The only way
 * raw text gets in is `sql.unsafe(text)`.
 *
 * @module
 */
import type { Dialect } from "./dialect.ts";
import { ArgumentError } from "./errors.ts";
import type { ColumnType } from "./types.ts";

/**
 * The symbol through which schema objects and statements render themselves as SQL: an object
 * with a `[toSql]()` method returning a {@linkcode Fragment} can be interpolated into `sql`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sql, toSql } from "@retort/orm";
 * const now = { [toSql]: () => sql`CURRENT_TIMESTAMP` };
 * const q = sql`SELECT ${now}`;
 * assert(q.values.length === 1);
 * ```
 */
export const toSql: unique symbol = Symbol.for("retort.toSql") as never;

/**
 * Anything that renders as SQL: a fragment, a table, a column, a statement.
 *
 * @example
 * ```ts
 * import { sql, type SqlSource } from "@retort/orm";
 * const source: SqlSource = sql`SELECT 1`;
 * ```
 */
export interface SqlSource<R = Row> {
  /** Renders this object as a fragment. */
  [toSql](): Fragment;
  /** Type-only: the row type a query returns (never set at run time). */
  readonly "~row"?: R;
}

/**
 * A result row when no type is given.
 *
 * @example
 * ```ts
 * import type { Row } from "@retort/orm";
 * const row: Row = { id: 1 };
 * ```
 */
export type Row = Record<string, unknown>;

/**
 * A SQL fragment: the literal strings of a template and the values between them. Fragments
 * are immutable; composing them builds new ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Fragment, sql } from "@retort/orm";
 * const q = sql`SELECT ${1} AS one`;
 * assert(q instanceof Fragment && q.strings.length === 2);
 * ```
 */
export class Fragment implements SqlSource {
  /** The literal text between the values; one more than `values`. */
  readonly strings: readonly string[];
  /** The interpolated values: parameters and nested SQL. */
  readonly values: readonly unknown[];
  /**
   * Builds a fragment. Prefer the `sql` tag: this constructor trusts that `values` were
   * checked, and `strings` become SQL text as they are.
   */
  constructor(strings: readonly string[], values: readonly unknown[]) {
    this.strings = strings;
    this.values = values;
  }

  /** Returns this fragment. */
  [toSql](): Fragment {
    return this;
  }
}

/**
 * A quoted identifier: a schema, table, column or alias name, possibly qualified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Identifier, sql } from "@retort/orm";
 * assert(sql.id("public", "users") instanceof Identifier);
 * ```
 */
export class Identifier {
  /** The name's parts, unquoted, outermost first. */
  readonly names: readonly string[];
  /**
   * Builds an identifier; each name is checked (a string, not empty, no NUL, no lone
   * surrogate), so that every name is quoted exactly or refused. Prefer `sql.id(...)`.
   */
  constructor(names: readonly string[]) {
    this.names = names.map(checkName);
  }
}

/**
 * An explicitly bound parameter, for values the tag would otherwise refuse (such as a plain
 * object sent as JSON with `sql.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Param, sql } from "@retort/orm";
 * assert(sql.json({ a: 1 }) instanceof Param);
 * ```
 */
export class Param {
  /** The value sent to the driver. */
  readonly value: unknown;
  /** Builds a parameter around a value that was already checked or encoded. */
  constructor(value: unknown) {
    this.value = value;
  }

  /** The value bound for a dialect (the compile step calls it; typed parameters encode). */
  valueFor(_dialect: Dialect): unknown {
    return this.value;
  }
}

/**
 * A parameter bound for a column type: the compile step encodes its value with the type's
 * encoder for the dialect (a boolean becomes 0/1 on SQLite, a Date ISO text, JSON text...).
 * The statement builder makes these after checking the value with `type.check`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, sqliteDialect, TypedParam, types } from "@retort/orm";
 * const q = sql`SELECT ${new TypedParam(true, types.boolean)}`;
 * assert(compile(q, sqliteDialect).params[0] === 1);
 * ```
 */
export class TypedParam extends Param {
  /** The column type whose encoder applies. */
  readonly type: ColumnType;
  /** Builds a typed parameter around a value already checked with `type.check`. */
  constructor(value: unknown, type: ColumnType) {
    super(value);
    this.type = type;
  }

  /** The value encoded for a dialect (`null` stays `null`). */
  override valueFor(dialect: Dialect): unknown {
    const v = this.value;
    if (v === null || v === undefined) return v;
    const encode = this.type.encoder(dialect);
    return encode === null ? v : encode(v);
  }
}

/**
 * A value written into the SQL text as a literal rather than bound: for DDL, which cannot take
 * parameters (server defaults, CHECK constraints, enum values). The compile step renders it:
 * strings quoted with `'` doubled, numbers, bigints, booleans and `NULL` as text. Around a
 * fragment, every value inside the fragment is written as a literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, sqliteDialect } from "@retort/orm";
 * const c = compile(sql`SELECT ${sql.literal("it's")}`, sqliteDialect);
 * assert(c.text === "SELECT 'it''s'" && c.params.length === 0);
 * const d = compile(sql.literal(sql`price > ${0}`), sqliteDialect);
 * assert(d.text === "price > 0");
 * ```
 */
export class Literal implements SqlSource {
  /** The value (checked when the literal was made), or a fragment to write literally. */
  readonly value: unknown;
  /** Builds a literal. Prefer `sql.literal(value)`, which checks the value. */
  constructor(value: unknown) {
    this.value = value;
  }

  /** Renders as a fragment holding this literal. */
  [toSql](): Fragment {
    return new Fragment(["", ""], [this]);
  }
}

/**
 * SQL that differs by dialect: the compile step picks the fragment for the dialect it
 * compiles for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, postgresDialect, sql, sqliteDialect } from "@retort/orm";
 * const q = sql`SELECT ${sql.byDialect({ sqlite: sql`1`, postgres: sql`2` })}`;
 * assert(compile(q, sqliteDialect).text === "SELECT 1");
 * assert(compile(q, postgresDialect).text === "SELECT 2");
 * ```
 */
export class ByDialect {
  /** The fragment for SQLite. */
  readonly sqlite: Fragment;
  /** The fragment for PostgreSQL. */
  readonly postgres: Fragment;
  /** Builds the node. Prefer `sql.byDialect({ sqlite, postgres })`. */
  constructor(cases: { sqlite: Fragment; postgres: Fragment }) {
    this.sqlite = cases.sqlite;
    this.postgres = cases.postgres;
  }
}

/**
 * A parenthesised, comma-separated list of bound values, for `IN`. An empty list still
 * compiles to valid SQL that matches nothing (or everything, after `NOT IN`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { List, sql } from "@retort/orm";
 * assert(sql.list([1, 2]) instanceof List);
 * ```
 */
export class List {
  /** The list's values, each a parameter or nested SQL. */
  readonly items: readonly unknown[];
  /** Builds a list from checked items. Prefer `sql.list(...)`. */
  constructor(items: readonly unknown[]) {
    this.items = items;
  }
}

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
  /** SQL that differs by dialect: the compile step picks the case for its dialect. */
  byDialect(cases: { sqlite: Fragment; postgres: Fragment }): ByDialect;
  /** The empty fragment. */
  readonly empty: Fragment;
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Whether a value nests as SQL rather than binding as a parameter. */
export function isSqlNode(v: unknown): boolean {
  // A class can render itself too (a mapped model class has a static `[toSql]`).
  if (typeof v === "function") return typeof (v as Partial<SqlSource>)[toSql] === "function";
  return typeof v === "object" && v !== null &&
    (v instanceof Fragment || v instanceof Identifier || v instanceof List ||
      v instanceof Literal || v instanceof ByDialect ||
      typeof (v as Partial<SqlSource>)[toSql] === "function");
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return `a function (${v.name || "anonymous"})`;
  if (typeof v === "symbol") return `a symbol (${v.description ?? ""})`;
  if (typeof v === "object" && v !== null) {
    const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)
      ?.constructor?.name;
    return isPlainObject(v) ? "a plain object" : `an instance of ${name ?? "an unknown class"}`;
  }
  return typeof v;
}

/**
 * Checks a value bound as a parameter and returns what is bound: arrays are copied so that
 * later changes (or a Proxy's traps) cannot alter a built fragment.
 */
export function checkParam(v: unknown, where: string): unknown {
  switch (typeof v) {
    case "string":
      if (!v.isWellFormed()) {
        throw new ArgumentError(
          `${where} is a string with a lone UTF-16 surrogate, which no database stores ` +
            "exactly; fix the string (String.prototype.toWellFormed) or bind bytes instead.",
        );
      }
      return v;
    case "number":
    case "bigint":
    case "boolean":
      return v;
    case "object": {
      if (v === null) return v;
      if (ArrayBuffer.isView(v) && v instanceof Uint8Array) return v;
      if (v instanceof Date) {
        let time: number;
        try {
          time = Date.prototype.getTime.call(v);
        } catch {
          throw new ArgumentError(`${where} is not a real Date; bind a Date instance.`);
        }
        if (Number.isNaN(time)) {
          throw new ArgumentError(`${where} is an invalid Date; bind a valid Date or null.`);
        }
        return v;
      }
      if (v instanceof Param) return v;
      if (Array.isArray(v)) {
        const copy = Array.from(v as unknown[]);
        for (let i = 0; i < copy.length; i++) {
          const item = copy[i];
          if (
            item !== null && typeof item === "object" && !(item instanceof Date) &&
            !(item instanceof Uint8Array) && !Array.isArray(item)
          ) {
            throw new ArgumentError(
              `${where}[${i}] is ${describe(item)}; an array parameter holds scalars only. ` +
                "Use sql.json(value) to bind structured data as JSON.",
            );
          }
          copy[i] = checkParam(item, `${where}[${i}]`);
        }
        return copy;
      }
      break;
    }
  }
  const hint = v === undefined
    ? "pass null for SQL NULL"
    : typeof v === "object"
    ? "use sql.json(value) to bind it as JSON, or pick the scalar you meant"
    : "bind a string, number, bigint, boolean, Date, Uint8Array, array or null";
  throw new ArgumentError(`${where} is ${describe(v)}, which cannot be bound; ${hint}.`);
}

/** Checks a value written as a literal: the scalars SQL can spell, and no NUL in text. */
export function checkLiteral(v: unknown, where = "sql.literal's value"): unknown {
  if (isSqlNode(v)) return v;
  if (v instanceof Param) v = v.value;
  if (typeof v === "string") {
    if (v.includes("\0")) {
      throw new ArgumentError(
        `${where} contains a NUL character, which cannot be written as a SQL literal.`,
      );
    }
    return checkParam(v, where);
  }
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new ArgumentError(`${where} is ${v}, which has no SQL literal; use a finite number.`);
  }
  if (
    v === null || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ||
    v instanceof Uint8Array || v instanceof Date
  ) {
    return checkParam(v, where);
  }
  throw new ArgumentError(
    `${where} is ${describe(v)}; a literal is a string, number, bigint, boolean, null, ` +
      "Date or Uint8Array.",
  );
}

function checkValue(v: unknown, where: string): unknown {
  try {
    return isSqlNode(v) ? v : checkParam(v, where);
  } catch (error) {
    throw uninspectable(error, where);
  }
}

/** An error raised while looking at a value (a Proxy's trap, a revoked Proxy) as misuse. */
function uninspectable(error: unknown, where: string): ArgumentError {
  if (error instanceof ArgumentError) return error;
  return new ArgumentError(
    `${where} could not be inspected (${(error as Error)?.message ?? error}); ` +
      "bind a plain value, not a Proxy or an object whose properties throw.",
    { cause: error },
  );
}

/** Checks a schema, table, column or alias name: a non-empty string, no NUL, well formed. */
export function checkName(name: unknown): string {
  if (typeof name !== "string") {
    throw new ArgumentError(`An identifier must be a string, not ${describe(name)}.`);
  }
  if (name.length === 0) {
    throw new ArgumentError("An identifier cannot be empty; give the table or column a name.");
  }
  if (name.includes("\0")) {
    throw new ArgumentError(
      `The identifier ${JSON.stringify(name)} contains a NUL byte, which no database allows.`,
    );
  }
  if (!name.isWellFormed()) {
    throw new ArgumentError(
      `The identifier ${JSON.stringify(name)} contains a lone UTF-16 surrogate; fix the name.`,
    );
  }
  return name;
}

const COMMA: Fragment = new Fragment([", "], []);
const EMPTY: Fragment = new Fragment([""], []);

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
  const strings: string[] = ["("];
  const values: unknown[] = [];
  keys.forEach((key, i) => {
    values.push(new Identifier([key]));
    strings.push(i === keys.length - 1 ? ") VALUES (" : ", ");
  });
  rows.forEach((row, r) => {
    const rowKeys = r === 0 ? keys : Object.keys(row);
    if (rowKeys.length !== keys.length || (r > 0 && rowKeys.some((k) => !(k in rows[0])))) {
      throw new ArgumentError(
        `Row ${r + 1} of sql.values has the columns [${rowKeys}], but row 1 has [${keys}]; ` +
          "every row must have the same columns.",
      );
    }
    for (let i = 0; i < keys.length; i++) {
      const v = row[keys[i]];
      const t = typeof v;
      values.push(
        t === "number" || t === "bigint" || t === "boolean" || v === null ||
          (t === "string" && (v as string).isWellFormed())
          ? v
          : checkValue(v, `sql.values' row ${r + 1}, column ${JSON.stringify(keys[i])}`),
      );
      strings.push(i < keys.length - 1 ? ", " : r < rows.length - 1 ? "), (" : ")");
    }
  });
  return new Fragment(strings, values);
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
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new ArgumentError(
        `sql.json cannot serialise its value: ${(error as Error).message}. ` +
          "Convert bigints to strings or numbers, and break cycles, first.",
        { cause: error },
      );
    }
    if (text === undefined) {
      throw new ArgumentError(`sql.json cannot serialise ${describe(value)}.`);
    }
    return new Param(text);
  },
  literal(value: unknown): Literal {
    return new Literal(checkLiteral(value));
  },
  byDialect(cases: { sqlite: Fragment; postgres: Fragment }): ByDialect {
    if (
      typeof cases !== "object" || cases === null || !(cases.sqlite instanceof Fragment) ||
      !(cases.postgres instanceof Fragment)
    ) {
      throw new ArgumentError(
        "sql.byDialect takes { sqlite: sql`...`, postgres: sql`...` }, a fragment for each.",
      );
    }
    return new ByDialect(cases);
  },
  empty: EMPTY,
});

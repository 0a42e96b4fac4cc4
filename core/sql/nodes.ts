/**
 * The nodes SQL is made of: fragments (the literal strings of a template and the values
 * between them), identifiers, parameters, literals, lists and per-dialect cases. Every node
 * is immutable; composing nodes builds new ones.
 *
 * @module
 */
import { checkName } from "./name.ts";

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
 * SQL that stands for a value of type `T`: an expression of that type (a column, a typed
 * expression), or SQL whose type is not known (a fragment). An expression of another type
 * is not one.
 *
 * @example
 * ```ts
 * import { column, sql, type SqlOf, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const a: SqlOf<number> = users.c.id;
 * const b: SqlOf<number> = sql`1 + 1`;
 * ```
 */
export interface SqlOf<T> extends SqlSource<unknown> {
  /** Type-only: the value type, when known. */
  readonly "~type"?: T;
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
 * The row a Core executor returns for a query typed `R`: `R` itself, or, for a
 * `select(Model)` (whose type is the mapped object), the object's columns only: the Engine
 * returns plain rows; a session returns the objects.
 *
 * @example
 * ```ts
 * import type { PlainRow } from "@retort/orm";
 * type Pet = {
 *   id: number;
 *   name: string;
 *   greet(): string;
 *   readonly "~columns"?: { readonly id: true; readonly name: true };
 * };
 * const row: PlainRow<Pet> = { id: 1, name: "rex" };
 * ```
 */
export type PlainRow<R> = R extends { readonly "~columns"?: infer C }
  // A row type with an index signature (Row) matches too, with nothing to say: itself.
  ? unknown extends C ? R : { [P in keyof NonNullable<C> & keyof R]: R[P] }
  : R;

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
 * SQL that differs by dialect: the compile step picks the fragment named after the dialect it
 * compiles for, or `otherwise` when there is none.
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
  /** The fragments, by dialect name (`otherwise` for any other dialect). */
  readonly cases: Readonly<Record<string, Fragment>>;
  /** Builds the node. Prefer `sql.byDialect({ sqlite, postgres })`. */
  constructor(cases: Readonly<Record<string, Fragment>>) {
    this.cases = Object.freeze({ ...cases });
  }

  /** The fragment for SQLite, when given. */
  get sqlite(): Fragment | undefined {
    return this.cases.sqlite;
  }

  /** The fragment for PostgreSQL, when given. */
  get postgres(): Fragment | undefined {
    return this.cases.postgres;
  }

  /** The fragment for a dialect's name, or undefined when neither it nor `otherwise` is given. */
  caseFor(name: string): Fragment | undefined {
    return Object.hasOwn(this.cases, name) ? this.cases[name] : this.cases.otherwise;
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

/** The empty fragment. */
export const EMPTY: Fragment = new Fragment([""], []);

/** A fragment of fixed text (trusted: never user input). */
export function text(t: string): Fragment {
  return new Fragment([t], []);
}

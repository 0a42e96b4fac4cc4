/**
 * Queries read as tables: subqueries (`(SELECT ...) AS "name"`) and common table expressions
 * (`WITH "name" AS (...)`), with typed columns.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, Identifier, type Row, type SqlSource, toSql } from "../sql/nodes.ts";
import { ColumnRef } from "./expression.ts";
import type { ResultColumn } from "./rows.ts";

/**
 * A query as a subquery or CTE sees it: its result columns, the CTEs it reads, and its SQL
 * without a WITH clause. Selects and unions are ones.
 *
 * @example
 * ```ts
 * import { type NestedQuery, select, sql } from "@retort/orm";
 * const q: NestedQuery<{ n: unknown }> = select({ n: sql`1` });
 * ```
 */
export interface NestedQuery<R = Row> extends SqlSource<R> {
  /** The result columns. */
  readonly columns: readonly ResultColumn[];
  /** The CTEs this query reads from directly. */
  directCtes(): readonly Cte<unknown>[];
  /** The statement without its WITH clause. */
  body(): Fragment;
}

/**
 * The columns of a subquery or CTE, by key, typed from its rows.
 *
 * @example
 * ```ts
 * import type { RefsOf } from "@retort/orm";
 * type C = RefsOf<{ id: number }>; // { readonly id: ColumnRef<number, "id"> }
 * ```
 */
export type RefsOf<R> = { readonly [K in keyof R & string]: ColumnRef<R[K], K> };

function refsOf(columns: readonly ResultColumn[], alias: string, source: SqlSource): Row {
  const refs: Row = {};
  for (const c of columns) refs[c.key] = new ColumnRef(c.key, c.type, alias, source);
  return Object.freeze(refs);
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new ArgumentError(`${what} needs a non-empty name.`);
  }
  return name;
}

/**
 * A query as a table in FROM or JOIN: `(SELECT ...) AS "name"`; its columns are `sub.c.*`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const sub = select(users.c.id).as("u");
 * const q = select(sub.c.id);
 * assert(
 *   compile(q, sqliteDialect).text === 'SELECT "u"."id" FROM (SELECT "users"."id" FROM "users") AS "u"',
 * );
 * ```
 */
export class Subquery<R = Row> implements SqlSource<unknown> {
  /** The alias. */
  readonly name: string;
  /** The query. */
  readonly query: NestedQuery<R>;
  /** The subquery's columns, typed from the query's rows. */
  readonly c: RefsOf<R>;

  /** Internal: use `query.as(name)`. */
  constructor(query: NestedQuery<R>, name: string) {
    this.name = checkName(name, "A subquery");
    this.query = query;
    this.c = refsOf(query.columns, this.name, this) as RefsOf<R>;
  }

  /** Renders as `(query) AS "name"`. */
  [toSql](): Fragment {
    return new Fragment(["(", ") AS ", ""], [this.query, new Identifier([this.name])]);
  }
}

/**
 * A common table expression: a named query in a `WITH` clause. Reading from it (in FROM or
 * JOIN, or through its columns) adds the `WITH` to the statement. Make one with
 * {@linkcode withCte} or {@linkcode withRecursive}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, gt, select, sqliteDialect, table, withCte } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const big = withCte("big", select(users.c.id).where(gt(users.c.id, 10)));
 * assert(compile(select(big.c.id), sqliteDialect).text ===
 *   'WITH "big" AS (SELECT "users"."id" FROM "users" WHERE "users"."id" > ?) ' +
 *     'SELECT "big"."id" FROM "big"');
 * ```
 */
export class Cte<R = Row> implements SqlSource<unknown> {
  /** The CTE's name. */
  readonly name: string;
  /** Whether it refers to itself (`WITH RECURSIVE`). */
  readonly recursive: boolean;
  /** The CTE's columns, typed from its rows. */
  readonly c: RefsOf<R>;
  #query: NestedQuery<R> | null = null;

  /** Internal: use {@linkcode withCte} or {@linkcode withRecursive}. */
  constructor(name: string, columns: readonly ResultColumn[], recursive: boolean) {
    this.name = checkName(name, "A CTE");
    this.recursive = recursive;
    this.c = refsOf(columns, this.name, this) as RefsOf<R>;
  }

  /** The CTE's query. */
  get query(): NestedQuery<R> {
    return this.#query!;
  }

  /** Internal: sets the query once. */
  define(query: NestedQuery<R>): this {
    if (this.#query !== null) throw new ArgumentError(`CTE ${this.name} is already defined.`);
    this.#query = query;
    return this;
  }

  /** Renders as its quoted name. */
  [toSql](): Fragment {
    return new Fragment(["", ""], [new Identifier([this.name])]);
  }
}

/** The CTEs a query needs, dependencies first. */
export function collectCtes(
  ctes: readonly Cte<unknown>[],
  out: Cte<unknown>[],
  visiting: Set<object>,
) {
  for (const c of ctes) {
    if (out.includes(c) || visiting.has(c)) continue;
    visiting.add(c);
    collectCtes(c.query.directCtes(), out, visiting);
    out.push(c);
  }
}

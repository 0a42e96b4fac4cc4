/**
 * SELECT: an immutable builder over fragments, with joins whose ON clause follows from a
 * foreign key, subqueries, CTEs (recursive too), UNION / INTERSECT / EXCEPT, and rows typed
 * and decoded from the columns selected.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import { Column, type Columns, type RowOf, Table } from "../schema.ts";
import { Fragment, Identifier, isSqlNode, type Row, sql, type SqlSource, toSql } from "../sql.ts";
import {
  type Executable,
  isEntity,
  isJoinable,
  type Joinable,
  type TableLike,
  tableOf,
  toJoin,
} from "../statement.ts";
import {
  checkKeys,
  ColumnRef,
  type Condition,
  conditionsOf,
  conjunction,
  type Expression,
  operand,
  type ResultColumn,
  resultColumns,
  RowDecoder,
  selectList,
  TypedExpression,
} from "./expression.ts";

/**
 * An entity: a class with a static `table`, such as an ORM model class.
 *
 * @example
 * ```ts
 * import { column, type EntityClass, table } from "@retort/orm";
 * class User {
 *   static table = table("users", { id: column.integer().primaryKey() });
 * }
 * const e: EntityClass = User;
 * ```
 */
export type EntityClass =
  // deno-lint-ignore no-explicit-any
  & (abstract new (...args: any[]) => unknown)
  & { readonly table: Table };

/**
 * A column a select can list: a table's column or a subquery's, each with its key.
 *
 * @example
 * ```ts
 * import { column, type SelectItem, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const item: SelectItem = users.c.id;
 * ```
 */
export type SelectItem = Expression<unknown> & { readonly key: string };

/**
 * The value type of a selected expression: a column's type, a scalar subquery's single
 * value (or null), `unknown` for a plain fragment.
 *
 * @example
 * ```ts
 * import { column, table, type ValueOf } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const id: ValueOf<typeof users.c.id> = 1;
 * ```
 */
export type ValueOf<E> = E extends { readonly isQuery: true; readonly "~row"?: infer R }
  ? ScalarOf<R>
  : E extends { readonly "~type"?: infer T } ? Exclude<T, undefined>
  : unknown;

/**
 * The row type of a list of columns: each column's key with its value type.
 *
 * @example
 * ```ts
 * import { column, type RowOfColumns, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const row: RowOfColumns<[typeof users.c.id, typeof users.c.name]> = { id: 1, name: "ada" };
 * ```
 */
export type RowOfColumns<A extends readonly unknown[]> = {
  -readonly [E in A[number] as E extends { readonly key: infer K extends string } ? K : never]:
    ValueOf<E>;
};

/**
 * The row type of a record of expressions: each key with its expression's value type.
 *
 * @example
 * ```ts
 * import { column, type RowOfRecord, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const row: RowOfRecord<{ userId: typeof users.c.id }> = { userId: 1 };
 * ```
 */
export type RowOfRecord<S> = { -readonly [K in keyof S]: ValueOf<S[K]> };

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

/**
 * What a select reads from: a table, a subquery, a CTE, or a fragment.
 *
 * @example
 * ```ts
 * import { column, type FromItem, select, table } from "@retort/orm";
 * const users = table("from_item_doc_users", { id: column.integer().primaryKey() });
 * const sources: FromItem[] = [users, select(users.c.id).as("ids")];
 * ```
 */
export type FromItem = TableLike | Subquery<unknown> | Cte<unknown> | Fragment;

/**
 * Something ORDER BY takes: an expression, or a result key (a string).
 *
 * @example
 * ```ts
 * import { column, desc, type OrderItem, select, table } from "@retort/orm";
 * const users = table("order_item_doc_users", { id: column.integer().primaryKey() });
 * const order: OrderItem[] = [desc(users.c.id), "id"];
 * const q = select(users.c.id).orderBy(...order);
 * ```
 */
export type OrderItem = SqlSource<unknown> | string;

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
  readonly query: QueryBase<R>;
  /** The subquery's columns, typed from the query's rows. */
  readonly c: RefsOf<R>;

  /** Internal: use `query.as(name)`. */
  constructor(query: QueryBase<R>, name: string) {
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
  #query: QueryBase<R> | null = null;

  /** Internal: use {@linkcode withCte} or {@linkcode withRecursive}. */
  constructor(name: string, columns: readonly ResultColumn[], recursive: boolean) {
    this.name = checkName(name, "A CTE");
    this.recursive = recursive;
    this.c = refsOf(columns, this.name, this) as RefsOf<R>;
  }

  /** The CTE's query. */
  get query(): QueryBase<R> {
    return this.#query!;
  }

  /** Internal: sets the query once. */
  define(query: QueryBase<R>): this {
    if (this.#query !== null) throw new ArgumentError(`CTE ${this.name} is already defined.`);
    this.#query = query;
    return this;
  }

  /** Renders as its quoted name. */
  [toSql](): Fragment {
    return new Fragment(["", ""], [new Identifier([this.name])]);
  }
}

/**
 * Names a query as a CTE, to read from in other statements: `WITH "name" AS (query)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, select, sql, withCte } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const one = withCte("one", select({ n: sql`1` }));
 * assert((await engine.one(select(one.c.n))).n === 1);
 * ```
 */
export function withCte<R>(name: string, query: QueryBase<R>): Cte<R> {
  if (!(query instanceof QueryBase)) {
    throw new ArgumentError(`withCte(${JSON.stringify(name)}, ...) takes a select or a union.`);
  }
  return new Cte<R>(name, query.columns, false).define(query);
}

/**
 * Options of {@linkcode withRecursive}.
 *
 * @example
 * ```ts
 * import type { RecursiveOptions } from "@retort/orm";
 * const options: RecursiveOptions = { distinct: true }; // UNION rather than UNION ALL
 * ```
 */
export interface RecursiveOptions {
  /** Join the anchor and the recursive part with `UNION` (dropping duplicates) instead of `UNION ALL`. */
  distinct?: boolean;
}

/**
 * A recursive CTE: `anchor UNION ALL recursive(self)`, where the recursive part reads from
 * the CTE itself (`self`), whose columns are the anchor's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, lt, select, sql, withRecursive } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const nums = withRecursive(
 *   "nums",
 *   select({ n: sql`1` }),
 *   (self) => select({ n: sql`${self.c.n} + 1` }).from(self).where(lt(self.c.n, 5)),
 * );
 * const rows = await engine.all(select(nums.c.n));
 * assert(rows.length === 5);
 * ```
 */
export function withRecursive<R>(
  name: string,
  anchor: QueryBase<R>,
  recursive: (self: Cte<R>) => QueryBase<unknown>,
  options: RecursiveOptions = {},
): Cte<R> {
  if (!(anchor instanceof QueryBase)) {
    throw new ArgumentError(`withRecursive(${JSON.stringify(name)}, ...) takes a select anchor.`);
  }
  const cte = new Cte<R>(name, anchor.columns, true);
  const step = recursive(cte);
  if (!(step instanceof QueryBase)) {
    throw new ArgumentError(
      `withRecursive(${JSON.stringify(name)}, ...)'s function returns a select.`,
    );
  }
  const op = options.distinct ? "UNION" : "UNION ALL";
  return cte.define(new Compound<R>([anchor, step as QueryBase<R>], [op], [], null, null));
}

function collectCtes(ctes: readonly Cte<unknown>[], out: Cte<unknown>[], visiting: Set<object>) {
  for (const c of ctes) {
    if (out.includes(c) || visiting.has(c)) continue;
    visiting.add(c);
    collectCtes(c.query.directCtes(), out, visiting);
    out.push(c);
  }
}

function limitClause(limit: number | null, offset: number | null): Fragment | null {
  if (limit !== null && offset !== null) return sql`LIMIT ${limit} OFFSET ${offset}`;
  if (limit !== null) return sql`LIMIT ${limit}`;
  if (offset !== null) {
    return sql`${
      sql.byDialect({ sqlite: sql`LIMIT -1 OFFSET ${offset}`, postgres: sql`OFFSET ${offset}` })
    }`;
  }
  return null;
}

function checkCount(n: unknown, what: string): number | null {
  if (n === null) return null;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new ArgumentError(`${what} takes a non-negative integer (or null), not ${String(n)}.`);
  }
  return n;
}

function orderItems(items: readonly OrderItem[], what: string): SqlSource<unknown>[] {
  return items.map((item, i) => {
    if (typeof item === "string") return new Fragment(["", ""], [new Identifier([item])]);
    if (!isSqlNode(item)) {
      throw new ArgumentError(`${what}'s item ${i + 1} is not SQL nor a result key.`);
    }
    return operand(item) as SqlSource<unknown>;
  });
}

/**
 * The value of a one-column query used as a scalar: its column's type, or null (no row).
 *
 * @example
 * ```ts
 * import type { ScalarOf } from "@retort/orm";
 * const v: ScalarOf<{ n: number }> = null;
 * ```
 */
export type ScalarOf<R> = unknown extends R ? unknown : R[keyof R] | null;

/**
 * How queries combine.
 *
 * @example
 * ```ts
 * import type { SetOperator } from "@retort/orm";
 * const op: SetOperator = "UNION ALL";
 * ```
 */
export type SetOperator = "UNION" | "UNION ALL" | "INTERSECT" | "EXCEPT";

/**
 * What selects and unions share: they run (`engine.all(q)`), decode their rows, nest as
 * subqueries (`q.as("name")`, or in parentheses as values), and combine with UNION.
 *
 * @example
 * ```ts
 * import { type QueryBase, select, sql } from "@retort/orm";
 * const q: QueryBase<{ n: unknown }> = select({ n: sql`1` });
 * ```
 */
export abstract class QueryBase<R = Row> implements Executable<R> {
  /** Marks queries, which nest in parentheses as values. */
  readonly isQuery = true as const;
  /** Type-only: the row type. */
  declare readonly "~row"?: R;
  #sql: Fragment | undefined;
  #decoder: RowDecoder | undefined;

  /** The result columns: each row's keys, with their SQL and column types. */
  abstract get columns(): readonly ResultColumn[];

  /** Internal: the CTEs this query reads from directly. */
  abstract directCtes(): readonly Cte<unknown>[];

  /** Internal: the statement without its WITH clause. */
  abstract body(): Fragment;

  /** Renders the statement, with a WITH clause for the CTEs it reads from. */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      const ctes: Cte<unknown>[] = [];
      collectCtes(this.directCtes(), ctes, new Set());
      if (ctes.length === 0) this.#sql = this.body();
      else {
        const head = ctes.some((c) => c.recursive) ? "WITH RECURSIVE " : "WITH ";
        const defs = ctes.map((c) =>
          new Fragment(["", " AS (", ")"], [new Identifier([c.name]), c.query.body()])
        );
        this.#sql = new Fragment([head, " ", ""], [sql.join(defs), this.body()]);
      }
    }
    return this.#sql;
  }

  /** Decodes the driver's rows with the selected columns' types (the Engine calls it). */
  decodeRows(rows: Row[], dialect: Dialect): R[] {
    this.#decoder ??= new RowDecoder(this.columns);
    return this.#decoder.decode(rows, dialect) as R[];
  }

  /** This query as a subquery to read from: `(query) AS "name"`, with columns `sub.c.*`. */
  as(name: string): Subquery<R> {
    return new Subquery(this, name);
  }

  /** This query as a single value in an expression: `(SELECT ...)`. */
  scalarSubquery(): Expression<ScalarOf<R>> {
    const cols = this.columns;
    if (cols.length !== 1) {
      throw new ArgumentError(
        `A scalar subquery selects one column; this one selects ${cols.length}.`,
      );
    }
    return new TypedExpression(new Fragment(["(", ")"], [this]), cols[0].type);
  }

  /** `this UNION other...`: rows of all, without duplicates. */
  union(...others: QueryBase<R>[]): Compound<R> {
    return this.setOp("UNION", others);
  }

  /** `this UNION ALL other...`: rows of all, duplicates kept. */
  unionAll(...others: QueryBase<R>[]): Compound<R> {
    return this.setOp("UNION ALL", others);
  }

  /** `this INTERSECT other...`: rows in every query. */
  intersect(...others: QueryBase<R>[]): Compound<R> {
    return this.setOp("INTERSECT", others);
  }

  /** `this EXCEPT other...`: rows of this query that the others lack. */
  except(...others: QueryBase<R>[]): Compound<R> {
    return this.setOp("EXCEPT", others);
  }

  /** Internal: whether the query has ORDER BY, LIMIT or OFFSET. */
  abstract get isLimitedOrOrdered(): boolean;

  /** Internal: combines with other queries. */
  protected setOp(op: SetOperator, others: readonly QueryBase<R>[]): Compound<R> {
    checkSetOp(op, this, others);
    return new Compound<R>([this, ...others], others.map(() => op), [], null, null);
  }
}

function checkSetOp(op: SetOperator, first: QueryBase<unknown>, others: readonly unknown[]): void {
  if (others.length === 0) throw new ArgumentError(`${op} needs at least one other query.`);
  for (const o of others) {
    if (!(o instanceof QueryBase)) {
      throw new ArgumentError(`${op} takes selects; got ${typeof o}.`);
    }
    if (o.columns.length !== first.columns.length) {
      throw new ArgumentError(
        `${op}: the queries select ${first.columns.length} and ${o.columns.length} columns; ` +
          "each must select the same number.",
      );
    }
  }
}

/**
 * Combines queries with UNION, UNION ALL, INTERSECT or EXCEPT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, select, sqliteDialect, union } from "@retort/orm";
 * const q = union(select({ n: sql`1` }), select({ n: sql`2` }));
 * assert(compile(q, sqliteDialect).text === 'SELECT 1 AS "n" UNION SELECT 2 AS "n"');
 * ```
 */
export function union<R>(first: QueryBase<R>, ...others: QueryBase<R>[]): Compound<R> {
  return first.union(...others);
}

/**
 * Combines queries with UNION ALL (duplicates kept).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, select, sqliteDialect, unionAll } from "@retort/orm";
 * const q = unionAll(select({ n: sql`1` }), select({ n: sql`1` }));
 * assert(compile(q, sqliteDialect).text === 'SELECT 1 AS "n" UNION ALL SELECT 1 AS "n"');
 * ```
 */
export function unionAll<R>(first: QueryBase<R>, ...others: QueryBase<R>[]): Compound<R> {
  return first.unionAll(...others);
}

/**
 * Queries combined by UNION / INTERSECT / EXCEPT, with their own ORDER BY, LIMIT and OFFSET.
 * Its rows are keyed and decoded as the first query's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, select, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const q = select({ n: sql`2` }).unionAll(select({ n: sql`1` })).orderBy("n").limit(1);
 * assert((await engine.one(q)).n === 1);
 * ```
 */
export class Compound<R = Row> extends QueryBase<R> {
  readonly #parts: readonly QueryBase<R>[];
  readonly #ops: readonly SetOperator[];
  readonly #orderBy: readonly SqlSource<unknown>[];
  readonly #limit: number | null;
  readonly #offset: number | null;

  /** Internal: use `a.union(b)`, {@linkcode union} or {@linkcode unionAll}. */
  constructor(
    parts: readonly QueryBase<R>[],
    ops: readonly SetOperator[],
    orderBy: readonly SqlSource<unknown>[],
    limit: number | null,
    offset: number | null,
  ) {
    super();
    this.#parts = parts;
    this.#ops = ops;
    this.#orderBy = orderBy;
    this.#limit = limit;
    this.#offset = offset;
  }

  /** The first query's result columns. */
  get columns(): readonly ResultColumn[] {
    return this.#parts[0].columns;
  }

  /** Internal: the CTEs every part reads from. */
  directCtes(): readonly Cte<unknown>[] {
    return this.#parts.flatMap((p) => p.directCtes());
  }

  /** Internal: the parts joined by their operators, then ORDER BY / LIMIT / OFFSET. */
  body(): Fragment {
    const parts: unknown[] = [];
    this.#parts.forEach((p, i) => {
      if (i > 0) parts.push(sql.unsafe(` ${this.#ops[i - 1]} `));
      // Nested unions are wrapped: INTERSECT binds tighter than UNION on PostgreSQL but not
      // on SQLite, and a member with ORDER BY or LIMIT must be a subquery on SQLite.
      const needsWrap = p instanceof Compound || p.isLimitedOrOrdered;
      parts.push(
        needsWrap
          ? new Fragment(["SELECT * FROM (", ") AS ", ""], [p.body(), new Identifier([`_q${i}`])])
          : p.body(),
      );
    });
    const clauses: unknown[] = [sql.join(parts, sql.empty)];
    if (this.#orderBy.length > 0) clauses.push(sql`ORDER BY ${sql.join(this.#orderBy)}`);
    const limit = limitClause(this.#limit, this.#offset);
    if (limit !== null) clauses.push(limit);
    return sql.join(clauses, sql` `);
  }

  #with(changes: {
    parts?: readonly QueryBase<R>[];
    ops?: readonly SetOperator[];
    orderBy?: readonly SqlSource<unknown>[];
    limit?: number | null;
    offset?: number | null;
  }): Compound<R> {
    return new Compound<R>(
      changes.parts ?? this.#parts,
      changes.ops ?? this.#ops,
      changes.orderBy ?? this.#orderBy,
      changes.limit !== undefined ? changes.limit : this.#limit,
      changes.offset !== undefined ? changes.offset : this.#offset,
    );
  }

  /** Internal: whether the compound has ORDER BY, LIMIT or OFFSET. */
  override get isLimitedOrOrdered(): boolean {
    return this.#orderBy.length > 0 || this.#limit !== null || this.#offset !== null;
  }

  /** Internal: adds queries; the same operator extends this compound, another nests it. */
  protected override setOp(op: SetOperator, others: readonly QueryBase<R>[]): Compound<R> {
    if (this.isLimitedOrOrdered || this.#ops.some((o) => o !== op)) {
      return super.setOp(op, others);
    }
    checkSetOp(op, this, others);
    return this.#with({
      parts: [...this.#parts, ...others],
      ops: [...this.#ops, ...others.map(() => op)],
    });
  }

  /** Orders the combined rows, by result keys (strings) or expressions. */
  orderBy(...items: OrderItem[]): Compound<R> {
    return this.#with({ orderBy: [...this.#orderBy, ...orderItems(items, "orderBy")] });
  }

  /** At most `n` rows (null: no limit). */
  limit(n: number | null): Compound<R> {
    return this.#with({ limit: checkCount(n, "limit") });
  }

  /** Skips `n` rows (null: none). */
  offset(n: number | null): Compound<R> {
    return this.#with({ offset: checkCount(n, "offset") });
  }
}

interface Join {
  readonly kind: "JOIN" | "LEFT JOIN";
  readonly target: SqlSource<unknown>;
  readonly on: SqlSource<unknown>;
}

interface SelectState {
  readonly entity: EntityClass | undefined;
  readonly columns: readonly ResultColumn[];
  readonly from: readonly SqlSource<unknown>[] | null;
  readonly joins: readonly Join[];
  readonly where: readonly SqlSource<unknown>[];
  readonly groupBy: readonly SqlSource<unknown>[];
  readonly having: readonly SqlSource<unknown>[];
  readonly orderBy: readonly SqlSource<unknown>[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  readonly ctes: readonly Cte<unknown>[];
  readonly loadOptions: readonly unknown[];
  readonly populateExisting: boolean;
}

const sameTable = (a: Table, b: Table): boolean => a.name === b.name && a.schema === b.schema;

function fromItem(item: unknown, what: string): SqlSource<unknown> {
  if (item instanceof Table || item instanceof Subquery || item instanceof Cte) return item;
  if (item instanceof Fragment) return item;
  if (isEntity(item)) return item.table;
  throw new ArgumentError(
    `${what} takes a table, a model class, a subquery (query.as("name")), a CTE or a fragment.`,
  );
}

/** Infers the ON clause of a join from the one foreign key between target and the others. */
function inferOn(left: readonly SqlSource<unknown>[], target: SqlSource<unknown>): Fragment {
  const targetName = target instanceof Table
    ? target.alias ?? target.name
    : target instanceof Subquery || target instanceof Cte
    ? target.name
    : "the target";
  if (!(target instanceof Table)) {
    throw new ArgumentError(
      `Cannot infer how to join ${targetName}: only tables have foreign keys. Pass the ON ` +
        "condition: .join(target, eq(a, b)).",
    );
  }
  const found: [Column, Column][] = [];
  const names: string[] = [];
  for (const l of left) {
    if (!(l instanceof Table)) continue;
    names.push(l.alias ?? l.name);
    for (const fk of target.foreignKeys) {
      if (sameTable(fk.target.table!, l)) {
        found.push([target.column(fk.column.key), l.column(fk.target.key)]);
      }
    }
    if (l === target) continue;
    for (const fk of l.foreignKeys) {
      if (sameTable(fk.target.table!, target)) {
        found.push([l.column(fk.column.key), target.column(fk.target.key)]);
      }
    }
  }
  if (found.length === 1) {
    const [a, b] = found[0];
    return new Fragment(["", " = ", ""], [a, b]);
  }
  const what = `${targetName} to ${names.join(", ") || "nothing (no table before it)"}`;
  throw new ArgumentError(
    found.length === 0
      ? `Cannot infer how to join ${what}: no foreign key links them. Pass the ON ` +
        "condition: .join(target, eq(a, b))."
      : `Cannot infer how to join ${what}: ${found.length} foreign keys link them (` +
        found.map(([a, b]) =>
          `${a.table!.alias ?? a.table!.name}.${a.key} → ` +
          `${b.table!.alias ?? b.table!.name}.${b.key}`
        ).join(", ") +
        "). Pass the ON condition: .join(target, eq(a, b)).",
  );
}

/**
 * A SELECT statement. Immutable: each method returns a new select. Run it with
 * `engine.all(q)` (rows typed and decoded from the columns), nest it (`q.as("name")`,
 * `inList(col, q)`, `exists(q)`), or hand it to the ORM's session when it selects a model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, desc, eq, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const q = select(users.c.id, users.c.name).where(eq(users.c.name, "ada"))
 *   .orderBy(desc(users.c.id)).limit(10);
 * const c = compile(q, sqliteDialect);
 * assert(c.text === 'SELECT "users"."id", "users"."name" FROM "users" ' +
 *   'WHERE "users"."name" = ? ORDER BY "users"."id" DESC LIMIT ?');
 * assert(c.params.join() === "ada,10");
 * ```
 */
export class Select<R = Row> extends QueryBase<R> {
  readonly #s: SelectState;

  /** Internal: use {@linkcode select}. */
  constructor(state: SelectState) {
    super();
    this.#s = state;
  }

  /** The model class selected by `select(Model)`, which the ORM's session reads. */
  get entity(): EntityClass | undefined {
    return this.#s.entity;
  }

  /** The loader options given with `.options(...)`, which the ORM interprets. */
  get loadOptions(): readonly unknown[] {
    return this.#s.loadOptions;
  }

  /** Whether loaded rows overwrite objects already in a session (`.populateExisting()`). */
  get populateExistingRows(): boolean {
    return this.#s.populateExisting;
  }

  /** The result columns: each row's keys, with their SQL and column types. */
  get columns(): readonly ResultColumn[] {
    return this.#s.columns;
  }

  /** Internal: whether the select has ORDER BY, LIMIT or OFFSET (it nests in a union then). */
  override get isLimitedOrOrdered(): boolean {
    const s = this.#s;
    return s.orderBy.length > 0 || s.limit !== null || s.offset !== null;
  }

  #with(changes: Partial<SelectState>): Select<R> {
    return new Select<R>({ ...this.#s, ...changes });
  }

  /** What the select reads from: the explicit FROM, or the tables of its columns. */
  #from(): readonly SqlSource<unknown>[] {
    const s = this.#s;
    if (s.from !== null) return s.from;
    const out: SqlSource<unknown>[] = [];
    for (const c of s.columns) {
      const source = c.expr instanceof Column
        ? c.expr.table
        : c.expr instanceof ColumnRef
        ? c.expr.source
        : undefined;
      if (source !== undefined && !out.includes(source)) out.push(source);
    }
    return out.filter((x) => !s.joins.some((j) => j.target === x));
  }

  /** Internal: the CTEs read in FROM, JOIN, through columns, or given with `.with()`. */
  directCtes(): readonly Cte<unknown>[] {
    const s = this.#s;
    const all = [...s.ctes, ...this.#from(), ...s.joins.map((j) => j.target)];
    return all.filter((x): x is Cte<unknown> => x instanceof Cte);
  }

  /** Internal: the statement without its WITH clause. */
  body(): Fragment {
    const s = this.#s;
    if (s.columns.length === 0) {
      throw new ArgumentError("A select needs at least one column.");
    }
    const clauses: unknown[] = [
      s.distinct
        ? sql`SELECT DISTINCT ${selectList(s.columns)}`
        : sql`SELECT ${selectList(s.columns)}`,
    ];
    const from = this.#from();
    if (from.length > 0) clauses.push(sql`FROM ${sql.join(from)}`);
    for (const j of s.joins) {
      clauses.push(new Fragment([j.kind + " ", " ON ", ""], [j.target, j.on]));
    }
    if (s.where.length > 0) clauses.push(sql`WHERE ${conjunction(s.where)}`);
    if (s.groupBy.length > 0) clauses.push(sql`GROUP BY ${sql.join(s.groupBy)}`);
    if (s.having.length > 0) clauses.push(sql`HAVING ${conjunction(s.having)}`);
    if (s.orderBy.length > 0) clauses.push(sql`ORDER BY ${sql.join(s.orderBy)}`);
    const limit = limitClause(s.limit, s.offset);
    if (limit !== null) clauses.push(limit);
    return sql.join(clauses, sql` `);
  }

  /** Reads from these tables, subqueries, CTEs or fragments (instead of the columns' tables). */
  from(...items: FromItem[]): Select<R> {
    if (items.length === 0) throw new ArgumentError("from() needs at least one table.");
    return this.#with({ from: items.map((x) => fromItem(x, "from()")) });
  }

  #join(
    kind: Join["kind"],
    target: FromItem | Joinable,
    on: SqlSource<unknown> | undefined,
  ): Select<R> {
    if (isJoinable(target)) {
      if (on !== undefined) {
        throw new ArgumentError("Joining along a relationship takes no ON condition.");
      }
      const joins = target[toJoin]().map((j) => ({ kind, target: j.target, on: j.on }));
      return this.#with({ joins: [...this.#s.joins, ...joins] });
    }
    const t = fromItem(target, kind === "JOIN" ? "join()" : "leftJoin()");
    const left = [...this.#from(), ...this.#s.joins.map((j) => j.target)].filter((x) => x !== t);
    const condition = on === undefined ? inferOn(left, t) : on;
    if (!isSqlNode(condition)) throw new ArgumentError("The ON condition of a join must be SQL.");
    return this.#with({ joins: [...this.#s.joins, { kind, target: t, on: condition }] });
  }

  /**
   * `JOIN target ON on`. Without `on`, the condition follows from the one foreign key between
   * the target and the tables already read; none or several is an error asking for `on`.
   * A relationship joins along its own condition: `select(User).join(User.posts)`.
   */
  join(target: FromItem | Joinable, on?: SqlSource<unknown>): Select<R> {
    return this.#join("JOIN", target, on);
  }

  /** `LEFT JOIN target ON on`, with `on` inferred as for {@linkcode Select.join}. */
  leftJoin(target: FromItem | Joinable, on?: SqlSource<unknown>): Select<R> {
    return this.#join("LEFT JOIN", target, on);
  }

  /** Adds WHERE conditions; every call's conditions are ANDed. */
  where(...conditions: Condition[]): Select<R> {
    return this.#with({ where: [...this.#s.where, ...conditionsOf(conditions, "where")] });
  }

  /** Adds GROUP BY expressions. */
  groupBy(...items: SqlSource<unknown>[]): Select<R> {
    return this.#with({ groupBy: [...this.#s.groupBy, ...orderItems(items, "groupBy")] });
  }

  /** Adds HAVING conditions, ANDed. */
  having(...conditions: Condition[]): Select<R> {
    return this.#with({ having: [...this.#s.having, ...conditionsOf(conditions, "having")] });
  }

  /** Adds ORDER BY items: expressions, `asc(col)` / `desc(col)`, or result keys. */
  orderBy(...items: OrderItem[]): Select<R> {
    return this.#with({ orderBy: [...this.#s.orderBy, ...orderItems(items, "orderBy")] });
  }

  /** At most `n` rows (null: no limit). */
  limit(n: number | null): Select<R> {
    return this.#with({ limit: checkCount(n, "limit") });
  }

  /** Skips `n` rows (null: none). */
  offset(n: number | null): Select<R> {
    return this.#with({ offset: checkCount(n, "offset") });
  }

  /** `SELECT DISTINCT` (or not, with `false`). */
  distinct(on = true): Select<R> {
    return this.#with({ distinct: on });
  }

  /** Adds CTEs to the WITH clause (CTEs read in FROM or JOIN are added by themselves). */
  with(...ctes: Cte<unknown>[]): Select<R>;
  /** Adds `name AS (query)` to the WITH clause, for SQL that names it. */
  with(name: string, query: QueryBase<unknown>): Select<R>;
  with(...args: unknown[]): Select<R> {
    const ctes = typeof args[0] === "string"
      ? [withCte(args[0], args[1] as QueryBase<unknown>)]
      : args.map((c) => {
        if (!(c instanceof Cte)) {
          throw new ArgumentError("with() takes CTEs, or a name and a query.");
        }
        return c;
      });
    return this.#with({ ctes: [...this.#s.ctes, ...ctes] });
  }

  /** Loader options for the ORM (`selectin("posts")`...), carried as they are. */
  options(...options: unknown[]): Select<R> {
    return this.#with({ loadOptions: [...this.#s.loadOptions, ...options] });
  }

  /** Asks the ORM to overwrite objects already in the session with the loaded rows. */
  populateExisting(on = true): Select<R> {
    return this.#with({ populateExisting: on });
  }
}

const EMPTY_STATE: Omit<SelectState, "columns" | "entity"> = {
  from: null,
  joins: [],
  where: [],
  groupBy: [],
  having: [],
  orderBy: [],
  limit: null,
  offset: null,
  distinct: false,
  ctes: [],
  loadOptions: [],
  populateExisting: false,
};

/** A table's columns as a select lists them: by key, or by name for the ORM's entities. */
function tableColumns(t: Table, byName: boolean): ResultColumn[] {
  return t.columns.map((c) => ({ key: byName ? c.name : c.key, expr: c, type: c.type }));
}

/**
 * Starts a SELECT of a table's columns (rows keyed by property key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), fullName: column.text() });
 * assert(compile(select(users), sqliteDialect).text ===
 *   'SELECT "users"."id", "users"."full_name" AS "fullName" FROM "users"');
 * ```
 */
export function select<C extends Columns>(table: Table<C>): Select<RowOf<C>>;
/**
 * Starts a SELECT of a model class (an entity): every column of its table, by column name,
 * which the ORM's session turns into objects. `select(User).entity === User`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, select } from "@retort/orm";
 * class Pet extends Model("select_doc_pets", { id: column.integer().primaryKey(), name: column.text() }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Pet]);
 * await using session = engine.session();
 * session.add(new Pet({ name: "rex" }));
 * const pets = await session.all(select(Pet)); // autoflush sends the INSERT first
 * assert(pets[0] instanceof Pet && pets[0].name === "rex");
 * ```
 */
export function select<M extends EntityClass>(entity: M): Select<InstanceType<M>>;
/**
 * Starts a SELECT of columns; rows have each column's key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), fullName: column.text() });
 * const q = select(users.c.id, users.c.fullName); // rows: { id: number; fullName: string }
 * assert(compile(q, sqliteDialect).text ===
 *   'SELECT "users"."id", "users"."full_name" AS "fullName" FROM "users"');
 * ```
 */
export function select<const A extends readonly SelectItem[]>(
  ...columns: A
): Select<RowOfColumns<A>>;
/**
 * Starts a SELECT of named expressions: `select({ id: users.c.id, n: sql\`count(*)\` })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sql, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const q = select({ userId: users.c.id, one: sql`1` });
 * assert(compile(q, sqliteDialect).text ===
 *   'SELECT "users"."id" AS "userId", 1 AS "one" FROM "users"');
 * ```
 */
export function select<const S extends Record<string, SqlSource<unknown>>>(
  record: S,
): Select<RowOfRecord<S>>;
export function select(...items: unknown[]): Select<unknown> {
  if (items.length === 1 && items[0] instanceof Table) {
    const columns = tableColumns(items[0], false);
    checkKeys(columns, "select(table)");
    return new Select({ ...EMPTY_STATE, entity: undefined, columns });
  }
  if (items.length === 1 && isEntity(items[0])) {
    const entity = items[0] as unknown as EntityClass;
    const columns = tableColumns(tableOf(entity), true);
    return new Select({ ...EMPTY_STATE, entity, columns });
  }
  if (items.length === 0) {
    throw new ArgumentError("select() needs columns, a table, a model class or a record.");
  }
  if (items.some((x) => x instanceof Table || isEntity(x))) {
    throw new ArgumentError(
      "select(...) takes one table or model class alone; to add other columns, list columns " +
        "(users.c.id, posts.c.title) or use a record.",
    );
  }
  return new Select({
    ...EMPTY_STATE,
    entity: undefined,
    columns: resultColumns(items, "select(...)"),
  });
}

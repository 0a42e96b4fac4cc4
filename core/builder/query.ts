/**
 * What selects and unions share (running, decoding, nesting as subqueries and values), the
 * UNION / INTERSECT / EXCEPT compounds, and CTEs built from queries.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, Identifier, type Row, type SqlSource, toSql } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import type { Executable } from "../statement.ts";
import { checkCount, limitClause, type OrderItem } from "./clauses.ts";
import { collectCtes, Cte, Subquery } from "./cte.ts";
import { type Expression, TypedExpression } from "./expression.ts";
import { resultOrderItem } from "./order.ts";
import type { ScalarOf } from "./row_types.ts";
import type { ResultColumn } from "./rows.ts";

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

  /** The result columns' keys and types, by which the Engine decodes the rows. */
  get resultTypes(): readonly ResultColumn[] {
    return this.columns;
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

  /**
   * Orders the combined rows. A compound's ORDER BY names its result columns: a result key
   * (`"id"`, `desc("id", { nulls: "last" })`), or a column or expression a member selects,
   * written as the result column it is (`desc(users.c.id)` orders by the result's `"id"`).
   * Other SQL goes as written.
   */
  orderBy(...items: OrderItem[]): Compound<R> {
    const keys = this.columns.map((c) => c.key);
    const added = items.map((item, i) =>
      resultOrderItem(item, i, this.#ops[0], keys, (e) => this.#resultIndex(e))
    );
    return this.#with({ orderBy: [...this.#orderBy, ...added] });
  }

  /** Where `expr` is among the result columns of a member (any of them), or -1. */
  #resultIndex(expr: unknown): number {
    for (const part of this.#parts) {
      const at = part instanceof Compound
        ? part.#resultIndex(expr)
        : part.columns.findIndex((c) => c.expr === expr);
      if (at >= 0) return at;
    }
    return -1;
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

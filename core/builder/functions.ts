/**
 * SQL functions as typed expressions: the aggregates (`count`, `sum`, `avg`, `min`, `max`)
 * and the window functions (`rowNumber`, `rank`, `denseRank`, `lag`, `lead`), gathered
 * under {@linkcode fn}.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import { types } from "../types/builtin.ts";
import { bindValue, checkLeft, type Expression, operand, sourceOf, typeOf } from "./expression.ts";
import { FunctionExpression, WindowFunction } from "./window.ts";

function call(name: string, args: readonly unknown[]): Fragment {
  return new Fragment([`${name}(`, ...args.map((_, i) => i === args.length - 1 ? ")" : ", ")], [
    ...args,
  ]);
}

function arg(e: unknown, name: string): unknown {
  return operand(checkLeft(e, `fn.${name}`));
}

function aggregate<T>(name: string, e: unknown, type = typeOf(e)): FunctionExpression<T> {
  return new FunctionExpression<T>(call(name, [arg(e, name)]), type, sourceOf([e]));
}

function shifted<T>(
  name: "lag" | "lead",
  e: Expression<T>,
  offset: number,
  fallback: unknown,
): WindowFunction<T | null> {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ArgumentError(
      `fn.${name}(...)'s offset is a non-negative integer, not ${String(offset)}.`,
    );
  }
  const args = [arg(e, name), sql.unsafe(String(offset))];
  if (fallback !== undefined) args.push(bindValue(e, fallback, `fn.${name}(...)'s default`));
  return new WindowFunction<T | null>(call(name, args), typeOf(e), sourceOf([e]));
}

/**
 * The SQL functions of {@linkcode fn}.
 *
 * @example
 * ```ts
 * import { fn, type Functions } from "@retort/orm";
 * const f: Functions = fn;
 * ```
 */
export interface Functions {
  /** `count(*)`, or `count(expr)` (rows where it is not NULL). */
  count(expr?: SqlSource<unknown>): FunctionExpression<number>;
  /** `count(DISTINCT expr)`. */
  countDistinct(expr: SqlSource<unknown>): FunctionExpression<number>;
  /**
   * `sum(expr)` of a number, bigint or numeric (decimal string) expression, nullable or not,
   * typed as the expression (NULL over no rows, or where every value is NULL).
   */
  sum<T extends number | bigint | string | null>(
    expr: Expression<T>,
  ): FunctionExpression<NonNullable<T> | null>;
  /** `avg(expr)` of a number, bigint or numeric expression, as a number (NULL over no rows). */
  avg(expr: Expression<number | bigint | string | null>): FunctionExpression<number | null>;
  /** `min(expr)`, typed as the expression (NULL over no rows). */
  min<T>(expr: Expression<T>): FunctionExpression<T | null>;
  /** `max(expr)`, typed as the expression (NULL over no rows). */
  max<T>(expr: Expression<T>): FunctionExpression<T | null>;
  /** `row_number()`: 1, 2, 3... within each partition. */
  rowNumber(): WindowFunction<number>;
  /** `rank()`: ties share a rank, and leave gaps after them. */
  rank(): WindowFunction<number>;
  /** `dense_rank()`: ties share a rank, without gaps. */
  denseRank(): WindowFunction<number>;
  /** `lag(expr, offset)`: the value `offset` rows before (1 by default), or the default. */
  lag<T>(expr: Expression<T>, offset?: number, fallback?: T): WindowFunction<T | null>;
  /** `lead(expr, offset)`: the value `offset` rows after (1 by default), or the default. */
  lead<T>(expr: Expression<T>, offset?: number, fallback?: T): WindowFunction<T | null>;
}

/**
 * SQL functions as typed expressions. Aggregates (`fn.count()`, `fn.sum(col)`...) group, or
 * with `.over(...)` run over a window; `fn.rowNumber()`, `fn.rank()`, `fn.denseRank()`,
 * `fn.lag(col)` and `fn.lead(col)` only run over one. Their results decode as numbers (or
 * the column's type). A select of them reads FROM their column's table, as one of the column
 * would; `fn.count()` alone names it with `.from(table)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, desc, fn, insert, select, table } from "@retort/orm";
 * const posts = table("fn_doc_posts", { id: column.integer().primaryKey(), by: column.integer() });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([posts]);
 * await engine.run(insert(posts).values([{ by: 1 }, { by: 1 }, { by: 2 }]));
 * const totals = await engine.one(select({ n: fn.count(), top: fn.max(posts.c.id) }).from(posts));
 * assert(totals.n === 3 && totals.top === 3);
 * const most = await engine.one(select({ top: fn.max(posts.c.id) })); // FROM "fn_doc_posts"
 * assert(most.top === 3);
 * const rows = await engine.all(
 *   select({
 *     id: posts.c.id,
 *     nth: fn.rowNumber().over({ partitionBy: posts.c.by, orderBy: desc(posts.c.id) }),
 *   }).orderBy(posts.c.id),
 * );
 * assert.deepEqual(rows.map((r) => r.nth), [2, 1, 1]);
 * ```
 */
export const fn: Functions = {
  count: (expr) =>
    expr === undefined
      ? new FunctionExpression<number>(sql`count(*)`, types.integer)
      : aggregate<number>("count", expr, types.integer),
  countDistinct: (expr) =>
    new FunctionExpression<number>(
      new Fragment(["count(DISTINCT ", ")"], [arg(expr, "countDistinct")]),
      types.integer,
      sourceOf([expr]),
    ),
  sum: (expr) => aggregate("sum", expr),
  avg: (expr) => aggregate("avg", expr, types.double),
  min: (expr) => aggregate("min", expr),
  max: (expr) => aggregate("max", expr),
  rowNumber: () => new WindowFunction<number>(sql`row_number()`, types.integer),
  rank: () => new WindowFunction<number>(sql`rank()`, types.integer),
  denseRank: () => new WindowFunction<number>(sql`dense_rank()`, types.integer),
  lag: (expr, offset = 1, fallback) => shifted("lag", expr, offset, fallback),
  lead: (expr, offset = 1, fallback) => shifted("lead", expr, offset, fallback),
};

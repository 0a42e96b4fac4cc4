/**
 * Window functions: `expr OVER (PARTITION BY ... ORDER BY ...)`, on aggregates and on the
 * functions that only work over a window (`row_number()`, `rank()`, `lag(...)`).
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import type { ColumnType } from "../types/column_type.ts";
import { type OrderItem, orderItems } from "./clauses.ts";
import { sourceOf, TypedExpression } from "./expression.ts";

/**
 * The window a function runs over: `PARTITION BY` and `ORDER BY`, each one item or a list.
 *
 * @example
 * ```ts
 * import { column, desc, table, type WindowSpec } from "@retort/orm";
 * const posts = table("window_spec_doc_posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer(),
 * });
 * const spec: WindowSpec = { partitionBy: posts.c.authorId, orderBy: desc(posts.c.id) };
 * ```
 */
export interface WindowSpec {
  /** The rows are split into partitions by these expressions. */
  partitionBy?: SqlSource<unknown> | readonly SqlSource<unknown>[];
  /** The order of rows within each partition. */
  orderBy?: OrderItem | readonly OrderItem[];
}

const listOf = <X>(x: X | readonly X[] | undefined): readonly X[] =>
  x === undefined ? [] : Array.isArray(x) ? x : [x as X];

/** `fn OVER (...)` as a typed expression. */
function windowed<T>(
  call: Fragment,
  type: ColumnType | null,
  source: SqlSource<unknown> | undefined,
  spec: WindowSpec,
): TypedExpression<T> {
  if (typeof spec !== "object" || spec === null) {
    throw new ArgumentError(
      "over(...) takes { partitionBy?, orderBy? }, such as " +
        "over({ partitionBy: posts.c.authorId, orderBy: desc(posts.c.id) }).",
    );
  }
  const parts: unknown[] = [];
  const by = listOf(spec.partitionBy);
  const partition = orderItems(by, "over()'s partitionBy");
  if (partition.length > 0) parts.push(sql`PARTITION BY ${sql.join(partition)}`);
  const order = orderItems(listOf(spec.orderBy), "over()'s orderBy");
  if (order.length > 0) parts.push(sql`ORDER BY ${sql.join(order)}`);
  return new TypedExpression<T>(
    new Fragment(["", " OVER (", ")"], [call, sql.join(parts, sql` `)]),
    type,
    source ?? sourceOf(by) ?? sourceOf(listOf(spec.orderBy)),
  );
}

/**
 * A SQL function call, such as `count(*)` or `sum(x)`: a typed expression to select or
 * compare, which `.over(...)` turns into a window function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, fn, sqliteDialect, table } from "@retort/orm";
 * const posts = table("fn_expr_doc_posts", { id: column.integer().primaryKey(), by: column.integer() });
 * const c = compile(fn.count().over({ partitionBy: posts.c.by }), sqliteDialect);
 * assert(c.text === 'count(*) OVER (PARTITION BY "fn_expr_doc_posts"."by")');
 * ```
 */
export class FunctionExpression<T = unknown> extends TypedExpression<T> {
  /** The function's value over a window: `fn(...) OVER (PARTITION BY ... ORDER BY ...)`. */
  over(window: WindowSpec = {}): TypedExpression<T> {
    return windowed<T>(this.fragment, this.type, this.source, window);
  }
}

/**
 * A function that only runs over a window (`row_number()`, `rank()`, `lag(x)`): it becomes
 * an expression with `.over(...)`, and cannot be selected without it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, desc, fn, postgresDialect, table } from "@retort/orm";
 * const posts = table("win_fn_doc_posts", { id: column.integer().primaryKey(), by: column.integer() });
 * const n = fn.rowNumber().over({ partitionBy: posts.c.by, orderBy: desc(posts.c.id) });
 * assert(compile(n, postgresDialect).text ===
 *   'row_number() OVER (PARTITION BY "win_fn_doc_posts"."by" ORDER BY "win_fn_doc_posts"."id" DESC)');
 * ```
 */
export class WindowFunction<T = unknown> {
  readonly #call: Fragment;
  readonly #type: ColumnType | null;
  readonly #source: SqlSource<unknown> | undefined;
  /** Type-only: the value type. */
  declare readonly "~type"?: T;

  /** Internal: use `fn.rowNumber()`, `fn.rank()`... */
  constructor(call: Fragment, type: ColumnType | null, source?: SqlSource<unknown>) {
    this.#call = call;
    this.#type = type;
    this.#source = source;
  }

  /** The function over a window: `row_number() OVER (PARTITION BY ... ORDER BY ...)`. */
  over(window: WindowSpec = {}): TypedExpression<T> {
    return windowed<T>(this.#call, this.#type, this.#source, window);
  }
}

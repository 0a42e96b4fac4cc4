/**
 * Sort order for `orderBy`: ASC and DESC, with NULLS FIRST or LAST, of an expression or of a
 * result key (a string).
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { isSqlNode } from "../sql/check.ts";
import { Fragment, Identifier, type SqlSource } from "../sql/nodes.ts";
import { checkLeft, ColumnRef, nameOf, operand } from "./expression.ts";

/**
 * Options of {@linkcode asc} and {@linkcode desc}.
 *
 * @example
 * ```ts
 * import { asc, column, type OrderOptions, table } from "@retort/orm";
 * const t = table("order_options_doc", { n: column.integer().nullable() });
 * const options: OrderOptions = { nulls: "first" };
 * const order = asc(t.c.n, options);
 * ```
 */
export interface OrderOptions {
  /** Where NULLs sort: `"first"` or `"last"`. */
  nulls?: "first" | "last";
}

/** What an ordering built by {@linkcode asc} or {@linkcode desc} orders by, and how. */
export interface Ordering {
  /** The expression, or the result key (a string). */
  readonly target: SqlSource<unknown> | string;
  /** The text after it: ` ASC`, ` DESC NULLS LAST`, ... */
  readonly direction: string;
}

const orderings = new WeakMap<object, Ordering>();

/**
 * Internal: what `item` orders by and how, when `asc` or `desc` built it; else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { desc } from "@retort/orm";
 * import { orderingOf } from "./order.ts";
 * assert.equal(orderingOf(desc("n", { nulls: "last" }))?.direction, " DESC NULLS LAST");
 * ```
 */
export function orderingOf(item: unknown): Ordering | undefined {
  return typeof item === "object" && item !== null ? orderings.get(item) : undefined;
}

/** Internal: `target` (SQL, or a result key) followed by a direction, as an ordering. */
export function ordered(target: SqlSource<unknown> | string, direction: string): Fragment {
  const sql = typeof target === "string" ? new Identifier([target]) : operand(target);
  const f = new Fragment(["", direction], [sql]);
  orderings.set(f, { target, direction });
  return f;
}

/**
 * Internal: an ORDER BY item of a compound select (UNION, ...), whose ORDER BY names result
 * columns: a result key (checked against `keys`), or an expression a member selects (found
 * by `indexOf`), written as its result key; other SQL as it is. A column that no member
 * selects is refused: it would name a table the ORDER BY cannot see.
 */
export function resultOrderItem(
  item: unknown,
  i: number,
  what: string,
  keys: readonly string[],
  indexOf: (expr: unknown) => number,
): SqlSource<unknown> {
  if (typeof item !== "string" && !isSqlNode(item)) {
    throw new ArgumentError(`orderBy's item ${i + 1} is not SQL nor a result key.`);
  }
  const ordering = orderingOf(item);
  const target = ordering?.target ?? item;
  const direction = ordering?.direction ?? "";
  const listed = keys.map((k) => JSON.stringify(k)).join(", ");
  if (typeof target === "string") {
    if (keys.includes(target)) return ordered(target, direction);
    throw new ArgumentError(
      `${what}'s orderBy(${JSON.stringify(target)}): no result column has that key; its keys ` +
        `are ${listed}.`,
    );
  }
  const at = indexOf(target);
  if (at >= 0) return ordered(keys[at], direction);
  if (target instanceof Column || target instanceof ColumnRef) {
    throw new ArgumentError(
      `${what}'s ORDER BY names its result columns, and ${nameOf(target)} is none of them; ` +
        `order by a result key (${listed}), such as desc(${JSON.stringify(keys[0])}).`,
    );
  }
  return ordering === undefined
    ? operand(target as SqlSource<unknown>) as SqlSource<unknown>
    : item as Fragment;
}

function order(
  dir: "ASC" | "DESC",
  e: SqlSource<unknown> | string,
  options: OrderOptions,
): Fragment {
  const nulls = options.nulls === undefined
    ? ""
    : options.nulls === "first"
    ? " NULLS FIRST"
    : options.nulls === "last"
    ? " NULLS LAST"
    : (() => {
      throw new ArgumentError('nulls is "first" or "last".');
    })();
  return ordered(typeof e === "string" ? e : checkLeft(e, dir.toLowerCase()), ` ${dir}${nulls}`);
}

/**
 * Ascending order for `orderBy`: of an expression, or of a result key (a string, such as a
 * union's column: `asc("name")`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asc, column, compile, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(asc(t.c.n), sqliteDialect).text === '"t"."n" ASC');
 * assert(compile(asc("n", { nulls: "first" }), sqliteDialect).text === '"n" ASC NULLS FIRST');
 * ```
 */
export function asc(e: SqlSource<unknown> | string, options: OrderOptions = {}): Fragment {
  return order("ASC", e, options);
}

/**
 * Descending order for `orderBy`, optionally with `{ nulls: "last" }`: of an expression, or
 * of a result key (a string, such as a union's column: `desc("id")`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, desc, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(desc(t.c.n, { nulls: "last" }), sqliteDialect).text === '"t"."n" DESC NULLS LAST');
 * ```
 */
export function desc(e: SqlSource<unknown> | string, options: OrderOptions = {}): Fragment {
  return order("DESC", e, options);
}

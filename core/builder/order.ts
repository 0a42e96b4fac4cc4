/**
 * Sort order for `orderBy`: ASC and DESC, with NULLS FIRST or LAST.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { checkLeft, operand } from "./expression.ts";

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

function order(dir: "ASC" | "DESC", e: SqlSource<unknown>, options: OrderOptions): Fragment {
  const nulls = options.nulls === undefined
    ? ""
    : options.nulls === "first"
    ? " NULLS FIRST"
    : options.nulls === "last"
    ? " NULLS LAST"
    : (() => {
      throw new ArgumentError('nulls is "first" or "last".');
    })();
  return new Fragment(["", ` ${dir}${nulls}`], [operand(checkLeft(e, dir.toLowerCase()))]);
}

/**
 * Ascending order for `orderBy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asc, column, compile, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(asc(t.c.n), sqliteDialect).text === '"t"."n" ASC');
 * ```
 */
export function asc(e: SqlSource<unknown>, options: OrderOptions = {}): Fragment {
  return order("ASC", e, options);
}

/**
 * Descending order for `orderBy`, optionally with `{ nulls: "last" }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, desc, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(desc(t.c.n, { nulls: "last" }), sqliteDialect).text === '"t"."n" DESC NULLS LAST');
 * ```
 */
export function desc(e: SqlSource<unknown>, options: OrderOptions = {}): Fragment {
  return order("DESC", e, options);
}

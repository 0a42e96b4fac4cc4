/**
 * Comparisons: `=`, `<>`, `<`, `<=`, `>`, `>=`, BETWEEN, IN, NULL tests. Each returns a
 * fragment; a value compared with a column is checked against the column's type and encoded
 * for the dialect.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, List, type SqlOf, type SqlSource } from "../sql/nodes.ts";
import type { Bindable } from "../schema/column.ts";
import { condition } from "./clauses.ts";
import {
  bindCompared,
  checkLeft,
  type Expression,
  isQuery,
  nameOf,
  operand,
} from "./expression.ts";

function compare(op: string, sqlOp: string, left: unknown, right: unknown): Fragment {
  const l = checkLeft(left, op);
  return condition(new Fragment(["", ` ${sqlOp} `, ""], [operand(l), bindCompared(l, right)]));
}

/**
 * `left = right`; `eq(col, null)` is `col IS NULL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const c = compile(eq(users.c.name, "ada"), sqliteDialect);
 * assert(c.text === '"users"."name" = ?' && c.params[0] === "ada");
 * ```
 */
export function eq<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null> | null,
): Fragment {
  return right === null ? isNull(left) : compare("eq", "=", left, right);
}

/**
 * `left <> right`; `ne(col, null)` is `col IS NOT NULL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, ne, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * assert(compile(ne(users.c.id, 1), sqliteDialect).text === '"users"."id" <> ?');
 * ```
 */
export function ne<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null> | null,
): Fragment {
  return right === null ? isNotNull(left) : compare("ne", "<>", left, right);
}

/**
 * `left < right`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, lt, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(lt(t.c.n, 5), sqliteDialect).text === '"t"."n" < ?');
 * ```
 */
export function lt<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
): Fragment {
  return compare("lt", "<", left, right);
}

/**
 * `left <= right`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, le, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(le(t.c.n, 5), sqliteDialect).text === '"t"."n" <= ?');
 * ```
 */
export function le<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
): Fragment {
  return compare("le", "<=", left, right);
}

/**
 * `left > right`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, gt, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(gt(t.c.n, 5), sqliteDialect).text === '"t"."n" > ?');
 * ```
 */
export function gt<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
): Fragment {
  return compare("gt", ">", left, right);
}

/**
 * `left >= right`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, ge, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(ge(t.c.n, 5), sqliteDialect).text === '"t"."n" >= ?');
 * ```
 */
export function ge<T>(
  left: Expression<T>,
  right: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
): Fragment {
  return compare("ge", ">=", left, right);
}

function membership(op: string, not: boolean, left: unknown, values: unknown): Fragment {
  const l = checkLeft(left, op);
  const keyword = not ? " NOT IN " : " IN ";
  if (isQuery(values)) {
    return condition(new Fragment(["", keyword, ""], [operand(l), operand(values)]));
  }
  if (!Array.isArray(values)) {
    throw new ArgumentError(
      `${op}(...) takes an array of values or a select, as its second argument.`,
    );
  }
  const items = values.map((v, i) => bindCompared(l, v, `${nameOf(l)} (item ${i + 1} of ${op})`));
  return condition(new Fragment(["", keyword, ""], [operand(l), new List(items)]));
}

/**
 * `left IN (values...)`, or `left IN (SELECT ...)`. An empty list matches nothing, on every
 * dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, inList, postgresDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(inList(t.c.n, [1, 2]), postgresDialect).text === '"t"."n" IN ($1, $2)');
 * assert(compile(inList(t.c.n, []), postgresDialect).text === `"t"."n" = ANY('{}')`);
 * ```
 */
export function inList<T>(
  left: Expression<T>,
  values:
    | readonly Bindable<NoInfer<T>>[]
    | SqlSource<{ readonly [key: string]: NoInfer<T> | null }>,
): Fragment {
  return membership("inList", false, left, values);
}

/**
 * `left NOT IN (values...)`, or `NOT IN (SELECT ...)`. An empty list matches every row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, notIn, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(notIn(t.c.n, [1]), sqliteDialect).text === '"t"."n" NOT IN (?)');
 * ```
 */
export function notIn<T>(
  left: Expression<T>,
  values:
    | readonly Bindable<NoInfer<T>>[]
    | SqlSource<{ readonly [key: string]: NoInfer<T> | null }>,
): Fragment {
  return membership("notIn", true, left, values);
}

/**
 * `left IS NULL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, isNull, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { s: column.text().nullable() });
 * assert(compile(isNull(t.c.s), sqliteDialect).text === '"t"."s" IS NULL');
 * ```
 */
export function isNull(left: Expression<unknown>): Fragment {
  return condition(new Fragment(["", " IS NULL"], [operand(checkLeft(left, "isNull"))]));
}

/**
 * `left IS NOT NULL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, isNotNull, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { s: column.text().nullable() });
 * assert(compile(isNotNull(t.c.s), sqliteDialect).text === '"t"."s" IS NOT NULL');
 * ```
 */
export function isNotNull(left: Expression<unknown>): Fragment {
  return condition(new Fragment(["", " IS NOT NULL"], [operand(checkLeft(left, "isNotNull"))]));
}

/**
 * `left BETWEEN low AND high` (both ends included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { between, column, compile, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(between(t.c.n, 1, 9), sqliteDialect).text === '"t"."n" BETWEEN ? AND ?');
 * ```
 */
export function between<T>(
  left: Expression<T>,
  low: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
  high: Bindable<NoInfer<T>> | SqlOf<Bindable<NoInfer<T>> | null>,
): Fragment {
  const l = checkLeft(left, "between");
  return condition(
    new Fragment(["", " BETWEEN ", " AND ", ""], [
      operand(l),
      bindCompared(l, low),
      bindCompared(l, high),
    ]),
  );
}

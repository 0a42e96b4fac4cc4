/**
 * Operator helpers: comparisons, IN, LIKE, NULL tests, boolean logic and sort order. Each
 * returns a fragment, so whatever a helper does can be written as a template too. A value
 * compared with a column is checked against the column's type and encoded for the dialect.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, Identifier, List, sql, type SqlSource } from "../sql.ts";
import {
  atom,
  bindValue,
  ColumnRef,
  combine,
  type Condition,
  conditionsOf,
  type Expression,
  isQuery,
  nameOf,
  operand,
  TypedExpression,
} from "./expression.ts";
import { Column } from "../schema.ts";
import { types } from "../types.ts";

function checkLeft(left: unknown, op: string): SqlSource<unknown> {
  if (typeof left !== "object" || left === null) {
    throw new ArgumentError(
      `${op}(...) takes a column or SQL expression on the left, not ${typeof left}; ` +
        `write ${op}(users.c.id, 1).`,
    );
  }
  return left as SqlSource<unknown>;
}

function compare(op: string, sqlOp: string, left: unknown, right: unknown): Fragment {
  const l = checkLeft(left, op);
  return atom(new Fragment(["", ` ${sqlOp} `, ""], [operand(l), bindValue(l, right)]));
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
  right: NoInfer<T> | SqlSource<unknown> | null,
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
  right: NoInfer<T> | SqlSource<unknown> | null,
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
export function lt<T>(left: Expression<T>, right: NoInfer<T> | SqlSource<unknown>): Fragment {
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
export function le<T>(left: Expression<T>, right: NoInfer<T> | SqlSource<unknown>): Fragment {
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
export function gt<T>(left: Expression<T>, right: NoInfer<T> | SqlSource<unknown>): Fragment {
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
export function ge<T>(left: Expression<T>, right: NoInfer<T> | SqlSource<unknown>): Fragment {
  return compare("ge", ">=", left, right);
}

function membership(op: string, not: boolean, left: unknown, values: unknown): Fragment {
  const l = checkLeft(left, op);
  const keyword = not ? " NOT IN " : " IN ";
  if (isQuery(values)) return atom(new Fragment(["", keyword, ""], [operand(l), operand(values)]));
  if (!Array.isArray(values)) {
    throw new ArgumentError(
      `${op}(...) takes an array of values or a select, as its second argument.`,
    );
  }
  const items = values.map((v, i) => bindValue(l, v, `${nameOf(l)} (item ${i + 1} of ${op})`));
  return atom(new Fragment(["", keyword, ""], [operand(l), new List(items)]));
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
  values: readonly NoInfer<T>[] | SqlSource<unknown>,
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
  values: readonly NoInfer<T>[] | SqlSource<unknown>,
): Fragment {
  return membership("notIn", true, left, values);
}

function pattern(op: string, left: unknown, value: unknown): [unknown, unknown] {
  const l = checkLeft(left, op);
  if (typeof value !== "string" && (typeof value !== "object" || value === null)) {
    throw new ArgumentError(`${op}(...) takes a pattern string such as "%ada%".`);
  }
  return [operand(l), bindValue(PATTERN, value, `The pattern of ${op}(...)`)];
}

/** What a pattern is checked as: text (an array or object is not a pattern). */
const PATTERN = new TypedExpression<string>(new Fragment([""], []), types.text);

/**
 * `left LIKE pattern` (`%` any run, `_` one character). SQLite compares ASCII letters
 * without case; PostgreSQL with case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, like, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { s: column.text() });
 * assert(compile(like(t.c.s, "a%"), sqliteDialect).text === '"t"."s" LIKE ?');
 * ```
 */
export function like(left: Expression<unknown>, pattern_: string | SqlSource<unknown>): Fragment {
  const [l, p] = pattern("like", left, pattern_);
  return atom(new Fragment(["", " LIKE ", ""], [l, p]));
}

/**
 * Case-insensitive LIKE: `ILIKE` on PostgreSQL, `lower(left) LIKE lower(pattern)` on SQLite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, ilike, postgresDialect, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { s: column.text() });
 * assert(compile(ilike(t.c.s, "a%"), postgresDialect).text === '"t"."s" ILIKE $1');
 * assert(
 *   compile(ilike(t.c.s, "a%"), sqliteDialect).text === 'lower("t"."s") LIKE lower(?)',
 * );
 * ```
 */
export function ilike(left: Expression<unknown>, pattern_: string | SqlSource<unknown>): Fragment {
  const [l, p] = pattern("ilike", left, pattern_);
  return atom(sql`${
    sql.byDialect({
      sqlite: new Fragment(["lower(", ") LIKE lower(", ")"], [l, p]),
      postgres: new Fragment(["", " ILIKE ", ""], [l, p]),
    })
  }`);
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
  return atom(new Fragment(["", " IS NULL"], [operand(checkLeft(left, "isNull"))]));
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
  return atom(new Fragment(["", " IS NOT NULL"], [operand(checkLeft(left, "isNotNull"))]));
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
  low: NoInfer<T> | SqlSource<unknown>,
  high: NoInfer<T> | SqlSource<unknown>,
): Fragment {
  const l = checkLeft(left, "between");
  return atom(
    new Fragment(["", " BETWEEN ", " AND ", ""], [
      operand(l),
      bindValue(l, low),
      bindValue(l, high),
    ]),
  );
}

/**
 * Conditions joined with AND; `undefined`, `null` and `false` are skipped (handy for optional
 * filters), and no condition at all is `TRUE`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { and, column, compile, eq, gt, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { a: column.integer(), b: column.integer() });
 * const c = compile(and(eq(t.c.a, 1), gt(t.c.b, 2)), sqliteDialect);
 * assert(c.text === '"t"."a" = ? AND "t"."b" > ?');
 * ```
 */
export function and(...parts: Condition[]): Fragment {
  const list = conditionsOf(parts, "and(...)");
  return list.length === 0 ? atom(sql`TRUE`) : combine(list, " AND ", "and");
}

/**
 * Conditions joined with OR; skipped like {@linkcode and}'s, and none at all is `FALSE`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { and, column, compile, eq, or, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { a: column.integer(), b: column.integer() });
 * const c = compile(and(or(eq(t.c.a, 1), eq(t.c.a, 2)), eq(t.c.b, 3)), sqliteDialect);
 * assert(c.text === '("t"."a" = ? OR "t"."a" = ?) AND "t"."b" = ?');
 * ```
 */
export function or(...parts: Condition[]): Fragment {
  const list = conditionsOf(parts, "or(...)");
  return list.length === 0 ? atom(sql`FALSE`) : combine(list, " OR ", "or");
}

/**
 * `NOT (condition)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, not, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { a: column.integer() });
 * assert(compile(not(eq(t.c.a, 1)), sqliteDialect).text === 'NOT ("t"."a" = ?)');
 * ```
 */
export function not(condition: SqlSource<unknown>): Fragment {
  return atom(new Fragment(["NOT (", ")"], [operand(checkLeft(condition, "not"))]));
}

/**
 * `EXISTS (query)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, exists, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const c = compile(exists(select(users.c.id).where(eq(users.c.id, 1))), sqliteDialect);
 * assert(c.text === 'EXISTS (SELECT "users"."id" FROM "users" WHERE "users"."id" = ?)');
 * ```
 */
export function exists(query: SqlSource<unknown>): Fragment {
  return atom(new Fragment(["EXISTS (", ")"], [checkLeft(query, "exists")]));
}

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

/**
 * The value an upsert tried to insert, in `onConflict(...).doUpdate(...)`: `excluded."col"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, excluded, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(excluded(t.c.n), sqliteDialect).text === 'excluded."n"');
 * ```
 */
export function excluded<T>(col: Expression<T>): Expression<T> {
  if (!(col instanceof Column) && !(col instanceof ColumnRef)) {
    throw new ArgumentError("excluded(...) takes a column of the table inserted into.");
  }
  const name = col instanceof Column ? col.name : col.key;
  return new Fragment(["excluded.", ""], [new Identifier([name])]) as Expression<T>;
}

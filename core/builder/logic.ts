/**
 * Boolean logic: AND, OR, NOT and EXISTS, parenthesised only where needed.
 *
 * @module
 */
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import {
  atom,
  combine,
  type Condition,
  condition as conditionMark,
  conditionsOf,
} from "./clauses.ts";
import { ArgumentError } from "../errors.ts";
import { checkLeft, isQuery, operand } from "./expression.ts";

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
  const c = checkLeft(condition, "not");
  // Its own parentheses hold the condition: a query nests in another pair, nothing else does.
  return conditionMark(new Fragment(["NOT (", ")"], [isQuery(c) ? operand(c) : c]));
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
  return atom(new Fragment(["EXISTS (", ")"], [checkQuery(query, "exists")]));
}

/**
 * `NOT EXISTS (query)`: true when the subquery returns no row. Like {@linkcode exists}, the
 * subquery may refer to the outer select's tables (a correlated subquery).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, notExists, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("ne_doc_users", { id: column.integer().primaryKey() });
 * const posts = table("ne_doc_posts", { id: column.integer().primaryKey(), by: column.integer() });
 * const q = select(users.c.id).where(notExists(select(posts.c.id).where(eq(posts.c.by, users.c.id))));
 * assert(compile(q, sqliteDialect).text ===
 *   'SELECT "ne_doc_users"."id" FROM "ne_doc_users" WHERE NOT EXISTS (SELECT "ne_doc_posts"."id" ' +
 *   'FROM "ne_doc_posts" WHERE "ne_doc_posts"."by" = "ne_doc_users"."id")');
 * ```
 */
export function notExists(query: SqlSource<unknown>): Fragment {
  return atom(new Fragment(["NOT EXISTS (", ")"], [checkQuery(query, "notExists")]));
}

function checkQuery(query: unknown, op: string): SqlSource<unknown> {
  if (!isQuery(query) && !(query instanceof Fragment)) {
    throw new ArgumentError(
      `${op}(...) takes a select (or a sql fragment of one); write ` +
        `${op}(select(posts.c.id).where(eq(posts.c.authorId, users.c.id))).`,
    );
  }
  return query;
}

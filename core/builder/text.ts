/**
 * Pattern matching: LIKE with case and ILIKE without, the same on every dialect.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { DialectSql } from "../dialect.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { types } from "../types/builtin.ts";
import { condition } from "./clauses.ts";
import { bindValue, checkLeft, type Expression, operand, TypedExpression } from "./expression.ts";

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
 * `left LIKE pattern` (`%` any run, `_` one character, a backslash escapes), with case on
 * both dialects: SQLite connections get a LIKE that compares as PostgreSQL does.
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
  return condition(new Fragment(["", ""], [new DialectSql((d) => d.like(l, p, false))]));
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
  return condition(new Fragment(["", ""], [new DialectSql((d) => d.like(l, p, true))]));
}

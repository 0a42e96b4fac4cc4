/**
 * Clauses the builders share: conditions joined with AND and OR (parenthesised only where
 * needed), ORDER BY items, and LIMIT / OFFSET.
 *
 * @module
 */
import { DialectSql } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import { isSqlNode } from "../sql/check.ts";
import { Fragment, Identifier, type SqlOf, type SqlSource } from "../sql/nodes.ts";
import { operand, precedence } from "./expression.ts";

/** `a AND b AND c`, each part in parentheses unless it needs none. */
export function conjunction(parts: readonly SqlSource<unknown>[]): Fragment {
  return combine(parts, " AND ", "and");
}

/** Joins conditions with AND or OR, parenthesising parts that would bind differently. */
export function combine(
  parts: readonly SqlSource<unknown>[],
  separator: " AND " | " OR ",
  kind: "and" | "or",
): Fragment {
  if (parts.length === 1) {
    const only = parts[0];
    return only instanceof Fragment ? only : new Fragment(["", ""], [only]);
  }
  const strings: string[] = [""];
  const values: unknown[] = [];
  parts.forEach((p, i) => {
    const mark = precedence.get(p);
    if (i > 0) strings[strings.length - 1] += separator;
    if (mark === kind && p instanceof Fragment) {
      // The same operator: its parts join this list, so long chains built with reduce stay
      // one level deep.
      strings[strings.length - 1] += p.strings[0];
      for (let j = 0; j < p.values.length; j++) {
        values.push(p.values[j]);
        strings.push(p.strings[j + 1]);
      }
      return;
    }
    const bare = mark === "atom" || mark === "condition" || mark === kind;
    strings[strings.length - 1] += bare ? "" : "(";
    values.push(mark === undefined ? operand(p) : p);
    strings.push(bare ? "" : ")");
  });
  const f = new Fragment(strings, values);
  precedence.set(f, kind);
  return f;
}

/** Marks a fragment as needing no parentheses anywhere (`TRUE`, `EXISTS (...)`). */
export function atom(f: Fragment): Fragment {
  precedence.set(f, "atom");
  return f;
}

/**
 * Marks a fragment as a condition: bare inside AND/OR, in parentheses as the operand of
 * another operator (a comparison's operands bind differently on each database).
 */
export function condition(f: Fragment): Fragment {
  precedence.set(f, "condition");
  return f;
}

/**
 * A condition for `where`/`having`: SQL (a fragment, a comparison, a boolean column or
 * expression; not an expression of another type), or `undefined`/`null`/`false` to skip (for
 * optional filters).
 *
 * @example
 * ```ts
 * import { type Condition, sql } from "@retort/orm";
 * const onlyActive = true;
 * const c: Condition = onlyActive ? sql`active` : undefined;
 * ```
 */
export type Condition = SqlOf<boolean | null> | undefined | null | false;

/** The SQL conditions among `parts`, skipping `undefined`, `null` and `false`. */
export function conditionsOf(parts: readonly Condition[], what: string): SqlSource<unknown>[] {
  const out: SqlSource<unknown>[] = [];
  parts.forEach((p, i) => {
    if (p === undefined || p === null || p === false) return;
    if (!isSqlNode(p)) throw new ArgumentError(`${what}'s condition ${i + 1} is not SQL.`);
    out.push(p);
  });
  return out;
}

/** ` LIMIT n OFFSET m`, as the dialect spells it, or null for neither. */
export function limitClause(limit: number | null, offset: number | null): DialectSql | null {
  if (limit === null && offset === null) return null;
  return new DialectSql((d) => d.limitOffset(limit, offset) ?? new Fragment([""], []));
}

/** Checks a LIMIT or OFFSET count. */
export function checkCount(n: unknown, what: string): number | null {
  if (n === null) return null;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new ArgumentError(`${what} takes a non-negative integer (or null), not ${String(n)}.`);
  }
  return n;
}

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

/** ORDER BY (or GROUP BY) items as SQL: expressions as they are, strings as result keys. */
export function orderItems(items: readonly OrderItem[], what: string): SqlSource<unknown>[] {
  return items.map((item, i) => {
    if (typeof item === "string") return new Fragment(["", ""], [new Identifier([item])]);
    if (!isSqlNode(item)) {
      throw new ArgumentError(`${what}'s item ${i + 1} is not SQL nor a result key.`);
    }
    return operand(item) as SqlSource<unknown>;
  });
}

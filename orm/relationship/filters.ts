/**
 * Filtering along a relationship: `User.posts.any(condition?)` and `Post.author.has(condition?)`
 * are EXISTS subqueries correlated to the owner's table by the relationship's own join
 * condition (through the association table for many-to-many).
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Condition } from "../../core/builder/clauses.ts";
import { typed } from "../../core/builder/expression.ts";
import { and, exists } from "../../core/builder/logic.ts";
import { select } from "../../core/builder/select.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Fragment, SqlSource } from "../../core/sql/nodes.ts";
import { sql } from "../../core/sql/tag.ts";
import type { Table } from "../../core/schema/table.ts";

type ColumnAt = (column: Column) => SqlSource<unknown>;

/** What a filter needs of a relationship (kept structural: the relationship imports this). */
export interface Filterable {
  readonly qualifiedName: string;
  readonly owner: { readonly table: Table };
  readonly targetMapper: { readonly table: Table };
  readonly secondary: { table: Table } | null;
  joinConditions(owner: ColumnAt, target: ColumnAt): { on: Fragment }[];
}

/**
 * `EXISTS (SELECT 1 FROM target [, association] WHERE join AND condition)`, correlated to the
 * owner's table as the enclosing query names it. A self-referential relationship aliases its
 * target; a condition on it cannot name the alias, so it is refused there.
 */
export function relatedExists(rel: Filterable, condition: Condition, what: string): Fragment {
  const target = rel.targetMapper.table;
  const owner = rel.owner.table;
  const same: ColumnAt = (c) => c;
  let from: SqlSource<unknown> = target;
  let targetAt: ColumnAt = same;
  if (target === owner) {
    if (condition !== undefined && condition !== null && condition !== false) {
      throw new ArgumentError(
        `${rel.qualifiedName}.${what}(condition): the relationship is self-referential, so a ` +
          "condition on its target cannot be told apart from the enclosing query's table; " +
          `write the subquery with an alias: exists(select(...).from(alias).where(...)).`,
      );
    }
    const alias = target.as(`__retort_${what}`);
    from = alias;
    targetAt = (c: Column) => alias.c[c.key];
  }
  const joins = rel.joinConditions(same, targetAt);
  const froms = rel.secondary ? [rel.secondary.table, from] : [from];
  const inner = select({ one: typed(sql`1`) })
    .from(...(froms as Parameters<ReturnType<typeof select>["from"]>))
    .where(and(...joins.map((j) => j.on), condition));
  return exists(inner);
}

/** The ArgumentError for `any()` on a single-object relationship, or `has()` on a list. */
export function wrongFilter(rel: Filterable, what: "any" | "has"): ArgumentError {
  const other = what === "any" ? "has" : "any";
  const kind = what === "any" ? "a single object" : "a collection";
  return new ArgumentError(
    `${rel.qualifiedName} holds ${kind}; filter along it with ` +
      `${rel.qualifiedName}.${other}(condition), not ${what}().`,
  );
}

/**
 * Filtering along a relationship: `User.posts.any(condition?)` and `Post.author.has(condition?)`
 * are EXISTS subqueries correlated to the owner's table by the relationship's own join
 * condition (through the association table for many-to-many), and to the rows of the target's
 * class (a subclass of a single-table hierarchy: its discriminator's condition).
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Condition } from "../../core/builder/clauses.ts";
import { typed } from "../../core/builder/expression.ts";
import { and, exists } from "../../core/builder/logic.ts";
import { select } from "../../core/builder/select.ts";
import type { Fragment } from "../../core/sql/nodes.ts";
import { sql } from "../../core/sql/tag.ts";
import { type Pathable, pathOf } from "./joins.ts";

export { onAlias } from "./rebind.ts";

/** What a filter needs of a relationship (kept structural: the relationship imports this). */
export type Filterable = Pathable;

/**
 * `EXISTS (SELECT 1 FROM [association,] target WHERE join AND condition)`, correlated to the
 * owner's table as the enclosing query names it (a joined hierarchy's target joins its other
 * tables). A self-referential relationship aliases its target; a condition on it cannot name
 * the alias, so it is refused there.
 */
export function relatedExists(rel: Filterable, condition: Condition, what: string): Fragment {
  let path = pathOf(rel, new Map());
  if (path.selfReferential) {
    if (condition !== undefined && condition !== null && condition !== false) {
      throw new ArgumentError(
        `${rel.qualifiedName}.${what}(condition): the relationship is self-referential, so a ` +
          "condition on its target cannot be told apart from the enclosing query's table; " +
          `write the subquery with an alias: exists(select(...).from(alias).where(...)).`,
      );
    }
    const main = path.mainTable;
    path = pathOf(rel, new Map([[main, main.as(`__retort_${what}`)]]));
  }
  // The association table (many-to-many) and the target's table holding the condition are
  // read in FROM, their conditions correlated in WHERE; a joined target's other tables join.
  const read = path.steps.slice(0, path.main + 1);
  let inner = select({ one: typed(sql`1`) }).from(...read.map((s) => s.target));
  for (const s of path.steps.slice(path.main + 1)) inner = inner.join(s.target, s.on);
  return exists(inner.where(and(...read.map((s) => s.on), ...path.own, condition)));
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

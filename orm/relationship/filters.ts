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
import { typed, TypedExpression } from "../../core/builder/expression.ts";
import { and, exists } from "../../core/builder/logic.ts";
import { select } from "../../core/builder/select.ts";
import { Column } from "../../core/schema/column.ts";
import { ByDialect, Fragment, List, type SqlSource } from "../../core/sql/nodes.ts";
import { sql } from "../../core/sql/tag.ts";
import type { Table } from "../../core/schema/table.ts";
import { entityConditions } from "../../core/statement.ts";

type ColumnAt = (column: Column) => SqlSource<unknown>;

/** What a filter needs of a relationship (kept structural: the relationship imports this). */
export interface Filterable {
  readonly qualifiedName: string;
  readonly owner: { readonly table: Table };
  readonly targetMapper: { readonly table: Table; readonly cls: unknown };
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
  // The target's class filters its rows as select(Class) does, on the table or its alias.
  const own = entityConditions(rel.targetMapper.cls).map((e) => onAlias(e, [target], targetAt));
  const froms = rel.secondary ? [rel.secondary.table, from] : [from];
  const inner = select({ one: typed(sql`1`) })
    .from(...(froms as Parameters<ReturnType<typeof select>["from"]>))
    .where(and(...joins.map((j) => j.on), ...own, condition));
  return exists(inner);
}

/**
 * SQL written on tables (a condition, an order) with each of their columns read through
 * `at` instead: the same SQL for an alias or subquery a query reads them through. Nodes
 * that hold none of their columns are returned as they are; a query nested in it is kept
 * whole (its columns name what it reads).
 */
export function onAlias<E>(e: E, tables: readonly unknown[], at: ColumnAt): E {
  return rebind(e, tables, at) as E;
}

function rebind(v: unknown, tables: readonly unknown[], at: ColumnAt): unknown {
  if (v instanceof Column) return tables.includes(v.table) ? at(v) : v;
  if (v instanceof Fragment) {
    const values = rebindAll(v.values, tables, at);
    return values === v.values ? v : new Fragment(v.strings, values);
  }
  if (v instanceof TypedExpression) {
    const f = rebind(v.fragment, tables, at) as Fragment;
    return f === v.fragment ? v : new TypedExpression(f, v.type, v.source);
  }
  if (v instanceof List) {
    const items = rebindAll(v.items, tables, at);
    return items === v.items ? v : new List(items);
  }
  if (v instanceof ByDialect) {
    const entries = Object.entries(v.cases);
    const cases = rebindAll(entries.map(([, f]) => f), tables, at) as Fragment[];
    return cases.every((f, i) => f === entries[i][1])
      ? v
      : new ByDialect(Object.fromEntries(entries.map(([k], i) => [k, cases[i]])));
  }
  return v;
}

/** The values rebound, or the same array when none changes. */
function rebindAll(
  values: readonly unknown[],
  tables: readonly unknown[],
  at: ColumnAt,
): readonly unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const r = rebind(values[i], tables, at);
    if (r !== values[i]) (out ??= values.slice())[i] = r;
  }
  return out ?? values;
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

/**
 * Joins: what a select reads from and joins to, and the ON condition inferred from the one
 * foreign key between two tables.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { sameTable, Table } from "../schema/table.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { isEntity, type TableLike } from "../statement.ts";
import { Cte, Subquery } from "./cte.ts";
import { ColumnRef, TypedExpression } from "./expression.ts";

/**
 * What a select reads from: a table, a subquery, a CTE, or a fragment.
 *
 * @example
 * ```ts
 * import { column, type FromItem, select, table } from "@retort/orm";
 * const users = table("from_item_doc_users", { id: column.integer().primaryKey() });
 * const sources: FromItem[] = [users, select(users.c.id).as("ids")];
 * ```
 */
export type FromItem = TableLike | Subquery<unknown> | Cte<unknown> | Fragment;

/** One JOIN of a select. */
export interface Join {
  readonly kind: "JOIN" | "LEFT JOIN";
  readonly target: SqlSource<unknown>;
  readonly on: SqlSource<unknown>;
}

/**
 * What a select with no FROM reads from: the tables (or subqueries, CTEs) of its columns,
 * less those it joins.
 */
export function implicitFrom(
  exprs: readonly unknown[],
  joins: readonly Join[],
): SqlSource<unknown>[] {
  const out: SqlSource<unknown>[] = [];
  for (const e of exprs) {
    const source = e instanceof Column
      ? e.table
      : e instanceof ColumnRef || e instanceof TypedExpression
      ? e.source
      : undefined;
    if (source !== undefined && !out.includes(source)) out.push(source);
  }
  return out.filter((x) => !joins.some((j) => j.target === x));
}

/** Checks what a select reads from or joins to. */
export function fromItem(item: unknown, what: string): SqlSource<unknown> {
  if (item instanceof Table || item instanceof Subquery || item instanceof Cte) return item;
  if (item instanceof Fragment) return item;
  if (isEntity(item)) return item.table;
  throw new ArgumentError(
    `${what} takes a table, a model class, a subquery (query.as("name")), a CTE or a fragment.`,
  );
}

/** Infers the ON clause of a join from the one foreign key between target and the others. */
export function inferOn(left: readonly SqlSource<unknown>[], target: SqlSource<unknown>): Fragment {
  const targetName = target instanceof Table
    ? target.alias ?? target.name
    : target instanceof Subquery || target instanceof Cte
    ? target.name
    : "the target";
  if (!(target instanceof Table)) {
    throw new ArgumentError(
      `Cannot infer how to join ${targetName}: only tables have foreign keys. Pass the ON ` +
        "condition: .join(target, eq(a, b)).",
    );
  }
  const found: [Column, Column][] = [];
  const names: string[] = [];
  for (const l of left) {
    if (!(l instanceof Table)) continue;
    names.push(l.alias ?? l.name);
    for (const fk of target.foreignKeys) {
      if (sameTable(fk.target.table!, l)) {
        found.push([target.column(fk.column.key), l.column(fk.target.key)]);
      }
    }
    if (l === target) continue;
    for (const fk of l.foreignKeys) {
      if (sameTable(fk.target.table!, target)) {
        found.push([l.column(fk.column.key), target.column(fk.target.key)]);
      }
    }
  }
  if (found.length === 1) {
    const [a, b] = found[0];
    return new Fragment(["", " = ", ""], [a, b]);
  }
  const what = `${targetName} to ${names.join(", ") || "nothing (no table before it)"}`;
  throw new ArgumentError(
    found.length === 0
      ? `Cannot infer how to join ${what}: no foreign key links them. Pass the ON ` +
        "condition: .join(target, eq(a, b))."
      : `Cannot infer how to join ${what}: ${found.length} foreign keys link them (` +
        found.map(([a, b]) =>
          `${a.table!.alias ?? a.table!.name}.${a.key} → ` +
          `${b.table!.alias ?? b.table!.name}.${b.key}`
        ).join(", ") +
        "). Pass the ON condition: .join(target, eq(a, b)).",
  );
}

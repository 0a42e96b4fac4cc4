/**
 * Foreign-key order: tables after the tables they refer to, and the foreign keys that close a
 * cycle of tables.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import type { Column, ReferentialAction } from "../schema/column.ts";
import { sameTable, type Table } from "../schema/table.ts";
import { type TableLike, tableOf } from "../statement.ts";
import { toposort } from "../util/toposort.ts";

/** A foreign key, by its table and column. */
export interface ForeignKey {
  readonly table: Table;
  readonly column: Column;
  readonly target: Column;
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
}

/** A table's foreign keys, with their table. */
export function foreignKeys(table: Table): ForeignKey[] {
  return table.foreignKeys.map((fk) => ({
    table,
    column: fk.column,
    target: fk.target,
    onDelete: fk.options.onDelete,
    onUpdate: fk.options.onUpdate,
  }));
}

/**
 * Sorts tables so that each comes after the tables its foreign keys point to (a table may
 * refer to itself). Tables in a cycle keep their given order; `cyclic` lists the foreign keys
 * that point forward in the result.
 */
export function order(items: readonly TableLike[]): { tables: Table[]; cyclic: ForeignKey[] } {
  const tables: Table[] = [];
  for (const item of items) {
    const t = tableOf(item);
    const same = tables.find((x) => sameTable(x, t));
    if (same === undefined) tables.push(t);
    else if (same !== t && same.owner !== t.owner) {
      const who = (x: Table) => (x.owner as { name?: string } | undefined)?.name ?? "a table";
      throw new ArgumentError(
        `Two different tables are named ${JSON.stringify(t.name)} (${who(same)} and ` +
          `${who(t)}); give one of them another name.`,
      );
    }
  }
  const byKey = (t: { name: string; schema: string | undefined }) =>
    tables.find((x) => sameTable(x, t));
  const { order, deferred } = toposort(tables, (t) =>
    foreignKeys(t).flatMap((fk) => {
      const on = byKey(fk.target.table!);
      return on === undefined ? [] : [{ on, breakable: true, edge: fk }];
    }));
  return { tables: order, cyclic: deferred.map((d) => d.dependency.edge) };
}

/**
 * Sorts tables (or model classes) in foreign-key order: each after the tables it refers to.
 * `dropAll` uses the reverse order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, sortTables, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id),
 * });
 * assert(sortTables([posts, users])[0] === users);
 * ```
 */
export function sortTables(items: readonly TableLike[]): Table[] {
  return order(items).tables;
}

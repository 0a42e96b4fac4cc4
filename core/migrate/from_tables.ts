/**
 * Tables (or model classes) as a snapshot, in a dialect's spelling of types, defaults and
 * checks, as `createAll` would create them. Dialects refine the result into what their
 * catalogue reports (PostgreSQL's constraint names and canonical expressions, SQLite's rowid
 * keys).
 *
 * @module
 */
import { compile, type Dialect, sql, type TableLike, tableOf } from "../mod.ts";
import type { ReferentialAction, Table } from "../mod.ts";
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from "./snapshot.ts";
import { indexName } from "../ddl/names.ts";

export { generatedName } from "../ddl/names.ts";

const action = (a: ReferentialAction | undefined): ReferentialAction | undefined =>
  a === "no action" ? undefined : a;

function tableSnapshot(t: Table, dialect: Dialect): TableSnapshot {
  const text = (fragment: unknown): string => compile(sql`${sql.literal(fragment)}`, dialect).text;
  const keys = new Set(t.primaryKey.map((c) => c.name));
  const stored = t.columns.filter((col) => col.config.expression === undefined);
  const columns: ColumnSnapshot[] = stored.map((col) => {
    const c = col.config;
    const out: ColumnSnapshot = {
      name: col.name,
      type: col.type.ddl(dialect),
      nullable: c.nullable && !keys.has(col.name) && !col.generated,
    };
    if (c.serverDefault !== undefined) out.default = text(c.serverDefault);
    if (col.generated) out.generated = c.autoincrement === true ? "autoincrement" : "identity";
    if (c.generatedAs !== undefined) out.computed = text(c.generatedAs);
    return out;
  });
  const snap: TableSnapshot = {
    name: t.name,
    ...(t.schema !== undefined ? { schema: t.schema } : {}),
    columns,
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
  };
  if (t.primaryKey.length > 0) snap.primaryKey = { columns: t.primaryKey.map((c) => c.name) };
  for (const col of t.columns) {
    if (col.config.unique && !(keys.size === 1 && keys.has(col.name))) {
      snap.uniques.push({ columns: [col.name] });
    }
    const typeCheck = col.type.checkSql?.(sql`${sql.id(col.name)}`);
    if (typeCheck) snap.checks.push({ expression: text(typeCheck) });
    if (col.config.check !== undefined) snap.checks.push({ expression: text(col.config.check) });
  }
  for (const col of t.columns) {
    if (col.config.index) {
      snap.indexes.push({
        name: indexName(t.name, col.name),
        columns: [col.name],
        unique: false,
      });
    }
  }
  const name = (key: string) => t.column(key).name;
  for (const con of t.constraints) {
    if (con.kind === "unique") {
      snap.uniques.push({
        ...(con.name ? { name: con.name } : {}),
        columns: con.columns!.map(name),
      });
    } else if (con.kind === "check") {
      snap.checks.push({ name: con.name, expression: text(con.condition) });
    } else if (con.kind === "index") {
      snap.indexes.push({
        name: con.name!,
        columns: con.columns!.map(name),
        unique: con.unique ?? false,
      });
    }
  }
  for (const fk of t.foreignKeys) {
    const target = fk.target.table!;
    const onDelete = action(fk.options.onDelete);
    const onUpdate = action(fk.options.onUpdate);
    snap.foreignKeys.push({
      columns: [fk.column.name],
      references: {
        name: target.name,
        ...(target.schema !== undefined ? { schema: target.schema } : {}),
        columns: [fk.target.name],
      },
      ...(onDelete ? { onDelete } : {}),
      ...(onUpdate ? { onUpdate } : {}),
    });
  }
  return snap;
}

/**
 * Tables (or model classes) as a snapshot in a dialect's DDL spelling, before the dialect
 * refines it; `MigrationDialect.snapshot` gives the refined one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, sqliteDialect, table } from "@retort/orm";
 * import { tablesSnapshot } from "@retort/orm/migrate";
 * const users = table("users", { id: column.integer().primaryKey(), email: column.text() });
 * const [t] = tablesSnapshot([users], sqliteDialect).tables;
 * assert.deepEqual(t.columns[1], { name: "email", type: "TEXT", nullable: false });
 * ```
 */
export function tablesSnapshot(items: readonly TableLike[], dialect: Dialect): SchemaSnapshot {
  const seen = new Set<Table>();
  const tables: TableSnapshot[] = [];
  for (const item of items) {
    const t = tableOf(item);
    if (seen.has(t)) continue;
    seen.add(t);
    tables.push(tableSnapshot(t, dialect));
  }
  return { tables };
}

/**
 * Operations applied to snapshots, without a database: what a table looks like after an
 * operation. SQLite's rebuild uses it to build the new table from the one it reflected; it
 * mirrors what PostgreSQL does (dropping a column drops the indexes and constraints on it).
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";
import type { SchemaOperation } from "./operations.ts";
import type {
  CheckSnapshot,
  ForeignKeySnapshot,
  SchemaSnapshot,
  TableSnapshot,
  UniqueSnapshot,
} from "./snapshot.ts";
import { cloneTable, findTable, tableKey } from "./snapshot.ts";
import { comparableSql, renameIdentifier } from "./sql_text.ts";

const mentions = (expression: string, column: string): boolean =>
  renameIdentifier(expression, column, "\u0000") !== expression;

const sameCols = (a: string[], b: string[]) => a.join("\u0000") === b.join("\u0000");

function find<T extends { name?: string }>(
  list: T[],
  wanted: T,
  same: (x: T) => boolean,
  what: string,
): number {
  const byName = wanted.name === undefined ? -1 : list.findIndex((x) => x.name === wanted.name);
  const i = byName >= 0 ? byName : list.findIndex(same);
  if (i < 0) throw new ArgumentError(what);
  return i;
}

function column(table: TableSnapshot, name: string) {
  const col = table.columns.find((c) => c.name === name);
  if (col === undefined) {
    throw new ArgumentError(
      `Table ${tableKey(table)} has no column ${name}; its columns are ` +
        `${table.columns.map((c) => c.name).join(", ")}.`,
    );
  }
  return col;
}

/**
 * A table after one operation on it (a copy; the original is left alone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyToTable, op } from "@retort/orm/migrate";
 * const t = {
 *   name: "users",
 *   columns: [{ name: "id", type: "INTEGER", nullable: false }],
 *   uniques: [],
 *   indexes: [],
 *   foreignKeys: [],
 *   checks: [],
 * };
 * const after = applyToTable(t, op.addColumn("users", { name: "email", type: "TEXT", nullable: true }));
 * assert.deepEqual(after.columns.map((c) => c.name), ["id", "email"]);
 * ```
 */
export function applyToTable(table: TableSnapshot, op: SchemaOperation): TableSnapshot {
  const t = cloneTable(table);
  const where = tableKey(t);
  switch (op.kind) {
    case "addColumn":
      if (t.columns.some((c) => c.name === op.column.name)) {
        throw new ArgumentError(`Table ${where} already has a column ${op.column.name}.`);
      }
      t.columns.push({ ...op.column });
      return t;
    case "dropColumn": {
      column(t, op.column);
      const has = (cols: string[]) => cols.includes(op.column);
      t.columns = t.columns.filter((c) => c.name !== op.column);
      t.uniques = t.uniques.filter((u) => !has(u.columns));
      t.indexes = t.indexes.filter((ix) => !has(ix.columns));
      t.foreignKeys = t.foreignKeys.filter((fk) => !has(fk.columns));
      t.checks = t.checks.filter((c) => !mentions(c.expression, op.column));
      if (t.primaryKey && has(t.primaryKey.columns)) delete t.primaryKey;
      return t;
    }
    case "renameColumn": {
      column(t, op.column).name = op.to;
      const map = (cols: string[]) => cols.map((c) => c === op.column ? op.to : c);
      if (t.primaryKey) t.primaryKey.columns = map(t.primaryKey.columns);
      for (const u of t.uniques) u.columns = map(u.columns);
      for (const ix of t.indexes) ix.columns = map(ix.columns);
      for (const fk of t.foreignKeys) {
        fk.columns = map(fk.columns);
        if (tableKey(fk.references) === where) fk.references.columns = map(fk.references.columns);
      }
      for (const c of t.checks) c.expression = renameIdentifier(c.expression, op.column, op.to);
      return t;
    }
    case "alterColumn": {
      const col = column(t, op.column);
      const ch = op.changes;
      if (ch.type !== undefined) col.type = ch.type;
      if (ch.nullable !== undefined) col.nullable = ch.nullable;
      if (ch.default === null) delete col.default;
      else if (ch.default !== undefined) col.default = ch.default;
      if (ch.generated === null) delete col.generated;
      else if (ch.generated !== undefined) col.generated = ch.generated;
      if (ch.computed === null) {
        delete col.computed;
        delete col.virtual;
      } else if (ch.computed !== undefined) {
        col.computed = ch.computed;
        if (ch.virtual) col.virtual = true;
        else delete col.virtual;
        delete col.default;
        delete col.generated;
      }
      return t;
    }
    case "setPrimaryKey":
      for (const c of op.columns) column(t, c);
      if (op.columns.length === 0) delete t.primaryKey;
      else t.primaryKey = { columns: [...op.columns] };
      return t;
    case "createIndex":
      t.indexes.push(structuredClone(op.index));
      return t;
    case "dropIndex": {
      const i = t.indexes.findIndex((ix) => ix.name === op.name);
      if (i < 0) throw new ArgumentError(`Table ${where} has no index ${op.name}.`);
      t.indexes.splice(i, 1);
      return t;
    }
    case "addUnique":
      t.uniques.push(structuredClone(op.unique));
      return t;
    case "dropUnique":
      t.uniques.splice(dropUnique(t, op.unique), 1);
      return t;
    case "addForeignKey":
      t.foreignKeys.push(structuredClone(op.foreignKey));
      return t;
    case "dropForeignKey":
      t.foreignKeys.splice(dropForeignKey(t, op.foreignKey), 1);
      return t;
    case "addCheck":
      t.checks.push(structuredClone(op.check));
      return t;
    case "dropCheck":
      t.checks.splice(dropCheck(t, op.check), 1);
      return t;
    default:
      throw new ArgumentError(`${op.kind} does not change one table's definition.`);
  }
}

const dropUnique = (t: TableSnapshot, u: UniqueSnapshot) =>
  find(
    t.uniques,
    u,
    (x) => sameCols(x.columns, u.columns),
    `Table ${tableKey(t)} has no unique constraint on (${u.columns.join(", ")}).`,
  );

const dropForeignKey = (t: TableSnapshot, fk: ForeignKeySnapshot) =>
  find(
    t.foreignKeys,
    fk,
    (x) => sameCols(x.columns, fk.columns),
    `Table ${tableKey(t)} has no foreign key on (${fk.columns.join(", ")}).`,
  );

const dropCheck = (t: TableSnapshot, c: CheckSnapshot) =>
  find(
    t.checks,
    c,
    (x) => comparableSql(x.expression) === comparableSql(c.expression),
    `Table ${tableKey(t)} has no check ${c.name ?? `(${c.expression})`}.`,
  );

/**
 * A schema after one operation (a copy). SQL and data steps leave it as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyToSchema, op } from "@retort/orm/migrate";
 * const s = applyToSchema({ tables: [] }, op.createTable({
 *   name: "tags",
 *   columns: [{ name: "id", type: "TEXT", nullable: false }],
 * }));
 * assert.deepEqual(s.tables.map((t) => t.name), ["tags"]);
 * ```
 */
export function applyToSchema(schema: SchemaSnapshot, op: SchemaOperation): SchemaSnapshot {
  const tables = schema.tables.map(cloneTable);
  if (op.kind === "createTable") {
    if (findTable({ tables }, op.table)) {
      throw new ArgumentError(`Table ${tableKey(op.table)} already exists.`);
    }
    return { tables: [...tables, cloneTable(op.table)] };
  }
  const i = tables.findIndex((t) => t.name === op.table.name && t.schema === op.table.schema);
  if (i < 0) throw new ArgumentError(`There is no table ${tableKey(op.table)}.`);
  if (op.kind === "dropTable") return { tables: tables.filter((_, j) => j !== i) };
  if (op.kind === "renameTable") {
    const old = tableKey(tables[i]);
    tables[i].name = op.to;
    for (const t of tables) {
      for (const fk of t.foreignKeys) {
        if (tableKey(fk.references) === old) fk.references.name = op.to;
      }
    }
    return { tables };
  }
  if (op.kind === "renameColumn") {
    const key = tableKey(tables[i]);
    for (const t of tables) {
      if (t === tables[i]) continue;
      for (const fk of t.foreignKeys) {
        if (tableKey(fk.references) !== key) continue;
        fk.references.columns = fk.references.columns.map((c) => c === op.column ? op.to : c);
      }
    }
  }
  tables[i] = applyToTable(tables[i], op);
  return { tables };
}

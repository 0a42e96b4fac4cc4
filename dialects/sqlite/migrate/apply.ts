/**
 * Carries out schema operations on SQLite: in place where ALTER TABLE can (rename a table or
 * a column, add a plain column, drop a plain column, indexes), by a table rebuild where it
 * cannot. Consecutive changes to one table share one rebuild. Each rebuild starts from the
 * table as it is in the database at that moment, never from what a migration file assumed.
 *
 * @module
 */
import { ArgumentError, type Executor, sql } from "../../../core/mod.ts";
import {
  applyToTable,
  type Progress,
  type SchemaOperation,
  type TableSnapshot,
} from "../../../core/migrate/mod.ts";
import { reflectTable } from "./reflect.ts";
import { checkChildren, rebuild, referringTables, requireForeignKeysOff } from "./rebuild.ts";
import { addColumnDefinition, createIndex, createTable } from "./render.ts";

const mentions = (expression: string, column: string): boolean =>
  new RegExp(
    `(^|[^A-Za-z0-9_$])"?${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?($|[^A-Za-z0-9_$])`,
    "i",
  )
    .test(expression);

async function current(db: Executor, op: SchemaOperation): Promise<TableSnapshot> {
  const t = await reflectTable(db, op.table.name);
  if (t === undefined) {
    throw new ArgumentError(`There is no table ${op.table.name} for "${op.kind}" to change.`);
  }
  return t;
}

/** Whether a column can be dropped in place: nothing but the column itself uses it. */
function plainColumn(t: TableSnapshot, column: string): boolean {
  const uses = (cols: string[]) => cols.includes(column);
  return !uses(t.primaryKey?.columns ?? []) && !t.uniques.some((u) => uses(u.columns)) &&
    !t.indexes.some((ix) => uses(ix.columns) || (ix.definition ?? "").includes(column)) &&
    !t.foreignKeys.some((fk) => uses(fk.columns)) &&
    !t.checks.some((c) => mentions(c.expression, column)) &&
    !t.columns.some((c) => c.name !== column && mentions(c.computed ?? "", column));
}

/** Runs an operation in place; false when it needs a rebuild. */
async function inPlace(db: Executor, op: SchemaOperation): Promise<boolean> {
  const table = sql.id(op.table.name);
  switch (op.kind) {
    case "createTable":
      await db.run(createTable(op.table));
      for (const ix of op.table.indexes) await db.run(createIndex(op.table.name, ix));
      return true;
    case "dropTable": {
      await requireForeignKeysOff(db, `drop table ${op.table.name}`);
      const referring = await referringTables(db, op.table.name);
      await db.run(sql`DROP TABLE ${table}`);
      await checkChildren(db, referring, `Dropping ${op.table.name}`);
      return true;
    }
    case "renameTable":
      await db.run(sql`ALTER TABLE ${table} RENAME TO ${sql.id(op.to)}`);
      return true;
    case "renameColumn":
      await db.run(
        sql`ALTER TABLE ${table} RENAME COLUMN ${sql.id(op.column)} TO ${sql.id(op.to)}`,
      );
      return true;
    case "createIndex":
      await db.run(createIndex(op.table.name, op.index));
      return true;
    case "dropIndex":
      await db.run(sql`DROP INDEX ${sql.id(op.name)}`);
      return true;
    case "addColumn": {
      const def = addColumnDefinition(op.column);
      if (def === null) return false;
      await db.run(sql`ALTER TABLE ${table} ADD COLUMN ${def}`);
      return true;
    }
    case "dropColumn": {
      if (!plainColumn(await current(db, op), op.column)) return false;
      await db.run(sql`ALTER TABLE ${table} DROP COLUMN ${sql.id(op.column)}`);
      return true;
    }
    default:
      return false;
  }
}

/** Operations a rebuild can take on, besides the one that started it. */
const JOINS = new Set([
  "addColumn",
  "dropColumn",
  "alterColumn",
  "setPrimaryKey",
  "addUnique",
  "dropUnique",
  "addForeignKey",
  "dropForeignKey",
  "addCheck",
  "dropCheck",
  "createIndex",
  "dropIndex",
]);

/**
 * Whether the foreign key `ops[i]` drops goes with its table anyway: a later step of the same
 * batch drops the table, and nothing before it but other such drops touches it (how the diff
 * drops tables that refer to each other). SQLite, its foreign keys off, needs no rebuild then.
 */
function goesWithTable(ops: readonly SchemaOperation[], i: number): boolean {
  const name = ops[i].table.name;
  for (let j = i + 1; j < ops.length; j++) {
    const o = ops[j];
    if (o.kind === "renameTable" && o.to === name) return false;
    if (o.table.name !== name || o.table.schema !== undefined) continue;
    if (o.kind === "dropTable") return true;
    if (o.kind !== "dropForeignKey") return false;
  }
  return false;
}

/** Carries out schema operations on a migration's transaction. */
export async function apply(
  db: Executor,
  ops: readonly SchemaOperation[],
  progress?: Progress,
): Promise<void> {
  let i = 0;
  while (i < ops.length) {
    const op = ops[i];
    if (op.table.schema !== undefined) {
      throw new ArgumentError(
        `SQLite has no schema ${op.table.schema}; name the table without one (${op.table.name}).`,
      );
    }
    if (op.kind === "dropForeignKey" && goesWithTable(ops, i)) {
      i++;
      continue;
    }
    if (await inPlace(db, op)) {
      i++;
      continue;
    }
    const old = await current(db, op);
    const group: SchemaOperation[] = [op];
    let next = applyToTable(old, op);
    for (i++; i < ops.length; i++) {
      const more = ops[i];
      if (more.table.name !== op.table.name || more.table.schema !== undefined) break;
      if (!JOINS.has(more.kind)) break;
      next = applyToTable(next, more);
      group.push(more);
    }
    progress?.(
      `  rebuilding table ${old.name} (${group.length} change${group.length > 1 ? "s" : ""})`,
    );
    await rebuild(db, old, next, group);
  }
}

/**
 * Carries out schema operations on PostgreSQL, whose DDL is transactional: each operation is
 * an ALTER (or CREATE, DROP) statement in the migration's transaction. A constraint to drop
 * is found in the catalogue by its name or, unnamed, by what it covers.
 *
 * @module
 */
import { ArgumentError, type Executor, type Fragment, sql } from "../../../core/mod.ts";
import {
  applyToTable,
  comparableSql,
  type Progress,
  renameIdentifier,
  type SchemaOperation,
  tableKey,
  type TableRef,
  type TableSnapshot,
} from "../../../core/migrate/mod.ts";
import { currentSchema, reflectSchemas } from "./reflect.ts";
import {
  check,
  columnDefinition,
  createIndex,
  createTable,
  foreignKey,
  primaryKey,
  tableId,
  unique,
} from "./render.ts";

async function current(db: Executor, ref: TableRef): Promise<TableSnapshot> {
  const schema = await currentSchema(db);
  const read = await reflectSchemas(db, [ref.schema ?? schema], schema);
  const t = read.tables.find((x) => x.name === ref.name);
  if (t === undefined) throw new ArgumentError(`There is no table ${tableKey(ref)}.`);
  return t;
}

function constraintName<T extends { name?: string }>(
  list: T[],
  wanted: T,
  same: (x: T) => boolean,
  what: string,
): string {
  const found = (wanted.name && list.find((x) => x.name === wanted.name)) || list.find(same);
  if (!found?.name) throw new ArgumentError(`${what}; give the constraint's name.`);
  return found.name;
}

const sameCols = (a: string[], b: string[]) => a.join("\u0000") === b.join("\u0000");

type AlterColumn = Extract<SchemaOperation, { kind: "alterColumn" }>;

const mentions = (text: string, column: string) =>
  renameIdentifier(text, column, "\u0000") !== text;

/**
 * A generated column with a new expression: PostgreSQL (before 17) cannot change it in place,
 * so the column is dropped and added again, and the key, constraints and indexes on it (which
 * the drop takes with it) are added again as they were.
 */
async function recompute(db: Executor, op: AlterColumn): Promise<void> {
  const now = await current(db, op.table);
  const col = applyToTable(now, op).columns.find((x) => x.name === op.column)!;
  const on = (cols: readonly string[], text = "") =>
    cols.includes(op.column) || mentions(text, op.column);
  const t = tableId(op.table);
  await db.run(sql`ALTER TABLE ${t} DROP COLUMN ${sql.id(op.column)}`);
  await db.run(sql`ALTER TABLE ${t} ADD COLUMN ${columnDefinition(col)}`);
  const pk = now.primaryKey;
  if (pk && on(pk.columns)) {
    await db.run(sql`ALTER TABLE ${t} ADD ${primaryKey(pk.columns, pk.name)}`);
  }
  for (const u of now.uniques.filter((x) => on(x.columns))) {
    await db.run(sql`ALTER TABLE ${t} ADD ${unique(u)}`);
  }
  for (const c of now.checks.filter((x) => on([], x.expression))) {
    await db.run(sql`ALTER TABLE ${t} ADD ${check(c)}`);
  }
  for (const fk of now.foreignKeys.filter((x) => on(x.columns))) {
    await db.run(sql`ALTER TABLE ${t} ADD ${foreignKey(fk)}`);
  }
  for (const ix of now.indexes.filter((x) => on(x.columns, x.definition))) {
    await db.run(createIndex(op.table, ix));
  }
}

const kindOf = (type: string): "timestamp" | "timestamptz" | "date" | null => {
  const t = type.trim().toLowerCase().replace(/\s+/g, " ").replace(/ ?\( ?(\d) ?\)/, "($1)");
  if (/^timestamptz(\(\d\))?$|^timestamp(\(\d\))? with time zone$/.test(t)) return "timestamptz";
  if (/^timestamp(\(\d\))?( without time zone)?$/.test(t)) return "timestamp";
  return t === "date" ? "date" : null;
};

/**
 * The USING of a type change. Retort reads a `timestamp` as UTC wall-clock time and a `date`
 * as its UTC midnight, so a change to or from `timestamptz` converts at UTC, never in the
 * session's TimeZone: every value keeps its instant.
 */
function using(c: Fragment, from: string, to: string): Fragment {
  const type = sql.unsafe(to);
  const [a, b] = [kindOf(from), kindOf(to)];
  if (a === "date" && b === "timestamptz") {
    return sql`(${c}::timestamp AT TIME ZONE 'UTC')::${type}`;
  }
  const local = b === "timestamp" || b === "date";
  if ((a === "timestamp" && b === "timestamptz") || (a === "timestamptz" && local)) {
    return sql`(${c} AT TIME ZONE 'UTC')::${type}`;
  }
  return sql`${c}::${type}`;
}

/** A column's type as `format_type` spells it ("" when there is no such column). */
async function typeOf(db: Executor, ref: TableRef, column: string): Promise<string> {
  const name = ref.schema === undefined
    ? sql`format('%I', ${ref.name}::text)`
    : sql`format('%I.%I', ${ref.schema}::text, ${ref.name}::text)`;
  return await db.scalar<string | null>(sql`
    SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
    WHERE a.attrelid = to_regclass(${name}) AND a.attname = ${column} AND NOT a.attisdropped`) ??
    "";
}

async function alterColumn(db: Executor, op: AlterColumn) {
  const t = tableId(op.table);
  const c = sql.id(op.column);
  const ch = op.changes;
  if (typeof ch.computed === "string") return await recompute(db, op);
  const alter = (body: Fragment) => db.run(sql`ALTER TABLE ${t} ALTER COLUMN ${c} ${body}`);
  if (ch.computed === null) await alter(sql`DROP EXPRESSION`);
  if (ch.generated === null) await alter(sql`DROP IDENTITY IF EXISTS`);
  if (ch.default !== undefined) await alter(sql`DROP DEFAULT`);
  if (ch.type !== undefined) {
    const from = await typeOf(db, op.table, op.column);
    await alter(sql`TYPE ${sql.unsafe(ch.type)} USING ${using(sql`${c}`, from, ch.type)}`);
  }
  if (ch.nullable !== undefined) await alter(ch.nullable ? sql`DROP NOT NULL` : sql`SET NOT NULL`);
  if (ch.default !== undefined && ch.default !== null) {
    await alter(sql`SET DEFAULT ${sql.unsafe(ch.default)}`);
  }
  if (ch.generated === "identity" || ch.generated === "autoincrement") {
    await alter(sql`ADD GENERATED BY DEFAULT AS IDENTITY`);
  } else if (ch.generated === "always") await alter(sql`ADD GENERATED ALWAYS AS IDENTITY`);
}

async function one(db: Executor, op: SchemaOperation): Promise<void> {
  const t = tableId(op.table);
  const where = tableKey(op.table);
  switch (op.kind) {
    case "createTable":
      await db.run(createTable(op.table));
      for (const ix of op.table.indexes) await db.run(createIndex(op.table, ix));
      return;
    case "dropTable":
      await db.run(sql`DROP TABLE ${t}`);
      return;
    case "renameTable":
      await db.run(sql`ALTER TABLE ${t} RENAME TO ${sql.id(op.to)}`);
      return;
    case "addColumn":
      await db.run(sql`ALTER TABLE ${t} ADD COLUMN ${columnDefinition(op.column)}`);
      return;
    case "dropColumn":
      await db.run(sql`ALTER TABLE ${t} DROP COLUMN ${sql.id(op.column)}`);
      return;
    case "renameColumn":
      await db.run(sql`ALTER TABLE ${t} RENAME COLUMN ${sql.id(op.column)} TO ${sql.id(op.to)}`);
      return;
    case "alterColumn":
      return await alterColumn(db, op);
    case "setPrimaryKey": {
      const pk = (await current(db, op.table)).primaryKey;
      if (pk?.name) await db.run(sql`ALTER TABLE ${t} DROP CONSTRAINT ${sql.id(pk.name)}`);
      if (op.columns.length) await db.run(sql`ALTER TABLE ${t} ADD ${primaryKey(op.columns)}`);
      return;
    }
    case "createIndex":
      await db.run(createIndex(op.table, op.index));
      return;
    case "dropIndex": {
      const schema = op.table.schema;
      await db.run(sql`DROP INDEX ${schema ? sql.id(schema, op.name) : sql.id(op.name)}`);
      return;
    }
    case "addUnique":
      await db.run(sql`ALTER TABLE ${t} ADD ${unique(op.unique)}`);
      return;
    case "addForeignKey":
      await db.run(sql`ALTER TABLE ${t} ADD ${foreignKey(op.foreignKey)}`);
      return;
    case "addCheck":
      await db.run(sql`ALTER TABLE ${t} ADD ${check(op.check)}`);
      return;
    case "dropUnique":
    case "dropForeignKey":
    case "dropCheck": {
      const now = await current(db, op.table);
      const name = op.kind === "dropUnique"
        ? constraintName(
          now.uniques,
          op.unique,
          (u) => sameCols(u.columns, op.unique.columns),
          `${where} has no unique constraint on (${op.unique.columns.join(", ")})`,
        )
        : op.kind === "dropForeignKey"
        ? constraintName(
          now.foreignKeys,
          op.foreignKey,
          (f) => sameCols(f.columns, op.foreignKey.columns),
          `${where} has no foreign key on (${op.foreignKey.columns.join(", ")})`,
        )
        : constraintName(
          now.checks,
          op.check,
          (c) => comparableSql(c.expression) === comparableSql(op.check.expression),
          `${where} has no check (${op.check.expression})`,
        );
      await db.run(sql`ALTER TABLE ${t} DROP CONSTRAINT ${sql.id(name)}`);
      return;
    }
  }
}

/** Carries out schema operations on a migration's transaction, one statement each. */
export async function apply(
  db: Executor,
  ops: readonly SchemaOperation[],
  _progress?: Progress,
): Promise<void> {
  for (const op of ops) await one(db, op);
}

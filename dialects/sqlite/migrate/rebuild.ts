/**
 * SQLite's table rebuild, as its documentation gives it ("Making Other Kinds Of Table Schema
 * Changes"), for what ALTER TABLE cannot do: create the new table under a temporary name,
 * copy the real columns that exist on both sides, drop the old table, rename the new one, and
 * recreate the indexes and triggers. It runs inside the migration's transaction with foreign
 * keys off (checked, not assumed), refuses a table whose CREATE TABLE text it could not write
 * again, and verifies that every row was copied and that no table referring to this one lost
 * a row.
 *
 * @module
 */
import { type Executor, IntegrityError, OperationalError, sql } from "../../../core/mod.ts";
import { type SchemaOperation, tableKey, type TableSnapshot } from "../../../core/migrate/mod.ts";
import { requireFaithful } from "./fidelity.ts";
import { createIndex, createTable } from "./render.ts";

const count = async (db: Executor, table: string): Promise<number> =>
  Number(await db.scalar(sql`SELECT count(*) FROM ${sql.id(table)}`));

/**
 * The columns of the new table that take their values from a column of the old one: its
 * real columns (a generated one is computed by the new table, and cannot be written).
 */
export function sources(
  old: TableSnapshot,
  next: TableSnapshot,
  ops: readonly SchemaOperation[],
): string[] {
  const have = new Set(old.columns.map((c) => c.name));
  for (const op of ops) {
    if (op.kind === "dropColumn") have.delete(op.column);
    if (op.kind === "addColumn") have.delete(op.column.name);
  }
  return next.columns.filter((c) => c.computed === undefined && have.has(c.name))
    .map((c) => c.name);
}

/** Tables whose foreign keys point at a table, with their row counts. */
export async function referringTables(db: Executor, table: string): Promise<Map<string, number>> {
  const rows = await db.all<{ name: string }>(
    sql`SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
        WHERE m.type = 'table' AND f."table" = ${table} AND m.name <> ${table}
        GROUP BY m.name`,
  );
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.name, await count(db, r.name));
  return out;
}

/** Refuses a rebuild while foreign keys are enforced: DROP TABLE would run ON DELETE. */
export async function requireForeignKeysOff(db: Executor, what: string): Promise<void> {
  if (Number(await db.scalar(sql`PRAGMA foreign_keys`)) !== 0) {
    throw new OperationalError(
      `Cannot ${what}: foreign keys are still enforced (PRAGMA foreign_keys reads 1), so ` +
        "dropping the old table would run the ON DELETE actions of the tables that refer to it " +
        "and delete their rows. This host ignored PRAGMA foreign_keys = OFF, or the migration " +
        "ran inside another transaction. Nothing was changed; run the migration through " +
        "Retort's runner, on a host that honours the pragma.",
    );
  }
}

/** Checks that the tables referring to a table kept every row. */
export async function checkChildren(
  db: Executor,
  before: Map<string, number>,
  what: string,
): Promise<void> {
  for (const [child, n] of before) {
    const now = await count(db, child).catch(() => n);
    if (now !== n) {
      throw new IntegrityError(
        `${what} removed ${n - now} rows of ${child}, which refers to it; rolled back. ` +
          "Foreign-key actions ran during the change: this host does not honour " +
          "PRAGMA foreign_keys = OFF.",
      );
    }
  }
}

/**
 * Rebuilds `old` (as reflected now) into `next`, for the operations `ops` on it.
 */
export async function rebuild(
  db: Executor,
  old: TableSnapshot,
  next: TableSnapshot,
  ops: readonly SchemaOperation[],
): Promise<void> {
  const name = old.name;
  const what = `rebuild table ${tableKey(old)}`;
  await requireFaithful(db, old);
  await requireForeignKeysOff(db, what);
  const temp = `__retort_new_${name}`;
  const triggers = await db.all<{ sql: string }>(
    sql`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${name} ORDER BY rowid`,
  );
  const views = await db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'view' AND instr(lower(sql), lower(${name})) > 0`,
  );
  const sequence = await db.scalar<number | null>(
    sql`SELECT seq FROM sqlite_sequence WHERE name = ${name}`,
  ).catch(() => null);
  const referring = await referringTables(db, name);
  const rows = await count(db, name);
  await db.run(createTable(next, temp));
  const copied = sources(old, next, ops);
  if (copied.length > 0) {
    const cols = sql.join(copied.map((c) => sql.id(c)));
    const from = sql.join(copied.map((c) => sql.id(name, c)));
    try {
      const r = await db.run(
        sql`INSERT INTO ${sql.id(temp)} (${cols}) SELECT ${from} FROM ${sql.id(name)}`,
      );
      if (r.rowsAffected !== rows) {
        throw new IntegrityError(`${what}: copied ${r.rowsAffected} of ${rows} rows; rolled back.`);
      }
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      throw new IntegrityError(
        `Cannot ${what}: a row of ${name} does not fit the new definition (${error.message}). ` +
          "Fix the rows first, in a data step before this one (op.sql or op.run).",
        { cause: error },
      );
    }
  } else if (rows > 0) {
    throw new IntegrityError(
      `Cannot ${what}: the new table shares no column with the old one, so its ${rows} rows ` +
        "would be lost. Rename columns with op.renameColumn instead of dropping and adding them.",
    );
  }
  await db.run(sql`DROP TABLE ${sql.id(name)}`);
  // The legacy rename changes only the table's own name: triggers and views elsewhere that
  // mention it stay as written (the modern one would reject them while the table is gone).
  await db.run(sql`PRAGMA legacy_alter_table = ON`);
  try {
    await db.run(sql`ALTER TABLE ${sql.id(temp)} RENAME TO ${sql.id(name)}`);
  } finally {
    await db.run(sql`PRAGMA legacy_alter_table = OFF`);
  }
  for (const ix of next.indexes) await db.run(createIndex(name, ix));
  for (const t of triggers) await db.run(sql.unsafe(t.sql));
  if (sequence !== null) {
    await db.run(sql`UPDATE sqlite_sequence SET seq = max(seq, ${sequence}) WHERE name = ${name}`);
    await db.run(
      sql`INSERT INTO sqlite_sequence (name, seq) SELECT ${name}, ${sequence}
          WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ${name})`,
    );
  }
  for (const v of views) {
    try {
      await db.all(sql`SELECT * FROM ${sql.id(v.name)} LIMIT 0`);
    } catch (error) {
      throw new IntegrityError(
        `${what} breaks view ${v.name} (${(error as Error).message}); drop or rewrite the ` +
          "view in a step before this one.",
        { cause: error },
      );
    }
  }
  if (await count(db, name) !== rows) {
    throw new IntegrityError(`${what}: the new table does not hold every row; rolled back.`);
  }
  await checkChildren(db, referring, what);
}

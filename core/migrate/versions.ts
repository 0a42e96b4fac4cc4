/**
 * The version table: one row per applied migration, with the checksum of its file and the
 * order it was applied in.
 *
 * @module
 */
import { type Executor, type Fragment, sql } from "../mod.ts";

/**
 * A migration the database says is applied.
 *
 * @example
 * ```ts
 * import type { AppliedMigration } from "@retort/orm/migrate";
 * const a: AppliedMigration = { id: "001_init", checksum: "ab12", appliedAt: "2026-12-01T15:30:00Z", seq: 1 };
 * ```
 */
export interface AppliedMigration {
  /** The migration's id. */
  id: string;
  /** The checksum of its file when it was applied. */
  checksum: string;
  /** When it was applied (ISO 8601). */
  appliedAt: string;
  /** Its position in the order of application. */
  seq: number;
}

/** The version table's default name. */
export const VERSION_TABLE = "retort_migrations";

/** Creates the version table if it is missing. */
export async function ensureVersionTable(db: Executor, table: string): Promise<void> {
  await db.run(
    sql`CREATE TABLE IF NOT EXISTS ${sql.id(table)} (
  "id" TEXT PRIMARY KEY,
  "checksum" TEXT NOT NULL,
  "applied_at" TEXT NOT NULL,
  "seq" INTEGER NOT NULL
)`,
  );
}

/**
 * The first statement of each migration's transaction: a write to the version table. On
 * SQLite it takes the database's write lock at once, as BEGIN IMMEDIATE does, so that of two
 * runs one waits while the other applies the migration; the waiting one then sees it applied.
 */
export function lockStatement(table: string): Fragment {
  return sql`UPDATE ${sql.id(table)} SET "seq" = "seq" WHERE 1 = 0`;
}

/** Every applied migration, in the order they were applied. */
export async function readApplied(db: Executor, table: string): Promise<AppliedMigration[]> {
  const rows = await db.all<{ id: string; checksum: string; applied_at: string; seq: number }>(
    sql`SELECT "id", "checksum", "applied_at", "seq" FROM ${sql.id(table)} ORDER BY "seq"`,
  );
  return rows.map((r) => ({
    id: r.id,
    checksum: r.checksum,
    appliedAt: r.applied_at,
    seq: Number(r.seq),
  }));
}

/** Whether one migration is applied (read inside its transaction, after the lock). */
export async function isApplied(db: Executor, table: string, id: string): Promise<boolean> {
  return (await db.first(sql`SELECT 1 AS x FROM ${sql.id(table)} WHERE "id" = ${id}`)) !== null;
}

/** Records a migration as applied. */
export async function recordApplied(
  db: Executor,
  table: string,
  id: string,
  checksum: string,
): Promise<void> {
  const t = sql.id(table);
  await db.run(
    sql`INSERT INTO ${t} ("id", "checksum", "applied_at", "seq") SELECT ${id}, ${checksum}, ${
      new Date().toISOString()
    }, COALESCE(MAX("seq"), 0) + 1 FROM ${t}`,
  );
}

/** Forgets a migration (after reverting it). */
export async function removeApplied(db: Executor, table: string, id: string): Promise<void> {
  await db.run(sql`DELETE FROM ${sql.id(table)} WHERE "id" = ${id}`);
}

/** Records a new checksum for an applied migration whose file was edited on purpose. */
export async function updateChecksum(
  db: Executor,
  table: string,
  id: string,
  checksum: string,
): Promise<void> {
  await db.run(sql`UPDATE ${sql.id(table)} SET "checksum" = ${checksum} WHERE "id" = ${id}`);
}

/**
 * Running migrations on PostgreSQL: a session holds an advisory lock (keyed by the schema
 * migrated) from start to end, so two deploys never apply one migration twice; each
 * migration is a transaction, DDL included. A rehearsal runs every pending migration in one
 * transaction, each in a savepoint, and rolls it all back.
 *
 * @module
 */
import { type Connection, type Engine, sql, type Transaction } from "../../../core/mod.ts";
import type {
  MigrationSession,
  Operation,
  Progress,
  Rehearsal,
} from "../../../core/migrate/mod.ts";

const lockKey = sql`hashtextextended('retort_migrations:' || current_schema(), 0)`;

/** A session on a connection, holding the migration lock until it is closed. */
export async function open(conn: Connection, progress?: Progress): Promise<MigrationSession> {
  if (!(await conn.scalar<boolean>(sql`SELECT pg_try_advisory_lock(${lockKey})`))) {
    progress?.("Waiting for another migration run to finish...");
    await conn.run(sql`SELECT pg_advisory_lock(${lockKey})`);
  }
  let open = true;
  return {
    db: conn,
    transaction: <T>(_ops: readonly Operation[], fn: (tx: Transaction) => Promise<T>) =>
      conn.transaction(fn),
    async close() {
      if (!open) return;
      open = false;
      await conn.run(sql`SELECT pg_advisory_unlock(${lockKey})`);
    },
  };
}

/** A transaction on a connection of its own, rolled back when the rehearsal ends. */
export async function rehearsal(engine: Engine): Promise<Rehearsal> {
  const conn = await engine.connect();
  try {
    const outer = await conn.begin();
    return {
      session: {
        db: outer,
        transaction: <T>(_ops: readonly Operation[], fn: (tx: Transaction) => Promise<T>) =>
          outer.transaction(fn),
        close: () => Promise.resolve(),
      },
      description: "the database, inside a transaction that is rolled back",
      async dispose() {
        try {
          await outer.rollback();
        } finally {
          await conn.close();
        }
      },
    };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

/**
 * Running migrations on PostgreSQL: a session holds an advisory lock (keyed by the schema
 * migrated) from start to end, so two deploys never apply one migration twice (the second
 * waits for it, up to its `lockTimeout`); each
 * migration is a transaction, DDL included. A rehearsal runs every pending migration in one
 * transaction, each in a savepoint, and rolls it all back.
 *
 * @module
 */
import { type Connection, type Engine, sql, type Transaction } from "../../../core/mod.ts";
import {
  LOCK_TIMEOUT,
  lockTimeoutError,
  type MigrationSession,
  type Operation,
  type Progress,
  type Rehearsal,
} from "../../../core/migrate/mod.ts";

const lockKey = sql`hashtextextended('retort_migrations:' || current_schema(), 0)`;

/** The lock, for messages: its schema and the session holding it, when it can be told. */
async function lockName(conn: Connection): Promise<string> {
  const row = await conn.first<{ schema: string; pid: number | null }>(sql`
    SELECT current_schema() AS schema, (
      SELECT l.pid FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = ${lockKey}
      LIMIT 1
    ) AS pid`).catch(() => null);
  const schema = row?.schema ?? "the current schema";
  const holder = row?.pid == null ? "" : ` held by server process ${row.pid}; see it in ` +
    `pg_stat_activity, and if it is stuck, SELECT pg_terminate_backend(${row.pid}) ends it`;
  return `the migration lock of schema ${schema} (a PostgreSQL advisory lock${holder})`;
}

/**
 * A session on a connection, holding the migration lock until it is closed. The lock is
 * tried again every little while until `lockTimeout` milliseconds have passed; then the
 * session fails with an OperationalError naming the lock and who holds it.
 */
export async function open(
  conn: Connection,
  progress?: Progress,
  lockTimeout: number = LOCK_TIMEOUT,
): Promise<MigrationSession> {
  const deadline = Date.now() + lockTimeout;
  for (let waited = false;; waited = true) {
    if (await conn.scalar<boolean>(sql`SELECT pg_try_advisory_lock(${lockKey})`)) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw lockTimeoutError(await lockName(conn), lockTimeout, { code: "55P03" });
    }
    if (!waited) progress?.("Waiting for another migration run to finish...");
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, waited ? 250 : 50)));
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

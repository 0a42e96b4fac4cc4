/**
 * Running migrations on SQLite. A migration that rebuilds or drops a table runs with foreign
 * keys off (the pragma only works outside a transaction): they are turned off before BEGIN,
 * read back to make sure the host honoured it, checked with `PRAGMA foreign_key_check`
 * before COMMIT, and turned back on afterwards, even on failure. Rehearsals run on a copy of
 * the database made with `VACUUM INTO` in a temporary directory.
 *
 * @module
 */
import {
  type Connection,
  type Engine,
  type Executor,
  IntegrityError,
  OperationalError,
  sql,
  type Transaction,
} from "../../../core/mod.ts";
import type {
  MigrationSession,
  OpenEngine,
  Operation,
  Rehearsal,
} from "../../../core/migrate/mod.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Operations that SQLite may carry out with a rebuild or a DROP TABLE. */
const IN_PLACE = new Set([
  "createTable",
  "createIndex",
  "dropIndex",
  "renameColumn",
  "renameTable",
  "sql",
  "run",
]);

const foreignKeys = async (db: Executor): Promise<boolean> =>
  Number(await db.scalar(sql`PRAGMA foreign_keys`)) === 1;

/** Rows that break a foreign key, one line each. */
export async function foreignKeyViolations(db: Executor): Promise<string[]> {
  const rows = await db.all<{ table: string; rowid: number | null; parent: string; fkid: number }>(
    sql`PRAGMA foreign_key_check`,
  );
  return rows.map((r) =>
    `${r.table} row ${r.rowid ?? "?"} refers to a row of ${r.parent} that does not exist`
  );
}

/** Foreign keys and CHECK / NOT NULL constraints broken by rows. */
export async function violations(db: Executor): Promise<string[]> {
  const out = await foreignKeyViolations(db);
  const check = await db.all<{ quick_check: string }>(sql`PRAGMA quick_check`);
  for (const row of check) {
    const line = Object.values(row)[0] as string;
    if (line !== "ok") out.push(line);
  }
  return out;
}

async function transaction<T>(
  conn: Connection,
  ops: readonly Operation[],
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const rebuilds = ops.some((op) => !IN_PLACE.has(op.kind));
  const restore = rebuilds && await foreignKeys(conn);
  if (restore) {
    await conn.run(sql`PRAGMA foreign_keys = OFF`);
    if (await foreignKeys(conn)) {
      await conn.run(sql`PRAGMA foreign_keys = ON`);
      throw new OperationalError(
        "PRAGMA foreign_keys = OFF had no effect on this SQLite connection, so rebuilding or " +
          "dropping a table would run ON DELETE actions and delete rows of the tables that " +
          "refer to it. Nothing was changed. Run migrations where the pragma works (not inside " +
          "another transaction, not on a host that ignores it).",
      );
    }
  }
  try {
    return await conn.transaction(async (tx) => {
      const result = await fn(tx);
      if (restore) {
        const broken = await foreignKeyViolations(tx);
        if (broken.length > 0) {
          throw new IntegrityError(
            `The migration leaves ${broken.length} rows whose foreign keys point nowhere ` +
              `(${broken.slice(0, 3).join("; ")}); rolled back. Delete or fix those rows in a ` +
              "data step, or keep the rows they refer to.",
          );
        }
      }
      return result;
    });
  } finally {
    if (restore) await conn.run(sql`PRAGMA foreign_keys = ON`);
  }
}

/**
 * A session on a connection. SQLite's lock is taken by each migration's first write, which
 * the runner tries again while the database is busy, up to `lockTimeout`; so that no one
 * statement waits longer than that, the connection's `busy_timeout` is lowered to it for the
 * session (never raised), and put back when the session closes.
 */
export async function open(conn: Connection, lockTimeout?: number): Promise<MigrationSession> {
  const before = Number(await conn.scalar(sql`PRAGMA busy_timeout`));
  const lowered = lockTimeout !== undefined && lockTimeout < before;
  if (lowered) await conn.run(sql.unsafe(`PRAGMA busy_timeout = ${Math.floor(lockTimeout)}`));
  let open = true;
  return {
    db: conn,
    transaction: <T>(ops: readonly Operation[], fn: (tx: Transaction) => Promise<T>) =>
      transaction<T>(conn, ops, fn),
    async close() {
      if (!open) return;
      open = false;
      if (lowered) await conn.run(sql.unsafe(`PRAGMA busy_timeout = ${before}`));
    },
  };
}

/** A copy of the database in a temporary file, opened on an engine of its own. */
export async function rehearsal(engine: Engine, openEngine: OpenEngine): Promise<Rehearsal> {
  const dir = await mkdtemp(join(tmpdir(), "retort-rehearsal-"));
  const path = `${dir}/copy.db`;
  let copy: Engine | undefined;
  let conn: Connection | undefined;
  try {
    await engine.run(sql`VACUUM INTO ${sql.literal(path)}`);
    copy = openEngine(`sqlite:///${path}`);
    conn = await copy.connect();
    const session = await open(conn);
    const c = conn;
    const e = copy;
    return {
      session,
      description: "a copy of the database (VACUUM INTO a temporary file)",
      async dispose() {
        await c.close();
        await e.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await conn?.close();
    await copy?.dispose();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The SQLite driver: a `node:sqlite` DatabaseSync opened by path, or a `node:sqlite`
 * DatabaseSync or `@db/sqlite` Database passed in, by shape.
 *
 * Prepared statements are kept per connection, keyed by SQL text. Every connection enforces
 * foreign keys; file databases use WAL and a busy timeout.
 *
 * @module
 */
import type { Driver } from "../../core/driver.ts";
import { checkTimeout, finiteTimeout } from "../../core/engine/timeout.ts";
import type { SqliteClient, SqliteDriverOptions } from "./client.ts";
import { translateSqliteError } from "./errors.ts";
import { SqlitePool } from "./pool.ts";

export type { SqliteDriverOptions } from "./client.ts";

/**
 * Opens a SQLite database at a path (or `":memory:"`) with `node:sqlite`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite } from "@retort/orm/sqlite";
 * const driver = await openSqlite(":memory:", { busyTimeout: 5000, hideParameters: false });
 * assert(driver.dialect.name === "sqlite");
 * await driver.close();
 * ```
 */
export async function openSqlite(
  path: string,
  options: SqliteDriverOptions & { poolSize?: number },
): Promise<Driver> {
  options = { ...options, busyTimeout: busyTimeoutOf(options.busyTimeout) };
  const { DatabaseSync } = await import("node:sqlite");
  const memory = path === ":memory:";
  const open = (): SqliteClient => {
    let db: InstanceType<typeof DatabaseSync> | undefined;
    try {
      db = new DatabaseSync(path);
      if (!memory) {
        const busy = Math.max(0, Math.floor(options.busyTimeout));
        db.exec(`PRAGMA busy_timeout = ${busy}`);
        toWal(db, busy);
        db.exec("PRAGMA synchronous = NORMAL");
      }
      return db;
    } catch (error) {
      // A missing directory, a file that is not a database: node:sqlite's own error, typed.
      db?.close();
      throw translateSqliteError(error, `(open ${path})`, [], options.hideParameters);
    }
  };
  const owned = { ...options, owned: true };
  const pool = new SqlitePool(open, memory ? 1 : options.poolSize ?? 4, owned, false);
  // Open the first connection now so that a bad path fails on first use, clearly.
  await (await pool.connect()).release();
  return pool;
}

/** The busy timeout checked (see core's `checkTimeout`), as a finite number of ms. */
function busyTimeoutOf(value: number | undefined): number {
  return finiteTimeout(checkTimeout("busyTimeout", value) ?? 5000);
}

/**
 * Puts a file database in WAL mode. Two processes opening a new file at once race to change
 * its journal mode, and SQLite answers the loser SQLITE_BUSY without waiting: it tries again
 * (the other has usually set WAL by then) until `busy` ms have passed.
 */
function toWal(db: { exec(sql: string): void }, busy: number): void {
  const until = Date.now() + busy;
  for (;;) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      const busyNow =
        /\b(SQLITE_BUSY|database is locked)\b/i.test(String((error as Error)?.message)) ||
        (error as { errcode?: number })?.errcode === 5;
      if (!busyNow || Date.now() >= until) throw error;
      // A short synchronous pause: opening a connection is synchronous.
      Atomics.wait(PAUSE, 0, 0, 5);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Wraps a ready SQLite client: a `node:sqlite` DatabaseSync or a `@db/sqlite` Database. The
 * client is one connection; Retort turns its foreign keys on. It stays open when the driver
 * closes, unless `owned` is set: the client belongs to whoever made it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { createEngine, sql } from "@retort/orm";
 * import { sqliteDriver } from "@retort/orm/sqlite";
 * const driver = sqliteDriver(new DatabaseSync(":memory:"));
 * await using engine = createEngine(driver);
 * assert(await engine.scalar(sql`SELECT ${7}`) === 7);
 * ```
 */
export function sqliteDriver(
  client: SqliteClient,
  options: Partial<SqliteDriverOptions> = {},
): Driver {
  const full = {
    hideParameters: false,
    owned: false,
    ...options,
    busyTimeout: busyTimeoutOf(options.busyTimeout),
  };
  return new SqlitePool(() => client, 1, full, true);
}

/**
 * Bun's `bun:sqlite` Database, by shape, made to look like the `node:sqlite` DatabaseSync that
 * the SQLite driver takes. It does not import `bun:sqlite`: a user's Database is passed in.
 *
 * What differs from `node:sqlite`, and what this adapter does about it:
 *
 * - Integers beyond 2^53 lose precision silently by default (node:sqlite throws a RangeError,
 *   and the driver reads that statement again as bigints). Every statement here reads its
 *   integers exactly (`safeIntegers(true)`) and those within 2^53 become numbers again, so
 *   results match node:sqlite's: numbers, and bigints only where a number would be wrong.
 * - Rows as arrays come from `values()`, and the column names are a property, `columnNames`
 *   (node:sqlite: `setReturnArrays(true)` and a `columns()` method).
 * - `run()` returns `{ changes, lastInsertRowid }` as node:sqlite does; the row id is narrowed
 *   to a number when it fits.
 *
 * Errors (`SQLiteError`, with messages such as `UNIQUE constraint failed: t.x`) are SQLite's
 * own text, which the driver maps into Retort's taxonomy as it does node:sqlite's.
 *
 * @module
 */
import type { SqliteClient } from "./client.ts";

/**
 * A `bun:sqlite` Database, by the shape this adapter uses.
 *
 * @example
 * ```ts ignore
 * import { Database } from "bun:sqlite";
 * import type { BunDatabase } from "@retort/orm/sqlite";
 * const db: BunDatabase = new Database(":memory:");
 * ```
 */
export interface BunDatabase {
  /** Prepares (and caches) a statement. */
  prepare(text: string): BunStatement;
  /** Runs SQL text without parameters. */
  exec(text: string): unknown;
  /** Closes the database. */
  close(): void;
}

/**
 * A prepared `bun:sqlite` statement, by the shape this adapter uses.
 *
 * @example
 * ```ts ignore
 * import { Database } from "bun:sqlite";
 * import type { BunStatement } from "@retort/orm/sqlite";
 * const stmt: BunStatement = new Database(":memory:").prepare("SELECT 1 AS x");
 * ```
 */
export interface BunStatement {
  /** Rows as objects. */
  all(...params: unknown[]): unknown[];
  /** Rows as arrays. */
  values(...params: unknown[]): unknown[][];
  /** Runs the statement: the changes and the last row id. */
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  /** Reads integers as bigints (exactly) when on. */
  safeIntegers(on: boolean): unknown;
  /** The result's column names. */
  readonly columnNames: string[];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function narrow(v: unknown): unknown {
  return typeof v === "bigint" && v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

function narrowArrays(rows: unknown[][]): unknown[][] {
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (typeof row[i] === "bigint") row[i] = narrow(row[i]);
    }
  }
  return rows;
}

function narrowObjects(rows: unknown[]): unknown[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const k in row) if (typeof row[k] === "bigint") row[k] = narrow(row[k]);
  }
  return rows;
}

/** One statement, with node:sqlite's StatementSync methods that the driver calls. */
class Statement {
  readonly #stmt: BunStatement;
  #arrays = false;

  constructor(stmt: BunStatement) {
    stmt.safeIntegers(true);
    this.#stmt = stmt;
  }

  setReturnArrays(on: boolean): void {
    this.#arrays = on;
  }

  /** Integers are always read exactly, and narrowed here; nothing to switch. */
  setReadBigInts(_on: boolean): void {}

  columns(): { name: string }[] {
    return this.#stmt.columnNames.map((name) => ({ name }));
  }

  all(...params: unknown[]): unknown[] {
    return this.#arrays
      ? narrowArrays(this.#stmt.values(...params))
      : narrowObjects(this.#stmt.all(...params));
  }

  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    const r = this.#stmt.run(...params);
    return { changes: Number(r.changes), lastInsertRowid: narrow(r.lastInsertRowid) as number };
  }
}

/**
 * Adapts a `bun:sqlite` Database for Retort's SQLite driver. Pass the result to
 * `sqliteDriver` (or to `createEngine`); the engine closes the Database when disposed.
 *
 * @example
 * ```ts ignore
 * import { Database } from "bun:sqlite";
 * import { createEngine, sql } from "@retort/orm";
 * import { bunSqlite, sqliteDriver } from "@retort/orm/sqlite";
 * const engine = createEngine(sqliteDriver(bunSqlite(new Database(":memory:"))));
 * console.log(await engine.scalar(sql`SELECT sqlite_version()`));
 * await engine.dispose();
 * ```
 */
export function bunSqlite(db: BunDatabase): SqliteClient {
  return {
    prepare: (text: string): Statement => new Statement(db.prepare(text)),
    exec: (text: string): unknown => db.exec(text),
    close: (): void => db.close(),
  };
}

/**
 * Whether a value is a `bun:sqlite` Database: it has `prepare`, `exec` and `close` like the
 * other SQLite clients, and `fileControl` and `serialize`, which neither `node:sqlite`'s
 * DatabaseSync nor `@db/sqlite`'s Database has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { isBunDatabase } from "./bun.ts";
 * assert(!isBunDatabase(new DatabaseSync(":memory:")));
 * ```
 */
export function isBunDatabase(x: unknown): x is BunDatabase {
  const db = x as Record<string, unknown> | null;
  return typeof db === "object" && db !== null && typeof db.prepare === "function" &&
    typeof db.exec === "function" && typeof db.fileControl === "function" &&
    typeof db.serialize === "function";
}

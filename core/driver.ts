/**
 * The driver contract: what a database client must do for Retort. Only `dialects/` implements
 * it; nothing else knows a driver's API.
 *
 * @module
 */
import type { Dialect } from "./dialect.ts";
import type { Row } from "./sql/nodes.ts";

/**
 * What running one statement returns.
 *
 * @example
 * ```ts
 * import type { QueryResult } from "@retort/orm";
 * const r: QueryResult = { rows: [], rowsAffected: 0 };
 * ```
 */
export interface QueryResult {
  /** The rows the statement returned (empty for most writes). */
  rows: Row[];
  /**
   * In `"run"` mode: how many rows the statement wrote, the rows an INSERT, UPDATE, DELETE or
   * MERGE (on PostgreSQL also COPY) inserted, updated or deleted, `RETURNING` or not, as the
   * database reports them (SQLite's `changes()`, PostgreSQL's command tag). Any other statement
   * reports 0: a SELECT or VALUES, DDL (`CREATE TABLE AS` too), and a SELECT whose WITH writes
   * (PostgreSQL reports only the outer statement's count). In `"all"` and `"values"` mode: how
   * many rows were returned.
   */
  rowsAffected: number;
  /**
   * SQLite: the rowid of the row an INSERT or REPLACE inserted (of a multi-row insert, the
   * last), a bigint beyond 2^53. Absent for every other statement (UPDATE, DELETE, SELECT),
   * for an insert that inserted nothing (`OR IGNORE`, `DO NOTHING`), for an upsert that
   * updated, for a `WITHOUT ROWID` table or a view, and on PostgreSQL, whose keys come back
   * with RETURNING.
   */
  lastInsertId?: number | bigint;
  /** In `"values"` mode: the column names, in the order of each row array. */
  columns?: string[];
}

/**
 * How a statement is run: `"all"` returns rows as objects, `"values"` returns rows as arrays
 * with the column names beside them, `"run"` returns counts.
 *
 * @example
 * ```ts
 * import type { QueryMode } from "@retort/orm";
 * const mode: QueryMode = "all";
 * ```
 */
export type QueryMode = "all" | "values" | "run";

/**
 * One database connection, used by one task at a time.
 *
 * @example
 * ```ts
 * import type { DriverConnection } from "@retort/orm";
 * async function ping(conn: DriverConnection): Promise<void> {
 *   await conn.query("SELECT 1", [], "all");
 * }
 * ```
 */
export interface DriverConnection {
  /** Runs SQL text with parameters; throws Retort's database errors. */
  query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult>;
  /**
   * Optional, for a driver whose client answers at once (SQLite): `query` that returns the
   * result itself, not a promise of it, so that running a statement takes no extra promise.
   * It throws where `query` rejects, and may still return a promise when it must wait.
   */
  queryNow?(
    text: string,
    params: readonly unknown[],
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult>;
  /**
   * Optional: runs a query and yields its rows in chunks of at most `chunkSize`, holding only
   * one chunk at a time (a cursor, or a stepped statement). `inTransaction` says whether the
   * connection is in a transaction. Leaving the loop early closes the cursor. Without it,
   * `stream()` runs the query whole and yields its rows.
   */
  stream?(
    text: string,
    params: readonly unknown[],
    mode: "all" | "values",
    chunkSize: number,
    inTransaction: boolean,
  ): AsyncIterable<Row[]>;
  /** Gives the connection back to its pool. */
  release(): Promise<void>;
}

/**
 * A database client made ready for Retort: a dialect, a source of connections, and a way to
 * run a statement on any free connection.
 *
 * @example
 * ```ts
 * import type { Driver } from "@retort/orm";
 * function describe(driver: Driver): string {
 *   return `${driver.dialect.name}, pool of ${driver.poolSize}`;
 * }
 * ```
 */
export interface Driver {
  /** The SQL flavour. */
  readonly dialect: Dialect;
  /** How many connections the pool keeps at most. */
  readonly poolSize: number;
  /** Takes a connection for exclusive use (a transaction), waiting for one if needed. */
  connect(): Promise<DriverConnection>;
  /** Runs one statement on any free connection, in autocommit mode. */
  query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult>;
  /** Optional: `query` that returns the result itself when it can (see `DriverConnection`). */
  queryNow?(
    text: string,
    params: readonly unknown[],
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult>;
  /** Closes every connection. */
  close(): Promise<void>;
}

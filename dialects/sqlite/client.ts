/**
 * The SQLite clients Retort accepts, by shape: a `node:sqlite` DatabaseSync or a `@db/sqlite`
 * Database, and their prepared statements.
 *
 * @module
 */

/**
 * A database a SQLite client of the `node:sqlite` or `@db/sqlite` shape can stand for.
 *
 * @example
 * ```ts
 * import { createEngine, type SqliteClient } from "@retort/orm";
 * import { DatabaseSync } from "node:sqlite";
 * const db: SqliteClient = new DatabaseSync(":memory:");
 * await using engine = createEngine(db);
 * ```
 */
export interface SqliteClient {
  /** Prepares a statement. */
  prepare(text: string): unknown;
  /** Runs SQL text without parameters. */
  exec(text: string): unknown;
  /** Closes the database. */
  close(): unknown;
}

/** Whether a value has the shape of a SQLite client. */
export function isSqliteClient(x: unknown): x is SqliteClient {
  return typeof x === "object" && x !== null &&
    typeof (x as SqliteClient).prepare === "function" &&
    typeof (x as SqliteClient).exec === "function";
}

/** A prepared statement of either supported client. */
export interface Statement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
  setReadBigInts?(on: boolean): void;
  setReturnArrays?(on: boolean): void;
  /** node:sqlite: the rows one at a time. */
  iterate?(...params: unknown[]): IterableIterator<unknown>;
  columns?(): { name: string }[];
  /** `@db/sqlite`: rows as arrays, and the column names. */
  values?(...params: unknown[]): unknown[][];
  columnNames?(): string[];
  /** Retort's cache of the column names, for rows read as arrays. */
  keys?: string[];
  /** Whether rows come back as arrays (node:sqlite with setReturnArrays). */
  arrays?: boolean;
  /** Whether its integers are read as bigints, then narrowed (RETURNING, an insert's rowid). */
  bigInts?: boolean;
  /** Whether the statement changes rows, so that its change count is its own. */
  writes?: boolean;
  /** Whether it changes the schema (CREATE, ALTER, DROP), or may undo a change (ROLLBACK). */
  schema?: "changes" | "may undo";
  /** How its `lastInsertId` is read: not at all, after an insert, after an upsert. */
  insertId?: "none" | "insert" | "upsert";
  /** node:sqlite: the text of the statement prepared (the first of the text given). */
  readonly sourceSQL?: string;
  /** `@db/sqlite`: reads every integer exactly (numbers within 2^53, bigints beyond). */
  enableInt64?(): unknown;
}

/**
 * The schema's version as a pool's connections know it: a statement that changes the schema
 * on one of them moves it on, and each connection then prepares its statements afresh (a
 * statement prepared before reads the old columns: node:sqlite keeps their count and names).
 */
export interface SchemaVersion {
  version: number;
}

/**
 * Options of the SQLite driver.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { createEngine } from "@retort/orm";
 * import { sqliteDriver, type SqliteDriverOptions } from "@retort/orm/sqlite";
 * const options: SqliteDriverOptions = { busyTimeout: 1000, hideParameters: true };
 * await using engine = createEngine(sqliteDriver(new DatabaseSync(":memory:"), options));
 * ```
 */
export interface SqliteDriverOptions {
  /** Milliseconds to wait for a lock before failing. */
  busyTimeout: number;
  /** Keep parameters out of errors. */
  hideParameters: boolean;
  /**
   * Close the database when the driver closes. Retort owns what it opens by path; a client
   * passed in stays open unless this is set (`createEngine(db, { closeClient: true })`).
   */
  owned?: boolean;
}

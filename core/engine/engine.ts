/**
 * The Engine: a source of connections to one database, and the way to run statements on it,
 * over any driver. It knows nothing of sessions: the ORM builds on it.
 *
 * @module
 */
import { createAllStatements, createTableStatements, type DdlOptions } from "../ddl/create.ts";
import { dropAllStatements, dropTableStatements } from "../ddl/drop.ts";
import type { Dialect } from "../dialect.ts";
import type { Driver, QueryMode, QueryResult } from "../driver.ts";
import { InvalidRequestError } from "../errors.ts";
import type { Row, SqlSource } from "../sql/nodes.ts";
import type { Executable, TableLike } from "../statement.ts";
import { Connection, type Transaction, type TransactionOptions } from "./connection.ts";
import { controlOf, controlRefused } from "./control.ts";
import { defaultEcho, type EchoFunction } from "./echo.ts";
import { execute, executeNow, isBatched, type Runner } from "./execute.ts";
import { Executor } from "./executor.ts";
import { withRetry } from "./retry.ts";

/**
 * Options of `createEngine`.
 *
 * @example
 * ```ts
 * import type { EngineOptions } from "@retort/orm";
 * const options: EngineOptions = { echo: true, hideParameters: true, poolSize: 5 };
 * ```
 */
export interface EngineOptions {
  /** Log every statement with its parameters and time: `true` prints, a function receives. */
  echo?: boolean | EchoFunction;
  /** Keep parameters out of logs and errors (for secrets and personal data). */
  hideParameters?: boolean;
  /** Most connections in the pool (PostgreSQL; SQLite files). Default 10 and 4. */
  poolSize?: number;
  /**
   * How long SQLite (and PGlite, for its one connection) waits for a lock, in milliseconds,
   * before failing. Default 5000. `Infinity`, or anything above 2^31 − 1 (the longest timer),
   * waits with no limit; anything but a number from 0 up is refused with an ArgumentError.
   */
  busyTimeout?: number;
  /**
   * How long a checkout waits for a free PostgreSQL connection, in milliseconds, before it fails
   * with an OperationalError naming the pool's size and how many connections are held: a
   * transaction, a session, `engine.connect()`, or a statement while every connection is held.
   * Default 30000; `Infinity` (or anything above 2^31 − 1) waits with no limit, and anything but
   * a number from 0 up is refused with an ArgumentError. (SQLite waits up to `busyTimeout`.)
   */
  acquireTimeout?: number;
  /**
   * Close a client passed to `createEngine` (a DatabaseSync, a postgres.js `sql`, a PGlite)
   * when the engine is disposed. Default false: the client belongs to whoever made it. What
   * the engine opens itself from a URL, it always closes.
   */
  closeClient?: boolean;
}

/**
 * A source of connections to one database, and the way to run statements on it. Made by
 * `createEngine`; dispose it when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite:///:memory:");
 * await engine.run(sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`);
 * await engine.transaction(async (tx) => {
 *   await tx.run(sql`INSERT INTO users (name) VALUES (${"ada"})`);
 * });
 * const rows = await engine.all<{ id: number; name: string }>(sql`SELECT * FROM users`);
 * assert(rows[0].name === "ada");
 * ```
 */
export class Engine extends Executor implements AsyncDisposable {
  #driver: Promise<Driver> | null;
  #loaded: Driver | null = null;
  #runner: Runner;
  #open = new Set<Connection>();
  #disposed = false;
  /** The SQL flavour of the database. */
  readonly dialect: Dialect;
  /** How many connections the pool keeps at most. */
  readonly poolSize: number;
  /** The options the engine was made with. */
  readonly options: Readonly<EngineOptions>;

  /** Internal: use `createEngine`. */
  constructor(
    dialect: Dialect,
    driver: Driver | Promise<Driver>,
    options: EngineOptions,
    poolSize: number,
  ) {
    super();
    this.dialect = dialect;
    this.poolSize = poolSize;
    this.options = options;
    const echo = options.echo === true
      ? defaultEcho
      : typeof options.echo === "function"
      ? options.echo
      : undefined;
    this.#runner = { dialect, echo, hideParameters: options.hideParameters ?? false };
    const loading = Promise.resolve(driver).then((d) => {
      if (!this.#disposed) this.#loaded = d; // dispose() may have come first
      return d;
    });
    loading.catch(() => {}); // surfaced on first use
    this.#driver = loading;
  }

  /** The number of connections taken with `connect()` and not yet closed. */
  get checkedOut(): number {
    return this.#open.size;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** The driver, once loaded (drivers load on first use). */
  async driver(): Promise<Driver> {
    if (this.#driver === null) {
      throw new InvalidRequestError(
        "This engine was disposed; create a new one with createEngine().",
      );
    }
    return this.#loaded ?? await this.#driver;
  }

  /** Runs a statement (see {@linkcode Executor.execute}); a batched one in a transaction. */
  execute(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const control = controlOf(source);
    if (control !== null) return Promise.reject(controlRefused(control, "engine"));
    const driver = this.#loaded;
    if (driver !== null && (source as Executable<unknown>).batches === undefined) {
      return execute(this.#runner, driver, source, mode);
    }
    return this.#executeSlow(source, mode);
  }

  /** Internal: see {@linkcode Executor.executeNow}. */
  override executeNow(
    source: SqlSource<unknown>,
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult> {
    const driver = this.#loaded;
    if (
      driver !== null && (source as Executable<unknown>).batches === undefined &&
      this.execute === Engine.prototype.execute && // an `execute` overridden stays in the road
      controlOf(source) === null
    ) return executeNow(this.#runner, driver, source, mode);
    return this.execute(source, mode);
  }

  async #executeSlow(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const driver = this.#loaded ?? await this.driver();
    if (isBatched(source, this.dialect)) {
      return await this.transaction((tx) => tx.execute(source, mode));
    }
    return await execute(this.#runner, driver, source, mode);
  }

  /**
   * Creates tables (or model classes' tables) and their indexes in foreign-key order, in one
   * transaction. Existing tables are left alone unless `checkFirst: false`.
   */
  async createAll(items: readonly TableLike[], options?: DdlOptions): Promise<void> {
    await this.#ddl(createAllStatements(items, this.dialect, options));
  }

  /** Drops tables (or model classes' tables) in reverse foreign-key order, in one transaction. */
  async dropAll(items: readonly TableLike[], options?: DdlOptions): Promise<void> {
    await this.#ddl(dropAllStatements(items, this.dialect, options));
  }

  /** Creates one table (or a model class's table) and its indexes. */
  async createTable(item: TableLike, options?: DdlOptions): Promise<void> {
    await this.#ddl(createTableStatements(item, this.dialect, options));
  }

  /** Drops one table (or a model class's table). */
  async dropTable(item: TableLike, options?: DdlOptions): Promise<void> {
    await this.#ddl(dropTableStatements(item, this.dialect, options));
  }

  async #ddl(statements: readonly SqlSource<unknown>[]): Promise<void> {
    if (statements.length === 1) {
      await this.run(statements[0]);
      return;
    }
    await this.transaction(async (tx) => {
      for (const statement of statements) await tx.run(statement);
    });
  }

  /** Streams a query's rows in chunks on a connection of its own, given back at the end. */
  override async *streamChunks(
    source: SqlSource<unknown>,
    mode: "all" | "values",
    chunkSize: number,
  ): AsyncGenerator<Row[], void, undefined> {
    const conn = await this.connect();
    try {
      yield* conn.streamChunks(source, mode, chunkSize);
    } finally {
      await conn.close();
    }
  }

  /** Takes a connection from the pool for exclusive use; close or dispose it. */
  async connect(): Promise<Connection> {
    const driver = await this.driver();
    const conn: Connection = new Connection(
      this.#runner,
      await driver.connect(),
      () => this.#open.delete(conn),
    );
    if (this.#disposed) {
      await conn.closeForEngine();
      await this.driver(); // throws: disposed
    }
    this.#open.add(conn);
    return conn;
  }

  /** Runs `fn` in a transaction on its own connection: committed, or rolled back if it throws. */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return await withRetry(options?.retry, this.dialect, async () => {
      await using conn = await this.connect();
      return await conn.transaction(fn, options);
    });
  }

  /**
   * Closes every connection; the engine cannot be used afterwards. A transaction still open
   * on one of its connections is rolled back, and its next statement fails saying so.
   */
  async dispose(): Promise<void> {
    const driver = this.#driver;
    if (driver === null) return;
    this.#driver = null;
    this.#loaded = null;
    this.#disposed = true;
    for (const conn of [...this.#open]) await conn.closeForEngine().catch(() => {});
    let loaded: Driver;
    try {
      loaded = await driver;
    } catch {
      return; // it never opened
    }
    await loaded.close();
  }

  /** Same as `dispose()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

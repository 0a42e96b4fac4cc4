/**
 * The Engine: connections, transactions, savepoints and `echo` logging, over any driver.
 *
 * @module
 */
import { compile } from "./compile.ts";
import type { Dialect } from "./dialect.ts";
import { postgresDialect, sqliteDialect } from "./dialect.ts";
import type { Driver, DriverConnection, QueryMode, QueryResult } from "./driver.ts";
import {
  ArgumentError,
  DatabaseError,
  InvalidRequestError,
  MultipleResultsFound,
  NoResultFound,
  OperationalError,
} from "./errors.ts";
import type { Row, SqlSource } from "./sql.ts";
import type { Session, SessionOptions } from "../orm/session.ts";
import type { DdlOptions } from "./ddl.ts";
import type { Executable, TableLike } from "./statement.ts";

/**
 * One statement as `echo` reports it.
 *
 * @example
 * ```ts
 * import type { EchoEntry } from "@retort/orm";
 * const log = (e: EchoEntry) => console.log(e.text, e.ms);
 * ```
 */
export interface EchoEntry {
  /** The SQL text sent. */
  readonly text: string;
  /** The parameters, or `undefined` when the engine hides them. */
  readonly params?: readonly unknown[];
  /** How long the statement took, in milliseconds. */
  readonly ms: number;
  /** How many rows it returned or changed, when it succeeded. */
  readonly rows?: number;
  /** The error it raised, when it failed. */
  readonly error?: unknown;
}

/**
 * A logging function for `echo`.
 *
 * @example
 * ```ts
 * import { createEngine, type EchoFunction } from "@retort/orm";
 * const seen: string[] = [];
 * const echo: EchoFunction = (e) => seen.push(e.text);
 * await using engine = createEngine("sqlite::memory:", { echo });
 * ```
 */
export type EchoFunction = (entry: EchoEntry) => void;

/**
 * Options of {@linkcode createEngine}.
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
  /** How long SQLite waits for a lock, in milliseconds, before failing. Default 5000. */
  busyTimeout?: number;
}

/**
 * What `run` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, type RunResult, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE t (x INTEGER)`);
 * const r: RunResult = await engine.run(sql`INSERT INTO t VALUES (${1})`);
 * assert(r.rowsAffected === 1);
 * ```
 */
export interface RunResult {
  /** How many rows the statement changed. */
  readonly rowsAffected: number;
  /** The row id of the last insert, where the database reports one (SQLite). */
  readonly lastInsertId?: number | bigint;
}

/**
 * Options of a transaction.
 *
 * @example
 * ```ts
 * import type { TransactionOptions } from "@retort/orm";
 * const options: TransactionOptions = { isolationLevel: "serializable" };
 * ```
 */
export interface TransactionOptions {
  /** The isolation level (PostgreSQL; SQLite transactions are always serializable). */
  isolationLevel?: "read committed" | "repeatable read" | "serializable";
}

/** What running a statement needs: a dialect, echo and a connection or pool. */
interface Runner {
  readonly dialect: Dialect;
  readonly echo?: EchoFunction;
  readonly hideParameters: boolean;
}

function defaultEcho(entry: EchoEntry): void {
  const params = entry.params === undefined ? "[hidden]" : formatParams(entry.params);
  const ms = `${entry.ms.toFixed(3)} ms`;
  const outcome = entry.error !== undefined
    ? `${ms}, failed: ${(entry.error as Error).message}`
    : entry.rows === undefined
    ? ms
    : `${ms}, ${entry.rows} row${entry.rows === 1 ? "" : "s"}`;
  console.log(
    entry.params?.length === 0 && entry.rows === undefined
      ? `[retort] ${entry.text} (${outcome})`
      : `[retort] ${entry.text}\n[retort] ${params} (${outcome})`,
  );
}

function formatParams(params: readonly unknown[]): string {
  const show = (v: unknown): string =>
    typeof v === "bigint"
      ? `${v}n`
      : v instanceof Date
      ? v.toISOString()
      : v instanceof Uint8Array
      ? `<${v.length} bytes>`
      : typeof v === "string" && v.length > 200
      ? JSON.stringify(v.slice(0, 200) + "…")
      : JSON.stringify(v) ?? String(v);
  return `[${params.map(show).join(", ")}]`;
}

function execute(
  runner: Runner,
  target: Pick<DriverConnection, "query">,
  source: SqlSource<unknown>,
  mode: QueryMode,
): Promise<QueryResult> {
  const statement = source as Executable<Row>;
  if (statement.batches === undefined && statement.decodeRows === undefined) {
    // The common case, with no extra promise: compile, send.
    const { text, params } = compile(source, runner.dialect);
    return send(runner, target, text, params, mode);
  }
  return executeStatement(runner, target, statement, mode);
}

async function executeStatement(
  runner: Runner,
  target: Pick<DriverConnection, "query">,
  statement: Executable<Row>,
  mode: QueryMode,
): Promise<QueryResult> {
  const source = statement;
  let result: QueryResult;
  const parts = statement.batches?.(runner.dialect);
  if (parts !== undefined && parts.length !== 1) {
    result = { rows: [], rowsAffected: 0 };
    for (const part of parts) {
      const { text, params } = compile(part, runner.dialect);
      const r = await send(runner, target, text, params, mode);
      for (const row of r.rows) result.rows.push(row);
      result.rowsAffected += r.rowsAffected;
      if (r.lastInsertId !== undefined) result.lastInsertId = r.lastInsertId;
      if (r.columns !== undefined) result.columns = r.columns;
    }
  } else {
    const { text, params } = compile(parts?.[0] ?? source, runner.dialect);
    result = await send(runner, target, text, params, mode);
  }
  if (mode === "all" && statement.decodeRows !== undefined && result.rows.length > 0) {
    result.rows = statement.decodeRows(result.rows, runner.dialect) as Row[];
  }
  return result;
}

/** Whether a statement goes out as several (so it needs a transaction to be atomic). */
function isBatched(source: SqlSource<unknown>, dialect: Dialect): boolean {
  const parts = (source as Executable<unknown>).batches?.(dialect);
  return parts !== undefined && parts.length > 1;
}

/**
 * Sends compiled text to a connection or pool, logging it when `echo` is on. Internal: the
 * Engine, its connections and the Session call it.
 */
export function send(
  runner: Runner,
  target: Pick<DriverConnection, "query">,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  control = false,
): Promise<QueryResult> {
  if (runner.echo === undefined && !runner.hideParameters) {
    return target.query(text, params, mode);
  }
  return sendLogged(runner, target, text, params, mode, control);
}

async function sendLogged(
  runner: Runner,
  target: Pick<DriverConnection, "query">,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  control: boolean,
): Promise<QueryResult> {
  const echo = runner.echo;
  const start = performance.now();
  const shown = runner.hideParameters ? undefined : params;
  try {
    const result = await target.query(text, params, mode);
    echo?.({
      text,
      params: shown,
      ms: performance.now() - start,
      rows: mode === "all" ? result.rows.length : control ? undefined : result.rowsAffected,
    });
    return result;
  } catch (error) {
    // A driver given by the user may not know that this engine hides parameters.
    if (runner.hideParameters && error instanceof DatabaseError && error.params !== undefined) {
      (error as { params?: readonly unknown[] }).params = undefined;
    }
    echo?.({ text, params: shown, ms: performance.now() - start, error });
    throw error;
  }
}

/**
 * What the Engine, a Connection and a Transaction share: running statements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, type Executor, sql } from "@retort/orm";
 * async function count(db: Executor): Promise<number> {
 *   return await db.scalar<number>(sql`SELECT 42`);
 * }
 * await using engine = createEngine("sqlite::memory:");
 * assert(await count(engine) === 42);
 * ```
 */
export abstract class Executor {
  /** Runs a compiled statement. */
  protected abstract exec(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult>;

  /** Runs a query and returns every row. */
  async all<R = Row>(query: SqlSource<R>): Promise<R[]> {
    return (await this.exec(query, "all")).rows as R[];
  }

  /** Runs a query and returns its first row, or `null` when there is none. */
  async first<R = Row>(query: SqlSource<R>): Promise<R | null> {
    const rows = (await this.exec(query, "all")).rows;
    return rows.length === 0 ? null : rows[0] as R;
  }

  /** Runs a query that must return exactly one row. */
  async one<R = Row>(query: SqlSource<R>): Promise<R> {
    const rows = (await this.exec(query, "all")).rows;
    if (rows.length === 0) throw new NoResultFound("The query returned no row; one() needs one.");
    if (rows.length > 1) {
      throw new MultipleResultsFound(
        `The query returned ${rows.length} rows; one() needs exactly one. Use first() or all().`,
      );
    }
    return rows[0] as R;
  }

  /** Runs a query and returns the first column of its first row (`null` when no row). */
  async scalar<T = unknown>(query: SqlSource<unknown>): Promise<T> {
    const rows = (await this.exec(query, "all")).rows;
    if (rows.length === 0) return null as T;
    for (const key in rows[0]) return rows[0][key] as T;
    return null as T;
  }

  /** Runs a statement for its effect; returns rows affected and the last insert id. */
  async run(statement: SqlSource<unknown>): Promise<RunResult> {
    const r = await this.exec(statement, "run");
    return { rowsAffected: r.rowsAffected, lastInsertId: r.lastInsertId };
  }
}

/**
 * A transaction on one connection. Commit it, or it rolls back when disposed. `begin()` on a
 * transaction opens a savepoint, to any depth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE t (x INTEGER)`);
 * {
 *   await using conn = await engine.connect();
 *   await using tx = await conn.begin();
 *   await tx.run(sql`INSERT INTO t VALUES (${1})`);
 *   {
 *     await using inner = await tx.begin(); // SAVEPOINT
 *     await inner.run(sql`INSERT INTO t VALUES (${2})`);
 *   } // rolled back to the savepoint
 *   await tx.commit();
 * }
 * assert(await engine.scalar(sql`SELECT count(*) FROM t`) === 1);
 * ```
 */
export class Transaction extends Executor implements AsyncDisposable {
  #active = true;
  #children: Transaction[] = [];
  /** The connection this transaction runs on. */
  readonly connection: Connection;
  /** The savepoint's name, or `null` for the outermost transaction. */
  readonly savepoint: string | null;
  /** The enclosing transaction of a savepoint. */
  readonly parent: Transaction | null;

  /** Internal: use `conn.begin()` or `tx.begin()`. */
  constructor(connection: Connection, parent: Transaction | null, savepoint: string | null) {
    super();
    this.connection = connection;
    this.parent = parent;
    this.savepoint = savepoint;
  }

  /** Whether the transaction can still run statements and be committed. */
  get isActive(): boolean {
    return this.#active && (this.parent === null || this.parent.isActive);
  }

  #check(what: string): void {
    if (!this.isActive) {
      throw new InvalidRequestError(
        `Cannot ${what}: this ${this.savepoint ? "savepoint" : "transaction"} is ` +
          "already committed or rolled back. Begin a new one.",
      );
    }
  }

  /** Runs a statement (internal; use `all`, `first`, `one`, `scalar` or `run`). */
  protected override exec(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    this.#check("run a statement");
    return this.connection.execRaw(source, mode);
  }

  /** Opens a savepoint inside this transaction. */
  async begin(): Promise<Transaction> {
    this.#check("open a savepoint");
    const name = `retort_sp_${this.connection.nextSavepoint()}`;
    await this.connection.sendText(`SAVEPOINT ${name}`);
    const child = new Transaction(this.connection, this, name);
    this.#children.push(child);
    return child;
  }

  /** Opens a savepoint: SQLAlchemy's spelling of `begin()` on a transaction. */
  beginNested(): Promise<Transaction> {
    return this.begin();
  }

  /** Runs `fn` in a savepoint: released when it returns, rolled back when it throws. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = await this.begin();
    return await runInTransaction(tx, fn);
  }

  /** Commits (or releases the savepoint). */
  async commit(): Promise<void> {
    this.#check("commit");
    this.#close();
    if (this.savepoint) await this.connection.sendText(`RELEASE SAVEPOINT ${this.savepoint}`);
    else await this.connection.endTransaction("COMMIT");
  }

  /** Rolls back (to the savepoint, for a nested transaction). */
  async rollback(): Promise<void> {
    if (!this.isActive) return;
    this.#close();
    if (this.savepoint) {
      await this.connection.sendText(`ROLLBACK TO SAVEPOINT ${this.savepoint}`);
      await this.connection.sendText(`RELEASE SAVEPOINT ${this.savepoint}`);
    } else await this.connection.endTransaction("ROLLBACK");
  }

  #close(): void {
    this.#active = false;
    for (const child of this.#children) child.#close();
  }

  /** Rolls back unless committed; on a lost connection there is nothing left to roll back. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.rollback();
    } catch (error) {
      if (!(error instanceof OperationalError)) throw error;
    }
  }
}

async function runInTransaction<T>(
  tx: Transaction,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await fn(tx);
  } catch (error) {
    try {
      await tx.rollback();
    } catch (rollbackError) {
      throw new SuppressedError(rollbackError, error, "The rollback after an error failed too.");
    }
    throw error;
  }
  if (tx.isActive) await tx.commit();
  return result;
}

/**
 * A connection taken from the engine's pool for exclusive use. Outside a transaction each
 * statement commits on its own. Disposing it rolls back an open transaction and gives the
 * connection back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * await using conn = await engine.connect();
 * assert(await conn.scalar(sql`SELECT ${2} + ${3}`) === 5);
 * ```
 */
export class Connection extends Executor implements AsyncDisposable {
  #driverConnection: DriverConnection | null;
  #runner: Runner;
  #transaction: Transaction | null = null;
  #savepoints = 0;
  #onRelease: () => void;

  /** Internal: use `engine.connect()`. */
  constructor(runner: Runner, driverConnection: DriverConnection, onRelease: () => void) {
    super();
    this.#runner = runner;
    this.#driverConnection = driverConnection;
    this.#onRelease = onRelease;
  }

  /** The dialect of the database. */
  get dialect(): Dialect {
    return this.#runner.dialect;
  }

  /** Whether the connection was given back. */
  get closed(): boolean {
    return this.#driverConnection === null;
  }

  /** The open outermost transaction, if any. */
  get transactionInProgress(): Transaction | null {
    return this.#transaction?.isActive ? this.#transaction : null;
  }

  #conn(): DriverConnection {
    if (this.#driverConnection === null) {
      throw new InvalidRequestError(
        "This connection was closed; take a new one with engine.connect().",
      );
    }
    return this.#driverConnection;
  }

  /** Runs a statement (internal; use `all`, `first`, `one`, `scalar` or `run`). */
  protected override exec(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    if (this.transactionInProgress === null && isBatched(source, this.dialect)) {
      return this.transaction((tx) => tx.connection.execRaw(source, mode));
    }
    return this.execRaw(source, mode);
  }

  /** Internal: runs a statement whatever the transaction state. */
  execRaw(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    return execute(this.#runner, this.#conn(), source, mode);
  }

  /** Internal: runs compiled text on this connection. */
  sendCompiled(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    return send(this.#runner, this.#conn(), text, params, mode);
  }

  /** Internal: runs a fixed statement such as `SAVEPOINT x`. */
  async sendText(text: string): Promise<void> {
    await send(this.#runner, this.#conn(), text, [], "run", true);
  }

  /** Internal: a fresh savepoint number. */
  nextSavepoint(): number {
    return ++this.#savepoints;
  }

  /** Internal: ends the outermost transaction. */
  async endTransaction(command: "COMMIT" | "ROLLBACK"): Promise<void> {
    this.#transaction = null;
    try {
      await this.sendText(command);
    } catch (error) {
      // A COMMIT that fails (a deferred foreign key) leaves SQLite's transaction open, where
      // PostgreSQL ends it: roll it back, so the connection goes back to the pool clean.
      if (command === "COMMIT" && this.dialect.name === "sqlite") {
        await this.sendText("ROLLBACK").catch(() => {});
      }
      throw error;
    }
  }

  /** Begins a transaction. It rolls back when disposed unless committed. */
  async begin(options: TransactionOptions = {}): Promise<Transaction> {
    if (this.transactionInProgress) {
      throw new InvalidRequestError(
        "This connection is already in a transaction; open a savepoint with tx.begin().",
      );
    }
    let text = "BEGIN";
    if (options.isolationLevel) {
      const level = options.isolationLevel.toUpperCase();
      if (!["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"].includes(level)) {
        throw new ArgumentError(
          `Unknown isolation level ${JSON.stringify(options.isolationLevel)}; use ` +
            '"read committed", "repeatable read" or "serializable".',
        );
      }
      if (this.dialect.name === "postgres") text += ` ISOLATION LEVEL ${level}`;
    }
    await this.sendText(text);
    this.#transaction = new Transaction(this, null, null);
    return this.#transaction;
  }

  /** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return await runInTransaction(await this.begin(options), fn);
  }

  /** Rolls back an open transaction and gives the connection back to the pool. */
  async close(): Promise<void> {
    const conn = this.#driverConnection;
    if (conn === null) return;
    try {
      await rollbackIfActive(this.#transaction);
    } finally {
      this.#driverConnection = null;
      this.#onRelease();
      await conn.release();
    }
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Rolls back a transaction that is still active. A lost connection has no transaction left
 * to roll back, so an OperationalError is not raised again. Internal: connections and
 * sessions use it when they end.
 *
 * @internal
 */
export async function rollbackIfActive(tx: Transaction | null): Promise<void> {
  if (!tx?.isActive) return;
  try {
    await tx.rollback();
  } catch (error) {
    if (!(error instanceof OperationalError)) throw error;
  }
}

/** How the ORM plugs `engine.session()` in without Core depending on it. */
export const engineHooks: { session?: (engine: Engine, options?: unknown) => unknown } = {};

/**
 * A source of connections to one database, and the way to run statements on it. Made by
 * {@linkcode createEngine}; dispose it when done.
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

  /** Internal: use {@linkcode createEngine}. */
  constructor(
    dialect: Dialect,
    driver: Driver | Promise<Driver>,
    options: EngineOptions,
    poolSize: number,
  ) {
    super();
    this.dialect = dialect;
    this.poolSize = poolSize;
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

  /** Runs a statement (internal; use `all`, `first`, `one`, `scalar` or `run`). */
  protected override exec(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const driver = this.#loaded;
    if (driver !== null && (source as Executable<unknown>).batches === undefined) {
      return execute(this.#runner, driver, source, mode);
    }
    return this.#execSlow(source, mode);
  }

  async #execSlow(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const driver = this.#loaded ?? await this.driver();
    if (isBatched(source, this.dialect)) {
      return await this.transaction((tx) => tx.connection.execRaw(source, mode));
    }
    return await execute(this.#runner, driver, source, mode);
  }

  /**
   * Creates tables (or model classes' tables) and their indexes in foreign-key order, in one
   * transaction. Existing tables are left alone unless `checkFirst: false`.
   */
  async createAll(items: readonly TableLike[], options?: DdlOptions): Promise<void> {
    await this.#ddl((await import("./ddl.ts")).createAllStatements(items, this.dialect, options));
  }

  /** Drops tables (or model classes' tables) in reverse foreign-key order, in one transaction. */
  async dropAll(items: readonly TableLike[], options?: DdlOptions): Promise<void> {
    await this.#ddl((await import("./ddl.ts")).dropAllStatements(items, this.dialect, options));
  }

  /** Creates one table (or a model class's table) and its indexes. */
  async createTable(item: TableLike, options?: DdlOptions): Promise<void> {
    await this.#ddl((await import("./ddl.ts")).createTableStatements(item, this.dialect, options));
  }

  /** Drops one table (or a model class's table). */
  async dropTable(item: TableLike, options?: DdlOptions): Promise<void> {
    await this.#ddl((await import("./ddl.ts")).dropTableStatements(item, this.dialect, options));
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

  /** Takes a connection from the pool for exclusive use; close or dispose it. */
  async connect(): Promise<Connection> {
    const driver = await this.driver();
    const conn: Connection = new Connection(
      this.#runner,
      await driver.connect(),
      () => this.#open.delete(conn),
    );
    this.#open.add(conn);
    return conn;
  }

  /** Runs `fn` in a transaction on its own connection: committed, or rolled back if it throws. */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    await using conn = await this.connect();
    return await conn.transaction(fn, options);
  }

  /**
   * Opens an ORM session on this engine (available when Retort's ORM is imported, as it is
   * from the package's main entry point).
   */
  session(options?: SessionOptions): Session {
    if (!engineHooks.session) {
      throw new InvalidRequestError(
        "The ORM is not loaded; import from the package's main entry point.",
      );
    }
    return engineHooks.session(this, options) as Session;
  }

  /** Closes every connection; the engine cannot be used afterwards. */
  async dispose(): Promise<void> {
    const driver = this.#driver;
    if (driver === null) return;
    this.#driver = null;
    this.#loaded = null;
    this.#disposed = true;
    for (const conn of [...this.#open]) await conn.close().catch(() => {});
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

/**
 * A postgres.js `sql` instance, by shape.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createEngine, type PostgresClient } from "@retort/orm";
 * const client: PostgresClient = postgres("postgres://localhost/test");
 * await using engine = createEngine(client);
 * ```
 */
export interface PostgresClient {
  /** Runs SQL text with parameters. */
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): unknown;
  /** Reserves a connection. */
  reserve(): Promise<unknown>;
  /** Closes the pool. */
  end(options?: { timeout?: number }): Promise<void>;
  /** The client's options. */
  options: { max?: number };
}

/**
 * What `createEngine` accepts: a URL, a client of a known shape, or a ready driver.
 *
 * @example
 * ```ts
 * import type { EngineSource } from "@retort/orm";
 * const source: EngineSource = "sqlite::memory:";
 * ```
 */
export type EngineSource = string | URL | Driver | SqliteClient | PostgresClient;

const isDriver = (x: object): x is Driver =>
  "dialect" in x && typeof (x as Driver).connect === "function" &&
  typeof (x as Driver).query === "function";

/**
 * The SQLite file path a `sqlite:` URL names, `":memory:"` for an in-memory database, or
 * `null` when the URL is not a valid `sqlite:` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqlitePathOf } from "@retort/orm";
 * assert(sqlitePathOf("sqlite:///:memory:") === ":memory:");
 * assert(sqlitePathOf("sqlite:////tmp/app.db") === "/tmp/app.db");
 * assert(sqlitePathOf("sqlite:///app.db") === "app.db");
 * ```
 */
export function sqlitePathOf(url: string): string | null {
  if (url === "sqlite::memory:" || url === "sqlite://" || url === "sqlite:///:memory:") {
    return ":memory:";
  }
  if (url.startsWith("sqlite:///") && url.length > "sqlite:///".length) {
    try {
      return decodeURIComponent(url.slice("sqlite:///".length));
    } catch {
      return null; // a malformed %-escape
    }
  }
  return null;
}

/**
 * Creates an engine from a URL or a client.
 *
 * - `"sqlite:///:memory:"` or `"sqlite::memory:"`: an in-memory database (`node:sqlite`);
 * - `"sqlite:///relative.db"`, `"sqlite:////absolute/path.db"`: a file (WAL, busy timeout);
 * - `"postgres://..."` or `"postgresql://..."`: PostgreSQL through `npm:postgres`;
 * - a `node:sqlite` `DatabaseSync`, a `@db/sqlite` `Database`, or a postgres.js `sql`.
 *
 * The driver is imported only when the engine is first used. Every SQLite connection
 * enforces foreign keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:", { echo: false });
 * assert(await engine.scalar(sql`SELECT ${1} + ${1}`) === 2);
 * ```
 */
export function createEngine(source: EngineSource, options: EngineOptions = {}): Engine {
  const busyTimeout = options.busyTimeout ?? 5000;
  const hideParameters = options.hideParameters ?? false;
  if (source instanceof URL) source = source.href;
  if (typeof source === "string") {
    const path = sqlitePathOf(source);
    if (path !== null) {
      const poolSize = path === ":memory:" ? 1 : options.poolSize ?? 4;
      const driver = import("../dialects/sqlite/driver.ts").then((m) =>
        m.openSqlite(path, { busyTimeout, hideParameters, poolSize })
      );
      return new Engine(sqliteDialect, driver, options, poolSize);
    }
    if (/^postgres(ql)?:\/\//.test(source)) {
      const poolSize = options.poolSize ?? 10;
      const url = source;
      const driver = import("../dialects/postgres/connect.ts").then((m) =>
        m.openPostgres(url, { hideParameters, poolSize })
      );
      return new Engine(postgresDialect, driver, options, poolSize);
    }
    throw new ArgumentError(
      `Cannot create an engine for ${JSON.stringify(redactUrl(source))}: use ` +
        '"sqlite::memory:", "sqlite:///:memory:", "sqlite:///relative.db", ' +
        '"sqlite:////absolute/path.db", or a "postgres://user@host:port/database" URL.',
    );
  }
  if (typeof source === "object" && source !== null && isDriver(source)) {
    return new Engine(source.dialect, source, options, source.poolSize);
  }
  if (typeof source === "function" && typeof (source as PostgresClient).unsafe === "function") {
    const client = source as PostgresClient;
    const driver = import("../dialects/postgres/driver.ts").then((m) =>
      m.postgresDriver(client, { hideParameters })
    );
    return new Engine(postgresDialect, driver, options, client.options?.max ?? 10);
  }
  if (
    typeof source === "object" && source !== null &&
    typeof (source as SqliteClient).prepare === "function" &&
    typeof (source as SqliteClient).exec === "function"
  ) {
    const client = source as SqliteClient;
    const driver = import("../dialects/sqlite/driver.ts").then((m) =>
      m.sqliteDriver(client, { busyTimeout, hideParameters })
    );
    return new Engine(sqliteDialect, driver, options, 1);
  }
  throw new ArgumentError(
    "createEngine takes a database URL, a node:sqlite DatabaseSync, a @db/sqlite Database, " +
      `a postgres.js sql instance or a Driver; got ${typeof source}.`,
  );
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

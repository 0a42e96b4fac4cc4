/**
 * A connection taken from the engine's pool, and the transactions (and savepoints) on it.
 *
 * @module
 */
import type { Dialect, IsolationLevel } from "../dialect.ts";
import type { DriverConnection, QueryMode, QueryResult } from "../driver.ts";
import { ArgumentError, InvalidRequestError } from "../errors.ts";
import type { Row, SqlSource } from "../sql/nodes.ts";
import { execute, executeNow, isBatched, type Runner, send } from "./execute.ts";
import { streamChunks } from "./stream.ts";
import { type Control, controlOf, controlRefused } from "./control.ts";
import { rollbackIfActive, runInTransaction } from "./ending.ts";
import { Executor } from "./executor.ts";
import type { RetryOptions } from "./retry.ts";

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
  isolationLevel?: IsolationLevel;
  /**
   * Run the whole callback again when the transaction loses a race (SQLSTATE 40001 or
   * 40P01 on PostgreSQL, SQLITE_BUSY on SQLite): `true` for 5 attempts, a number of
   * attempts, or `{ attempts, baseDelayMs, maxDelayMs }`. The last error says how many
   * attempts were made. Only `engine.transaction` retries (it takes a new connection each
   * time); the callback must be safe to run again.
   */
  retry?: boolean | number | RetryOptions;
}

const LEVELS: ReadonlySet<string> = new Set(["read committed", "repeatable read", "serializable"]);

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
      const closed = this.connection.closedReason;
      if (closed !== null) throw new InvalidRequestError(closed);
      throw new InvalidRequestError(
        `Cannot ${what}: this ${this.savepoint ? "savepoint" : "transaction"} is ` +
          "already committed or rolled back. Begin a new one.",
      );
    }
  }

  /** Runs a statement in this transaction (see {@linkcode Executor.execute}). */
  execute(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    this.#check("run a statement");
    const control = controlOf(source);
    if (control !== null) return Promise.reject(controlRefused(control, "transaction"));
    return this.connection.executeRaw(source, mode);
  }

  /** Internal: see {@linkcode Executor.executeNow}. */
  override executeNow(
    source: SqlSource<unknown>,
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult> {
    // An `execute` overridden (or wrapped) stays what every method is built on.
    if (this.execute !== Transaction.prototype.execute) return this.execute(source, mode);
    this.#check("run a statement");
    const control = controlOf(source);
    if (control !== null) throw controlRefused(control, "transaction");
    return this.connection.executeRawNow(source, mode);
  }

  /** Streams a query's rows in chunks in this transaction (see {@linkcode Executor.stream}). */
  override streamChunks(
    source: SqlSource<unknown>,
    mode: "all" | "values",
    chunkSize: number,
  ): AsyncGenerator<Row[], void, undefined> {
    this.#check("stream a query");
    const control = controlOf(source);
    if (control !== null) throw controlRefused(control, "stream");
    return this.connection.streamChunks(source, mode, chunkSize);
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
    return await runInTransaction(await this.begin(), fn);
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
    await rollbackIfActive(this);
  }
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
  #closedBy: "user" | "engine" = "user";
  /** Whether a transaction begun by SQL (`BEGIN`) is open: rolled back when given back. */
  #sqlTransaction = false;

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

  /** Why the connection can no longer be used, or null while it can. */
  get closedReason(): string | null {
    if (this.#driverConnection !== null && this.#closedBy !== "engine") return null;
    return this.#closedBy === "engine"
      ? "The engine this connection came from was disposed, which rolled back its " +
        "transaction; create a new engine with createEngine()."
      : "This connection was closed; take a new one with engine.connect().";
  }

  #conn(): DriverConnection {
    if (this.#driverConnection === null) throw new InvalidRequestError(this.closedReason!);
    return this.#driverConnection;
  }

  /** Runs a statement (see {@linkcode Executor.execute}); a batched one in a transaction. */
  execute(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const control = controlOf(source);
    if (control !== null) return this.#control(source, mode, control);
    if (
      this.transactionInProgress === null && !this.#sqlTransaction &&
      isBatched(source, this.#runner.dialect)
    ) {
      return this.transaction((tx) => tx.execute(source, mode));
    }
    return this.executeRaw(source, mode);
  }

  /** Transaction control written as SQL: run, and followed, outside a transaction object. */
  async #control(
    source: SqlSource<unknown>,
    mode: QueryMode,
    control: Control,
  ): Promise<QueryResult> {
    if (this.transactionInProgress !== null) throw controlRefused(control, "transaction");
    const result = await this.executeRaw(source, mode);
    // Only a clean end closes what SQL began; a savepoint (SQLite begins one with it), a
    // ROLLBACK TO or a COMMIT AND CHAIN may leave a transaction open.
    this.#sqlTransaction = control !== "end";
    return result;
  }

  /** Internal: see {@linkcode Executor.executeNow}. */
  override executeNow(
    source: SqlSource<unknown>,
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult> {
    if (
      this.execute !== Connection.prototype.execute || controlOf(source) !== null ||
      (this.transactionInProgress === null && !this.#sqlTransaction &&
        isBatched(source, this.#runner.dialect))
    ) return this.execute(source, mode);
    return this.executeRawNow(source, mode);
  }

  /** Internal: runs a statement whatever the transaction state. */
  executeRaw(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    try {
      return execute(this.#runner, this.#conn(), source, mode);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Internal: `executeRaw`, returning the result itself where it can; it may throw. */
  executeRawNow(source: SqlSource<unknown>, mode: QueryMode): QueryResult | Promise<QueryResult> {
    return executeNow(this.#runner, this.#conn(), source, mode);
  }

  /** Streams a query's rows in chunks on this connection (see {@linkcode Executor.stream}). */
  override streamChunks(
    source: SqlSource<unknown>,
    mode: "all" | "values",
    chunkSize: number,
  ): AsyncGenerator<Row[], void, undefined> {
    const control = controlOf(source);
    if (control !== null) throw controlRefused(control, "stream");
    const inTransaction = this.transactionInProgress !== null || this.#sqlTransaction;
    return streamChunks(this.#runner, this.#conn(), source, mode, chunkSize, inTransaction);
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
      // A COMMIT that fails (a deferred foreign key) may leave the transaction open (SQLite):
      // roll it back, so the connection goes back to the pool clean.
      if (command === "COMMIT" && !this.#runner.dialect.failedCommitEndsTransaction) {
        await this.sendText("ROLLBACK").catch(() => {});
      }
      throw error;
    }
  }

  /** Begins a transaction. It rolls back when disposed unless committed. */
  async begin(options: TransactionOptions = {}): Promise<Transaction> {
    if (this.transactionInProgress || this.#sqlTransaction) {
      throw new InvalidRequestError(
        this.#sqlTransaction
          ? "This connection is in a transaction begun by SQL (BEGIN); end it with COMMIT or " +
            "ROLLBACK first, or begin every transaction with begin()."
          : "This connection is already in a transaction; open a savepoint with tx.begin().",
      );
    }
    const level = options.isolationLevel;
    if (level !== undefined && !LEVELS.has(level)) {
      throw new ArgumentError(
        `Unknown isolation level ${JSON.stringify(level)}; use ` +
          '"read committed", "repeatable read" or "serializable".',
      );
    }
    await this.sendText(this.#runner.dialect.beginSql(level));
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
      // What SQL began and did not end goes back to the pool rolled back, not open.
      if (this.#sqlTransaction) {
        this.#sqlTransaction = false;
        await this.sendText("ROLLBACK").catch(() => {});
      }
    } finally {
      this.#driverConnection = null;
      this.#onRelease();
      await conn.release();
    }
  }

  /** Internal: closes the connection because its engine is being disposed. */
  async closeForEngine(): Promise<void> {
    this.#closedBy = "engine";
    await this.close();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

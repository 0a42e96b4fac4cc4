/**
 * A pool of SQLite connections to one database. An in-memory database has one connection,
 * taken by one transaction at a time; other work waits for it up to the busy timeout. A file
 * database lets one connection at a time hold a transaction or write, since a synchronous
 * client waiting on SQLite's busy handler would block the very task that holds the lock;
 * other writers wait, without blocking, up to the busy timeout, while reads go on.
 *
 * @module
 */
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../core/driver.ts";
import { OperationalError } from "../../core/errors.ts";
import type { Row } from "../../core/sql/nodes.ts";
import type { SchemaVersion, SqliteClient, SqliteDriverOptions } from "./client.ts";
import { SqliteConnection } from "./connection.ts";
import { sqliteDialect } from "./dialect.ts";
import { statementKind } from "./statement_kind.ts";

/** A FIFO lock with a timeout, for a connection used by one task at a time. */
class Lock {
  #held = false;
  #waiters: (() => void)[] = [];

  /** Takes the lock if it is free, without waiting. */
  tryAcquire(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  acquire(timeoutMs: number, what: () => Error): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(what());
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** A connection's stepped chunks as an async iterable (a driver's contract is async). */
async function* chunksOf(
  conn: SqliteConnection,
  text: string,
  params: readonly unknown[],
  mode: "all" | "values",
  chunkSize: number,
): AsyncGenerator<Row[], void, undefined> {
  yield* conn.iterate(text, params, mode, chunkSize);
}

/** A pool of SQLite connections to one database. */
export class SqlitePool implements Driver {
  readonly dialect = sqliteDialect;
  readonly poolSize: number;
  readonly #open: () => SqliteClient;
  readonly #options: SqliteDriverOptions;
  readonly #configure: boolean;
  readonly #idle: SqliteConnection[] = [];
  readonly #all: SqliteConnection[] = [];
  readonly #waiters: ((c: SqliteConnection) => void)[] = [];
  readonly #shared: Lock | null;
  /** Pools of several connections: the one writer (or transaction) of this process. */
  readonly #writer: Lock | null;
  #closed = false;

  constructor(
    open: () => SqliteClient,
    poolSize: number,
    options: SqliteDriverOptions,
    configure: boolean,
  ) {
    this.#open = open;
    this.poolSize = poolSize;
    this.#options = options;
    this.#configure = configure;
    this.#shared = poolSize === 1 ? new Lock() : null;
    this.#writer = poolSize === 1 ? null : new Lock();
  }

  /** The schema's version, shared by the pool's connections (see `SchemaVersion`). */
  readonly #schema: SchemaVersion = { version: 0 };

  #new(): SqliteConnection {
    const conn = new SqliteConnection(
      this.#open(),
      this.#options,
      this.#configure,
      this.#schema,
    );
    this.#all.push(conn);
    return conn;
  }

  #busy(): Error {
    const holder = this.#writer
      ? "another connection of this engine held its transaction or write"
      : "the database's only connection stayed in use";
    return new OperationalError(
      `database is locked: ${holder} for ${this.#options.busyTimeout} ms. ` +
        "Run the statement on the transaction that holds it, or finish that transaction first.",
      { code: "SQLITE_BUSY" },
    );
  }

  async #take(): Promise<SqliteConnection> {
    if (this.#closed) throw new OperationalError("The SQLite database was closed.");
    if (this.#shared) {
      await this.#shared.acquire(this.#options.busyTimeout, () => this.#busy());
      return this.#all[0] ?? this.#new();
    }
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length < this.poolSize) return this.#new();
    return await new Promise((resolve) => this.#waiters.push(resolve));
  }

  #give(conn: SqliteConnection): void {
    if (this.#shared) return this.#shared.release();
    const waiter = this.#waiters.shift();
    if (waiter) waiter(conn);
    else this.#idle.push(conn);
  }

  async connect(): Promise<DriverConnection> {
    const writer = this.#writer;
    await writer?.acquire(this.#options.busyTimeout, () => this.#busy());
    let conn: SqliteConnection;
    try {
      conn = await this.#take();
    } catch (error) {
      writer?.release();
      throw error;
    }
    let released = false;
    // An object of its own functions (not a class's methods): a wrapper may call them detached
    // or spread them.
    return {
      query: (text, params, mode) => {
        try {
          return Promise.resolve(conn.query(text, params, mode));
        } catch (error) {
          return Promise.reject(error);
        }
      },
      queryNow: (text, params, mode) => conn.query(text, params, mode),
      stream: (text, params, mode, chunkSize) => chunksOf(conn, text, params, mode, chunkSize),
      release: () => {
        if (!released) {
          released = true;
          this.#give(conn);
          writer?.release();
        }
        return Promise.resolve();
      },
    };
  }

  query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    try {
      return Promise.resolve(this.queryNow(text, params, mode));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `query`, run at once when the one connection is free: the result itself, no promise. */
  queryNow(
    text: string,
    params: readonly unknown[],
    mode: QueryMode,
  ): QueryResult | Promise<QueryResult> {
    const lock = this.#shared;
    if (lock !== null && !this.#closed && this.#all.length > 0 && lock.tryAcquire()) {
      try {
        return this.#all[0].query(text, params, mode);
      } finally {
        lock.release();
      }
    }
    return this.#query(text, params, mode);
  }

  async #query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    if (this.#shared && !this.#closed && this.#all.length > 0) {
      const lock = this.#shared;
      await lock.acquire(this.#options.busyTimeout, () => this.#busy());
      try {
        return this.#all[0].query(text, params, mode);
      } finally {
        lock.release();
      }
    }
    const writer = this.#writer !== null && !statementKind(text).readOnly ? this.#writer : null;
    await writer?.acquire(this.#options.busyTimeout, () => this.#busy());
    try {
      const conn = await this.#take();
      try {
        return conn.query(text, params, mode);
      } finally {
        this.#give(conn);
      }
    } finally {
      writer?.release();
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const conn of this.#all) conn.close(this.#options.owned ?? false);
    this.#all.length = 0;
    this.#idle.length = 0;
    return Promise.resolve();
  }
}

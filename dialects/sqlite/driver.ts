/**
 * The SQLite driver: a `node:sqlite` DatabaseSync or a `@db/sqlite` Database, by shape.
 *
 * Prepared statements are kept per connection, keyed by SQL text, so a statement is prepared
 * once and run many times. Every connection enforces foreign keys; file databases use WAL and
 * a busy timeout. An in-memory database has one connection, taken by one transaction at a
 * time; other work waits for it up to the busy timeout. A file database lets one connection
 * at a time hold a transaction or write, since a synchronous client waiting on SQLite's busy
 * handler would block the very task that holds the lock; other writers wait, without
 * blocking, up to the busy timeout, while reads go on.
 *
 * @module
 */
import { sqliteDialect } from "../../core/dialect.ts";
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../core/driver.ts";
import type { SqliteClient } from "../../core/engine.ts";
import {
  type DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";
import type { Row } from "../../core/sql.ts";

/** A prepared statement of either supported client. */
interface Statement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
  setReadBigInts?(on: boolean): void;
  setReturnArrays?(on: boolean): void;
  columns?(): { name: string }[];
  /** `@db/sqlite`: rows as arrays, and the column names. */
  values?(...params: unknown[]): unknown[][];
  columnNames?(): string[];
  /** Retort's cache of the column names, for rows read as arrays. */
  keys?: string[];
  /** Whether rows come back as arrays (node:sqlite with setReturnArrays). */
  arrays?: boolean;
  /** Whether the text has RETURNING (its integers are read as bigints, then narrowed). */
  returning?: boolean;
  /** Whether the statement changes rows, so that its change count is its own. */
  writes?: boolean;
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
}

const STATEMENT_CACHE_SIZE = 256;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** A statement that only reads, after any leading whitespace and comments. */
const READ_ONLY =
  /^(?:\s|--[^\n]*|\/\*[\s\S]*?\*\/)*(SELECT|VALUES|PRAGMA|EXPLAIN|WITH\s+(?![\s\S]*\b(INSERT|UPDATE|DELETE)\b))/i;
const RETURNING = /\bRETURNING\b/i;
/** A statement that changes rows (SQLite's change count means nothing after DDL). */
const WRITES = /^(?:\s|--[^\n]*|\/\*[\s\S]*?\*\/)*(INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i;

function encodeJson(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? (v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString()) : v;
}

function encode(v: unknown): unknown {
  switch (typeof v) {
    case "number":
      // node:sqlite binds every number as a REAL: 5 would be 5.0, and 'id-' || 5 'id-5.0'.
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? BigInt(v) : v;
    case "boolean":
      return v ? 1n : 0n;
    case "object":
      if (v === null || v instanceof Uint8Array) return v;
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return JSON.stringify(v, encodeJson);
      return v;
    default:
      return v;
  }
}

/**
 * SQLite stores text holding a NUL, but node:sqlite reads text only up to the first NUL: such
 * a value would come back cut short. It is refused, as PostgreSQL refuses it.
 */
function nulInText(text: string, params: readonly unknown[], hide: boolean): DataError {
  return new DataError(
    "A text parameter contains a NUL character, which SQLite cannot return exactly (text is " +
      "read up to the first NUL); remove it, or bind the value as bytes (Uint8Array).",
    { sql: text, params: hide ? undefined : params, code: "NUL_IN_TEXT" },
  );
}

function encodeAll(params: readonly unknown[], text: string, hide: boolean): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const t = typeof v;
    if (t === "string") {
      if ((v as string).includes("\0")) throw nulInText(text, params, hide);
    } else if (
      t === "boolean" || (t === "number" && Number.isSafeInteger(v)) ||
      (t === "object" && v !== null && !(v instanceof Uint8Array))
    ) {
      out ??= params.slice();
      out[i] = encode(v);
    }
  }
  return out ?? params as unknown[];
}

function narrowBigInts(rows: unknown[][]): unknown[][] {
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === "bigint" && v >= MIN_SAFE && v <= MAX_SAFE) row[i] = Number(v);
    }
  }
  return rows;
}

function toObjects(rows: unknown[][], keys: string[]): Row[] {
  const out: Row[] = new Array(rows.length);
  const n = keys.length;
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i];
    const o: Row = {};
    for (let j = 0; j < n; j++) o[keys[j]] = a[j];
    out[i] = o;
  }
  return out;
}

const CONSTRAINT = /^(UNIQUE|FOREIGN KEY|NOT NULL|CHECK|PRIMARY KEY) constraint failed/i;
const PROGRAMMING =
  /no such (table|column|function|index|savepoint)|syntax error|already exists|has no column|incomplete input|wrong number of arguments|unrecognized token|bind|ambiguous column|misuse/i;
const OPERATIONAL = /database is locked|database table is locked|busy|readonly|disk|full|I\/O/i;

/**
 * Turns a SQLite client's error into Retort's taxonomy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { translateSqliteError } from "@retort/orm/sqlite";
 * const e = translateSqliteError(new Error("UNIQUE constraint failed: t.x"), "INSERT", [], false);
 * assert(e.name === "IntegrityError" && e.code === "SQLITE_CONSTRAINT_UNIQUE");
 * ```
 */
export function translateSqliteError(
  error: unknown,
  text: string,
  params: readonly unknown[],
  hideParameters: boolean,
): DatabaseError {
  const message = error instanceof Error ? error.message : String(error);
  const errcode = (error as { errcode?: number }).errcode;
  const base = { cause: error, sql: text, params: hideParameters ? undefined : params };
  const constraint = CONSTRAINT.exec(message);
  if (constraint) {
    const kind = constraint[1].toUpperCase().replace(" ", "");
    const code = kind === "FOREIGNKEY"
      ? "SQLITE_CONSTRAINT_FOREIGNKEY"
      : `SQLITE_CONSTRAINT_${
        kind === "NOTNULL" ? "NOTNULL" : kind === "PRIMARYKEY" ? "PRIMARYKEY" : kind
      }`;
    return new IntegrityError(message, { ...base, code });
  }
  if (/datatype mismatch/i.test(message)) {
    return new IntegrityError(message, { ...base, code: "SQLITE_MISMATCH" });
  }
  if (OPERATIONAL.test(message)) {
    const code = /locked|busy/i.test(message)
      ? "SQLITE_BUSY"
      : /readonly/i.test(message)
      ? "SQLITE_READONLY"
      : "SQLITE_IOERR";
    return new OperationalError(message, { ...base, code });
  }
  if (PROGRAMMING.test(message) || error instanceof RangeError) {
    return new ProgrammingError(message, { ...base, code: "SQLITE_ERROR" });
  }
  return new OperationalError(message, {
    ...base,
    code: errcode === undefined ? "SQLITE_ERROR" : `SQLITE_${errcode}`,
  });
}

/** One SQLite connection with its statement cache. */
class SqliteConnection {
  readonly #db: SqliteClient;
  readonly #statements = new Map<string, Statement>();
  readonly #denoSqlite: boolean;
  readonly #hide: boolean;

  constructor(db: SqliteClient, options: SqliteDriverOptions, configure: boolean) {
    this.#db = db;
    this.#hide = options.hideParameters;
    this.#denoSqlite = "lastInsertRowId" in db;
    db.exec("PRAGMA foreign_keys = ON");
    if (configure) db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout))}`);
  }

  #prepare(text: string): Statement {
    let stmt = this.#statements.get(text);
    if (stmt !== undefined) return stmt;
    stmt = this.#db.prepare(text) as Statement;
    if (stmt.setReturnArrays) {
      stmt.setReturnArrays(true);
      stmt.arrays = true;
    }
    stmt.returning = RETURNING.test(text);
    stmt.writes = WRITES.test(text);
    if (stmt.returning) stmt.setReadBigInts?.(true);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
      // Evict the oldest: cheaper than keeping recency order on every hit.
      const oldest = this.#statements.keys().next().value as string;
      this.#statements.delete(oldest);
    }
    this.#statements.set(text, stmt);
    return stmt;
  }

  query(text: string, params: readonly unknown[], mode: QueryMode): QueryResult {
    let stmt: Statement | undefined;
    const args = encodeAll(params, text, this.#hide);
    try {
      stmt = this.#prepare(text);
      if (mode !== "run") return this.#read(stmt, args, mode, stmt.returning === true);
      const r = stmt.run(...args);
      if (this.#denoSqlite) {
        const db = this.#db as unknown as { lastInsertRowId: number | bigint };
        const changes = stmt.writes ? r as number : 0;
        return { rows: [], rowsAffected: changes, lastInsertId: db.lastInsertRowId };
      }
      const { changes, lastInsertRowid } = r as {
        changes: number | bigint;
        lastInsertRowid: number | bigint;
      };
      return {
        rows: [],
        rowsAffected: stmt.writes ? Number(changes) : 0,
        lastInsertId: lastInsertRowid,
      };
    } catch (error) {
      if (
        error instanceof RangeError && stmt?.setReadBigInts && mode === "all" &&
        READ_ONLY.test(text)
      ) {
        // An integer beyond 2^53: read this statement's integers as bigints.
        stmt.setReadBigInts(true);
        try {
          return this.#read(stmt, args, mode, true);
        } catch (again) {
          throw translateSqliteError(again, text, params, this.#hide);
        } finally {
          stmt.setReadBigInts(false);
        }
      }
      throw translateSqliteError(error, text, params, this.#hide);
    }
  }

  #read(stmt: Statement, args: unknown[], mode: QueryMode, narrow: boolean): QueryResult {
    let arrays: unknown[][];
    let keys: string[];
    if (stmt.arrays) {
      arrays = stmt.all(...args) as unknown[][];
      keys = stmt.keys ??= stmt.columns!().map((c) => c.name);
      if (arrays.length > 0 && arrays[0].length !== keys.length) {
        keys = stmt.keys = stmt.columns!().map((c) => c.name); // the schema changed
      }
      if (narrow) narrowBigInts(arrays);
    } else if (mode === "values" && stmt.values) {
      arrays = stmt.values(...args);
      keys = stmt.keys ??= stmt.columnNames!();
    } else {
      const rows = stmt.all(...args) as Row[];
      if (mode === "all") return { rows, rowsAffected: rows.length };
      keys = rows.length > 0 ? Object.keys(rows[0]) : [];
      arrays = rows.map((r) => keys.map((k) => r[k]));
    }
    if (mode === "values") {
      return { rows: arrays as unknown as Row[], rowsAffected: arrays.length, columns: keys };
    }
    return { rows: toObjects(arrays, keys), rowsAffected: arrays.length };
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

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

/** A pool of SQLite connections to one database. */
class SqlitePool implements Driver {
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

  #new(): SqliteConnection {
    const conn = new SqliteConnection(this.#open(), this.#options, this.#configure);
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
    return {
      query: (text, params, mode) => {
        try {
          return Promise.resolve(conn.query(text, params, mode));
        } catch (error) {
          return Promise.reject(error);
        }
      },
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
    const lock = this.#shared;
    if (lock !== null && !this.#closed && this.#all.length > 0 && lock.tryAcquire()) {
      // Fast path: the one connection is free; run at once, with no extra promise.
      try {
        return Promise.resolve(this.#all[0].query(text, params, mode));
      } catch (error) {
        return Promise.reject(error);
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
    const writer = this.#writer !== null && !READ_ONLY.test(text) ? this.#writer : null;
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
    for (const conn of this.#all) conn.close();
    this.#all.length = 0;
    this.#idle.length = 0;
    return Promise.resolve();
  }
}

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
  const { DatabaseSync } = await import("node:sqlite");
  const memory = path === ":memory:";
  const open = (): SqliteClient => {
    let db: InstanceType<typeof DatabaseSync> | undefined;
    try {
      db = new DatabaseSync(path);
      if (!memory) {
        db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout))}`);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
      }
      return db;
    } catch (error) {
      // A missing directory, a file that is not a database: node:sqlite's own error, typed.
      db?.close();
      throw translateSqliteError(error, `(open ${path})`, [], options.hideParameters);
    }
  };
  const pool = new SqlitePool(open, memory ? 1 : options.poolSize ?? 4, options, false);
  // Open the first connection now so that a bad path fails on first use, clearly.
  await (await pool.connect()).release();
  return pool;
}

/**
 * Wraps a ready SQLite client: a `node:sqlite` DatabaseSync or a `@db/sqlite` Database. The
 * client is one connection; Retort turns its foreign keys on and closes it on dispose.
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
  const full = { busyTimeout: options.busyTimeout ?? 5000, hideParameters: false, ...options };
  return new SqlitePool(() => client, 1, full, true);
}

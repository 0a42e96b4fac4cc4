/**
 * The PGlite driver: PostgreSQL compiled to WebAssembly (`@electric-sql/pglite`), in process,
 * over a PGlite instance passed in by shape. It does not import PGlite itself.
 *
 * PGlite is one PostgreSQL backend with one session: the driver serializes all work on it as
 * one connection. A transaction holds that connection until it ends; other work waits for it
 * up to the busy timeout, then fails with an OperationalError, as on an in-memory SQLite
 * database. Drivers over the same instance share that one connection. Errors carry PostgreSQL's
 * SQLSTATE and are mapped into Retort's taxonomy as the postgres.js driver maps them; the
 * dialect is PostgreSQL's.
 *
 * @module
 */
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../../core/driver.ts";
import {
  type DatabaseError,
  type DataError,
  InvalidRequestError,
  OperationalError,
} from "../../../core/errors.ts";
import type { Row } from "../../../core/sql/nodes.ts";
import { checkTimeout, startTimer } from "../../../core/engine/timeout.ts";
import { arrayParams } from "../array_params.ts";
import { pgliteArrayParsers, pgliteElement } from "../arrays.ts";
import { OwnArrays } from "../own_arrays.ts";
import {
  type ColumnOfType,
  dateParams,
  dateParsers,
  dateSerializers,
  UnreadableDate,
  unreadableDateError,
} from "../datetime.ts";
import { postgresDialect } from "../dialect.ts";
import { abortedCommit, translatePostgresError } from "../errors.ts";
import type { PGliteClient } from "./client.ts";

/**
 * Options of the PGlite driver.
 *
 * @example
 * ```ts ignore
 * import { PGlite } from "@electric-sql/pglite";
 * import { createEngine } from "@retort/orm";
 * import { pgliteDriver, type PGliteDriverOptions } from "@retort/orm/pglite";
 * const options: PGliteDriverOptions = { busyTimeout: 1000, owned: true };
 * const engine = createEngine(pgliteDriver(await PGlite.create(), options));
 * ```
 */
export interface PGliteDriverOptions {
  /**
   * Milliseconds to wait for the connection while a transaction holds it (default 5000):
   * 0 or more, or `Infinity` (or anything above 2^31 − 1) to wait with no limit. Anything else
   * is refused with an ArgumentError.
   */
  busyTimeout?: number;
  /** Keep parameters out of errors. */
  hideParameters?: boolean;
  /** Close the PGlite instance when the engine is disposed (default false). */
  owned?: boolean;
}

/** A FIFO lock with a timeout: the one connection of a PGlite instance. */
class Lock {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  /** Waits at most `timeoutMs` (`Infinity`: for as long as it takes). */
  acquire(timeoutMs: number, busy: () => Error): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = startTimer(timeoutMs, () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(busy());
      });
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** Dates, and arrays of dates, numbers, booleans and json, read as with postgres.js. */
const PARSERS = { ...dateParsers, ...pgliteArrayParsers };

/** One lock per PGlite instance, whichever driver uses it. */
const locks = new WeakMap<PGliteClient, Lock>();

/**
 * Parameter types as the postgres.js driver declares them, so that a statement means the same
 * on both drivers (`pg_typeof(${true})` is boolean): bytes, booleans and bigints are typed, and
 * everything else, arrays and Dates (ISO 8601 text by then, see `dateParams`) included, is left
 * for the server to infer (0). An array is then written by PGlite's serializer for the type the
 * server infers, or, for a type PGlite has none for, as its own text (see `arrayParams`).
 */
function paramTypes(params: readonly unknown[]): number[] | undefined {
  let types: number[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const t = v instanceof Date
      ? 1184
      : v instanceof Uint8Array
      ? 17
      : typeof v === "boolean"
      ? 16
      : typeof v === "bigint"
      ? 20
      : 0;
    if (t !== 0) (types ??= new Array(params.length).fill(0))[i] = t;
  }
  return types;
}

function toResult(
  r: { rows: unknown[]; fields: { name: string }[]; affectedRows?: number },
  mode: QueryMode,
): QueryResult {
  // PGlite counts the rows of INSERT, UPDATE, DELETE, MERGE and COPY (0 for any other
  // statement), as the postgres.js driver does (see `rowsAffected` in core/driver.ts).
  if (mode === "run") return { rows: [], rowsAffected: r.affectedRows ?? 0 };
  const rows = r.rows as Row[];
  if (mode === "values") {
    return { rows, rowsAffected: rows.length, columns: r.fields.map((f) => f.name) };
  }
  return { rows, rowsAffected: rows.length };
}

class PGliteDriver implements Driver {
  readonly dialect = postgresDialect;
  readonly poolSize = 1;
  readonly #db: PGliteClient;
  readonly #lock: Lock;
  readonly #timeout: number;
  readonly #hide: boolean;
  readonly #owned: boolean;
  #closed = false;
  /** Whether a transaction is open, and whether a failed statement aborted it. */
  #inTransaction = false;
  #aborted = false;
  readonly #arrays: OwnArrays;

  constructor(db: PGliteClient, options: PGliteDriverOptions) {
    this.#db = db;
    let lock = locks.get(db);
    if (lock === undefined) locks.set(db, lock = new Lock());
    this.#lock = lock;
    this.#timeout = checkTimeout("busyTimeout", options.busyTimeout) ?? 5000;
    this.#hide = options.hideParameters ?? false;
    this.#owned = options.owned ?? false;
    this.#arrays = new OwnArrays({
      lookup: (text, params) => db.query(text, params),
      element: pgliteElement,
    });
  }

  #busy = (): Error =>
    new OperationalError(
      `PGlite's only connection stayed in use for ${this.#timeout} ms (a transaction held it). ` +
        "Run the statement on the transaction that holds it, or finish that transaction first.",
      { code: "PGLITE_BUSY" },
    );

  #error(error: unknown, text: string, params: readonly unknown[]): DatabaseError {
    if (this.#closed || this.#db.closed) {
      return new OperationalError("The PGlite database is closed.", {
        cause: error,
        sql: text,
        params: this.#hide ? undefined : params,
        code: "PGLITE_CLOSED",
      });
    }
    return translatePostgresError(error, text, params, this.#hide);
  }

  async #run(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    if (this.#closed) throw this.#error(null, text, params);
    // An array of a type PGlite has no serializer for (any but the built-in ones) writes
    // itself as array text (see ../array_params.ts).
    const values = arrayParams(dateParams(params)) as unknown[];
    const types = paramTypes(values);
    try {
      // Dates and arrays are read and written as with postgres.js (see ../datetime.ts and
      // ../arrays.ts).
      const r = await this.#db.query(text, values, {
        rowMode: mode === "values" ? "array" : "object",
        paramTypes: types,
        parsers: PARSERS,
        serializers: dateSerializers,
      });
      this.#ended(text);
      if (mode !== "run") await this.#arrays.decode(r.rows, r.fields, mode === "values");
      return toResult(r, mode);
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      // A value no Date stands for (`infinity`) failed the reading of a result, not the
      // statement: the transaction goes on.
      if (error instanceof UnreadableDate) throw await this.#unreadable(error, text, params, types);
      // A failed statement aborts the open transaction, until a rollback (to a savepoint).
      if (this.#inTransaction) this.#aborted = true;
      throw this.#error(error, text, params);
    }
  }

  /** The DataError of a value no Date stands for, naming its column (see `unreadableDateError`). */
  async #unreadable(
    error: UnreadableDate,
    text: string,
    params: readonly unknown[],
    paramTypes: number[] | undefined,
  ): Promise<DataError> {
    let columns: ColumnOfType[] | undefined;
    try {
      const described = await this.#db.describeQuery?.(text, { paramTypes });
      columns = described?.resultFields.map((f) => ({ name: f.name, type: f.dataTypeID }));
    } catch {
      // Named by type alone, then.
    }
    return unreadableDateError(error, columns, text, params, this.#hide);
  }

  /** Follows the transaction a statement begins or ends (its COMMIT may have been a ROLLBACK). */
  #ended(text: string): void {
    if (text.startsWith("BEGIN")) {
      this.#inTransaction = true;
      this.#aborted = false;
    } else if (text === "COMMIT" || text === "ROLLBACK") {
      const aborted = this.#aborted;
      this.#inTransaction = false;
      this.#aborted = false;
      if (text === "COMMIT" && aborted) throw abortedCommit();
    } else if (text.startsWith("ROLLBACK TO SAVEPOINT")) this.#aborted = false;
  }

  async query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    await this.#lock.acquire(this.#timeout, this.#busy);
    try {
      return await this.#run(text, params, mode);
    } finally {
      this.#lock.release();
    }
  }

  async connect(): Promise<DriverConnection> {
    if (this.#closed) throw this.#error(null, "(connect)", []);
    await this.#lock.acquire(this.#timeout, this.#busy);
    let released = false;
    return {
      query: (text, params, mode) => this.#run(text, params, mode),
      release: () => {
        if (!released) {
          released = true;
          this.#lock.release();
        }
        return Promise.resolve();
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned && !this.#db.closed) await this.#db.close();
  }
}

/**
 * Wraps a PGlite instance. The engine does not close an instance it was given unless `owned`
 * is set.
 *
 * @example
 * ```ts ignore
 * import { PGlite } from "@electric-sql/pglite";
 * import { createEngine, sql } from "@retort/orm";
 * import { pgliteDriver } from "@retort/orm/pglite";
 * const engine = createEngine(pgliteDriver(await PGlite.create(), { owned: true }));
 * console.log(await engine.scalar(sql`SELECT version()`));
 * await engine.dispose();
 * ```
 */
export function pgliteDriver(db: PGliteClient, options: PGliteDriverOptions = {}): Driver {
  return new PGliteDriver(db, options);
}

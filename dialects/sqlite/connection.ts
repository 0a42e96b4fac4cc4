/**
 * One SQLite connection: its prepared-statement cache, parameters encoded as SQLite binds them
 * exactly, rows read as arrays, and errors typed.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import { ArgumentError, DataError } from "../../core/errors.ts";
import type { Row } from "../../core/sql/nodes.ts";
import { dateRangeProblem } from "../../core/types/dates.ts";
import { MAX_SAFE, MIN_SAFE } from "../../core/util/ints.ts";
import type { SchemaVersion, SqliteClient, SqliteDriverOptions, Statement } from "./client.ts";
import { translateSqliteError } from "./errors.ts";
import { registerFunctions } from "./functions.ts";
import { statementKind } from "./statement_kind.ts";

const STATEMENT_CACHE_SIZE = 256;
const RETURNING = /\bRETURNING\b/i;

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
      if (v instanceof Date) return dateParam(v);
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

/** A Date as ISO 8601 text, in the years both databases store (0000 to 9999). */
function dateParam(d: Date): string {
  const problem = dateRangeProblem(d.getTime());
  if (problem !== null) throw new ArgumentError(`A Date parameter: ${problem}.`);
  return d.toISOString();
}

/**
 * The parameters as SQLite binds them: `params` itself when none needs encoding, else a copy
 * with those encoded, made in `into` when given (an array the caller reuses: its values are
 * spread into the call and not kept).
 */
function encodeAll(
  params: readonly unknown[],
  text: string,
  hide: boolean,
  into?: unknown[],
): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const t = typeof v;
    if (t === "string") {
      if ((v as string).includes("\0")) throw nulInText(text, params, hide);
    } else if (t === "number" && Number.isNaN(v)) {
      throw new ArgumentError(
        "A NaN parameter: SQLite cannot store NaN (it binds it as NULL); use null instead.",
      );
    } else if (
      t === "boolean" || (t === "number" && Number.isSafeInteger(v)) ||
      (t === "object" && v !== null && !(v instanceof Uint8Array))
    ) {
      out ??= copyInto(params, into);
      out[i] = encode(v);
    }
  }
  return out ?? params as unknown[];
}

function copyInto(params: readonly unknown[], into: unknown[] | undefined): unknown[] {
  if (into === undefined || into.length !== params.length) return params.slice();
  for (let i = 0; i < params.length; i++) into[i] = params[i];
  return into;
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

/** The verbs of statements that change the schema. */
const SCHEMA_CHANGES = new Set(["CREATE", "ALTER", "DROP"]);

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

/** One SQLite connection with its statement cache. */
export class SqliteConnection {
  readonly #db: SqliteClient;
  readonly #statements = new Map<string, Statement>();
  readonly #denoSqlite: boolean;
  readonly #hide: boolean;
  /**
   * Arrays of 1 to 8 values reused for encoded parameters, by count. A statement takes its
   * array out while it runs (a statement run inside it, by a SQL function, makes a copy), and
   * puts it back empty, so that no statement sees another's values nor keeps them alive.
   */
  readonly #args: (unknown[] | null)[] = Array.from(
    { length: 9 },
    (_, n) => new Array(n).fill(null),
  );

  readonly #schema: SchemaVersion;
  /** The schema version this connection's statements were prepared under. */
  #prepared: number;
  /** Whether a schema change ran since the last rollback (which may undo it). */
  #changedInTx = false;

  constructor(
    db: SqliteClient,
    options: SqliteDriverOptions,
    configure: boolean,
    schema: SchemaVersion = { version: 0 },
  ) {
    this.#db = db;
    this.#schema = schema;
    this.#prepared = schema.version;
    this.#hide = options.hideParameters;
    this.#denoSqlite = "lastInsertRowId" in db;
    db.exec("PRAGMA foreign_keys = ON");
    registerFunctions(db);
    if (configure) db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout))}`);
  }

  #prepare(text: string): Statement {
    if (this.#prepared !== this.#schema.version) {
      this.#statements.clear(); // prepared under another schema: their columns may be stale
      this.#prepared = this.#schema.version;
    }
    let stmt = this.#statements.get(text);
    if (stmt !== undefined) return stmt;
    stmt = this.#db.prepare(text) as Statement;
    if (stmt.setReturnArrays) {
      stmt.setReturnArrays(true);
      stmt.arrays = true;
    }
    stmt.returning = RETURNING.test(text);
    const kind = statementKind(text);
    stmt.writes = kind.writes;
    stmt.schema = SCHEMA_CHANGES.has(kind.verb)
      ? "changes"
      : kind.verb === "ROLLBACK"
      ? "may undo"
      : undefined;
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
    const n = params.length;
    const into = n < this.#args.length ? this.#args[n] : null;
    if (into === null) return this.#query(text, params, mode, undefined);
    this.#args[n] = null;
    try {
      return this.#query(text, params, mode, into);
    } finally {
      into.fill(null);
      this.#args[n] = into;
    }
  }

  #query(
    text: string,
    params: readonly unknown[],
    mode: QueryMode,
    into: unknown[] | undefined,
  ): QueryResult {
    let stmt: Statement | undefined;
    const args = encodeAll(params, text, this.#hide, into);
    try {
      stmt = this.#prepare(text);
      if (stmt.schema !== undefined) this.#schemaMoves(stmt.schema, text);
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
        error instanceof RangeError && stmt?.setReadBigInts && mode !== "run" &&
        statementKind(text).readOnly
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

  /**
   * Before a statement that changes the schema (or a rollback undoing a change): the version
   * moves on, so that every connection of the pool prepares its statements afresh.
   */
  #schemaMoves(kind: "changes" | "may undo", text: string): void {
    if (kind === "may undo") {
      if (!this.#changedInTx) return;
      // A rollback to a savepoint leaves the transaction's earlier changes for its own rollback.
      if (!/^\s*ROLLBACK\s+TO\b/i.test(text)) this.#changedInTx = false;
    } else this.#changedInTx = true;
    this.#prepared = ++this.#schema.version;
    this.#statements.clear();
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

  /**
   * Runs a query and yields its rows in chunks (arrays in `"values"` mode, objects else).
   *
   * node:sqlite's `iterate()` cannot step it: when a step fails (an integer overflow on the
   * fourth row, a busy database), its iterator reports the rows done and drops the error. So a
   * select runs whole, and raises as `all()` does, into a temporary table of untyped columns
   * (no affinity: each value stays as the select gave it), on disk past SQLite's page cache;
   * its rows are then read a chunk at a time, in order, and the table is dropped when the loop
   * ends or is left. The rows are the select's as it ran (as a PostgreSQL cursor's are), and
   * other statements may run between chunks. Other statements (a write with RETURNING, whose
   * rows SQLite buffers anyway; a PRAGMA), and a client without `setReturnArrays` and
   * `columns` (`@db/sqlite`), are read whole and yielded in chunks.
   */
  /** A statement's rows read whole, yielded in chunks (where no temporary table serves). */
  *#whole(
    text: string,
    params: readonly unknown[],
    mode: "all" | "values",
    chunkSize: number,
  ): Generator<Row[], void, undefined> {
    const { rows } = this.query(text, params, mode);
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
  }

  *iterate(
    text: string,
    params: readonly unknown[],
    mode: "all" | "values",
    chunkSize: number,
  ): Generator<Row[], void, undefined> {
    const args = encodeAll(params, text, this.#hide);
    const fail = (error: unknown) => translateSqliteError(error, text, params, this.#hide);
    let stmt: Statement;
    try {
      stmt = this.#db.prepare(text) as Statement;
    } catch (error) {
      throw fail(error);
    }
    const kind = statementKind(text);
    if (
      !stmt.setReturnArrays || !stmt.columns || !kind.readOnly ||
      (kind.verb !== "SELECT" && kind.verb !== "VALUES")
    ) {
      return yield* this.#whole(text, params, mode, chunkSize);
    }
    const keys = stmt.columns().map((c) => c.name);
    const table = `temp."retort_stream_${crypto.randomUUID().replaceAll("-", "")}"`;
    try {
      this.#db.exec(`CREATE TABLE ${table} (${keys.map((_, i) => `c${i}`).join(", ")})`);
    } catch (error) {
      if (!/readonly/i.test((error as Error)?.message ?? "")) throw fail(error);
      // A connection that takes no writes (PRAGMA query_only): the rows are read whole.
      return yield* this.#whole(text, params, mode, chunkSize);
    }
    try {
      let read: Statement;
      try {
        (this.#db.prepare(`INSERT INTO ${table} ${text}`) as Statement).run(...args);
        // A new table's rowids run from 1 in the order the rows were inserted.
        read = this.#db.prepare(
          `SELECT * FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${chunkSize}`,
        ) as Statement;
        read.setReturnArrays!(true);
        read.setReadBigInts?.(true); // every integer exact; narrowed below when safe
      } catch (error) {
        throw fail(error);
      }
      for (let seen = 0;;) {
        let rows: unknown[][];
        try {
          rows = read.all(BigInt(seen)) as unknown[][];
        } catch (error) {
          throw fail(error);
        }
        seen += rows.length;
        if (rows.length > 0) yield this.#shaped(rows, keys, mode);
        if (rows.length < chunkSize) break;
      }
    } finally {
      try {
        this.#db.exec(`DROP TABLE IF EXISTS ${table}`);
      } catch {
        // The connection was closed: its temporary tables went with it.
      }
    }
  }

  #shaped(arrays: unknown[][], keys: string[], mode: "all" | "values"): Row[] {
    narrowBigInts(arrays);
    return mode === "values" ? arrays as unknown as Row[] : toObjects(arrays, keys);
  }

  /** Drops the prepared statements; closes the database too when the driver owns it. */
  close(owned: boolean): void {
    this.#statements.clear();
    if (owned) this.#db.close();
  }
}

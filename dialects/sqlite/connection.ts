/**
 * One SQLite connection: its prepared-statement cache, parameters encoded as SQLite binds them
 * exactly, rows read as arrays, and errors typed.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import { RetortError } from "../../core/errors.ts";
import type { Row } from "../../core/sql/nodes.ts";
import { MAX_SAFE, MIN_SAFE } from "../../core/util/ints.ts";
import type { SchemaVersion, SqliteClient, SqliteDriverOptions, Statement } from "./client.ts";
import { translateSqliteError } from "./errors.ts";
import { registerFunctions } from "./functions.ts";
import { insertIdKind, rowid } from "./insert_id.ts";
import { encodeAll } from "./params.ts";
import { statementKind } from "./statement_kind.ts";
import { checkOneStatement, checkText } from "./statement_text.ts";

const STATEMENT_CACHE_SIZE = 256;
const RETURNING = /\bRETURNING\b/i;

/**
 * node:sqlite reads -2^63 as a number (it throws a RangeError for every other integer beyond
 * 2^53): a row holding it is read again, as bigints. A REAL of that value reads the same.
 */
const INT64_MIN = -(2 ** 63);
const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

function holdsInt64Min(rows: unknown[][]): boolean {
  // Indexed loops, and a type test before the comparison: a third of the cost of `===`.
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === "number" && v <= INT64_MIN) return true;
    }
  }
  return false;
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

/** `@db/sqlite`'s Database: the last insert rowid is a property. */
type DenoDb = { lastInsertRowId: number | bigint };
/** What node:sqlite's (and the bun adapter's) `run()` returns. */
type RunInfo = { changes: number | bigint; lastInsertRowid: number | bigint };

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

  /** `SELECT last_insert_rowid()`, for an upsert's rowid before it runs. */
  #rowidStatement: Statement | undefined;

  #prepare(text: string, params: readonly unknown[]): Statement {
    if (this.#prepared !== this.#schema.version) {
      this.#statements.clear(); // prepared under another schema: their columns may be stale
      this.#prepared = this.#schema.version;
    }
    let stmt = this.#statements.get(text);
    if (stmt !== undefined) return stmt;
    stmt = this.#prepareOne(text, params);
    if (stmt.setReturnArrays) {
      stmt.setReturnArrays(true);
      stmt.arrays = true;
    }
    stmt.enableInt64?.();
    const kind = statementKind(text);
    stmt.writes = kind.writes;
    stmt.schema = SCHEMA_CHANGES.has(kind.verb)
      ? "changes"
      : kind.verb === "ROLLBACK"
      ? "may undo"
      : undefined;
    stmt.insertId = insertIdKind(this.#db, text, kind.verb);
    // RETURNING's integers are read exactly; an insert's rowid is read again when it is not
    // (see #query), so that the common insert takes no bigint.
    stmt.bigInts = RETURNING.test(text);
    if (stmt.bigInts) stmt.setReadBigInts?.(true);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
      // Evict the oldest: cheaper than keeping recency order on every hit.
      const oldest = this.#statements.keys().next().value as string;
      this.#statements.delete(oldest);
    }
    this.#statements.set(text, stmt);
    return stmt;
  }

  /**
   * Prepares text that holds one statement, refusing any other: empty text (node:sqlite
   * would prepare nothing, and crash reading it), and text holding a second statement, which
   * SQLite would drop without a word. node:sqlite says where the first statement ends.
   */
  #prepareOne(text: string, params: readonly unknown[]): Statement {
    checkText(text);
    let stmt: Statement;
    try {
      stmt = this.#db.prepare(text) as Statement;
    } catch (error) {
      checkOneStatement(text, params, this.#hide); // a client that refuses several, its own way
      throw error;
    }
    const source = stmt.sourceSQL;
    const end = typeof source === "string" && text.startsWith(source) ? source.length : undefined;
    checkOneStatement(text, params, this.#hide, end);
    return stmt;
  }

  /** The connection's last insert rowid, as it is now. */
  #lastRowid(): bigint {
    if (this.#denoSqlite) return BigInt((this.#db as unknown as DenoDb).lastInsertRowId);
    let stmt = this.#rowidStatement;
    if (stmt === undefined) {
      stmt = this.#rowidStatement = this.#db.prepare("SELECT last_insert_rowid()") as Statement;
      stmt.setReadBigInts?.(true);
      stmt.setReturnArrays?.(true);
    }
    const [row] = stmt.all() as unknown[];
    return BigInt((Array.isArray(row) ? row : Object.values(row as object))[0] as bigint);
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
      stmt = this.#prepare(text, params);
      if (stmt.schema !== undefined) this.#schemaMoves(stmt.schema, text);
      if (mode !== "run") return this.#read(stmt, args, mode, stmt.bigInts === true);
      const before = stmt.insertId === "upsert" ? this.#lastRowid() : undefined;
      const r = stmt.run(...args);
      let changes: number | bigint;
      let id: number | bigint;
      if (this.#denoSqlite) {
        changes = r as number;
        id = (this.#db as unknown as DenoDb).lastInsertRowId;
      } else {
        ({ changes, lastInsertRowid: id } = r as RunInfo);
      }
      // A rowid beyond 2^53 came back rounded: read it again, exactly.
      if (typeof id === "number" && (id > MAX_SAFE_ID || id < -MAX_SAFE_ID)) id = this.#lastRowid();
      const rowsAffected = stmt.writes ? Number(changes) : 0;
      // Only a statement that inserted a row has an id of its own (see insert_id.ts).
      const inserted = stmt.insertId !== "none" && rowsAffected > 0 &&
        (before === undefined || BigInt(id) !== before);
      return inserted
        ? { rows: [], rowsAffected, lastInsertId: rowid(id) }
        : { rows: [], rowsAffected };
    } catch (error) {
      if (error instanceof RetortError) throw error; // refused before it ran
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
      else if (holdsInt64Min(arrays)) throw new RangeError("-2^63 read as a number");
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
      stmt = this.#prepareOne(text, params);
    } catch (error) {
      throw error instanceof RetortError ? error : fail(error);
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

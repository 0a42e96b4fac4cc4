/**
 * What the Engine, a Connection and a Transaction share: running statements and reading
 * their results as rows, one row, one value or counts.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../driver.ts";
import { MultipleResultsFound, NoResultFound } from "../errors.ts";
import type { PlainRow, Row, SqlSource } from "../sql/nodes.ts";
import { isPromise } from "../util/promise.ts";
import { chunkSizeOf, type StreamOptions } from "./stream.ts";

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
  /**
   * SQLite: the rowid of the row an INSERT (or REPLACE) inserted, of a multi-row insert the
   * last; absent for any other statement, for an insert that inserted nothing, and on
   * PostgreSQL (use RETURNING).
   */
  readonly lastInsertId?: number | bigint;
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
  /**
   * Runs a statement and returns what the driver returned: rows as objects (`"all"`), as
   * arrays with the column names (`"values"`), or counts (`"run"`); rows are decoded with
   * the statement's column types. The other methods are built on it.
   */
  abstract execute(source: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult>;

  /**
   * Internal: `execute`, returning the result itself where the driver answers at once (see
   * `DriverConnection.queryNow`), so that `all`, `run` and the rest take one promise per
   * statement, not two. It may throw where `execute` rejects.
   */
  executeNow(source: SqlSource<unknown>, mode: QueryMode): QueryResult | Promise<QueryResult> {
    return this.execute(source, mode);
  }

  /** Runs a query and returns every row. */
  all<R = Row>(query: SqlSource<R>): Promise<PlainRow<R>[]> {
    return executeThen(this, query, "all", allRows) as Promise<PlainRow<R>[]>;
  }

  /** Runs a query and returns its first row, or `null` when there is none. */
  first<R = Row>(query: SqlSource<R>): Promise<PlainRow<R> | null> {
    return executeThen(this, query, "all", firstRow) as Promise<PlainRow<R> | null>;
  }

  /** Runs a query that must return exactly one row. */
  one<R = Row>(query: SqlSource<R>): Promise<PlainRow<R>> {
    return executeThen(this, query, "all", onlyRow) as Promise<PlainRow<R>>;
  }

  /** Runs a query and returns the first column of its first row (`null` when no row). */
  scalar<T = unknown>(query: SqlSource<unknown>): Promise<T> {
    return executeThen(this, query, "values", firstValue) as Promise<T>;
  }

  /**
   * Runs a query and yields its rows one by one, reading `chunkSize` rows at a time (1000 by
   * default) with a cursor (PostgreSQL) or by stepping the statement (SQLite), so that memory
   * stays flat however many rows there are. The Engine holds one connection for the loop;
   * leaving the loop early (`break`, `return`, a throw) closes the cursor and gives the
   * connection back.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createEngine, sql } from "@retort/orm";
   * await using engine = createEngine("sqlite::memory:");
   * let sum = 0;
   * const q = sql`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000)
   *   SELECT x FROM n`;
   * for await (const row of engine.stream<{ x: number }>(q, { chunkSize: 500 })) sum += row.x;
   * assert.equal(sum, 5000 * 5001 / 2);
   * ```
   */
  stream<R = Row>(
    query: SqlSource<R>,
    options?: StreamOptions,
  ): AsyncIterableIterator<PlainRow<R>> {
    let chunks: AsyncGenerator<Row[], void, undefined> | null = null;
    try {
      chunks = this.streamChunks(query, "all", chunkSizeOf(options));
    } catch (error) {
      return rejecting(error);
    }
    return rowsOf(chunks) as AsyncIterableIterator<PlainRow<R>>;
  }

  /**
   * Runs a query and yields its rows in chunks of at most `chunkSize`: objects, or arrays in
   * `"values"` mode. `stream()` and the ORM's `session.stream()` are built on it.
   */
  async *streamChunks(
    source: SqlSource<unknown>,
    mode: "all" | "values",
    chunkSize: number,
  ): AsyncGenerator<Row[], void, undefined> {
    const { rows } = await this.execute(source, mode);
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
  }

  /** Runs a statement for its effect; returns rows affected and the last insert id. */
  run(statement: SqlSource<unknown>): Promise<RunResult> {
    return executeThen(this, statement, "run", runResult);
  }
}

/**
 * `execute`, then `fn` of its result: no async frame per statement (these are the methods
 * every query goes through), and where the driver answers at once no reaction either; a
 * synchronous throw becomes a rejection.
 */
function executeThen<T>(
  on: Executor,
  source: SqlSource<unknown>,
  mode: QueryMode,
  fn: (r: QueryResult) => T,
): Promise<T> {
  let result: QueryResult | Promise<QueryResult>;
  try {
    result = on.executeNow(source, mode);
    if (!isPromise(result)) return Promise.resolve(fn(result));
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve(result).then(fn); // a driver's thenable, as a real promise
}

const allRows = (r: QueryResult): Row[] => r.rows;
const firstRow = (r: QueryResult): Row | null => r.rows.length === 0 ? null : r.rows[0];
const firstValue = (r: QueryResult): unknown => {
  const rows = r.rows as unknown as unknown[][];
  return rows.length === 0 ? null : rows[0][0] ?? null;
};
const runResult = (r: QueryResult): RunResult => ({
  rowsAffected: r.rowsAffected,
  lastInsertId: r.lastInsertId,
});

function onlyRow(r: QueryResult): Row {
  const rows = r.rows;
  if (rows.length === 0) throw new NoResultFound("The query returned no row; one() needs one.");
  if (rows.length > 1) {
    throw new MultipleResultsFound(
      `The query returned ${rows.length} rows; one() needs exactly one. Use first() or all().`,
    );
  }
  return rows[0];
}

/** An iterator that fails on its first step. */
function rejecting(error: unknown): AsyncIterableIterator<never> {
  const it: AsyncIterableIterator<never> = {
    next: () => Promise.reject(error),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * The rows of chunks, one by one, without an async generator's cost per row: a step within a
 * chunk is an already-settled promise.
 */
function rowsOf(chunks: AsyncGenerator<Row[], void, undefined>): AsyncIterableIterator<Row> {
  let rows: Row[] = [];
  let i = 0;
  const it: AsyncIterableIterator<Row> = {
    next: (): Promise<IteratorResult<Row>> => {
      if (i < rows.length) return Promise.resolve({ value: rows[i++], done: false });
      return chunks.next().then((r) => {
        if (r.done) return { value: undefined, done: true };
        rows = r.value;
        i = 0;
        return it.next();
      });
    },
    return: async (): Promise<IteratorResult<Row>> => {
      rows = [];
      await chunks.return();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

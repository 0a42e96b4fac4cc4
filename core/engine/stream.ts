/**
 * Streaming a query: its rows in chunks, through the same compile, echo, secrecy and decoding
 * as `execute`, holding one chunk at a time where the driver has a cursor.
 *
 * @module
 */
import type { DriverConnection, QueryResult } from "../driver.ts";
import { ArgumentError } from "../errors.ts";
import { compile } from "../sql/compile.ts";
import type { Row, SqlSource } from "../sql/nodes.ts";
import type { Executable } from "../statement.ts";
import { blankText, decoded, execute, isBlank, reportable, type Runner } from "./execute.ts";

/** How many rows a stream reads at a time unless told. */
export const DEFAULT_CHUNK_SIZE = 1000;

/**
 * Options of `stream()`.
 *
 * @example
 * ```ts
 * import type { StreamOptions } from "@retort/orm";
 * const options: StreamOptions = { chunkSize: 500 };
 * ```
 */
export interface StreamOptions {
  /** How many rows are read from the database at a time (1000 by default). */
  readonly chunkSize?: number;
}

/** The chunk size of `options`, checked. */
export function chunkSizeOf(options: StreamOptions | undefined): number {
  const n = options?.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ArgumentError(`stream(): chunkSize must be a positive integer; got ${String(n)}.`);
  }
  return n;
}

/**
 * Streams a statement on a connection: chunks of rows (objects in `"all"` mode, arrays in
 * `"values"` mode), decoded. Echo reports the statement once, when it ends, with its row count.
 */
export async function* streamChunks(
  runner: Runner,
  conn: DriverConnection,
  source: SqlSource<unknown>,
  mode: "all" | "values",
  chunkSize: number,
  inTransaction: boolean,
): AsyncGenerator<Row[], void, undefined> {
  const statement = source as Executable<Row>;
  const parts = statement.batches?.(runner.dialect);
  if (parts !== undefined && parts.length !== 1) {
    throw new ArgumentError(
      `stream() takes one statement; this one runs as ${parts.length} batches. Stream a ` +
        "select, or run this statement with execute().",
    );
  }
  if (conn.stream === undefined) {
    // No cursor: the whole result, then its rows in chunks.
    const { rows } = await execute(runner, conn, source, mode);
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
    return;
  }
  const { text, params } = compile(parts?.[0] ?? statement, runner.dialect);
  if (isBlank(text)) throw blankText();
  const decodes = statement.resultTypes != null ||
    (mode === "all" && statement.decodeRows !== undefined);
  const echo = runner.echo;
  const shown = runner.hideParameters && params.length > 0 ? undefined : params;
  const start = performance.now();
  let count = 0;
  let failed = false;
  try {
    for await (let rows of conn.stream(text, params, mode, chunkSize, inTransaction)) {
      if (decodes) {
        const result: QueryResult = { rows, rowsAffected: rows.length };
        rows = decoded(result, statement, mode, runner.dialect).rows;
      }
      count += rows.length;
      yield rows;
    }
  } catch (error) {
    failed = true;
    const reported = reportable(runner, error, params);
    echo?.({ text, params: shown, ms: performance.now() - start, error: reported });
    throw reported;
  } finally {
    // Also when the loop was left early: the rows read so far.
    if (!failed) echo?.({ text, params: shown, ms: performance.now() - start, rows: count });
  }
}

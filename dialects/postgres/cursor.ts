/**
 * Streaming on PostgreSQL with a server-side cursor: `DECLARE ... CURSOR FOR <query>`, then
 * `FETCH FORWARD n` until the rows run out, then `CLOSE`. Unlike a protocol-level cursor, a
 * declared one lets other statements run on the connection between chunks (eager loads of
 * each chunk). Outside a transaction the cursor gets one of its own (BEGIN ... COMMIT).
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import type { Row } from "../../core/sql/nodes.ts";

/** Runs one statement on the connection that holds the cursor. */
export type Send = (
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
) => Promise<QueryResult>;

let cursors = 0;

/** Yields a query's rows in chunks of at most `chunkSize` through a declared cursor. */
export async function* cursorChunks(
  send: Send,
  text: string,
  params: readonly unknown[],
  mode: "all" | "values",
  chunkSize: number,
  inTransaction: boolean,
): AsyncGenerator<Row[], void, undefined> {
  const name = `retort_cursor_${++cursors}`;
  if (!inTransaction) await send("BEGIN", [], "run");
  let failed = false;
  try {
    await send(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, params, "run");
    const fetch = `FETCH FORWARD ${chunkSize} FROM ${name}`;
    for (;;) {
      const { rows } = await send(fetch, [], mode);
      if (rows.length > 0) yield rows;
      if (rows.length < chunkSize) break;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (!inTransaction) await send(failed ? "ROLLBACK" : "COMMIT", [], "run");
    else if (!failed) await send(`CLOSE ${name}`, [], "run");
    // A failed statement aborted the caller's transaction, cursor included: it rolls back.
  }
}

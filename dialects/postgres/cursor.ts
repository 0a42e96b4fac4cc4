/**
 * Streaming on PostgreSQL with a server-side cursor: `DECLARE ... CURSOR FOR <query>`, then
 * `FETCH FORWARD n` until the rows run out, then `CLOSE`. Unlike a protocol-level cursor, a
 * declared one lets other statements run on the connection between chunks (eager loads of
 * each chunk).
 *
 * In a transaction the cursor is the transaction's, and reads lazily. Outside one it is
 * declared `WITH HOLD`, on its own: PostgreSQL runs the query to its end when the `DECLARE`
 * commits (an error in any row fails the `DECLARE`), and keeps the rows on the server (in
 * temporary files past `work_mem`) for the `FETCH`es, so the client holds one chunk at a time
 * while no transaction stays open on the connection. Statements run on that connection
 * between chunks then commit on their own, as they do outside a stream; a cursor in a hidden
 * transaction of its own would have taken them into it (and one failing statement would have
 * rolled them all back).
 *
 * Only a plain query can be a cursor's (see `isPlainQuery`): any other statement, such as an
 * `INSERT ... RETURNING` or a `WITH` that writes, is run whole and its rows yielded in chunks,
 * as a driver without cursors does.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import type { Row } from "../../core/sql/nodes.ts";
import { isPlainQuery } from "./statements.ts";

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
  if (!isPlainQuery(text, !inTransaction)) {
    const { rows } = await send(text, params, mode);
    for (let i = 0; i < rows.length; i += chunkSize) yield rows.slice(i, i + chunkSize);
    return;
  }
  const name = `retort_cursor_${++cursors}`;
  const hold = inTransaction ? "" : "WITH HOLD ";
  let declared = false;
  let failed = false;
  try {
    await send(`DECLARE ${name} NO SCROLL CURSOR ${hold}FOR ${text}`, params, "run");
    declared = true;
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
    if (!declared || (inTransaction && failed)) {
      // Nothing to close: the DECLARE failed, or a failed statement aborted the caller's
      // transaction, which closes its cursor as it rolls back.
    } else if (!failed) await send(`CLOSE ${name}`, [], "run");
    else {
      // A held cursor outlives a failed FETCH (unless the connection went): close it if the
      // connection still can; the FETCH's error is the one raised.
      await send(`CLOSE ${name}`, [], "run").catch(() => {});
    }
  }
}

/**
 * `session.stream(select(Model))`: objects a chunk at a time, hydrated through the identity
 * map, with `selectin` loaders run per chunk.
 *
 * @module
 */
import { chunkSizeOf, type StreamOptions } from "../../core/engine/stream.ts";
import { ArgumentError, InvalidRequestError, PendingRollbackError } from "../../core/errors.ts";
import { hydrateNarrowed, narrow, ownColumns, withColumnOptions } from "../loading/columns.ts";
import { checkOptions } from "../loading/options.ts";
import { filtered } from "../loading/criteria.ts";
import { applyOptions } from "../loading/selectin.ts";
import { stateOf } from "../mapping/state.ts";
import type { SessionCore } from "./core.ts";
import type { StreamHold } from "./frame.ts";
import { entityMapper } from "./query.ts";
import type { EntityQuery } from "./types.ts";

/**
 * Options of `session.stream()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, select, type SessionStreamOptions } from "@retort/orm";
 * class Reading extends Model("stream_doc_readings", {
 *   id: column.integer().primaryKey(),
 *   value: column.integer(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Reading]);
 * {
 *   await using session = engine.session();
 *   session.addAll(Array.from({ length: 250 }, (_, i) => new Reading({ value: i })));
 *   await session.commit();
 * }
 * await using session = engine.session();
 * const options: SessionStreamOptions = { chunkSize: 100, expunge: true };
 * let total = 0;
 * for await (const r of session.stream(select(Reading), options)) total += r.value;
 * assert.equal(total, 249 * 250 / 2);
 * assert.equal(session.identityCount, 0); // each chunk left the session once passed
 * ```
 */
export interface SessionStreamOptions extends StreamOptions {
  /**
   * Whether each chunk's objects leave the session once the loop has moved past them (clean
   * ones only: an object changed inside the loop stays to be flushed). The session then holds
   * one chunk at a time; without it, it keeps every object it streamed, as after `all()`.
   */
  readonly expunge?: boolean;
}

/**
 * Streams a `select(Model)` as objects of the session, in its transaction: the session
 * refuses commit and rollback from the first `next()` until the loop ends or is left. A flush
 * in the loop that fails rolls back the transaction (or the savepoint) the rows are read in:
 * the loop's next step then raises why, and the stream lets its rows go.
 */
export async function* streamEntities<T>(
  c: SessionCore,
  query: EntityQuery<T>,
  options?: SessionStreamOptions,
): AsyncGenerator<T, void, undefined> {
  const size = chunkSizeOf(options);
  if (query.entity === undefined) {
    throw new ArgumentError(
      "session.stream() takes a select(Model) statement; stream other statements with " +
        "engine.stream().",
    );
  }
  const mapper = entityMapper(query.entity, "session.stream(...)");
  const [filteredLoad, q, queryOptions] = filtered(c.load, mapper, query, query.loadOptions ?? []);
  const [load, given] = withColumnOptions(filteredLoad, queryOptions);
  const loaders = checkOptions(mapper, given);
  if (loaders.some((o) => o.strategy === "joined")) {
    throw new ArgumentError(
      "session.stream(): joined() loading cannot stream (one object's rows may span two " +
        "chunks); use selectin(), which runs once per chunk.",
    );
  }
  const populate = query.populateExistingRows ?? false;
  c.check();
  const what = `session.stream(select(${mapper.name}))`;
  c.hooks.allow(`run ${what}`, false);
  // Until the loop ends (or leaves by break, return or a throw), a commit or rollback would end
  // the transaction the rows are read in.
  const ended = c.openStream(what);
  let hold: StreamHold | null = null;
  let failed = false;
  try {
    await c.withAutoflush(() => Promise.resolve());
    const n = narrow(load, mapper, q, ownColumns(mapper, loaders));
    hold = await c.tx.openStream(n.query, size);
    for (;;) {
      const next = await hold.chunks.next();
      if (next.done) break;
      const objs = hydrateNarrowed(n, mapper, next.value as unknown as unknown[][], populate);
      if (loaders.length > 0) {
        const states = [...new Set(objs)].map((o) => stateOf(o)!);
        await applyOptions(n.ctx, mapper, states, loaders, populate);
      }
      for (let i = 0; i < objs.length; i++) {
        yield objs[i] as T;
        // The loop's body may have flushed, and the flush failed.
        if (hold.ended !== null) throw endedError(what, hold.ended);
      }
      if (options?.expunge) {
        for (const obj of objs) {
          const state = stateOf(obj)!;
          if (state.status === "persistent" && !state.dirty) c.expunge(state);
        }
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    ended();
    // Left early, or at the end: the cursor (or table) is closed. Of an error, the first is
    // raised, as a `for await` loop raises it.
    if (hold !== null) await (failed ? hold.close().catch(() => {}) : hold.close());
  }
}

/** Why a stream cannot go on: its transaction (or savepoint) ended under it. */
function endedError(what: string, end: NonNullable<StreamHold["ended"]>): Error {
  const cause = end.failure;
  const why = cause === null ? "" : ` (${(cause as Error)?.message ?? cause})`;
  const by = cause === null ? "a rollback" : "a failed flush";
  const options = cause === null ? undefined : { cause };
  if (!end.savepoint) {
    return new PendingRollbackError(
      `${what} cannot go on: ${by} in the loop rolled back the session's transaction it reads ` +
        `its rows in${why}. Leave the loop, call session.rollback(), and stream again.`,
      options,
    );
  }
  return new InvalidRequestError(
    `${what} cannot go on: ${by} in the loop rolled back the savepoint it reads its rows ` +
      `in${why}; the savepoint's work is undone, and the session goes on in the enclosing ` +
      "transaction. Leave the loop, and stream again.",
    options,
  );
}

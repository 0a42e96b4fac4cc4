/**
 * `session.stream(select(Model))`: objects a chunk at a time, hydrated through the identity
 * map, with `selectin` loaders run per chunk.
 *
 * @module
 */
import { chunkSizeOf, type StreamOptions } from "../../core/engine/stream.ts";
import { ArgumentError } from "../../core/errors.ts";
import { hydrateNarrowed, narrow, ownColumns, withColumnOptions } from "../loading/columns.ts";
import { checkOptions } from "../loading/options.ts";
import { filtered } from "../loading/criteria.ts";
import { applyOptions } from "../loading/selectin.ts";
import { stateOf } from "../mapping/state.ts";
import type { SessionCore } from "./core.ts";
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
 * refuses commit and rollback from the first `next()` until the loop ends or is left.
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
  // Until the loop ends (or leaves by break, return or a throw), a commit or rollback would end
  // the transaction the rows are read in.
  const ended = c.openStream(`session.stream(select(${mapper.name}))`);
  try {
    await c.withAutoflush(() => Promise.resolve());
    const n = narrow(load, mapper, q, ownColumns(mapper, loaders));
    for await (const rows of c.tx.stream(n.query, size)) {
      const objs = hydrateNarrowed(n, mapper, rows as unknown as unknown[][], populate);
      if (loaders.length > 0) {
        const states = [...new Set(objs)].map((o) => stateOf(o)!);
        await applyOptions(n.ctx, mapper, states, loaders, populate);
      }
      yield* objs as T[];
      if (options?.expunge) {
        for (const obj of objs) {
          const state = stateOf(obj)!;
          if (state.status === "persistent" && !state.dirty) c.expunge(state);
        }
      }
    }
  } finally {
    ended();
  }
}

/**
 * `createEngine` for Core alone: an Engine with no ORM.
 *
 * @module
 */
import { Engine, type EngineOptions } from "../core/engine/engine.ts";
import { type EngineSource, openEngine } from "./open.ts";

/**
 * Creates an engine from a URL or a client.
 *
 * - `"sqlite:///:memory:"` or `"sqlite::memory:"`: an in-memory database (`node:sqlite`);
 * - `"sqlite:///relative.db"`, `"sqlite:////absolute/path.db"`: a file (WAL, busy timeout);
 * - `"postgres://..."` or `"postgresql://..."`: PostgreSQL through `npm:postgres`;
 * - a `node:sqlite` `DatabaseSync`, a `@db/sqlite` `Database`, or a postgres.js `sql`.
 *
 * A postgres.js client passed in stores and reads values as an engine from a URL does: Retort
 * sets on its options (its own queries see them too) `int8` read as a number or a bigint, and
 * its date and time parsers and array parser, each unless the client's own `types` handles
 * that type; and `json` and `jsonb` serializers that send a string (Retort's JSON text) as it
 * is, and anything else through the serializer they were (see `postgresDriver` in
 * `@retort/orm/postgres`). Its other settings stay. One with a `transform` that changes
 * results (`postgres.camel`), and anything only shaped like postgres.js (Bun's own
 * `SQL`), is refused with an ArgumentError. A `postgres://` URL where the `postgres` package is
 * not installed fails on first use with an OperationalError (code `DRIVER_MISSING`).
 *
 * The driver is imported only when the engine is first used. Every SQLite connection
 * enforces foreign keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm/core";
 * await using engine = createEngine("sqlite::memory:", { echo: false });
 * assert(await engine.scalar(sql`SELECT ${1} + ${1}`) === 2);
 * ```
 */
export function createEngine(source: EngineSource, options?: EngineOptions): Engine {
  return openEngine(Engine, source, options);
}

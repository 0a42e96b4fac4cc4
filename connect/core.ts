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

/**
 * Retort Core, without the ORM: the `sql` tag and its compile step, schema and DDL, the
 * statement builder, the Engine with connections, transactions and savepoints, and the error
 * taxonomy. For programs (edge functions among them) that write SQL themselves: its import
 * graph holds nothing of the ORM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm/core";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
 * await engine.run(sql`INSERT INTO notes (body) VALUES (${"hello"})`);
 * assert.equal(await engine.scalar(sql`SELECT body FROM notes`), "hello");
 * ```
 *
 * @module
 */
export * from "./core/mod.ts";
export { createEngine } from "./connect/core.ts";
export type { EngineSource } from "./connect/open.ts";
export { postgresDialect } from "./dialects/postgres/dialect.ts";
export { sqliteDialect } from "./dialects/sqlite/dialect.ts";
export { sqlitePathOf } from "./dialects/sqlite/url.ts";
export type { SqliteClient } from "./dialects/sqlite/client.ts";
export type { PostgresClient } from "./dialects/postgres/client.ts";

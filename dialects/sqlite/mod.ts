/**
 * Retort's SQLite entry point: the driver over `node:sqlite` (the default) or a `@db/sqlite`
 * Database passed in by the user.
 *
 * SQLite's quirks, handled here: foreign keys are enforced only when `PRAGMA foreign_keys` is
 * on, so every connection turns it on; file databases use WAL and a busy timeout; an
 * in-memory database lives in one connection, shared by one transaction at a time; integers
 * beyond 2^53 come back as bigints; booleans are stored as 0 and 1, dates as ISO 8601 text;
 * `numeric` as SQLite numbers with its scale applied; LIKE, `lower()` and `upper()` mean what
 * they mean on PostgreSQL (functions registered on every connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { createEngine, sql } from "@retort/orm";
 * import { sqliteDriver } from "@retort/orm/sqlite";
 * await using engine = createEngine(sqliteDriver(new DatabaseSync(":memory:")));
 * assert(await engine.scalar(sql`SELECT sqlite_version()`) !== null);
 * ```
 *
 * @module
 */
export { openSqlite, sqliteDriver, type SqliteDriverOptions } from "./driver.ts";
export { translateSqliteError } from "./errors.ts";
export { sqliteDialect } from "./dialect.ts";
export { isSqliteClient, type SqliteClient } from "./client.ts";
export { sqlitePathOf } from "./url.ts";
export { type BunDatabase, bunSqlite, type BunStatement, isBunDatabase } from "./bun.ts";

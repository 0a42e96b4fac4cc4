/**
 * Retort's PostgreSQL entry point: the driver over postgres.js (`npm:postgres`), with no FFI
 * and nothing of SQLite in its import graph.
 *
 * PostgreSQL's quirks, handled here: at most 65,533 parameters a statement (large inserts are
 * split); identifiers longer than 63 bytes are refused rather than silently truncated; `int8`
 * comes back as a number when exact and a bigint otherwise; `numeric` as a string; dates and
 * times through Retort's own parsers (years 1 to 99 and BC exact, `timestamp` independent of
 * the time zone); a checkout waits at most `acquireTimeout`; prepared statements per connection
 * stay bounded.
 *
 * @example
 * ```ts ignore
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("postgres://postgres@127.0.0.1:5432/test");
 * console.log(await engine.scalar(sql`SELECT version()`));
 * ```
 *
 * @module
 */
export { postgresDriver, type PostgresDriverOptions, translatePostgresError } from "./driver.ts";
export { openPostgres } from "./connect.ts";
export { postgresDialect } from "./dialect.ts";
export { isPostgresClient, type PostgresClient } from "./client.ts";

/**
 * Retort's PGlite entry point: PostgreSQL in process, through an `@electric-sql/pglite`
 * instance that the user creates and passes in. PGlite is not a dependency of Retort and is
 * not imported here.
 *
 * A PGlite database is one PostgreSQL session, used by one task at a time (a transaction
 * holds it); SQL, types and errors are PostgreSQL's. Starting one runs `initdb` unless it opens
 * an existing data directory: a few seconds for each in-memory database, much less for
 * `new PGlite("./pgdata")` after its first start.
 *
 * @example
 * ```ts ignore
 * import { PGlite } from "@electric-sql/pglite";
 * import { createEngine, sql } from "@retort/orm";
 * import { pgliteDriver } from "@retort/orm/pglite";
 * const engine = createEngine(pgliteDriver(await PGlite.create(), { owned: true }));
 * console.log(await engine.scalar(sql`SELECT ${1}::int + 1`));
 * await engine.dispose();
 * ```
 *
 * @module
 */
export { pgliteDriver, type PGliteDriverOptions } from "./driver.ts";
export { isPGlite, type PGliteClient } from "./client.ts";

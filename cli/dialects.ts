/**
 * Finds the migration side of an engine's dialect: the dialect's own `migrations()` hook,
 * which loads the dialect's migration module on demand (so a PostgreSQL program never loads
 * SQLite's, and the reverse).
 *
 * @module
 */
import { ArgumentError, type Engine } from "../mod.ts";
import type { DialectOption, MigrationDialect } from "../core/migrate/mod.ts";

/**
 * The migration side of an engine's dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine } from "@retort/orm";
 * import { migrationDialectFor } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * assert.equal((await migrationDialectFor(engine)).name, "sqlite");
 * ```
 */
export async function migrationDialectFor(engine: Engine): Promise<MigrationDialect> {
  const hook = engine.dialect.migrations;
  if (typeof hook !== "function") {
    throw new ArgumentError(
      `The ${engine.dialect.name} dialect has no migrations: its dialect object has no ` +
        "migrations() hook.",
    );
  }
  return await hook.call(engine.dialect) as MigrationDialect;
}

/** Options with the migration dialect filled in. */
export async function withDialect<O extends DialectOption>(engine: Engine, options: O): Promise<O> {
  return options.dialect ? options : { ...options, dialect: await migrationDialectFor(engine) };
}

/**
 * Finds the migration side of an engine's dialect: the dialect's own `migrations()` hook
 * when it has one, else a lookup by name that loads the dialect's migration module on demand
 * (so a PostgreSQL program never loads SQLite's, and the reverse).
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
  const hook = (engine.dialect as { migrations?: () => Promise<MigrationDialect> }).migrations;
  if (typeof hook === "function") return await hook.call(engine.dialect);
  switch (engine.dialect.name) {
    case "sqlite":
      return (await import("../dialects/sqlite/migrate/mod.ts")).sqliteMigrations;
    case "postgres":
      return (await import("../dialects/postgres/migrate/mod.ts")).postgresMigrations;
    default:
      throw new ArgumentError(`Retort has no migrations for the ${engine.dialect.name} dialect.`);
  }
}

/** Options with the migration dialect filled in. */
export async function withDialect<O extends DialectOption>(engine: Engine, options: O): Promise<O> {
  return options.dialect ? options : { ...options, dialect: await migrationDialectFor(engine) };
}

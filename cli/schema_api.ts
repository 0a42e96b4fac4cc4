/**
 * The schema side of the library: compare models with a database, generate migrations,
 * push, reflect, read models as the database would, pull models, and draw them.
 *
 * @module
 */
import type { Engine, TableLike } from "../mod.ts";
import * as core from "../core/migrate/mod.ts";
import { withDialect } from "./dialects.ts";

/**
 * Compares models with the database: what a migration would have to change, as one
 * readable list, for a program to check at startup.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, table } from "@retort/orm";
 * import { checkSchema } from "@retort/orm/migrate";
 * const users = table("users", { id: column.integer().primaryKey(), email: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * assert.deepEqual((await checkSchema(engine, [users])).differences, [
 *   "create table users (id, email)",
 * ]);
 * await engine.createAll([users]);
 * assert.equal((await checkSchema(engine, [users])).ok, true);
 * ```
 */
export async function checkSchema(
  engine: Engine,
  models: readonly TableLike[],
  options: core.CompareOptions = {},
): Promise<core.SchemaDrift> {
  return await core.checkSchema(engine, models, await withDialect(engine, options));
}

/**
 * Writes a migration from the difference between the models and the database (which must
 * have every migration applied). Destructive changes need `allowDestructive`; renames are
 * never guessed and come from `renames`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, table } from "@retort/orm";
 * import { generate, memorySource } from "@retort/orm/migrate";
 * const users = table("users", { id: column.integer().primaryKey() });
 * await using engine = createEngine("sqlite::memory:");
 * const migrations = memorySource([]);
 * const result = await generate(engine, [users], {
 *   name: "init",
 *   migrations,
 *   now: new Date("2026-12-01T15:30:00Z"),
 * });
 * assert.equal(result.id, "20261201T1530_init");
 * ```
 */
export async function generate(
  engine: Engine,
  models: readonly TableLike[],
  options: core.GenerateOptions,
): Promise<core.GenerateResult> {
  // The name is checked first: a bad one is refused even when there is nothing to generate.
  core.migrationId(options.name, options.now ?? new Date(), []);
  return await core.generate(engine, models, await withDialect(engine, options));
}

/**
 * Makes the database match the models directly, without migration files (for development);
 * refuses destructive changes unless `force`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, sql, table } from "@retort/orm";
 * import { push } from "@retort/orm/migrate";
 * const notes = table("notes", { id: column.integer().primaryKey(), body: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * await push(engine, [notes]);
 * assert.equal(await engine.scalar(sql`SELECT count(*) FROM notes`), 0);
 * ```
 */
export async function push(
  engine: Engine,
  models: readonly TableLike[],
  options: core.PushOptions = {},
): Promise<core.Change[]> {
  return await core.push(engine, models, await withDialect(engine, options));
}

/**
 * Reads the database's tables into a snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * import { reflect } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
 * const [t] = (await reflect(engine)).tables;
 * assert.deepEqual(t.columns[1], { name: "name", type: "TEXT", nullable: false });
 * ```
 */
export async function reflect(
  engine: Engine,
  options: core.ReflectOptions & core.DialectOption = {},
): Promise<core.SchemaSnapshot> {
  const o = await withDialect(engine, options);
  return await o.dialect!.reflect(engine, o);
}

/**
 * Models (or tables) as the database would report them once created.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, table } from "@retort/orm";
 * import { reflect, snapshot } from "@retort/orm/migrate";
 * const users = table("users", { id: column.integer().primaryKey(), email: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([users]);
 * assert.deepEqual(await reflect(engine), await snapshot(engine, [users]));
 * ```
 */
export async function snapshot(
  engine: Engine,
  models: readonly TableLike[],
  options: core.DialectOption = {},
): Promise<core.SchemaSnapshot> {
  const o = await withDialect(engine, options);
  return await o.dialect!.snapshot(models, engine);
}

/**
 * Model classes for the database's tables, as a TypeScript module, with relationships
 * inferred from the foreign keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * import { pull } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
 * const { source } = await pull(engine);
 * assert.match(source, /export class User extends Model\("users"/);
 * ```
 */
export async function pull(
  engine: Engine,
  options: core.ReflectOptions & core.DialectOption & { importFrom?: string } = {},
): Promise<core.PullResult> {
  const o = await withDialect(engine, options);
  const exclude = [core.VERSION_TABLE, ...(o.exclude ?? [])];
  const schema = await o.dialect!.reflect(engine, { ...o, exclude });
  if (schema.tables.length === 0) {
    const source = "// No tables to pull: the database has none (its version table and the " +
      "excluded tables are left out).\n";
    return { source, warnings: [] };
  }
  return core.pullSource(schema, o.dialect!, o);
}

/**
 * A Mermaid ER diagram of models (or tables): columns, keys, and the relationships their
 * foreign keys make.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, table } from "@retort/orm";
 * import { diagram } from "@retort/orm/migrate";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id),
 * });
 * assert.match(diagram([users, posts]), /users \|\|--o\{ posts : "author_id"/);
 * ```
 */
export function diagram(models: readonly TableLike[]): string {
  return core.diagram(models);
}

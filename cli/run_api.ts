/**
 * The migration runner, as the library exposes it: up (with an optional rehearsal first),
 * down, status and check, with the engine's migration dialect found for the caller.
 *
 * @module
 */
import { createEngine, type Engine, InvalidRequestError } from "../mod.ts";
import * as core from "../core/migrate/mod.ts";
import { withDialect } from "./dialects.ts";

/**
 * Options of {@linkcode up} here: those of the runner, and `check` to rehearse first.
 *
 * @example
 * ```ts
 * import { memorySource, type UpWithCheck } from "@retort/orm/migrate";
 * const options: UpWithCheck = { migrations: memorySource([]), check: true };
 * ```
 */
export interface UpWithCheck extends core.UpOptions {
  /**
   * Rehearse the pending migrations on a copy first, and apply them only when the rehearsal
   * found no lost row and no broken constraint.
   */
  check?: boolean;
}

/**
 * Applies the pending migrations (up to `target`), each in its own transaction, under a lock
 * that keeps two runs from applying one migration twice. With `check: true`, rehearses them
 * on a copy first and refuses (changing nothing) when the rehearsal finds a problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * import { memorySource, up } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * const migrations = memorySource([{
 *   id: "20261201T1530_notes",
 *   migration: {
 *     parent: null,
 *     up: ({ op }) => [op.createTable({
 *       name: "notes",
 *       columns: [{ name: "id", type: "INTEGER", nullable: false, generated: "identity" }],
 *       primaryKey: { columns: ["id"] },
 *     })],
 *     down: ({ op }) => [op.dropTable("notes")],
 *   },
 * }]);
 * assert.deepEqual((await up(engine, { migrations, check: true })).applied, [
 *   "20261201T1530_notes",
 * ]);
 * assert.equal(await engine.scalar(sql`SELECT count(*) FROM notes`), 0);
 * ```
 */
export async function up(engine: Engine, options: UpWithCheck): Promise<core.RunResult> {
  const o = await withDialect(engine, options);
  if (o.check) {
    const report = await check(engine, o);
    // A failed rehearsal's report is the error's message: printed once, not twice.
    if (report.ok) o.progress?.(report.text);
    else {
      throw new InvalidRequestError(
        `The rehearsal found a problem, so nothing was applied.\n${report.text}`,
      );
    }
  }
  return await core.up(engine, o);
}

/**
 * Reverts the last `steps` applied migrations (1 by default), the last first, each in its
 * own transaction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine } from "@retort/orm";
 * import { down, memorySource, up } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * const migrations = memorySource([{
 *   id: "20261201T1530_tags",
 *   migration: {
 *     parent: null,
 *     up: ({ op }) => [op.createTable({
 *       name: "tags",
 *       columns: [{ name: "name", type: "TEXT", nullable: false }],
 *     })],
 *     down: ({ op }) => [op.dropTable("tags")],
 *   },
 * }]);
 * await up(engine, { migrations });
 * assert.deepEqual((await down(engine, { migrations })).applied, ["20261201T1530_tags"]);
 * ```
 */
export async function down(engine: Engine, options: core.DownOptions): Promise<core.RunResult> {
  return await core.down(engine, await withDialect(engine, options));
}

/**
 * Which migrations are applied, pending, edited since applied, or applied without a file;
 * reads only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine } from "@retort/orm";
 * import { memorySource, status } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * const migrations = memorySource([
 *   { id: "20261201T1530_init", migration: { parent: null, up: () => [] } },
 * ]);
 * const report = await status(engine, { migrations });
 * assert.deepEqual(report.pending, ["20261201T1530_init"]);
 * ```
 */
export async function status(
  engine: Engine,
  options: core.MigrateOptions,
): Promise<core.StatusReport> {
  return await core.status(engine, options);
}

/**
 * Rehearses the pending migrations on a copy of the database (SQLite: a `VACUUM INTO` copy;
 * PostgreSQL: a transaction that is rolled back), reporting per table the rows before and
 * after, undeclared losses, and constraint violations. With `models`, reports drift between
 * the models and the copy afterwards. The real database is not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * import { check, memorySource } from "@retort/orm/migrate";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE sessions (id INTEGER PRIMARY KEY)`);
 * await engine.run(sql`INSERT INTO sessions DEFAULT VALUES`);
 * const migrations = memorySource([{
 *   id: "20261201T1530_purge",
 *   migration: { parent: null, up: ({ op }) => [op.sql`DELETE FROM sessions`] },
 * }]);
 * const report = await check(engine, { migrations });
 * assert.equal(report.ok, false); // it loses a row it did not declare
 * assert.equal(await engine.scalar(sql`SELECT count(*) FROM sessions`), 1);
 * ```
 */
export async function check(
  engine: Engine,
  options: core.RehearseOptions,
): Promise<core.RehearsalReport> {
  const o = await withDialect(engine, options);
  return await core.rehearse(engine, { ...o, open: o.open ?? ((url) => createEngine(url)) });
}

/**
 * Retort's migrations: reflect a database, diff it with the models, write migration files,
 * apply and revert them under a lock with a version table, rehearse them on a copy first,
 * and report drift. The same functions back the `retort` CLI.
 *
 * - {@linkcode generate} writes `migrations/20261201T1530_add_email.ts`, whose `up` and
 *   `down` are lists of operations (`op.addColumn(...)`, `op.sql\`...\``, `op.run(...)`).
 * - {@linkcode up}, {@linkcode down} and {@linkcode status} apply, revert and report, each
 *   migration in a transaction of its own; {@linkcode check} rehearses the pending ones on a
 *   copy and reports row counts and constraint violations per table.
 * - {@linkcode checkSchema} compares models and database at startup; {@linkcode push} applies
 *   the difference directly (for development); {@linkcode pull} writes Model classes for a
 *   database; {@linkcode diagram} draws the models as a Mermaid ER diagram.
 *
 * SQLite tables are changed in place where ALTER TABLE can, and rebuilt by SQLite's
 * documented procedure where it cannot, copying only the columns both sides have, with
 * foreign keys off (and checked off) for that migration alone.
 *
 * @example A model change, migrated
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, sql } from "@retort/orm";
 * import * as migrate from "@retort/orm/migrate";
 *
 * class User extends Model("users", {
 *   id: column.integer().primaryKey(),
 *   name: column.text(),
 * }) {}
 *
 * await using engine = createEngine("sqlite::memory:");
 * const migrations = migrate.memorySource([]);
 * const first = await migrate.generate(engine, [User], { name: "init", migrations });
 * assert.deepEqual(first.changes.map((c) => c.op.kind), ["createTable"]);
 * assert.match(migrations.written.get(first.id!)!, /op\.createTable/);
 * ```
 *
 * @module
 */
import { createEngine, type Engine, InvalidRequestError, type TableLike } from "./mod.ts";
import * as core from "./core/migrate/mod.ts";
import { migrationDialectFor } from "./cli/dialects.ts";

export { migrationDialectFor } from "./cli/dialects.ts";
export { directorySource } from "./cli/files.ts";
export type {
  AddColumn,
  AlterColumn,
  AppliedMigration,
  Change,
  CheckSnapshot,
  ColumnChanges,
  ColumnSnapshot,
  CompareOptions,
  ConstraintOperation,
  CreateIndex,
  CreateTable,
  DataStep,
  DialectOption,
  DiffOptions,
  DownOptions,
  DropColumn,
  DropIndex,
  DropTable,
  ForeignKeySnapshot,
  Generated,
  GenerateOptions,
  GenerateResult,
  History,
  IndexSnapshot,
  LoadedMigration,
  MigrateOptions,
  Migration,
  MigrationDialect,
  MigrationFile,
  MigrationSession,
  MigrationSource,
  MigrationState,
  MigrationText,
  MigrationTools,
  OpenEngine,
  Operation,
  Ops,
  PrimaryKeySnapshot,
  Progress,
  PullResult,
  PushOptions,
  ReflectOptions,
  Rehearsal,
  RehearsalReport,
  RehearsedMigration,
  RehearseOptions,
  RenameCandidate,
  RenameColumn,
  Renames,
  RenameTable,
  RunResult,
  SchemaDrift,
  SchemaOperation,
  SchemaSnapshot,
  SetPrimaryKey,
  SqlStep,
  StatusReport,
  StepOptions,
  TableCount,
  TableInput,
  TableRef,
  TableSnapshot,
  UniqueSnapshot,
  UpOptions,
} from "./core/migrate/mod.ts";
export {
  applyToSchema,
  applyToTable,
  checksum,
  cloneTable,
  closingParen,
  describeOperation,
  diffSchemas,
  findTable,
  invertRenames,
  isSchemaOperation,
  loadHistory,
  memorySource,
  MigrationError,
  migrationText,
  normalizeSql,
  op,
  operationTable,
  renameCandidates,
  renameIdentifier,
  sortSchema,
  sortSnapshots,
  splitTopLevel,
  stringList,
  tableKey,
  tablesSnapshot,
} from "./core/migrate/mod.ts";

async function withDialect<O extends core.DialectOption>(engine: Engine, options: O): Promise<O> {
  return options.dialect ? options : { ...options, dialect: await migrationDialectFor(engine) };
}

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
    o.progress?.(report.text);
    if (!report.ok) {
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

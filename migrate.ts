/**
 * Retort's migrations: reflect a database, diff it with the models, write migration files,
 * apply and revert them under a lock with a version table, rehearse them on a copy first,
 * and report drift. The same functions back the `retort` CLI.
 *
 * - {@linkcode generate} writes `migrations/20261201T1530_add_email.ts`, whose `up` and
 *   `down` are lists of operations (`op.addColumn(...)`, `op.sql\`...\``, `op.run(...)`).
 * - {@linkcode up}, {@linkcode down} and {@linkcode status} apply, revert and report, each
 *   migration in a transaction of its own; {@linkcode check} rehearses the pending ones on a
 *   copy and reports row counts and constraint violations per table. A run waits for
 *   another's lock up to `lockTimeout` (10 minutes by default), then fails with an
 *   `OperationalError` naming the lock.
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
export { migrationDialectFor } from "./cli/dialects.ts";
export { check, down, status, up, type UpWithCheck } from "./cli/run_api.ts";
export { checkSchema, diagram, generate, pull, push, reflect, snapshot } from "./cli/schema_api.ts";
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
  OnTable,
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
  comparableSql,
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

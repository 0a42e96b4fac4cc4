/**
 * Retort's migrations, dialect-neutral: snapshots, operations as data, the diff, migration
 * files and their history, the runner, rehearsal and drift checks. The dialects implement
 * `MigrationDialect` (contract.ts); the public API (with the dialects found for you) is
 * `@retort/orm/migrate`.
 *
 * @module
 */
export * from "./snapshot.ts";
export * from "./operations.ts";
export * from "./op.ts";
export * from "./contract.ts";
export * from "./sql_text.ts";
export * from "./apply_snapshot.ts";
export * from "./from_tables.ts";
export * from "./executor.ts";
export * from "./diff.ts";
export { type Change, diffTable } from "./diff_table.ts";
export * from "./renames.ts";
export * from "./describe.ts";
export * from "./render_file.ts";
export * from "./migration.ts";
export * from "./history.ts";
export * from "./versions.ts";
export * from "./errors.ts";
export * from "./resolve.ts";
export * from "./steps.ts";
export * from "./runner.ts";
export * from "./status.ts";
export * from "./compare.ts";
export * from "./generate.ts";
export * from "./push.ts";
export * from "./rehearse.ts";
export * from "./pull.ts";
export * from "./diagram.ts";

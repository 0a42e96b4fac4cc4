/**
 * Migrations on PostgreSQL: reflection through pg_catalog, models read back as the server
 * spells them (temporary tables in a rolled-back transaction), transactional DDL, an advisory
 * lock per schema, and rehearsals in a transaction that is rolled back.
 *
 * @module
 */
import type { MigrationDialect } from "../../../core/migrate/mod.ts";
import { apply } from "./apply.ts";
import { comparable, snapshot } from "./canonical.ts";
import { reflect } from "./reflect.ts";
import { open, rehearsal } from "./session.ts";
import { columnFactory, enumCheck, narrows, pullWarning } from "./types.ts";

/** The migration side of PostgreSQL. */
export const postgresMigrations: MigrationDialect = {
  name: "postgres",
  reflect,
  snapshot,
  comparable,
  narrows,
  apply: (tx, ops, progress) => apply(tx, ops, progress),
  open: (conn, progress, lockTimeout) => open(conn, progress, lockTimeout),
  rehearsal: (engine) => rehearsal(engine),
  violations: () => Promise.resolve([]),
  columnFactory,
  pullWarning,
  enumCheck,
  isBusy: () => false,
};

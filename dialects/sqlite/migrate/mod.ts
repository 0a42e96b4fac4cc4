/**
 * Migrations on SQLite: reflection through its pragmas, ALTER TABLE where SQLite has it and
 * its documented table rebuild where it has not, foreign keys off (and verified off) only
 * for migrations that rebuild or drop tables, and rehearsals on a `VACUUM INTO` copy.
 *
 * @module
 */
import { OperationalError } from "../../../core/mod.ts";
import type { MigrationDialect } from "../../../core/migrate/mod.ts";
import { apply } from "./apply.ts";
import { reflect } from "./reflect.ts";
import { open, rehearsal, violations } from "./session.ts";
import { columnFactory, enumCheck, narrows, snapshot } from "./types.ts";

/** The migration side of SQLite. */
export const sqliteMigrations: MigrationDialect = {
  name: "sqlite",
  reflect,
  snapshot,
  narrows,
  apply: (tx, ops, progress) => apply(tx, ops, progress),
  open: (conn, _progress, lockTimeout) => open(conn, lockTimeout),
  rehearsal,
  violations,
  columnFactory,
  enumCheck,
  isBusy: (error) =>
    error instanceof OperationalError && /^SQLITE_(BUSY|LOCKED)/.test(String(error.code)),
};

/**
 * SQLite's errors in Retort's taxonomy: constraint failures are IntegrityErrors, a busy or
 * locked database an OperationalError, bad SQL a ProgrammingError.
 *
 * @module
 */
import {
  type DatabaseError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";

const CONSTRAINT = /^(UNIQUE|FOREIGN KEY|NOT NULL|CHECK|PRIMARY KEY) constraint failed/i;
const PROGRAMMING =
  /no such (table|column|function|index|savepoint)|syntax error|already exists|has no column|incomplete input|wrong number of arguments|unrecognized token|bind|ambiguous column|misuse/i;
const OPERATIONAL = /database is locked|database table is locked|busy|readonly|disk|full|I\/O/i;

/**
 * Turns a SQLite client's error into Retort's taxonomy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { translateSqliteError } from "@retort/orm/sqlite";
 * const e = translateSqliteError(new Error("UNIQUE constraint failed: t.x"), "INSERT", [], false);
 * assert(e.name === "IntegrityError" && e.code === "SQLITE_CONSTRAINT_UNIQUE");
 * ```
 */
export function translateSqliteError(
  error: unknown,
  text: string,
  params: readonly unknown[],
  hideParameters: boolean,
): DatabaseError {
  const message = error instanceof Error ? error.message : String(error);
  const errcode = (error as { errcode?: number }).errcode;
  const base = { cause: error, sql: text, params: hideParameters ? undefined : params };
  const constraint = CONSTRAINT.exec(message);
  if (constraint) {
    const kind = constraint[1].toUpperCase().replace(" ", "");
    const code = kind === "FOREIGNKEY"
      ? "SQLITE_CONSTRAINT_FOREIGNKEY"
      : `SQLITE_CONSTRAINT_${
        kind === "NOTNULL" ? "NOTNULL" : kind === "PRIMARYKEY" ? "PRIMARYKEY" : kind
      }`;
    return new IntegrityError(message, { ...base, code });
  }
  if (/datatype mismatch/i.test(message)) {
    return new IntegrityError(message, { ...base, code: "SQLITE_MISMATCH" });
  }
  if (OPERATIONAL.test(message)) {
    const code = /locked|busy/i.test(message)
      ? "SQLITE_BUSY"
      : /readonly/i.test(message)
      ? "SQLITE_READONLY"
      : "SQLITE_IOERR";
    return new OperationalError(message, { ...base, code });
  }
  if (PROGRAMMING.test(message) || error instanceof RangeError) {
    return new ProgrammingError(message, { ...base, code: "SQLITE_ERROR" });
  }
  return new OperationalError(message, {
    ...base,
    code: errcode === undefined ? "SQLITE_ERROR" : `SQLITE_${errcode}`,
  });
}

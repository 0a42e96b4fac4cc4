/**
 * SQLite's errors in Retort's taxonomy: constraint failures are IntegrityErrors, a busy or
 * locked database an OperationalError, bad SQL a ProgrammingError, a value out of range or
 * malformed (integer overflow, bad JSON) a DataError, as on PostgreSQL.
 *
 * @module
 */
import {
  type DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";
import { redactor } from "../../core/util/redact.ts";

const CONSTRAINT = /^(UNIQUE|FOREIGN KEY|NOT NULL|CHECK|PRIMARY KEY) constraint failed/i;
const PROGRAMMING =
  /no such (table|column|function|index|savepoint)|syntax error|already exists|has no column|incomplete input|wrong number of arguments|unrecognized token|bind|ambiguous column|misuse/i;
const OPERATIONAL = /database is locked|database table is locked|busy|readonly|disk|full|I\/O/i;
/** A value the statement cannot take or make (PostgreSQL's class 22). */
const DATA = /integer overflow|malformed JSON|too large to bind|too big|cannot be represented/i;

/**
 * The message and cause an error keeps when parameters are hidden: SQLite's messages seldom
 * hold a value, but one that does (a function's error, say) has it replaced by `[hidden]`,
 * and its cause is then a copy that holds the same message.
 */
function hidden(error: unknown, message: string, params: readonly unknown[]) {
  const text = redactor(params)(message);
  if (text === message) return { message, cause: error };
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    errcode?: unknown;
    errstr?: unknown;
    name?: unknown;
  };
  const cause = Object.assign(new Error(text), {
    name: typeof e.name === "string" ? e.name : "Error",
    code: e.code,
    errcode: e.errcode,
    errstr: e.errstr,
  });
  return { message: text, cause };
}

/**
 * Turns a SQLite client's error into Retort's taxonomy. With `hideParameters`, no parameter's
 * value is left in the message or the cause.
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
  let message = error instanceof Error ? error.message : String(error);
  let cause = error;
  if (hideParameters && params.length > 0) ({ message, cause } = hidden(error, message, params));
  const errcode = (error as { errcode?: number }).errcode;
  const base = { cause, sql: text, params: hideParameters ? undefined : params };

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
  if (DATA.test(message)) return new DataError(message, { ...base, code: "SQLITE_ERROR" });
  if (PROGRAMMING.test(message) || error instanceof RangeError) {
    return new ProgrammingError(message, { ...base, code: "SQLITE_ERROR" });
  }
  return new OperationalError(message, {
    ...base,
    code: errcode === undefined || errcode === 1 ? "SQLITE_ERROR" : `SQLITE_${errcode}`,
  });
}

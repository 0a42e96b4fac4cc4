/**
 * PostgreSQL's errors in Retort's taxonomy, by SQLSTATE class, and the errors that mean a
 * connection is gone.
 *
 * @module
 */
import { SEVERAL_STATEMENTS } from "../../core/util/sql_text.ts";
import {
  DatabaseError,
  DataError,
  IntegrityError,
  InvalidRequestError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";
import { redactor } from "../../core/util/redact.ts";
import { holdsSeveral } from "./statements.ts";

const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);
/** Errors of reaching the server at all: operational, like a lost connection. */
const UNREACHABLE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** The fields of a PostgreSQL error that name things, never values. */
const NAMING_FIELDS = [
  "code",
  "severity",
  "severity_local",
  "position",
  "internal_position",
  "schema_name",
  "table_name",
  "column_name",
  "data_type_name",
  "constraint_name",
  "file",
  "line",
  "routine",
] as const;

/**
 * The message and cause an error keeps when parameters are hidden. PostgreSQL echoes values it
 * refuses, in the message (`invalid input syntax for type integer: "secret"`), the detail
 * (`Key (name)=(secret) already exists.`) and the context; postgres.js keeps the parameters on
 * its error. So the message has each parameter's text replaced by `[hidden]`, and the cause
 * is a copy that holds that message, the hint likewise, and the fields that name things
 * (code, constraint, table, column, routine...), without the detail, the context, the query
 * or the parameters.
 */
function hidden(error: unknown, message: string, params: readonly unknown[]) {
  const redact = redactor(params);
  const text = redact(message);
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const cause = new Error(text);
  const fields = cause as unknown as Record<string, unknown>;
  if (typeof e.name === "string") cause.name = e.name;
  for (const k of NAMING_FIELDS) if (e[k] !== undefined) fields[k] = e[k];
  if (typeof e.hint === "string") fields.hint = redact(e.hint);
  return { message: text, cause };
}

/** What a statement of several statements fails with. */
const SEVERAL = SEVERAL_STATEMENTS;

/**
 * Whether the server refused a text for holding several statements: in the extended protocol
 * (PGlite's, and the postgres.js driver's for any text with a semicolon) PostgreSQL parses each
 * text as one statement, and refuses one
 * that holds more with a syntax error of no position (`cannot insert multiple commands into a
 * prepared statement`, in the server's language), before running any of them.
 */
function severalStatements(error: unknown, code: string, text: string): boolean {
  if (code !== "42601") return false;
  const e = (error ?? {}) as { message?: unknown; position?: unknown };
  if (String(e.message).startsWith("cannot insert multiple commands")) return true;
  return (e.position === undefined || e.position === "") && holdsSeveral(text);
}

/**
 * Turns a postgres.js error into Retort's taxonomy, by SQLSTATE class. With `hideParameters`,
 * no parameter's value is left in the message or the cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { translatePostgresError } from "@retort/orm/postgres";
 * const driverError = Object.assign(new Error("duplicate key"), { code: "23505" });
 * const e = translatePostgresError(driverError, "INSERT", [], false);
 * assert(e.name === "IntegrityError" && e.code === "23505");
 * ```
 */
export function translatePostgresError(
  error: unknown,
  text: string,
  params: readonly unknown[],
  hideParameters: boolean,
): DatabaseError {
  if (error instanceof DatabaseError) return error;
  let message = error instanceof Error ? error.message : String(error);
  let cause = error;
  if (hideParameters && params.length > 0) ({ message, cause } = hidden(error, message, params));
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (severalStatements(error, code, text)) message = SEVERAL;
  const options = { cause, sql: text, params: hideParameters ? undefined : params, code };
  if (CONNECTION_CODES.has(code) || UNREACHABLE_CODES.has(code)) {
    return new OperationalError(message, options);
  }
  switch (code.slice(0, 2)) {
    case "23":
      return new IntegrityError(message, options);
    case "22":
      return new DataError(message, options);
    case "42":
    case "26":
    case "34":
    case "3F":
      return new ProgrammingError(message, options);
    case "3D": // invalid catalog name: the database does not exist
    case "08":
    case "28": // invalid authorization: an unknown role, a wrong password
    case "40":
    case "53":
    case "55": // lock_not_available (55P03): a NOWAIT lock on a row another transaction holds
    case "57":
    case "58":
    case "25":
      return new OperationalError(message, options);
  }
  return new DatabaseError(message, options);
}

/** Whether an error means the connection is gone: the socket closed, or the server ended it. */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" &&
    (CONNECTION_CODES.has(code) || code.startsWith("08") || code.startsWith("57P0"));
}

/**
 * The COMMIT of a transaction a failed statement aborted: PostgreSQL answers it with ROLLBACK,
 * and nothing of the transaction was written, which the caller must hear of.
 */
export function abortedCommit(): InvalidRequestError {
  return new InvalidRequestError(
    "The transaction was rolled back, not committed: a statement in it failed, and " +
      "PostgreSQL ends such a transaction with ROLLBACK. To go on after a statement that may " +
      "fail, run it in a savepoint (tx.begin()), whose rollback keeps the rest.",
  );
}

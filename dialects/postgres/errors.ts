/**
 * PostgreSQL's errors in Retort's taxonomy, by SQLSTATE class, and the errors that mean a
 * connection is gone.
 *
 * @module
 */
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";

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

/**
 * Turns a postgres.js error into Retort's taxonomy, by SQLSTATE class.
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
  const message = error instanceof Error ? error.message : String(error);
  const code = String((error as { code?: unknown }).code ?? "");
  const options = { cause: error, sql: text, params: hideParameters ? undefined : params, code };
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
    case "3D":
    case "3F":
      return new ProgrammingError(message, options);
    case "08":
    case "28": // invalid authorization: an unknown role, a wrong password
    case "40":
    case "53":
    case "55":
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

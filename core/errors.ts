/**
 * Retort's error taxonomy, the same over every dialect.
 *
 * Errors raised by the database (`DatabaseError` and its subclasses) carry the SQL text, the
 * bound parameters (unless hidden), and the driver's own error and code. Errors raised before
 * anything is sent (`ArgumentError`, `InvalidRequestError`) name the mistake and the fix.
 *
 * @module
 */

/**
 * Options shared by every Retort error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RetortError, type RetortErrorOptions } from "@retort/orm";
 * const options: RetortErrorOptions = { cause: new Error("driver") };
 * assert(new RetortError("failed", options).cause === options.cause);
 * ```
 */
export interface RetortErrorOptions {
  /** The error that caused this one, such as the driver's own error. */
  cause?: unknown;
}

/**
 * The base class of every error Retort raises.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RetortError, sql } from "@retort/orm";
 * try {
 *   sql`SELECT ${undefined}`;
 * } catch (e) {
 *   assert(e instanceof RetortError);
 * }
 * ```
 */
export class RetortError extends Error {
  /** Builds an error with a message and an optional cause. */
  constructor(message: string, options?: RetortErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Bad input caught before anything is sent: an untagged `sql` call, an `undefined` value, a
 * value a column cannot hold, an unknown column name, an invalid URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArgumentError, sql } from "@retort/orm";
 * try {
 *   sql`SELECT ${() => 1}`;
 * } catch (e) {
 *   assert(e instanceof ArgumentError);
 * }
 * ```
 */
export class ArgumentError extends RetortError {}

/**
 * A value a validator of a mapped class refused, at assignment or in the constructor. It names
 * the class, the attribute and (unless parameters are hidden) the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArgumentError, ValidationError } from "@retort/orm";
 * const e = new ValidationError("User.email must contain @, got the string \"x\".");
 * assert(e instanceof ArgumentError && e.name === "ValidationError");
 * ```
 */
export class ValidationError extends ArgumentError {}

/**
 * An operation asked of an object in a state that cannot do it: a closed engine, a committed
 * transaction, a session used by two tasks at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, InvalidRequestError, sql } from "@retort/orm";
 * const engine = createEngine("sqlite::memory:");
 * await engine.all(sql`SELECT 1`);
 * await engine.dispose();
 * try {
 *   await engine.all(sql`SELECT 1`);
 * } catch (e) {
 *   assert(e instanceof InvalidRequestError);
 * }
 * ```
 */
export class InvalidRequestError extends RetortError {}

/**
 * What a database error carries besides its message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseError, type DatabaseErrorOptions } from "@retort/orm";
 * const options: DatabaseErrorOptions = { sql: "SELECT ?", params: [1], code: "SQLITE_ERROR" };
 * assert(new DatabaseError("failed", options).code === "SQLITE_ERROR");
 * ```
 */
export interface DatabaseErrorOptions extends RetortErrorOptions {
  /** The SQL text that failed. */
  sql?: string;
  /** The bound parameters, unless the engine hides them. */
  params?: readonly unknown[];
  /** The driver's code: a SQLSTATE on PostgreSQL, a result code name on SQLite. */
  code?: string;
}

/**
 * An error reported by the database while running a statement. Subclasses tell the kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, DatabaseError, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * try {
 *   await engine.run(sql`SELECT * FROM missing_table`);
 * } catch (e) {
 *   assert(e instanceof DatabaseError && e.sql!.includes("missing_table"));
 * }
 * ```
 */
export class DatabaseError extends RetortError {
  /** The SQL text that failed. */
  readonly sql?: string;
  /** The bound parameters, or `undefined` when the engine hides them. */
  readonly params?: readonly unknown[];
  /** The driver's code: a SQLSTATE on PostgreSQL, a result code name on SQLite. */
  readonly code?: string;

  /** Builds a database error from the driver's error and the statement. */
  constructor(message: string, options: DatabaseErrorOptions = {}) {
    super(message, options);
    this.sql = options.sql;
    this.params = options.params;
    this.code = options.code;
  }
}

/**
 * A constraint was violated: unique, primary key, foreign key, not null or check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, IntegrityError, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * await engine.run(sql`CREATE TABLE t (x INTEGER UNIQUE)`);
 * await engine.run(sql`INSERT INTO t VALUES (${1})`);
 * try {
 *   await engine.run(sql`INSERT INTO t VALUES (${1})`);
 * } catch (e) {
 *   assert(e instanceof IntegrityError);
 * }
 * ```
 */
export class IntegrityError extends DatabaseError {}

/**
 * The database could not do the operation for reasons outside the statement: a lost
 * connection, a lock or busy timeout, a serialization failure, a read-only database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperationalError } from "@retort/orm";
 * assert(new OperationalError("database is locked").name === "OperationalError");
 * ```
 */
export class OperationalError extends DatabaseError {}

/**
 * The statement is wrong: a syntax error, a missing table or column, a wrong number of
 * parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, ProgrammingError, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * try {
 *   await engine.all(sql`SELEKT 1`);
 * } catch (e) {
 *   assert(e instanceof ProgrammingError);
 * }
 * ```
 */
export class ProgrammingError extends DatabaseError {}

/**
 * A value the database refused: out of range, not valid for its type, division by zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataError } from "@retort/orm";
 * assert(new DataError("invalid input syntax").name === "DataError");
 * ```
 */
export class DataError extends DatabaseError {}

/**
 * `one()` found no row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, NoResultFound, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * try {
 *   await engine.one(sql`SELECT 1 WHERE 1 = 0`);
 * } catch (e) {
 *   assert(e instanceof NoResultFound);
 * }
 * ```
 */
export class NoResultFound extends RetortError {}

/**
 * `one()` or `oneOrNull()` found more than one row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, MultipleResultsFound, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * try {
 *   await engine.one(sql`SELECT 1 UNION ALL SELECT 2`);
 * } catch (e) {
 *   assert(e instanceof MultipleResultsFound);
 * }
 * ```
 */
export class MultipleResultsFound extends RetortError {}

/**
 * A relationship was read before it was loaded. Load it with `selectin(...)` in the query's
 * options or with `await session.load(obj, "name")`; Retort never queries on property access.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotLoadedError } from "@retort/orm";
 * assert(new NotLoadedError("User.posts is not loaded").name === "NotLoadedError");
 * ```
 */
export class NotLoadedError extends RetortError {}

/**
 * A flush failed and rolled the transaction back; the session refuses further work until
 * `rollback()` is called.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PendingRollbackError } from "@retort/orm";
 * assert(new PendingRollbackError("call rollback()").name === "PendingRollbackError");
 * ```
 */
export class PendingRollbackError extends RetortError {}

/**
 * An UPDATE or DELETE of a versioned (or expected) row matched no row: another transaction
 * changed or deleted it first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StaleDataError } from "@retort/orm";
 * assert(new StaleDataError("row changed").name === "StaleDataError");
 * ```
 */
export class StaleDataError extends RetortError {}

/**
 * Migration errors: a migration that failed, naming the migration, the step and what to do;
 * the database's own error is its cause. A run that waited too long for the lock another run
 * holds is no migration's fault: it fails with an OperationalError saying so.
 *
 * @module
 */
import { ArgumentError, type DatabaseErrorOptions, OperationalError, RetortError } from "../mod.ts";

/**
 * A migration failed and was rolled back: nothing of it was applied. `cause` is the error
 * the database (or a data step) raised.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MigrationError } from "@retort/orm/migrate";
 * const e = new MigrationError("20261201T1530_add_email", 2, "add column users.email", new Error("x"));
 * assert.match(e.message, /20261201T1530_add_email failed at step 2/);
 * ```
 */
export class MigrationError extends RetortError {
  /** The migration's id. */
  readonly migration: string;
  /** The step (1-based) that failed, or 0 when it failed before or after its steps. */
  readonly step: number;

  /** Builds the error from the migration, the step, what the step did and the cause. */
  constructor(migration: string, step: number, what: string, cause: unknown) {
    const why = (cause as Error)?.message ?? String(cause);
    super(
      `Migration ${migration} failed ${step > 0 ? `at step ${step} ` : ""}(${what}): ${why} ` +
        "It was rolled back; " +
        "nothing of it was applied. Fix the migration (or the data it needs) and run it again.",
      { cause },
    );
    this.migration = migration;
    this.step = step;
  }
}

/** How long a run waits for another run's lock by default, in milliseconds: 10 minutes. */
export const LOCK_TIMEOUT = 600_000;

/** `lockTimeout` checked: a number of milliseconds, at least 0 (0: do not wait). */
export function lockTimeoutOf(value: number | undefined): number {
  if (value === undefined) return LOCK_TIMEOUT;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new ArgumentError(
      `lockTimeout is how long to wait for another migration run, in milliseconds (0 or ` +
        `more; 10 minutes when left out); got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * The error of a run that gave up waiting for `lock` after `ms` milliseconds (its
 * `lockTimeout`): an OperationalError that names the lock, the wait and what to do. The run
 * applies nothing more once it is raised.
 */
export function lockTimeoutError(
  lock: string,
  ms: number,
  options: DatabaseErrorOptions = {},
): OperationalError {
  return new OperationalError(
    `Gave up after ${ms} ms (lockTimeout) waiting for ${lock}: another migration run, or ` +
      "another connection, still holds it. The run stopped there, applying nothing more " +
      "(status shows what is pending). Let the other run finish and run again; end the " +
      "session holding the lock if it is stuck; or wait longer with a larger lockTimeout.",
    options,
  );
}

/**
 * Migration errors: a migration that failed, naming the migration, the step and what to do;
 * the database's own error is its cause.
 *
 * @module
 */
import { RetortError } from "../mod.ts";

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

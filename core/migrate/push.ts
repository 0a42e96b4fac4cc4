/**
 * `push`, for development: make the database match the models at once, without migration
 * files, in one transaction under the migration lock. Destructive changes are refused
 * unless forced.
 *
 * @module
 */
import { type Engine, InvalidRequestError, type TableLike } from "../mod.ts";
import { assess, type CompareOptions, modelDiff } from "./compare.ts";
import type { Progress } from "./contract.ts";
import { describeOperation } from "./describe.ts";
import type { Change } from "./diff_table.ts";
import { lockTimeoutOf } from "./errors.ts";
import { migrationDialect } from "./resolve.ts";
import { runOperations } from "./steps.ts";

/**
 * Options of `push`.
 *
 * @example
 * ```ts
 * import type { PushOptions } from "@retort/orm/migrate";
 * const options: PushOptions = { force: false, progress: console.log };
 * ```
 */
export interface PushOptions extends CompareOptions {
  /** Apply destructive changes too (dropped tables and columns, narrowed types...). */
  force?: boolean;
  /** Where progress lines go. */
  progress?: Progress;
  /**
   * How long to wait for a migration run's lock, in milliseconds (0: do not wait); 10
   * minutes by default. Past it push fails with an OperationalError and changes nothing.
   */
  lockTimeout?: number;
}

/** Applies the difference between the models and the database directly. */
export async function push(
  engine: Engine,
  models: readonly TableLike[],
  options: PushOptions = {},
): Promise<Change[]> {
  const dialect = await migrationDialect(engine, options);
  await using conn = await engine.connect();
  const session = await dialect.open(conn, options.progress, lockTimeoutOf(options.lockTimeout));
  try {
    const { changes } = await modelDiff(session.db, dialect, models, options);
    const assessed = await assess(session.db, changes);
    const destructive = assessed.filter((c) => c.destructive);
    if (destructive.length > 0 && !options.force) {
      throw new InvalidRequestError(
        "push would lose data, so it changed nothing:\n" +
          destructive.map((c) => `  - ${describeOperation(c.op)}: ${c.destructive}`).join("\n") +
          "\nSay which tables or columns were renamed (--rename old=new), or pass --force " +
          "(force: true) to apply it anyway.",
      );
    }
    if (assessed.length === 0) {
      options.progress?.("The database matches the models: nothing to push.");
      return [];
    }
    const ops = assessed.map((c) => c.op);
    await session.transaction(
      ops,
      (tx) => runOperations(tx, dialect, ops, "push", options.progress),
    );
    return assessed;
  } finally {
    await session.close();
  }
}

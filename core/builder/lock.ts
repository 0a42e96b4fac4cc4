/**
 * Row locks on a select: `FOR UPDATE` and `FOR SHARE`, with `OF tables`, `NOWAIT` or
 * `SKIP LOCKED`, rendered by the dialect (`Dialect.rowLock`).
 *
 * @module
 */
import { DialectSql, type RowLock } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import { EMPTY, Fragment, Identifier } from "../sql/nodes.ts";
import { type EntitySelection, entitySelection, type TableLike, tableOf } from "../statement.ts";
import { Table } from "../schema/table.ts";
import type { Join } from "./join.ts";

/**
 * Options of `select(...).forUpdate(...)` and `.forShare(...)`.
 *
 * @example
 * ```ts
 * import { column, type LockOptions, select, table } from "@retort/orm";
 * const jobs = table("lock_options_doc_jobs", { id: column.integer().primaryKey() });
 * const options: LockOptions = { skipLocked: true, of: jobs };
 * const q = select(jobs).forUpdate(options).limit(10);
 * ```
 */
export interface LockOptions {
  /** Fail at once (an `OperationalError`, code 55P03 on PostgreSQL) if a row is locked. */
  nowait?: boolean;
  /** Leave out the rows another transaction has locked (a job queue's claim). */
  skipLocked?: boolean;
  /** Lock only these tables' rows (`FOR UPDATE OF "jobs"`), when the select joins others. */
  of?: TableLike | readonly TableLike[];
}

/** Checks lock options and turns them into the lock a dialect renders. */
export function rowLock(mode: RowLock["mode"], options: LockOptions): RowLock {
  const what = mode === "update" ? "forUpdate" : "forShare";
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError(`${what}(...) takes { nowait?, skipLocked?, of? }.`);
  }
  const nowait = options.nowait === true;
  const skipLocked = options.skipLocked === true;
  if (nowait && skipLocked) {
    throw new ArgumentError(
      `${what}(...) takes nowait or skipLocked, not both: nowait fails on a locked row, ` +
        "skipLocked leaves it out.",
    );
  }
  const of = options.of === undefined ? [] : Array.isArray(options.of) ? options.of : [options.of];
  const ids = (of as readonly TableLike[]).map((t) => {
    const table = tableOf(t);
    return new Identifier([table.alias ?? table.name]);
  });
  return { mode, of: ids, nowait, skipLocked };
}

/**
 * The lock of a select of an entity whose selection LEFT JOINs tables (a joined hierarchy's
 * subclasses): with no `of`, PostgreSQL refuses to lock the nullable side of an outer join,
 * so the lock names the tables read in FROM and by inner joins, which hold every row.
 */
function entityLock(
  lock: RowLock,
  at: { readonly entity: unknown; readonly joins: readonly Join[] },
  from: readonly unknown[],
): RowLock {
  if (lock.of.length > 0) return lock;
  const shape = (at.entity as { [entitySelection]?: EntitySelection } | undefined)
    ?.[entitySelection];
  if (shape === undefined || !shape.joins.some((j) => j.kind === "LEFT JOIN")) return lock;
  const inner = [...from, ...at.joins.filter((j) => j.kind === "JOIN").map((j) => j.target)];
  const of = inner.filter((t): t is Table => t instanceof Table)
    .map((t) => new Identifier([t.alias ?? t.name]));
  return { ...lock, of };
}

/**
 * The lock clause as the dialect spells it, with its leading space, or nothing; `at` and
 * `from` are the select's (see `entityLock`).
 */
export function lockClause(
  given: RowLock,
  at: { readonly entity: unknown; readonly joins: readonly Join[] },
  from: readonly unknown[],
): DialectSql {
  const lock = entityLock(given, at, from);
  return new DialectSql((d) => {
    const f = d.rowLock(lock);
    return f === null ? EMPTY : new Fragment([" ", ""], [f]);
  });
}

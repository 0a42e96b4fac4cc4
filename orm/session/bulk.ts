/**
 * ORM bulk writes: `session.execute(update(User).where(...).set(...))` and
 * `session.execute(delete(User).where(...))` keep the objects the session already holds in
 * sync, as SQLAlchemy's `synchronize_session`. Which held objects the statement matched is
 * found by evaluating its WHERE in memory when it can be (`"evaluate"`, see `evaluate.ts`),
 * else by reading the keys of the rows it matches with the same WHERE, before it runs, in
 * the same transaction (`"fetch"`); both only when the session holds objects of that table.
 * After the statement, those objects get the new values (SET values that are plain values:
 * the value wins over an unflushed change of the same column), have the column expired (SET
 * values that are SQL expressions, or columns with an `onUpdate`), have their read-only
 * columns of the table expired (expressions and generated columns, which the database computes
 * from the row), or, for a delete, are marked deleted and leave the identity map, as a flushed
 * delete leaves it.
 *
 * @module
 */
import { Delete } from "../../core/builder/delete.ts";
import { select } from "../../core/builder/select.ts";
import { Update } from "../../core/builder/update.ts";
import type { QueryResult } from "../../core/driver.ts";
import { ArgumentError } from "../../core/errors.ts";
import type { Table } from "../../core/schema/table.ts";
import { Param, type SqlSource } from "../../core/sql/nodes.ts";
import { EXPIRED, isUnloaded } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import type { SessionCore } from "./core.ts";
import { evaluateMatches, evaluator } from "./evaluate.ts";
import { keyOf } from "./query.ts";
import { subclassTableOf, tablesOf } from "../mapping/joined_tables.ts";

/**
 * Options of `session.execute`.
 *
 * @example
 * ```ts
 * import type { ExecuteOptions } from "@retort/orm";
 * const options: ExecuteOptions = { synchronize: "fetch" };
 * ```
 */
export interface ExecuteOptions {
  /**
   * How a bulk `update(Model)` or `delete(Model)` finds the objects of the session it
   * changed: `"evaluate"` evaluates its WHERE against them in memory (an ArgumentError when
   * the WHERE cannot be evaluated), `"fetch"` reads the keys of the rows it matches first,
   * `false` leaves the session's objects as they are. By default: evaluate when the WHERE
   * can be evaluated, else fetch.
   */
  readonly synchronize?: "evaluate" | "fetch" | false;
}

/** Runs `statement` in the session's transaction, then syncs the objects it updated or deleted. */
export async function executeSynced(
  c: SessionCore,
  statement: SqlSource<unknown>,
  options: ExecuteOptions = {},
): Promise<QueryResult> {
  if (!(statement instanceof Update) && !(statement instanceof Delete)) {
    return c.tx.execute(statement, "all");
  }
  const sync = options.synchronize;
  if (sync !== undefined && sync !== false && sync !== "evaluate" && sync !== "fetch") {
    throw new ArgumentError(
      `session.execute(): synchronize is "evaluate", "fetch" or false, not ${String(sync)}.`,
    );
  }
  const held = sync === false ? [] : heldStates(c, statement.table);
  if (held.length === 0) return c.tx.execute(statement, statement.resultTypes ? "all" : "run");
  let targets: InstanceState[] | null = null;
  if (sync !== "fetch") {
    // A joined subclass's objects hold the columns of the tables above its own too.
    const tables = [...subclassTableOf(statement.table)?.parents ?? [], statement.table];
    const match = evaluator(statement.conditions, tables);
    targets = match === null ? null : evaluateMatches(match, held);
    if (targets === null && sync === "evaluate") {
      throw new ArgumentError(
        'session.execute(..., { synchronize: "evaluate" }): the WHERE cannot be evaluated ' +
          "in memory (it reads SQL other than comparisons of the table's columns with values, " +
          'or a column an object does not hold); use synchronize: "fetch".',
      );
    }
  }
  const where = statement instanceof Update ? statement.ownConditions : statement.conditions;
  targets ??= await matched(c, held[0].mapper, statement.table, where);
  // Without RETURNING the write runs for its count of rows affected.
  const result = statement.resultTypes === null
    ? { ...await c.tx.execute(statement, "run"), rows: [] }
    : await c.tx.execute(statement, "all");
  if (statement instanceof Update) {
    for (const s of targets) applyUpdate(c, s, statement);
  } else {
    for (const s of targets) applyDelete(c, s);
  }
  return result;
}

/** The session's persistent objects of `table`. */
function heldStates(c: SessionCore, table: Table): InstanceState[] {
  const out: InstanceState[] = [];
  for (const o of c.registry.objects()) {
    const s = stateOf(o)!;
    if (s.status !== "persistent") continue;
    // A joined hierarchy's objects are held by each of their tables.
    if (s.mapper.table === table || tablesOf(s.mapper).includes(table)) out.push(s);
  }
  return out;
}

/** The states in the identity map whose rows `where` matches (read before the write). */
async function matched(
  c: SessionCore,
  mapper: Mapper,
  table: Table,
  where: readonly SqlSource<unknown>[],
): Promise<InstanceState[]> {
  const record: Record<string, SqlSource<unknown>> = {};
  // The table's own key columns (a joined hierarchy's tables each have the root's keys).
  mapper.pk.forEach((i, k) => (record[`k${k}`] = table.c[mapper.keys[i]] ?? mapper.columns[i]));
  const r = await c.tx.execute(select(record).from(table).where(...where), "all");
  const out: InstanceState[] = [];
  for (const row of r.rows as Record<string, unknown>[]) {
    const key = keyOf(mapper, mapper.pk.map((_, k) => row[`k${k}`]));
    const obj = c.registry.lookup(mapper, key);
    if (obj !== undefined) out.push(stateOf(obj)!);
  }
  return out;
}

/**
 * Plain SET values become the object's values, as loaded (over an unflushed change of the
 * same column, as SQLAlchemy's); columns set by SQL are expired. Columns the object does not
 * hold stay unloaded.
 */
function applyUpdate(c: SessionCore, s: InstanceState, statement: Update): void {
  const mapper = s.mapper;
  c.touch(s);
  const set = statement.assignments;
  const values = s.values;
  const loaded = s.loaded;
  for (const [col, bound] of set) {
    const i = mapper.indexByKey.get(col.key);
    if (i === undefined || mapper.columns[i] !== col || isUnloaded(values[i])) continue;
    if (mapper.pk.includes(i)) {
      s.expired = true; // the row's identity changed: the next load of it refreshes it all
      continue;
    }
    s.flagged?.delete(i);
    if (!(bound instanceof Param)) {
      expireColumn(s, i);
      continue;
    }
    values[i] = bound.value;
    if (loaded !== null) loaded[i] = bound.value;
  }
  for (const col of statement.table.columns) {
    if (col.config.onUpdate === undefined || set.has(col)) continue;
    const i = mapper.indexByKey.get(col.key);
    if (i !== undefined && mapper.columns[i] === col) expireColumn(s, i);
    else s.expired = true;
  }
  // What the database computes from the row may have changed with it.
  for (const i of mapper.readBack) {
    if (mapper.columns[i].table === statement.table && !isUnloaded(values[i])) expireColumn(s, i);
  }
  if (s.dirty && !s.hasChanges()) {
    c.registry.dirty.delete(s);
    s.dirty = false;
  }
}

/** The database set the column by SQL: it is expired, to be read again by the next load. */
function expireColumn(s: InstanceState, i: number): void {
  s.values[i] = EXPIRED;
  if (s.loaded !== null) s.loaded[i] = EXPIRED;
  s.expired = true;
}

/** The row is gone: the object is deleted and leaves the identity map, as a flush does it. */
function applyDelete(c: SessionCore, s: InstanceState): void {
  c.touch(s);
  c.registry.forget(s);
  s.status = "deleted";
  s.wasDeleted = true;
  c.registry.removed.add(s);
}

/**
 * ORM bulk writes: `session.execute(update(User).where(...).set(...))` and
 * `session.execute(delete(User).where(...))` keep the objects the session already holds in
 * sync. Before the statement runs, the keys of the rows it matches are read with the same
 * WHERE (in the same transaction), but only when the session holds objects of that table;
 * after it, those objects get the new values (SET values that are plain values), are expired
 * (SET values that are SQL expressions, or columns with an `onUpdate`), or, for a delete, are
 * marked deleted and leave the identity map, as a flushed delete leaves it.
 *
 * @module
 */
import { Delete } from "../../core/builder/delete.ts";
import { select } from "../../core/builder/select.ts";
import { Update } from "../../core/builder/update.ts";
import type { QueryResult } from "../../core/driver.ts";
import type { Table } from "../../core/schema/table.ts";
import { Param, type SqlSource } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import type { SessionCore } from "./core.ts";
import { keyOf } from "./query.ts";
import { subclassTableOf } from "../mapping/joined_tables.ts";
import { tablesOf } from "../mapping/joined_tables.ts";
import { InvalidRequestError } from "../../core/errors.ts";

/**
 * A delete of a joined subclass's table would leave its rows in the parents' tables (rows of
 * the root's class, with the subclass's discriminator): refused, naming what does both.
 */
function refuseSubclassDelete(table: Table): void {
  const sub = subclassTableOf(table);
  if (sub === undefined) return;
  const [root] = sub.parents;
  throw new InvalidRequestError(
    `delete(${sub.name}) would delete rows of ${table.name} only, leaving their rows in ` +
      `${sub.parents.map((t) => t.name).join(", ")}. Delete the objects with ` +
      `session.delete(obj) and flush (it deletes the row from every table), or delete from ` +
      `${root.name} (delete(${sub.rootName})) with the subclass tables' keys declared ` +
      '.references(..., { onDelete: "cascade" }).',
  );
}

/** Runs `statement` in the session's transaction, then syncs the objects it updated or deleted. */
export async function executeSynced(
  c: SessionCore,
  statement: SqlSource<unknown>,
): Promise<QueryResult> {
  if (!(statement instanceof Update) && !(statement instanceof Delete)) {
    return c.tx.execute(statement, "all");
  }
  if (statement instanceof Delete) refuseSubclassDelete(statement.table);
  const mapper = heldMapper(c, statement.table);
  if (mapper === null) return c.tx.execute(statement, statement.resultTypes ? "all" : "run");
  const targets = await matched(c, mapper, statement.table, statement.conditions);
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

/** The mapper of the session's objects of `table`, or null when it holds none. */
function heldMapper(c: SessionCore, table: Table): Mapper | null {
  for (const o of c.registry.objects()) {
    const m = stateOf(o)!.mapper;
    if (m.table === table || tablesOf(m).includes(table)) return m;
  }
  return null;
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

/** Plain SET values become the object's values (as loaded); SQL ones expire it. */
function applyUpdate(c: SessionCore, s: InstanceState, statement: Update): void {
  const mapper = s.mapper;
  c.touch(s);
  const set = statement.assignments;
  for (const [col, bound] of set) {
    const i = mapper.indexByKey.get(col.key);
    if (i === undefined) continue;
    if (!(bound instanceof Param) || mapper.pk.includes(i)) {
      s.expired = true;
      continue;
    }
    // What the database now holds; an unflushed change (autoflush off) stays the value.
    if (s.loaded !== null) s.loaded[i] = bound.value;
    else s.values[i] = bound.value;
  }
  for (const col of statement.table.columns) {
    if (col.config.onUpdate !== undefined && !set.has(col)) s.expired = true;
  }
}

/** The row is gone: the object is deleted and leaves the identity map, as a flush does it. */
function applyDelete(c: SessionCore, s: InstanceState): void {
  c.touch(s);
  c.registry.forget(s);
  s.status = "deleted";
  s.wasDeleted = true;
  c.registry.removed.add(s);
}

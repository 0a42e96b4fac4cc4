/**
 * The flush's statements for classes of a joined hierarchy, which write one row per table:
 * inserts the root's table first (its generated key goes into the other tables' rows), then
 * each table down to the class's own; updates only the tables whose columns changed (the
 * root's first, where a version column is checked); deletes the class's own table first, up
 * to the root's. Each table is written by the statements of `statements.ts`, through a view
 * of the object's values in the table's column order. Classes with one table go straight
 * there.
 *
 * @module
 */
import type { EntityClass } from "../../core/statement.ts";
import { joinedOf, type TablePart } from "../mapping/joined_tables.ts";
import { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import * as one from "./statements.ts";
import type { WriteContext } from "./statements.ts";

const partMappers = new WeakMap<TablePart, Mapper>();

/** A mapper of one table of a class: the table's columns, named after the class. */
function partMapper(mapper: Mapper, part: TablePart): Mapper {
  let m = partMappers.get(part);
  if (m === undefined || m.name !== mapper.name) {
    const cls = { table: part.table, name: mapper.name } as unknown as EntityClass;
    m = new Mapper(cls, part.table.columns);
    partMappers.set(part, m);
  }
  return m;
}

/** The tables a mapper writes, or null when it has one. */
function partsOf(mapper: Mapper): readonly TablePart[] | null {
  const j = joinedOf(mapper);
  return j === undefined || j.parts.length === 1 ? null : j.parts;
}

/** A state of one table's row: the object's values (and stored values) in its columns. */
interface View {
  readonly mapper: Mapper;
  readonly values: unknown[];
  readonly stored: readonly unknown[];
}

function view(s: InstanceState, m: Mapper, part: TablePart): View {
  const stored = s.stored;
  return {
    mapper: m,
    values: part.indexes.map((i) => s.values[i]),
    stored: stored === s.values
      ? part.indexes.map((i) => s.values[i])
      : part.indexes.map((i) => stored[i]),
  };
}

/** Copies what a statement set in a view (generated keys, defaults, read-back) to the object. */
function copyBack(s: InstanceState, v: View, part: TablePart): void {
  part.indexes.forEach((i, j) => (s.values[i] = v.values[j]));
}

const asStates = (views: readonly View[]): InstanceState[] => views as unknown as InstanceState[];

/** Which of the mapper's column indexes a table holds as its own (not its key's copy). */
function localOf(mapper: Mapper, part: TablePart, indexes: readonly number[]): number[] {
  const out: number[] = [];
  for (const i of indexes) {
    if (mapper.columns[i].table !== part.table) continue;
    out.push(part.indexes.indexOf(i));
  }
  return out;
}

/** Inserts new rows: each table in turn, the root's first. */
export async function insertRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
): Promise<void> {
  const parts = partsOf(mapper);
  if (parts === null) return one.insertRows(ctx, mapper, states);
  for (const part of parts) {
    const m = partMapper(mapper, part);
    const views = states.map((s) => view(s, m, part));
    await one.insertRows(ctx, m, asStates(views));
    views.forEach((v, k) => copyBack(states[k], v, part));
  }
}

/** Updates one row: each table holding a changed column, the root's first. */
export async function updateRow(
  ctx: WriteContext,
  mapper: Mapper,
  s: InstanceState,
  changed: readonly number[],
  computed: readonly number[],
): Promise<void> {
  const parts = partsOf(mapper);
  if (parts === null) return one.updateRow(ctx, mapper, s, changed, computed);
  for (const part of parts) {
    const local = localOf(mapper, part, changed);
    if (local.length === 0) continue;
    const m = partMapper(mapper, part);
    const v = view(s, m, part);
    await one.updateRow(
      ctx,
      m,
      v as unknown as InstanceState,
      local,
      localOf(mapper, part, computed),
    );
    copyBack(s, v, part);
  }
}

/** Updates many rows changing the same columns: one statement per table that holds some. */
export async function updateRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  changed: readonly number[],
): Promise<void> {
  const parts = partsOf(mapper);
  if (parts === null) return one.updateRows(ctx, mapper, states, changed);
  for (const part of parts) {
    const local = localOf(mapper, part, changed);
    if (local.length === 0) continue;
    const m = partMapper(mapper, part);
    await one.updateRows(ctx, m, asStates(states.map((s) => view(s, m, part))), local);
  }
}

/** Deletes rows: the class's own table first, up to the root's. */
export async function deleteRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  oneByOne: boolean,
): Promise<void> {
  const parts = partsOf(mapper);
  if (parts === null) return one.deleteRows(ctx, mapper, states, oneByOne);
  for (const part of [...parts].reverse()) {
    const m = partMapper(mapper, part);
    await one.deleteRows(ctx, m, asStates(states.map((s) => view(s, m, part))), oneByOne);
  }
}

/** The second UPDATE of a row in a cycle: in each table holding one of the columns. */
export async function postUpdate(
  ctx: WriteContext,
  s: InstanceState,
  columns: readonly number[],
  value?: null,
): Promise<void> {
  const mapper = s.mapper;
  const parts = partsOf(mapper);
  if (parts === null) return one.postUpdate(ctx, s, columns, value);
  for (const part of parts) {
    const local = localOf(mapper, part, columns);
    if (local.length === 0) continue;
    const v = view(s, partMapper(mapper, part), part);
    await one.postUpdate(ctx, v as unknown as InstanceState, local, value);
  }
}

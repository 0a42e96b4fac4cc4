/**
 * The order of a flush: tables in foreign-key order (parents first), rows of a table that
 * refers to itself level by level, and deleted rows children first. A cycle of tables is
 * broken at a nullable foreign key (or one whose relationship asks for `postUpdate`): its
 * rows are written with NULL there, and the key is set by a second UPDATE.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import { CycleError, toposort } from "../../core/util/toposort.ts";
import { foreignKeysOf, onTables, tablesOf } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { relationshipsOf } from "../relationship/relationship.ts";
import type { Rule } from "./plan.ts";

/** Whether a foreign-key column may be written later by a second UPDATE. */
export function deferrable(mapper: Mapper, fk: number): boolean {
  const column = mapper.columns[fk];
  if (column.config.nullable) return true;
  for (const rel of relationshipsOf(mapper).values()) {
    if (rel.options.postUpdate && rel.direction === "manyToOne" && rel.fk === fk) return true;
  }
  return false;
}

/** A foreign key where a cycle of tables was broken: its rows' values wait for a second UPDATE. */
export interface BrokenKey {
  /** The mapper whose table holds the foreign key. */
  readonly mapper: Mapper;
  /** The foreign-key column's index. */
  readonly fk: number;
}

/**
 * Mappers in foreign-key order, parents before children, and the foreign keys at which
 * cycles were broken.
 */
export function orderMappers(mappers: readonly Mapper[]): { order: Mapper[]; broken: BrokenKey[] } {
  try {
    const { order, deferred } = toposort(mappers, (m) =>
      foreignKeysOf(m).flatMap((f) => {
        // A table several classes map (a hierarchy's) is written after each of them.
        const on = mappers.filter((p) => p !== m && onTables(f.target, tablesOf(p)));
        const fk = m.indexByKey.get(f.column.key)!;
        return on.map((p) => ({ on: p, breakable: deferrable(m, fk), edge: fk }));
      }));
    return { order, broken: deferred.map((d) => ({ mapper: d.node, fk: d.dependency.edge })) };
  } catch (error) {
    if (!(error instanceof CycleError)) throw error;
    const names = (error.cycle as Mapper[]).map((m) => m.table.name);
    throw new InvalidRequestError(
      `Cannot order the flush: the tables ${names.join(" → ")} refer to each other through ` +
        "NOT NULL foreign keys. Make one of them nullable (the flush then writes it with a " +
        "second UPDATE), or give its relationship postUpdate: true.",
    );
  }
}

/** Whether a table has foreign keys to itself (for a joined hierarchy: to one of its tables). */
export function selfReferential(mapper: Mapper): boolean {
  const tables = tablesOf(mapper);
  return foreignKeysOf(mapper).some((f) => onTables(f.target, tables));
}

/**
 * New rows of a table referring to itself, in levels: each row after the new rows it refers
 * to. A cycle is broken at a deferrable foreign key (set by a second UPDATE).
 */
export function insertLevels(
  mapper: Mapper,
  states: readonly InstanceState[],
  rules: ReadonlyMap<InstanceState, ReadonlyMap<number, Rule>>,
): InstanceState[][] {
  if (!selfReferential(mapper)) return [states.slice()];
  const level = new Map<InstanceState, number>();
  const pending = new Set(states);
  const levelOf = (s: InstanceState, path: Set<InstanceState>): number => {
    const known = level.get(s);
    if (known !== undefined) return known;
    path.add(s);
    let l = 0;
    for (const [fk, rule] of rules.get(s) ?? []) {
      const p = rule.parent;
      if (!p || p === s || !pending.has(p)) continue;
      if (path.has(p)) {
        if (deferrable(mapper, fk)) continue; // written by a second UPDATE
        throw new InvalidRequestError(
          `Cannot order the flush: new ${mapper.name} rows refer to each other in a cycle ` +
            `through ${mapper.name}.${mapper.keys[fk]}, which is NOT NULL.`,
        );
      }
      l = Math.max(l, levelOf(p, path) + 1);
    }
    path.delete(s);
    level.set(s, l);
    return l;
  };
  let max = 0;
  for (const s of states) max = Math.max(max, levelOf(s, new Set()));
  const out: InstanceState[][] = Array.from({ length: max + 1 }, () => []);
  for (const s of states) out[level.get(s)!].push(s);
  return out;
}

/**
 * Deleted rows of a table referring to itself: children before their parents. Rows that refer
 * to each other in a cycle come last, with the foreign keys to clear first (set to NULL by a
 * second UPDATE) where those may wait.
 */
export function deleteOrder(
  mapper: Mapper,
  states: InstanceState[],
): { order: InstanceState[]; clear: [InstanceState, number][] } {
  if (!selfReferential(mapper)) return { order: states, clear: [] };
  const tables = tablesOf(mapper);
  const selfFks = foreignKeysOf(mapper).filter((f) => onTables(f.target, tables))
    .map((f) => [mapper.indexByKey.get(f.column.key)!, mapper.indexByKey.get(f.target.key)!]);
  const byRef = new Map<string, InstanceState>();
  for (const s of states) {
    for (const [, ref] of selfFks) {
      byRef.set(`${ref}:${String(mapper.keyParts[ref](s.stored[ref]))}`, s);
    }
  }
  /** Per row: the deleted rows it refers to, by foreign-key column. */
  const parents = new Map<InstanceState, [number, InstanceState][]>();
  const children = new Map<InstanceState, number>(states.map((s) => [s, 0]));
  for (const s of states) {
    const list: [number, InstanceState][] = [];
    for (const [fk, ref] of selfFks) {
      const v = s.stored[fk];
      if (v === null || v === undefined) continue;
      const parent = byRef.get(`${ref}:${String(mapper.keyParts[ref](v))}`);
      if (parent && parent !== s) {
        list.push([fk, parent]);
        children.set(parent, children.get(parent)! + 1);
      }
    }
    parents.set(s, list);
  }
  const order: InstanceState[] = [];
  const done = new Set<InstanceState>();
  const emit = (s: InstanceState) => {
    done.add(s);
    order.push(s);
    for (const [, p] of parents.get(s)!) children.set(p, children.get(p)! - 1);
  };
  let ready = states.filter((s) => children.get(s) === 0);
  while (ready.length > 0) {
    for (const s of ready) emit(s);
    ready = states.filter((s) => !done.has(s) && children.get(s) === 0);
  }
  // What is left refers to itself in cycles: clear its keys first, then any order holds.
  const clear: [InstanceState, number][] = [];
  for (const s of states) {
    if (done.has(s)) continue;
    for (const [fk] of parents.get(s)!) if (deferrable(mapper, fk)) clear.push([s, fk]);
    order.push(s);
  }
  return { order, clear };
}

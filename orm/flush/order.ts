/**
 * The order of a flush: tables in foreign-key order (parents first), rows of a table that
 * refers to itself level by level, and deleted rows children first. A cycle of tables is
 * broken at a nullable foreign key (or one whose relationship asks for `postUpdate`): its
 * rows are written with NULL there, and the key is set by a second UPDATE.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import { sameTable } from "../../core/schema/table.ts";
import { CycleError, toposort } from "../../core/util/toposort.ts";
import { keyPart } from "../mapping/identity.ts";
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
      m.table.foreignKeys.flatMap((f) => {
        const on = mappers.find((p) => p !== m && sameTable(p.table, f.target.table!));
        const fk = m.indexByKey.get(f.column.key)!;
        return on === undefined ? [] : [{ on, breakable: deferrable(m, fk), edge: fk }];
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

/** Whether a table has foreign keys to itself. */
export function selfReferential(mapper: Mapper): boolean {
  return mapper.table.foreignKeys.some((f) => sameTable(f.target.table!, mapper.table));
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

/** Deleted rows of a table referring to itself: children before their parents. */
export function deleteOrder(mapper: Mapper, states: InstanceState[]): InstanceState[] {
  if (!selfReferential(mapper)) return states;
  const selfFks = mapper.table.foreignKeys.filter((f) => sameTable(f.target.table!, mapper.table))
    .map((f) => [mapper.indexByKey.get(f.column.key)!, mapper.indexByKey.get(f.target.key)!]);
  const byRef = new Map<string, InstanceState>();
  for (const s of states) {
    for (const [, ref] of selfFks) byRef.set(`${ref}:${String(keyPart(s.stored[ref]))}`, s);
  }
  const children = new Map<InstanceState, InstanceState[]>();
  for (const s of states) {
    for (const [fk, ref] of selfFks) {
      const parent = byRef.get(`${ref}:${String(keyPart(s.stored[fk]))}`);
      if (parent && parent !== s) {
        const list = children.get(parent) ?? [];
        list.push(s);
        children.set(parent, list);
      }
    }
  }
  const out: InstanceState[] = [];
  const seen = new Set<InstanceState>();
  const visit = (s: InstanceState) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const c of children.get(s) ?? []) visit(c);
    out.push(s);
  };
  for (const s of states) visit(s);
  return out;
}

/**
 * The row switch, as SQLAlchemy does it: a new object with the key of an object of the same
 * class deleted in the same flush takes over that row. Its INSERT would meet the row the
 * DELETE has not yet removed, so the flush writes one UPDATE of the row with the new object's
 * values instead, and sends no DELETE: the new object is persistent afterwards, the deleted
 * one deleted, and what refers to the row goes on referring to it.
 *
 * @module
 */
import { hasIdentity } from "../mapping/identity.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { fillDefaults } from "./inserts.ts";

/** The sets of a flush that a row switch moves objects between. */
export interface SwitchSets {
  readonly pending: Set<InstanceState>;
  readonly dirty: Set<InstanceState>;
  readonly deleted: Set<InstanceState>;
}

/**
 * Turns each pair of a deleted object and a new one of its class and key into an update of
 * the row by the new one; returns the pairs, new object first. Call it once every object of the
 * flush was saved for a rollback: the new object is then made new again by one.
 */
export function switchRows(sets: SwitchSets): [InstanceState, InstanceState][] {
  if (sets.deleted.size === 0 || sets.pending.size === 0) return [];
  const byKey = new Map<Mapper, Map<unknown, InstanceState>>();
  sets.deleted.forEach((d) => {
    if (d.status !== "persistent") return;
    let m = byKey.get(d.mapper);
    if (m === undefined) byKey.set(d.mapper, m = new Map());
    m.set(d.key, d);
  });
  const out: [InstanceState, InstanceState][] = [];
  for (const n of [...sets.pending]) {
    const m = byKey.get(n.mapper);
    if (m === undefined || !hasIdentity(n.values, n.mapper.pk)) continue;
    const key = n.mapper.identity(n.values);
    const d = m.get(key);
    if (d === undefined) continue;
    m.delete(key);
    fillDefaults(n.mapper, n);
    const row = d.stored;
    const values = n.values;
    // What an INSERT leaves to the database (server defaults, generated columns) keeps the
    // row's value; the version goes on from the row's.
    for (let i = 0; i < values.length; i++) if (values[i] === undefined) values[i] = row[i];
    if (n.mapper.version >= 0) values[n.mapper.version] = row[n.mapper.version];
    n.loaded = row.slice();
    n.status = "persistent";
    n.key = key;
    sets.pending.delete(n);
    sets.deleted.delete(d);
    sets.dirty.add(n);
    out.push([n, d]);
  }
  return out;
}

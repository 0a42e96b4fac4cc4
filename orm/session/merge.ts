/**
 * `session.merge(obj)`, as SQLAlchemy's: copies the state of an object from outside the
 * session (detached, or transient) onto the session's object for the same row, loading it
 * if needed, and returns that object. Loaded relationships with a save-update cascade are
 * merged too. The version column is checked, never copied: an object loaded at another
 * version of its row than the session holds raises StaleDataError. Read-only columns
 * (expressions, generated) are the database's to compute, and are not copied either.
 *
 * @module
 */
import { ArgumentError, StaleDataError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import { loadRelationship } from "../loading/selectin.ts";
import { hasIdentity } from "../mapping/identity.ts";
import { isUnloaded } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { instance, type InstanceState, stateOf, type StateOwner } from "../mapping/state.ts";
import { sameValue } from "../mapping/same_value.ts";
import { relationEntries } from "../mapping/relations.ts";
import { relationshipOf, relationshipsOf } from "../relationship/relationship.ts";
import { addState } from "./add.ts";
import type { SessionCore } from "./core.ts";
import { keyOf, loadByKey } from "./query.ts";
import { loadedOf, writeAttribute } from "../relationship/sync.ts";

/** What merging asks of its session. */
export interface MergeContext {
  /** The session, as objects see it. */
  readonly owner: StateOwner;
  /** The session's object for a row: from the identity map, or loaded; null when none. */
  find(mapper: Mapper, keys: readonly unknown[]): Promise<object | null>;
  /** Adds a new object to the session. */
  add(obj: object): void;
  /** Loads a relationship of a persistent object. */
  load(obj: object, relationship: string): Promise<void>;
}

/** Merges `source` into the session; `memo` maps objects already merged to their copies. */
export async function merge(
  ctx: MergeContext,
  source: InstanceState,
  memo: Map<InstanceState, object> = new Map(),
): Promise<object> {
  if (source.session === ctx.owner) return source.obj;
  const done = memo.get(source);
  if (done !== undefined) return done;
  const mapper = source.mapper;
  let target: object | null = null;
  if (hasIdentity(source.values, mapper.pk)) {
    target = await ctx.find(mapper, mapper.pk.map((i) => source.values[i]));
    if (target !== null) checkVersion(ctx, source, stateOf(target)!);
  }
  if (target === null) {
    target = instance(mapper, mapper.blank.slice()).obj;
    ctx.add(target);
  }
  memo.set(source, target);
  const ts = stateOf(target)!;
  const columns = mapper.columns;
  source.values.forEach((v, i) => {
    // A column the source never loaded (deferred, expired) is not a value to copy; nor is one
    // the database computes (read-only), nor the version, which only the flush moves on.
    if (v === undefined || isUnloaded(v) || columns[i].readOnly || i === mapper.version) return;
    ts.set(i, v);
  });
  if (source.relations === null) return target;
  const rels = relationshipsOf(mapper);
  for (const [name, l] of relationEntries(source)) {
    const rel = rels.get(name)!;
    if (!rel.cascade.saveUpdate) continue;
    const items = Array.isArray(l.value) ? l.value : l.value ? [l.value] : [];
    const merged: object[] = [];
    for (const item of items) merged.push(await merge(ctx, stateOf(item)!, memo));
    if (!rel.scalar && ts.status === "persistent" && loadedOf(rel, ts) === undefined) {
      await ctx.load(target, name);
    }
    writeAttribute(rel, target, rel.scalar ? (merged[0] ?? null) : merged);
  }
  return target;
}

/**
 * Refuses to merge an object loaded at another version of its row than the session's object
 * holds, as SQLAlchemy does: its changes were made to a row since changed by someone else.
 */
function checkVersion(ctx: MergeContext, source: InstanceState, target: InstanceState): void {
  const mapper = source.mapper;
  const i = mapper.version;
  if (i < 0 || source === target) return;
  const given = source.values[i];
  const held = target.stored[i];
  if (given === undefined || isUnloaded(given) || held === undefined || isUnloaded(held)) return;
  if (sameValue(given, held)) return;
  const key = ctx.owner.hideParameters ? "(its key hidden)" : mapper.describeKey(source.values);
  const col = `${mapper.name}.${mapper.keys[i]}`;
  throw new StaleDataError(
    `session.merge(): the ${mapper.name} ${key} to merge has ${col} ${String(given)}, but ` +
      `the session holds its row at version ${String(held)}: the row was changed since one of ` +
      "them was loaded, and merging would overwrite that change. Load the row again and apply " +
      `the changes to it, or set ${col} to undefined on the object to merge to skip the check.`,
  );
}

/** `session.merge(obj)` on a session's machinery. */
export async function mergeInto<T extends object>(c: SessionCore, obj: T): Promise<T> {
  const state = stateOf(obj);
  if (!state) {
    throw new ArgumentError(`session.merge() takes a mapped object; got ${describe(obj)}.`);
  }
  return await merge({
    owner: c,
    find: async (mapper, keys) => {
      const held = c.registry.lookup(mapper, keyOf(mapper, keys));
      if (held !== undefined && !stateOf(held)!.expired) return held;
      // An expired object is refreshed, as session.get does: its version is checked as now.
      const found = await c.withAutoflush(() => loadByKey(c.load, mapper, keys, false));
      return found ?? held ?? null;
    },
    add: (o) => addState(c.adding, stateOf(o)!, false),
    load: (o, name) => {
      const s = stateOf(o)!;
      return loadRelationship(c.load, [s], relationshipOf(s.mapper, name), [], false);
    },
  }, state) as T;
}

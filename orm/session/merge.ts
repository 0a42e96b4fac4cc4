/**
 * `session.merge(obj)`, as SQLAlchemy's: copies the state of an object from outside the
 * session (detached, or transient) onto the session's object for the same row, loading it
 * if needed, and returns that object. Loaded relationships with a save-update cascade are
 * merged too.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import { loadRelationship } from "../loading/selectin.ts";
import { hasIdentity } from "../mapping/identity.ts";
import { isUnloaded } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { instance, type InstanceState, stateOf, type StateOwner } from "../mapping/state.ts";
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
  }
  if (target === null) {
    target = instance(mapper, mapper.blank.slice()).obj;
    ctx.add(target);
  }
  memo.set(source, target);
  const ts = stateOf(target)!;
  source.values.forEach((v, i) => {
    // A column the source never loaded (deferred, expired) is not a value to copy.
    if (v !== undefined && !isUnloaded(v)) ts.set(i, v);
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

/** `session.merge(obj)` on a session's machinery. */
export async function mergeInto<T extends object>(c: SessionCore, obj: T): Promise<T> {
  const state = stateOf(obj);
  if (!state) {
    throw new ArgumentError(`session.merge() takes a mapped object; got ${describe(obj)}.`);
  }
  return await merge({
    owner: c,
    find: async (mapper, keys) =>
      c.registry.lookup(mapper, keyOf(mapper, keys)) ??
        await c.withAutoflush(() => loadByKey(c.load, mapper, keys, false)),
    add: (o) => addState(c.adding, stateOf(o)!, false),
    load: (o, name) => {
      const s = stateOf(o)!;
      return loadRelationship(c.load, [s], relationshipOf(s.mapper, name), [], false);
    },
  }, state) as T;
}

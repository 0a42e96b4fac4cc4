/**
 * A relationship's attribute on an instance: reading it (what was loaded, a new object's
 * empty value, a many-to-one found in the identity map, or NotLoadedError, never a query),
 * writing it, and keeping the other side of a back-populated pair in sync at once.
 *
 * @module
 */
import { ArgumentError, NotLoadedError } from "../../core/errors.ts";
import { type InstanceState, type Loaded, stateOf } from "../mapping/state.ts";
import {
  entryOf,
  isLoaded,
  relationOf,
  setRelation,
  settleRelation,
} from "../mapping/relations.ts";
import {
  checkItem,
  collection,
  type CollectionHooks,
  instrument,
  isInstrumented,
  rawPush,
  rawRemove,
} from "./collection.ts";
import type { Relationship } from "./relationship.ts";

/** Whether an object is new (never had a row), so its relations start empty. */
export const isNew = (state: InstanceState): boolean =>
  state.status === "transient" || state.status === "pending";

const hooks = new WeakMap<Relationship, CollectionHooks>();

/** What a relationship's collections tell it of items added and removed. */
export function hooksOf(rel: Relationship): CollectionHooks {
  let h = hooks.get(rel);
  if (h === undefined) {
    h = {
      changing: (owner) => {
        const state = stateOf(owner);
        state?.session?.touch(state);
      },
      linked: (owner, item) => linked(rel, owner, item),
      unlinked: (owner, item) => unlinked(rel, owner, item),
    };
    hooks.set(rel, h);
  }
  return h;
}

/** Whether a loaded value holds an object whose row a flush of this transaction inserted. */
function holdsInserted(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (!Array.isArray(value)) return stateOf(value)?.originalIn != null;
  for (let i = 0; i < value.length; i++) if (stateOf(value[i])?.originalIn != null) return true;
  return false;
}

/** What a relationship holds for an instance, or undefined when not loaded. */
export function loadedOf(rel: Relationship, state: InstanceState): Loaded | undefined {
  return relationOf(state, rel.name);
}

function store(rel: Relationship, state: InstanceState, l: Loaded): Loaded {
  return setRelation(state, rel.name, l);
}

/**
 * Stores a value loaded from the database (so its base is the same). `owned`: the list is the
 * caller's to give away, and becomes the collection itself.
 */
export function setLoaded(
  rel: Relationship,
  state: InstanceState,
  value: unknown,
  owned = false,
): void {
  // A first load changes nothing the user did: a rollback keeps it, unless it then holds an
  // object the rollback made new again. A load over a value the user may have changed saves it.
  if (loadedOf(rel, state) === undefined) {
    // Noted for a rollback: a value holding an object this transaction inserted is undone;
    // an object saved before the load keeps it loaded when its snapshot is put back.
    if (state.frame !== null || holdsInserted(value)) state.session?.noteLoad?.(state, rel.name);
  } else state.session?.touch(state);
  // A collection can change without its setter (index assignment): the flush must look at
  // it. A single reference changes only through the setter, which registers it then.
  if (!rel.scalar) state.session?.noteRelations(state);
  if (rel.scalar) {
    // A mapped object or null is stored as itself (no Loaded per object: see RelationEntry).
    if (value === null || stateOf(value) !== undefined) {
      settleRelation(state, rel.name, value as object | null);
    } else store(rel, state, { value, base: value });
  } else {
    const items = value as unknown[];
    // A list given away is stored plain and instrumented when first read (readAttribute).
    store(rel, state, {
      value: owned ? items : collection(state.obj, hooksOf(rel), items),
      base: items.slice(),
    });
  }
}

/** The current value for an instance, initialising a new object's to empty. */
export function currentOf(
  rel: Relationship,
  state: InstanceState,
  initialise: boolean,
): Loaded | undefined {
  const l = loadedOf(rel, state);
  if (l !== undefined || !initialise) return l;
  state.session?.touch(state);
  state.session?.noteRelations(state);
  return store(
    rel,
    state,
    rel.scalar
      ? { value: null, base: null }
      : { value: collection(state.obj, hooksOf(rel), []), base: [] },
  );
}

/** The attribute's value: never a query. */
export function readAttribute(rel: Relationship, obj: object): unknown {
  const state = stateOf(obj)!;
  // One lookup: a settled reference is the value itself, a Loaded holds it.
  const e = entryOf(state, rel.name);
  if (e !== undefined && !isLoaded(e)) return e;
  const l = (e as Loaded | undefined) ?? currentOf(rel, state, isNew(state));
  if (l !== undefined) {
    const v = l.value;
    return Array.isArray(v) && !isInstrumented(v) ? instrument(v, obj, hooksOf(rel)) : v;
  }
  if (rel.direction === "manyToOne" && state.session) {
    // Resolve from the identity map without any I/O.
    const fkValue = state.values[rel.fk];
    if (fkValue === null || fkValue === undefined) return null;
    const target = rel.targetMapper;
    if (target.pk.length === 1 && target.pk[0] === rel.ref) {
      const found = state.session.lookup(target, target.keyParts[rel.ref](fkValue));
      if (found !== undefined) return found;
    }
  }
  throw new NotLoadedError(
    `${rel.qualifiedName} is not loaded, and Retort never queries on attribute access. ` +
      `Load it with select(${rel.owner.name}).options(selectin("${rel.name}")) or ` +
      `await session.load(obj, "${rel.name}").`,
  );
}

function cascadeAdd(rel: Relationship, state: InstanceState, item: object): void {
  if (state.session && rel.cascade.saveUpdate) state.session.cascadeAdd(item);
}

/** Writes the attribute, keeping the other side in sync. */
export function writeAttribute(rel: Relationship, obj: object, value: unknown): void {
  const state = stateOf(obj)!;
  if (!rel.scalar) {
    if (!Array.isArray(value)) {
      throw new ArgumentError(
        `${rel.qualifiedName} is a collection; assign an array of ${rel.targetMapper.name}.`,
      );
    }
    const l = currentOf(rel, state, isNew(state));
    if (l === undefined) {
      throw new NotLoadedError(
        `${rel.qualifiedName} is not loaded, so it cannot be replaced: load it first with ` +
          `await session.load(obj, "${rel.name}").`,
      );
    }
    const old = l.value as unknown[];
    const next = value as unknown[];
    for (const item of next) checkItem(rel, item);
    state.session?.touch(state);
    for (const item of old) if (!next.includes(item)) unlinked(rel, obj, item);
    for (const item of next) if (!old.includes(item)) linked(rel, obj, item);
    l.value = collection(obj, hooksOf(rel), next);
    return;
  }
  if (value !== null) checkItem(rel, value);
  let l = currentOf(rel, state, isNew(state));
  let old: unknown = null;
  state.session?.touch(state);
  if (l === undefined) {
    try {
      old = readAttribute(rel, obj);
    } catch {
      old = undefined;
    }
    l = store(rel, state, { value: old ?? null, base: old });
    state.session?.noteRelations(state);
  } else old = l.value;
  if (old === value) return;
  l.value = value;
  state.session?.noteRelations(state);
  const back = rel.back;
  if (back) {
    if (old) detachOne(back, old as object, obj);
    if (value) attachOne(back, value as object, obj);
  }
  if (value) cascadeAdd(rel, state, value as object);
}

/** `item` was added to `owner`'s collection. */
export function linked(rel: Relationship, owner: object, item: unknown): void {
  checkItem(rel, item);
  const state = stateOf(owner)!;
  state.session?.touch(state);
  const back = rel.back;
  if (back) attachOne(back, item as object, owner);
  cascadeAdd(rel, state, item as object);
}

/** `item` was removed from `owner`'s collection. */
export function unlinked(rel: Relationship, owner: object, item: unknown): void {
  const state = stateOf(owner)!;
  state.session?.touch(state);
  const back = rel.back;
  if (back) detachOne(back, item as object, owner);
}

/** Sets this side of `obj` to include `other`, without echoing back. */
function attachOne(rel: Relationship, obj: object, other: object): void {
  const state = stateOf(obj);
  if (!state) return;
  state.session?.touch(state);
  const l = currentOf(rel, state, isNew(state));
  if (rel.scalar) {
    const old = l?.value;
    if (old === other) return;
    state.session?.noteRelations(state);
    if (l) l.value = other;
    else store(rel, state, { value: other, base: undefined });
    // A many-to-one moving to a new parent leaves the old parent's collection.
    if (old && rel.back) detachOne(rel.back, old as object, obj);
  } else if (l) {
    rawPush(l.value as unknown[], other);
  }
}

/** Removes `other` from this side of `obj`, without echoing back. */
function detachOne(rel: Relationship, obj: object, other: object): void {
  const state = stateOf(obj);
  if (!state) return;
  const l = loadedOf(rel, state);
  if (!l) return;
  state.session?.touch(state);
  if (rel.scalar) {
    if (l.value === other) {
      l.value = null;
      state.session?.noteRelations(state);
    }
  } else rawRemove(l.value as unknown[], other);
}

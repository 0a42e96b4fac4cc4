/**
 * What an instance holds for its relationships: the relations record of its state, read and
 * written by name (see `RelationEntry`).
 *
 * @module
 */
import { type Loaded, type RelationEntry, Relations } from "./state_parts.ts";
import { type InstanceState, stateOf } from "./state.ts";

/** A new relations record. */
export function relationsRecord(): Record<string, RelationEntry> {
  return new Relations();
}

/** Whether a relations record's entry is a `Loaded` (not a settled reference: see `RelationEntry`). */
export function isLoaded(e: RelationEntry): e is Loaded {
  return e !== null && stateOf(e) === undefined;
}

/** A state's entry for a relationship, as stored (see `RelationEntry`); undefined when none. */
export function entryOf(state: InstanceState, name: string): RelationEntry | undefined {
  const r = state.relations;
  // Own properties only: a property someone added to Object.prototype is not a relationship.
  return r !== null && Object.hasOwn(r, name) ? r[name] : undefined;
}

/** What a state holds for a relationship, by name; undefined when not loaded. */
export function relationOf(state: InstanceState, name: string): Loaded | undefined {
  const e = entryOf(state, name);
  if (e === undefined || isLoaded(e)) return e;
  const l: Loaded = { value: e, base: e };
  state.relations![name] = l;
  return l;
}

/** Stores what a state holds for a relationship. */
export function setRelation(state: InstanceState, name: string, l: Loaded): Loaded {
  (state.relations ??= new Relations())[name] = l;
  return l;
}

/** Stores a single reference as loaded: its value and base are `obj` (see `RelationEntry`). */
export function settleRelation(state: InstanceState, name: string, obj: object | null): void {
  (state.relations ??= new Relations())[name] = obj;
}

/** The loaded relationships of a state, by name. */
export function relationEntries(state: InstanceState): [string, Loaded][] {
  const r = state.relations;
  if (r === null) return [];
  const out: [string, Loaded][] = [];
  for (const name of Object.keys(r)) out.push([name, relationOf(state, name)!]);
  return out;
}

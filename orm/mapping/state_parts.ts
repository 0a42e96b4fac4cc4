/**
 * The parts of an instance's state that most objects never need, kept apart so that a loaded
 * object costs as little memory as it can (see `InstanceState` in `state.ts`).
 *
 * @module
 */
/**
 * What a relationship holds for an instance: its current value (an array or an object or
 * null) and what the database holds (the base), to reconcile at flush.
 *
 * @internal
 */
export interface Loaded {
  value: unknown;
  base: unknown;
}

/**
 * What the relations record holds for one relationship: a `Loaded`, or (for a single
 * reference as loaded, its value and base one object) that object or null itself, which
 * saves a `Loaded` per object on loads that fill references by the thousand. `relationOf`
 * turns it into a `Loaded` when one is asked for.
 *
 * @internal
 */
export type RelationEntry = Loaded | object | null;

export const DIRTY = 1;
export const EXPIRED = 2;
export const PARTIAL = 4;
export const WAS_DELETED = 8;

/**
 * The identity key and loaded relationships: all that a loaded object holding relationships
 * needs beyond its values (a related object loaded with its parent has only this).
 */
export class Links {
  key: unknown = undefined;
  relations: Record<string, RelationEntry> | null = null;
}

/** The parts of a state most objects never need. */
export class More extends Links {
  loaded: unknown[] | null = null;
  /** DIRTY, EXPIRED, PARTIAL and WAS_DELETED, as bits. */
  flags = 0;
  flagged: Set<number> | null = null;
  frame: unknown = null;
  original = -1;
  originalIn: unknown = null;
  order = 0;
}

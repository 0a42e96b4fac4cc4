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
 * A relations record: the loaded relationships by name, and (in a private field, which no
 * name can clash with and `Object.keys` does not list) the identity key of its state, so that
 * a loaded object holding relationships needs one object beyond its values, not two. Made by
 * a constructor (not `{}`, which reserves room for four properties), so that V8 sizes records
 * to the relationships objects really hold: most hold one or two.
 */
export class Relations {
  [name: string]: RelationEntry;
  #key: unknown = undefined;

  /** The identity key of the state holding this record (while it holds no `More`). */
  static keyOf(r: Relations): unknown {
    return r.#key;
  }

  /** Sets the identity key kept in the record. */
  static setKey(r: Relations, key: unknown): void {
    r.#key = key;
  }
}

/** The parts of a state most objects never need. */
export class More {
  key: unknown = undefined;
  relations: Record<string, RelationEntry> | null = null;
  loaded: unknown[] | null = null;
  /** DIRTY, EXPIRED, PARTIAL and WAS_DELETED, as bits. */
  flags = 0;
  flagged: Set<number> | null = null;
  frame: unknown = null;
  original = -1;
  originalIn: unknown = null;
  order = 0;
}

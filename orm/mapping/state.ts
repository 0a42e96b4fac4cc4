/**
 * The ORM's per-instance state: column values, what the database holds for dirty tracking,
 * loaded relationships, and the object's place in the session lifecycle.
 *
 * @module
 */
import type { Mapper } from "./mapper.ts";

/** Where each instance keeps its state. */
export const STATE: unique symbol = Symbol("retort.state") as never;

/**
 * An object's place in the session lifecycle, as in SQLAlchemy:
 * - `transient`: new, in no session;
 * - `pending`: added to a session, not yet flushed;
 * - `persistent`: in the session's identity map, with a database row;
 * - `deleted`: deleted by a flush (before commit);
 * - `detached`: has (or had) a row, but is in no session.
 *
 * @example
 * ```ts
 * import type { ObjectStatus } from "@retort/orm";
 * const s: ObjectStatus = "pending";
 * ```
 */
export type ObjectStatus = "transient" | "pending" | "persistent" | "deleted" | "detached";

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
 * A session as an instance's state sees it.
 *
 * @internal
 */
export interface StateOwner {
  /**
   * Called before any change to an object, so that a rollback can restore it; `clean`: its
   * values equal `loaded`, just copied from them (and `loaded` was null before).
   */
  touch(state: InstanceState, clean?: boolean): void;
  /** Records that a relationship was loaded from the database where none was before. */
  noteLoad?(state: InstanceState, relationship: string): void;
  /** Records that a persistent object's columns changed. */
  markDirty(state: InstanceState): void;
  /** Cascades a newly related object into the session. */
  cascadeAdd(obj: object): void;
  /** Records that an object holds loaded relationships, for the flush to reconcile. */
  noteRelations(state: InstanceState): void;
  /** The object of a mapper with an identity key, with no I/O. */
  lookup(mapper: Mapper, key: unknown): object | undefined;
}

/**
 * The state of one mapped instance.
 *
 * @internal
 */
export class InstanceState {
  /** The instance's mapper. */
  readonly mapper: Mapper;
  /** The instance. */
  readonly obj: object;
  /** Current column values, by column index. */
  values: unknown[];
  /** Values as the database holds them (copy-on-write: null means equal to `values`). */
  loaded: unknown[] | null = null;
  /** Lifecycle status. */
  status: ObjectStatus = "transient";
  /** The session the object belongs to. */
  session: StateOwner | null = null;
  /** The identity-map key, once persistent. */
  key: unknown = undefined;
  /** Loaded relationships by name (own properties only: see `relationOf`). */
  relations: Record<string, Loaded> | null = null;
  /** Whether the object is in its session's dirty set. */
  dirty = false;
  /** Columns flagged as modified in place (JSON objects, dates). */
  flagged: Set<number> | null = null;
  /** The order in which it was added, for insert ordering. */
  order = 0;
  /** Expired: the next query that returns its row refreshes it. */
  expired = false;
  /** Whether its row was deleted (a deleted object cannot be added again). */
  wasDeleted = false;
  /** The session frame that last saved this state, to save it once per frame. */
  frame: unknown = null;

  constructor(mapper: Mapper, obj: object, values: unknown[]) {
    this.mapper = mapper;
    this.obj = obj;
    this.values = values;
  }

  /** Whether the object has (or had) a row, so its changes are tracked against it. */
  get tracked(): boolean {
    const s = this.status;
    return s === "persistent" || s === "deleted" || s === "detached";
  }

  /** Sets a column value, tracking the change. */
  set(index: number, value: unknown): void {
    const values = this.values;
    if (values[index] === value) {
      // Re-assigning the same object flags it as changed in place (JSON, dates, bytes).
      if (typeof value !== "object" || value === null || !this.tracked) return;
      this.flag(index);
      return;
    }
    if (this.tracked && this.loaded === null) {
      // The copy of what the database holds doubles as what a rollback restores.
      this.loaded = values.slice();
      this.session?.touch(this, true);
    } else this.session?.touch(this);
    values[index] = value;
    if (this.status === "persistent" && !this.dirty) this.session?.markDirty(this);
  }

  /** Marks a column as changed in place, to be written at the next flush. */
  flag(index: number): void {
    this.session?.touch(this);
    if (this.tracked && this.loaded === null) this.loaded = this.values.slice();
    (this.flagged ??= new Set()).add(index);
    if (this.status === "persistent" && !this.dirty) this.session?.markDirty(this);
  }

  /** The indexes of columns whose values differ from what the database holds. */
  changedColumns(): number[] {
    const loaded = this.loaded;
    const changed: number[] = [];
    if (loaded !== null) {
      const values = this.values;
      for (let i = 0; i < values.length; i++) {
        if (!sameValue(values[i], loaded[i])) changed.push(i);
      }
    }
    if (this.flagged) {
      for (const i of this.flagged) if (!changed.includes(i)) changed.push(i);
      changed.sort((a, b) => a - b);
    }
    return changed;
  }

  /** The values as the database holds them. */
  get stored(): readonly unknown[] {
    return this.loaded ?? this.values;
  }
}

/** Equality for change detection: dates and bytes by value, everything else by identity. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Uint8Array && b instanceof Uint8Array) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
  } catch {
    return false; // a revoked Proxy: changed, and the flush's type check refuses it
  }
  return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
}

/** The state of a mapped instance, or undefined for anything else. */
export function stateOf(obj: unknown): InstanceState | undefined {
  return typeof obj === "object" && obj !== null
    ? (obj as { [STATE]?: InstanceState })[STATE]
    : undefined;
}

/** Builds an instance from column values, without the user's constructor. */
export function instance(mapper: Mapper, values: unknown[]): InstanceState {
  const obj = Object.create(mapper.cls.prototype) as Record<symbol, unknown>;
  const state = new InstanceState(mapper, obj, values);
  obj[STATE] = state;
  return state;
}

/** What a state holds for a relationship, by name; undefined when not loaded. */
export function relationOf(state: InstanceState, name: string): Loaded | undefined {
  const r = state.relations;
  // Own properties only: a property someone added to Object.prototype is not a relationship.
  return r !== null && Object.hasOwn(r, name) ? r[name] : undefined;
}

/** Stores what a state holds for a relationship. */
export function setRelation(state: InstanceState, name: string, l: Loaded): Loaded {
  (state.relations ??= {})[name] = l;
  return l;
}

/** The loaded relationships of a state, by name. */
export function relationEntries(state: InstanceState): [string, Loaded][] {
  return state.relations === null ? [] : Object.entries(state.relations);
}

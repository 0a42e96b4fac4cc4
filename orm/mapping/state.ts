/**
 * The ORM's per-instance state: column values, what the database holds for dirty tracking,
 * loaded relationships, and the object's place in the session lifecycle.
 *
 * @module
 */
import { sameValue } from "./same_value.ts";
import type { Mapper } from "./mapper.ts";
import { hasValidators, validated } from "./validators.ts";
import { type Epoch, type ObjectStatus, type Place, placeOf, UNATTACHED } from "./epoch.ts";
import {
  DIRTY,
  EXPIRED,
  More,
  PARTIAL,
  type RelationEntry,
  Relations,
  WAS_DELETED,
} from "./state_parts.ts";

export type { Loaded } from "./state_parts.ts";

export type { ObjectStatus } from "./epoch.ts";

/** Where each instance keeps its state. */
export const STATE: unique symbol = Symbol("retort.state") as never;

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
  /** Records that a persistent object's column was changed in place (`flag`). */
  noteInPlace?(state: InstanceState, index: number): void;
  /** Records that a persistent object's columns changed. */
  markDirty(state: InstanceState): void;
  /** Cascades a newly related object into the session. */
  cascadeAdd(obj: object): void;
  /** Records that an object holds loaded relationships, for the flush to reconcile. */
  noteRelations(state: InstanceState): void;
  /** The object of a mapper with an identity key, with no I/O. */
  lookup(mapper: Mapper, key: unknown): object | undefined;
  /** Whether values must stay out of messages (the engine's `hideParameters`). */
  readonly hideParameters?: boolean;
  /** The span of the session's life its objects are attached in (see `Epoch`). */
  epoch: Epoch<StateOwner>;
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
  #place: Place<StateOwner> = UNATTACHED.transient;
  /**
   * What most objects never need (a loaded object that is only read has none): kept apart so
   * that each loaded object costs as little memory as it can. The field holds the identity key
   * itself (a primitive, or undefined) until relationships are loaded (then the `Relations`
   * record, which keeps the key) or anything else is needed (then `More`, with the key, the
   * record and the rest).
   */
  #more: unknown = undefined;

  /** The identity-map key, once persistent. */
  get key(): unknown {
    const m = this.#more;
    return m instanceof More ? m.key : m instanceof Relations ? Relations.keyOf(m) : m;
  }
  set key(v: unknown) {
    const m = this.#more;
    if (m instanceof More) m.key = v;
    else if (m instanceof Relations) Relations.setKey(m, v);
    else this.#more = v;
  }
  /**
   * The parts most objects never need, made on first use. (A method, not a `#private` one: a
   * class with private methods gives each instance a brand field, 8 bytes.)
   */
  grow(): More {
    const m = new More();
    const had = this.#more;
    if (had instanceof Relations) {
      m.key = Relations.keyOf(had);
      m.relations = had;
    } else m.key = had;
    this.#more = m;
    return m;
  }

  /** Lifecycle status. */
  get status(): ObjectStatus {
    const e = this.#place.epoch;
    if (e !== null && !e.live) this.lapse();
    return this.#place.status;
  }
  set status(v: ObjectStatus) {
    this.#place = placeOf(this.#place.epoch, v);
  }
  /** The session the object belongs to. */
  get session(): StateOwner | null {
    const e = this.#place.epoch;
    if (e === null) return null;
    if (e.live) return e.owner;
    this.lapse();
    return null;
  }
  set session(owner: StateOwner | null) {
    this.#place = placeOf(owner === null ? null : owner.epoch, this.#place.status);
  }
  /** Sets the session and the status at once: `status = s; session = owner` in one step. */
  placeIn(owner: StateOwner, status: ObjectStatus): void {
    this.#place = placeOf(owner.epoch, status);
  }
  /** The session let go of every object: this one is detached now. */
  lapse(): void {
    const s = this.#place.status;
    this.#place = s === "pending"
      ? UNATTACHED.transient
      : s === "persistent" || s === "deleted"
      ? UNATTACHED.detached
      : UNATTACHED[s];
    this.dirty = false;
  }
  /** The order in which it was added, for insert ordering. */
  get order(): number {
    const m = this.#more;
    return m instanceof More ? m.order : 0;
  }
  set order(v: number) {
    if (this.#more instanceof More) this.#more.order = v;
    else if (v !== 0) this.grow().order = v;
  }

  /** Loaded relationships by name (own properties only: see `relationOf`). */
  get relations(): Record<string, RelationEntry> | null {
    const m = this.#more;
    return m instanceof More ? m.relations : m instanceof Relations ? m : null;
  }
  /** Takes a record made by `relationsRecord()` (or null); an object of one state only. */
  set relations(v: Record<string, RelationEntry> | null) {
    const m = this.#more;
    if (m instanceof More) {
      m.relations = v;
      return;
    }
    const key = m instanceof Relations ? Relations.keyOf(m) : m;
    if (v === null) this.#more = key;
    else if (v instanceof Relations) {
      Relations.setKey(v, key);
      this.#more = v;
    } else this.grow().relations = v;
  }
  /** Values as the database holds them (copy-on-write: null means equal to `values`). */
  get loaded(): unknown[] | null {
    const m = this.#more;
    return m instanceof More ? m.loaded : null;
  }
  set loaded(v: unknown[] | null) {
    if (this.#more instanceof More) this.#more.loaded = v;
    else if (v !== null) this.grow().loaded = v;
  }
  /** Whether the object is in its session's dirty set. */
  get dirty(): boolean {
    const m = this.#more;
    return m instanceof More && (m.flags & DIRTY) !== 0;
  }
  set dirty(v: boolean) {
    const m = this.#more;
    if (m instanceof More) m.flags = v ? m.flags | DIRTY : m.flags & ~DIRTY;
    else if (v) this.grow().flags = DIRTY;
  }
  /** Columns flagged as modified in place (JSON objects, dates). */
  get flagged(): Set<number> | null {
    const m = this.#more;
    return m instanceof More ? m.flagged : null;
  }
  set flagged(v: Set<number> | null) {
    if (this.#more instanceof More) this.#more.flagged = v;
    else if (v !== null) this.grow().flagged = v;
  }
  /** Expired: the next query that returns its row refreshes it. */
  get expired(): boolean {
    const m = this.#more;
    return m instanceof More && (m.flags & EXPIRED) !== 0;
  }
  set expired(v: boolean) {
    const m = this.#more;
    if (m instanceof More) m.flags = v ? m.flags | EXPIRED : m.flags & ~EXPIRED;
    else if (v) this.grow().flags = EXPIRED;
  }
  /** Whether some columns may hold the `DEFERRED` marker (see `expired.ts`). */
  get partial(): boolean {
    const m = this.#more;
    return m instanceof More && (m.flags & PARTIAL) !== 0;
  }
  set partial(v: boolean) {
    const m = this.#more;
    if (m instanceof More) m.flags = v ? m.flags | PARTIAL : m.flags & ~PARTIAL;
    else if (v) this.grow().flags = PARTIAL;
  }
  /** Whether its row was deleted (a deleted object cannot be added again). */
  get wasDeleted(): boolean {
    const m = this.#more;
    return m instanceof More && (m.flags & WAS_DELETED) !== 0;
  }
  set wasDeleted(v: boolean) {
    const m = this.#more;
    if (m instanceof More) m.flags = v ? m.flags | WAS_DELETED : m.flags & ~WAS_DELETED;
    else if (v) this.grow().flags = WAS_DELETED;
  }
  /** The session frame that last saved this state, to save it once per frame. */
  get frame(): unknown {
    const m = this.#more;
    return m instanceof More ? m.frame : null;
  }
  set frame(v: unknown) {
    if (this.#more instanceof More) this.#more.frame = v;
    else if (v !== null) this.grow().frame = v;
  }
  /**
   * Where a new object's values from before the transaction's flush first changed them
   * (defaults, foreign keys, generated keys) are kept in its frame's `addedValues`, for a
   * rollback to put back; -1 when none are kept.
   */
  get original(): number {
    const m = this.#more;
    return m instanceof More ? m.original : -1;
  }
  set original(v: number) {
    if (this.#more instanceof More) this.#more.original = v;
    else if (v !== -1) this.grow().original = v;
  }
  /** The frame whose `addedValues` `original` points into. */
  get originalIn(): unknown {
    const m = this.#more;
    return m instanceof More ? m.originalIn : null;
  }
  set originalIn(v: unknown) {
    if (this.#more instanceof More) this.#more.originalIn = v;
    else if (v !== null) this.grow().originalIn = v;
  }

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

  /**
   * Sets a column value, tracking the change: through the class's validators, except for the
   * values the flush sets itself (`validate` false: foreign keys from relationships).
   */
  set(index: number, given: unknown, validate = true): void {
    const session = this.session;
    const value = validate && hasValidators(this.mapper)
      ? validated(this.mapper, index, given, this.obj, session?.hideParameters ?? false)
      : given;
    const values = this.values;
    if (values[index] === value) {
      // Re-assigning the same object flags it as changed in place (JSON, dates, bytes).
      if (typeof value !== "object" || value === null || !this.tracked) return;
      this.flag(index);
      return;
    }
    const status = this.status;
    const tracked = status === "persistent" || status === "deleted" || status === "detached";
    if (tracked && this.loaded === null) {
      // The copy of what the database holds doubles as what a rollback restores.
      this.loaded = values.slice();
      session?.touch(this, true);
    } else session?.touch(this);
    values[index] = value;
    if (status === "persistent" && !this.dirty) session?.markDirty(this);
  }

  /** Marks a column as changed in place, to be written at the next flush. */
  flag(index: number): void {
    this.session?.touch(this);
    if (this.status === "persistent") this.session?.noteInPlace?.(this, index);
    if (this.tracked && this.loaded === null) this.loaded = this.values.slice();
    (this.flagged ??= new Set()).add(index);
    if (this.status === "persistent" && !this.dirty) this.session?.markDirty(this);
  }

  /** Whether column `i` differs from what the database holds, or was flagged as changed. */
  columnChanged(i: number): boolean {
    const loaded = this.loaded;
    return (loaded !== null && !sameValue(this.values[i], loaded[i])) ||
      (this.flagged?.has(i) ?? false);
  }

  /** The indexes of columns whose values differ from what the database holds, in order. */
  changedColumns(): number[] {
    const n = this.values.length;
    // What the database computes (read-only columns) is never written, whatever set it.
    const ro = this.mapper.readBack;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (this.columnChanged(i) && (ro.length === 0 || !ro.includes(i))) count++;
    }
    // Sized once: an array grown by push reserves room for 17 at its first.
    const changed: number[] = new Array(count);
    let j = 0;
    for (let i = 0; i < n && count > 0; i++) {
      if (this.columnChanged(i) && (ro.length === 0 || !ro.includes(i))) changed[j++] = i;
    }
    changed.length = j; // a value whose comparison changed between the passes leaves no hole
    return changed;
  }

  /** Whether some column differs from what the database holds (no array made). */
  hasChanges(): boolean {
    for (let i = 0; i < this.values.length; i++) if (this.columnChanged(i)) return true;
    return false;
  }

  /** The values as the database holds them. */
  get stored(): readonly unknown[] {
    return this.loaded ?? this.values;
  }
}

/** The state of a mapped instance, or undefined for anything else. */
export function stateOf(obj: unknown): InstanceState | undefined {
  return typeof obj === "object" && obj !== null
    ? (obj as { [STATE]?: InstanceState })[STATE]
    : undefined;
}

/** Builds an instance from column values, without the user's constructor. */
export function instance(mapper: Mapper, values: unknown[]): InstanceState {
  // The last mapper's constructor first: a load makes its objects one mapper at a time.
  let make = mapper === lastMapper ? lastMake! : blanks.get(mapper);
  if (make === undefined) blanks.set(mapper, make = blank(mapper.cls.prototype));
  lastMapper = mapper;
  lastMake = make;
  const obj = new make();
  const state = new InstanceState(mapper, obj, values);
  obj[STATE] = state;
  mapper.early?.keep(obj);
  return state;
}

/**
 * A constructor of blank instances of a class: the class's prototype, and the state as the one
 * own property. Objects made with `new` take only the room their properties need (about 24
 * bytes less than `Object.create` gives).
 */
function blank(prototype: object): new () => Record<symbol, unknown> {
  const make = function (this: Record<symbol, unknown>) {
    this[STATE] = null;
  } as unknown as new () => Record<symbol, unknown>;
  make.prototype = prototype;
  return make;
}

const blanks = new WeakMap<Mapper, new () => Record<symbol, unknown>>();
let lastMapper: Mapper | null = null;
let lastMake: (new () => Record<symbol, unknown>) | null = null;

/** Forgets the blank constructor of a mapper whose class changed (see `inheritance.ts`). */
export function resetBlank(mapper: Mapper): void {
  blanks.delete(mapper);
  lastMapper = null;
  lastMake = null;
}

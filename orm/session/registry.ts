/**
 * What a session holds: its identity map (one object per row), and its new, changed, deleted
 * objects and those holding loaded relationships. No I/O here; the session's transaction
 * saves and restores these, and a flush's result is applied to them.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import { IdentityMap } from "./identity_map.ts";
import type { FlushResult } from "../flush/unit_of_work.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState, StateOwner } from "../mapping/state.ts";
import { relationEntries } from "../mapping/relations.ts";
import { Epoch } from "../mapping/epoch.ts";

/** The session's objects, by identity and by what the next flush owes them. */
export class Registry {
  readonly #identity = new Map<Mapper, IdentityMap>();
  /** The mapper of each table name in this session, to refuse two classes for one table. */
  readonly #tables = new Map<string, Mapper>();
  readonly pending: Set<InstanceState> = new Set();
  readonly dirty: Set<InstanceState> = new Set();
  readonly deleted: Set<InstanceState> = new Set();
  readonly holders: Set<InstanceState> = new Set();
  /** Objects whose rows a flush deleted, until the transaction ends. */
  readonly removed: Set<InstanceState> = new Set();
  /** The order objects were added in, for insert ordering. */
  order = 0;

  /** The mapper `map` was last asked for, and its identity map (loads ask once per row). */
  #lastMapper: Mapper | null = null;
  #lastMap: IdentityMap | null = null;

  /** The identity map of a mapper. */
  map(mapper: Mapper): IdentityMap {
    if (mapper === this.#lastMapper) return this.#lastMap!;
    const asked = mapper;
    if (mapper.poly !== null) mapper = mapper.poly.root;
    let m = this.#identity.get(mapper);
    if (m === undefined) {
      const name = JSON.stringify([mapper.table.schema ?? null, mapper.table.name]);
      const other = this.#tables.get(name);
      if (other !== undefined && other.table !== mapper.table) {
        throw new InvalidRequestError(
          `${mapper.name} and ${other.name} are two mapped classes for the table ` +
            `${mapper.table.name}, so one row would be two objects. Map one class to it, or ` +
            "share one Table deliberately: class B extends Model(A.table).",
        );
      }
      this.#tables.set(name, mapper);
      this.#identity.set(mapper, m = new IdentityMap());
    }
    this.#lastMapper = asked;
    this.#lastMap = m;
    return m;
  }

  /** The object of a mapper with an identity key, with no I/O. */
  lookup(mapper: Mapper, key: unknown): object | undefined {
    if (mapper.poly !== null) mapper = mapper.poly.root;
    return this.#identity.get(mapper)?.get(key);
  }

  /** How many objects the identity map holds. */
  get size(): number {
    let n = 0;
    for (const m of this.#identity.values()) n += m.size;
    return n;
  }

  /** Every object in the identity map. */
  *objects(): IterableIterator<object> {
    for (const m of this.#identity.values()) yield* m.values();
  }

  /** Makes a state persistent in the session under a key. */
  attach(state: InstanceState, key: unknown, owner: StateOwner): void {
    state.placeIn(owner, "persistent");
    state.key = key;
    this.map(state.mapper).set(key, state.obj);
    if (state.relations !== null) this.holders.add(state);
  }

  /** Removes a state from the identity map (if it is the one there) and from every set. */
  forget(state: InstanceState): void {
    const mapper = state.mapper.poly === null ? state.mapper : state.mapper.poly.root;
    const m = this.#identity.get(mapper);
    if (m?.get(state.key) === state.obj) m.delete(state.key);
    this.pending.delete(state);
    this.dirty.delete(state);
    this.deleted.delete(state);
    this.holders.delete(state);
    this.removed.delete(state);
    state.dirty = false;
  }

  /** Applies what a flush did: statuses, keys, the identity map, and the new baselines. */
  applyFlush(result: FlushResult, owner: StateOwner): void {
    const inserted = result.inserted;
    if (inserted.length === this.pending.size) this.pending.clear();
    else for (let i = 0; i < inserted.length; i++) this.pending.delete(inserted[i]);
    // Indexed loops and forEach: no iterator result per object in code not yet optimized.
    for (let i = 0; i < inserted.length; i++) {
      const s = inserted[i];
      s.loaded = null;
      s.flagged = null;
      this.attach(s, s.mapper.identity(s.values), owner);
    }
    const written = result.written;
    for (let i = 0; i < written.length; i++) {
      const s = written[i];
      s.loaded = null;
      s.flagged = null;
      const key = s.mapper.identity(s.values);
      if (key !== s.key) {
        // The primary key changed: the object moves in the identity map.
        const m = this.map(s.mapper);
        if (m.get(s.key) === s.obj) m.delete(s.key);
        s.key = key;
        m.set(key, s.obj);
      }
    }
    this.dirty.forEach((s) => {
      s.dirty = false;
      if (s.loaded !== null && !s.hasChanges()) {
        s.loaded = null;
        s.flagged = null;
      }
    });
    this.dirty.clear();
    for (const s of result.deleted) {
      this.forget(s);
      s.status = "deleted";
      s.wasDeleted = true;
      this.removed.add(s);
    }
    for (const s of result.reconciled) {
      if (s.relations === null) continue;
      for (const [, l] of relationEntries(s)) {
        l.base = Array.isArray(l.value) ? l.value.slice() : l.value;
      }
    }
  }

  /**
   * Detaches every object (persistent ones become detached, pending ones transient). Objects
   * with nothing owed to the flush are detached lazily: the owner's span ends, and each of
   * them sees it the next time it is looked at.
   */
  clear(owner: StateOwner): void {
    for (const set of [this.pending, this.dirty, this.deleted, this.removed]) {
      for (const s of set) {
        s.session = null;
        s.status = s.status === "pending" ? "transient" : "detached";
        s.dirty = false;
      }
    }
    owner.epoch.live = false;
    owner.epoch = new Epoch(owner);
    for (const m of this.#identity.values()) m.clear();
    this.pending.clear();
    this.dirty.clear();
    this.deleted.clear();
    this.holders.clear();
    this.removed.clear();
  }
}

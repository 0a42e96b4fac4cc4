/**
 * The frames of a session's transaction (the transaction itself, then each savepoint): what
 * each saved of the objects it changed, and how a rollback puts them back; and the holds of the
 * `session.stream()` loops reading in them.
 *
 * @module
 */
import type { Transaction } from "../../core/engine/connection.ts";
import type { InstanceState, Loaded, ObjectStatus, StateOwner } from "../mapping/state.ts";
import { relationEntries, relationOf, relationsRecord, setRelation } from "../mapping/relations.ts";
import { collection } from "../relationship/collection.ts";
import { relationshipsOf } from "../relationship/relationship.ts";
import { hooksOf } from "../relationship/sync.ts";
import { EXPIRED } from "../mapping/expired.ts";
import type { Registry } from "./registry.ts";
import type { Row } from "../../core/sql/nodes.ts";

/** An object as a frame found it, the first time the frame changed it. */
export interface Snapshot {
  readonly values: unknown[];
  readonly loaded: unknown[] | null;
  readonly flagged: Set<number> | null;
  readonly status: ObjectStatus;
  readonly key: unknown;
  readonly session: StateOwner | null;
  readonly relations: [string, Loaded][] | null;
  readonly dirty: boolean;
  readonly expired: boolean;
  readonly wasDeleted: boolean;
  /** Membership of the registry's sets: pending, dirty, deleted, holders, removed. */
  readonly sets: number;
}

const copyList = (v: unknown): unknown => Array.isArray(v) ? v.slice() : v;

/** One level of the transaction: the transaction itself, or a savepoint in it. */
export class Frame {
  readonly snapshots: Map<InstanceState, Snapshot> = new Map();
  /**
   * New objects added in this frame (their `order` is past `start`) that a flush changed, each
   * holding its values from before (`original`): a rollback makes them transient again, with
   * those values. An object forgotten since holds none and is passed over.
   */
  readonly added: InstanceState[] = [];
  /**
   * Those values, one object's after another's (each `mapper.columns.length` long, from its
   * `original`): one growing array rather than one array per object.
   */
  readonly addedValues: unknown[] = [];
  /** The registry's add order when the frame began: objects added after it are its own. */
  readonly start: number;
  /** Relationships first loaded in this frame: a state, then the relationship's name, flat. */
  readonly loads: (InstanceState | string)[] = [];
  /** Columns changed in place (flagModified) in this frame: a state, then the index, flat. */
  readonly inPlace: (InstanceState | number)[] = [];
  /** The database savepoint, or null for the outermost frame. */
  readonly savepoint: Transaction | null;
  /** Why the frame ended early (a failed flush rolled it back), or null. */
  failure: unknown = null;
  constructor(savepoint: Transaction | null, start: number) {
    this.savepoint = savepoint;
    this.start = start;
  }
}

/**
 * The snapshot of the commonest change: a persistent object, clean (its values just copied to
 * `loaded`) and holding no relationships. Four fields, the rest fixed, where a full snapshot
 * holds eleven.
 */
class CleanSnapshot implements Snapshot {
  readonly values: unknown[];
  readonly key: unknown;
  readonly session: StateOwner | null;
  readonly sets: number;
  constructor(values: unknown[], key: unknown, session: StateOwner | null, sets: number) {
    this.values = values;
    this.key = key;
    this.session = session;
    this.sets = sets;
  }
  get loaded(): null {
    return null;
  }
  get flagged(): null {
    return null;
  }
  get status(): ObjectStatus {
    return "persistent";
  }
  get relations(): null {
    return null;
  }
  get dirty(): boolean {
    return false;
  }
  get expired(): boolean {
    return false;
  }
  get wasDeleted(): boolean {
    return false;
  }
}

/** Membership of the registry's sets, as `Snapshot.sets` holds it. */
function setsOf(state: InstanceState, r: Registry): number {
  return (r.pending.has(state) ? 1 : 0) | (r.dirty.has(state) ? 2 : 0) |
    (r.deleted.has(state) ? 4 : 0) | (r.holders.has(state) ? 8 : 0) |
    (r.removed.has(state) ? 16 : 0);
}

/** What a frame saves of an object the first time it changes it. */
export function snapshotOf(state: InstanceState, r: Registry, clean: boolean): Snapshot {
  const session = state.session;
  if (
    clean && session !== null && state.status === "persistent" && state.relations === null &&
    state.flagged === null && !state.dirty && !state.expired && !state.wasDeleted
  ) return new CleanSnapshot(state.loaded!.slice(), state.key, session, setsOf(state, r));
  const inSession = session !== null;
  const relations = state.relations === null ? null : relationEntries(state).map((
    [name, l],
  ): [string, Loaded] => [name, { value: copyList(l.value), base: copyList(l.base) }]);
  return {
    // Copies: expire, a bulk update, a refresh and a deferred load write `loaded` in place.
    values: clean ? state.loaded!.slice() : state.values.slice(),
    loaded: clean || state.loaded === null ? null : state.loaded.slice(),
    flagged: state.flagged === null ? null : new Set(state.flagged),
    status: state.status,
    key: state.key,
    session: state.session,
    relations,
    dirty: state.dirty,
    expired: state.expired,
    wasDeleted: state.wasDeleted,
    sets: inSession ? setsOf(state, r) : 0,
  };
}

/**
 * What the relationships first loaded in a frame hold as loaded, for the objects the frame
 * saved before it loaded them: a rollback to the snapshot keeps them loaded.
 */
function loadedSince(frame: Frame): Map<InstanceState, Map<string, unknown>> | null {
  let out: Map<InstanceState, Map<string, unknown>> | null = null;
  const loads = frame.loads;
  for (let k = 0; k < loads.length; k += 2) {
    const s = loads[k] as InstanceState;
    const name = loads[k + 1] as string;
    const snap = frame.snapshots.get(s);
    if (snap === undefined || snap.relations?.some(([n]) => n === name)) continue;
    const l = relationOf(s, name);
    if (l === undefined) continue;
    out ??= new Map();
    let m = out.get(s);
    if (m === undefined) out.set(s, m = new Map());
    m.set(name, copyList(l.base));
  }
  return out;
}

/** The columns of persistent objects changed in place in a frame, by object. */
function changedInPlace(frame: Frame): Map<InstanceState, number[]> | null {
  const list = frame.inPlace;
  if (list.length === 0) return null;
  const out = new Map<InstanceState, number[]>();
  for (let k = 0; k < list.length; k += 2) {
    const s = list[k] as InstanceState;
    const columns = out.get(s);
    if (columns === undefined) out.set(s, [list[k + 1] as number]);
    else columns.push(list[k + 1] as number);
  }
  return out;
}

/** Puts every object a frame saved back as the frame found it, in the registry too. */
export function restoreSnapshots(frame: Frame, r: Registry): void {
  const since = loadedSince(frame);
  const changed = changedInPlace(frame);
  for (const [s, snap] of frame.snapshots) {
    const inPlace = snap.status === "persistent" ? changed?.get(s) : undefined;
    r.forget(s);
    s.values = snap.values.slice();
    s.loaded = snap.loaded === null ? null : snap.loaded.slice();
    s.flagged = snap.flagged;
    s.status = snap.status;
    s.key = snap.key;
    s.session = snap.session;
    s.dirty = snap.dirty;
    s.expired = snap.expired;
    s.wasDeleted = snap.wasDeleted;
    s.frame = null;
    s.relations = null;
    if (snap.relations !== null) {
      s.relations = relationsRecord();
      const rels = relationshipsOf(s.mapper);
      for (const [name, l] of snap.relations) {
        const rel = rels.get(name)!;
        const value = Array.isArray(l.value) ? collection(s.obj, hooksOf(rel), l.value) : l.value;
        setRelation(s, name, { value, base: copyList(l.base) });
      }
    }
    if (inPlace !== undefined) {
      // A value changed in place (flagModified) is the same object in the snapshot: what the
      // database holds is known only by reading it, so the column is expired until then.
      for (const i of inPlace) {
        s.values[i] = EXPIRED;
        if (s.loaded !== null) s.loaded[i] = EXPIRED;
      }
      s.expired = true;
    }
    const loaded = since?.get(s);
    if (loaded !== undefined) {
      const rels = relationshipsOf(s.mapper);
      for (const [name, base] of loaded) {
        const value = Array.isArray(base)
          ? collection(s.obj, hooksOf(rels.get(name)!), base.slice())
          : base;
        setRelation(s, name, { value, base });
      }
      if (snap.status === "persistent") r.holders.add(s); // its flush reconciles them
    }
    if (snap.status === "persistent") r.map(s.mapper).set(s.key, s.obj);
    if (snap.sets & 1) r.pending.add(s);
    if (snap.sets & 2) r.dirty.add(s);
    if (snap.sets & 4) r.deleted.add(s);
    if (snap.sets & 8) r.holders.add(s);
    if (snap.sets & 16) r.removed.add(s);
  }
}

/**
 * A `session.stream()` loop's hold on the transaction its rows are read in, from
 * `SessionTransaction.openStream` until `close`: its chunks, and whether that transaction (or
 * savepoint) ended under it.
 */
export class StreamHold {
  /** The query's rows, a chunk at a time. */
  readonly chunks: AsyncGenerator<Row[], void>;
  /** The savepoint frame the rows are read in, or null for the transaction itself. */
  frame: Frame | null;
  /**
   * Why the rows can no longer be read, or null while they can: the transaction (`savepoint`
   * false) or the savepoint ended under the stream, rolled back after `failure` (a failed
   * flush's error), or by its owner (`failure` null).
   */
  ended: { readonly savepoint: boolean; readonly failure: unknown } | null = null;
  readonly #holds: Set<StreamHold>;

  constructor(chunks: AsyncGenerator<Row[], void>, frame: Frame | null, holds: Set<StreamHold>) {
    this.chunks = chunks;
    this.frame = frame;
    this.#holds = holds;
    holds.add(this);
  }

  /**
   * Lets the rows go: the cursor (or table) is closed. Once the transaction (or savepoint)
   * ended under it, they went with it, and nothing is sent: a CLOSE of a cursor gone fails,
   * and in a savepoint's enclosing transaction, would abort it. The chunks, suspended with no
   * statement in flight, are dropped.
   */
  async close(): Promise<void> {
    this.#holds.delete(this);
    if (this.ended === null) await this.chunks.return();
  }
}

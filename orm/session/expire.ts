/**
 * Expiring and refreshing objects, and asking whether one has unflushed changes:
 * `session.expire`, `expireAll`, `refresh(obj, attrs)` and `isModified`. The Session's
 * methods are thin doors onto these.
 *
 * An expired column holds the `EXPIRED` marker (reading it raises NotLoadedError); an expired
 * relationship is no longer loaded. The next load of the row (`session.get`, a query, a
 * refresh) fills the expired columns and keeps the others. Expiring discards unflushed changes
 * to what it expires, as SQLAlchemy does. Primary-key and version columns stay loaded: they
 * are the object's identity and its concurrency check.
 *
 * @module
 */
import { ArgumentError, InvalidRequestError } from "../../core/errors.ts";
import { EXPIRED } from "../mapping/expired.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { relationEntries } from "../mapping/relations.ts";
import { relationshipsOf } from "../relationship/relationship.ts";
import { loadRelationship } from "../loading/selectin.ts";
import { unfiltered } from "../loading/criteria.ts";
import { onlyChoices } from "../loading/column_options.ts";
import type { SessionCore } from "./core.ts";
import { loadByKey } from "./query.ts";
import { ownState } from "./reads.ts";

/** A persistent object of session `c`, or an InvalidRequestError naming `what`. */
function persistentState(c: SessionCore, obj: object, what: string): InstanceState {
  const state = ownState(c, obj, what);
  if (state.status !== "persistent") {
    const why = state.status === "pending"
      ? "is pending (added, not yet flushed), so there is no row to load it from; " +
        "flush first"
      : `is ${state.status}`;
    throw new InvalidRequestError(
      `${what} takes a persistent object; this ${state.mapper.name} ${why}.`,
    );
  }
  return state;
}

/** The column indexes and relationship names of `attrs`, checked. */
function split(state: InstanceState, attrs: readonly string[], what: string) {
  const mapper = state.mapper;
  const rels = relationshipsOf(mapper);
  const columns: number[] = [];
  const relations: string[] = [];
  for (const a of attrs) {
    const i = mapper.indexByKey.get(a);
    if (i !== undefined) columns.push(i);
    else if (rels.has(a)) relations.push(a);
    else {
      throw new ArgumentError(
        `${what}: ${mapper.name} has no column or relationship ${JSON.stringify(a)}; its ` +
          `columns are ${mapper.keys.join(", ")}.`,
      );
    }
  }
  return { columns, relations };
}

/** Unloads columns (by index) and relationships of a persistent object. */
function expireState(
  c: SessionCore,
  state: InstanceState,
  columns: readonly number[],
  relations: readonly string[],
): void {
  c.touch(state);
  const mapper = state.mapper;
  const values = state.values;
  const loaded = state.loaded;
  let any = false;
  for (const i of columns) {
    if (mapper.pk.includes(i) || i === mapper.version) continue;
    values[i] = EXPIRED;
    if (loaded !== null) loaded[i] = EXPIRED;
    state.flagged?.delete(i);
    any = true;
  }
  if (any) state.expired = true;
  if (state.dirty && !state.hasChanges()) {
    c.registry.dirty.delete(state);
    state.dirty = false;
  }
  const r = state.relations;
  if (r !== null) {
    for (const name of relations) delete r[name];
    if (relationEntries(state).length === 0) c.registry.holders.delete(state);
  }
}

/** `session.expire(obj, attrs?)`: the named columns and relationships, or all, unloaded. */
export function expireObject(c: SessionCore, obj: object, attrs?: readonly string[]): void {
  c.check();
  const state = persistentState(c, obj, "session.expire()");
  if (attrs === undefined) {
    expireState(c, state, state.mapper.indexes, relationNames(state));
    return;
  }
  const { columns, relations } = split(state, attrs, "session.expire()");
  expireState(c, state, columns, relations);
}

function relationNames(state: InstanceState): string[] {
  return relationEntries(state).map(([name]) => name);
}

/** `session.expireAll()`: every persistent object of the session expired. */
export function expireEvery(c: SessionCore): void {
  c.check();
  for (const obj of [...c.registry.objects()]) {
    const state = stateOf(obj)!;
    if (state.status === "persistent") {
      expireState(c, state, state.mapper.indexes, relationNames(state));
    }
  }
}

/**
 * `session.refresh(obj, attrs)`: only the named columns reloaded (their unflushed changes
 * discarded), and the named relationships loaded again.
 */
export function refreshAttributes(
  c: SessionCore,
  obj: object,
  attrs: readonly string[],
): Promise<void> {
  return c.run("refresh an object", "a refresh", async () => {
    const state = persistentState(c, obj, "session.refresh()");
    const { columns, relations } = split(state, attrs, "session.refresh()");
    const mapper = state.mapper;
    if (columns.length > 0) {
      expireState(c, state, columns, []);
      const keys = mapper.pk.map((i) => state.stored[i]);
      // Only the columns named (and the key) are selected, deferred ones too.
      const named = columns.map((i) => mapper.columns[i]);
      const ctx = { ...unfiltered(c.load), columns: onlyChoices(mapper.table, named) };
      if ((await loadByKey(ctx, mapper, keys, false)) === null) {
        throw new InvalidRequestError(
          `${mapper.name} ${String(state.key)} no longer exists in the database.`,
        );
      }
    }
    if (relations.length > 0) {
      expireState(c, state, [], relations);
      const rels = relationshipsOf(mapper);
      for (const name of relations) {
        await loadRelationship(c.load, [state], rels.get(name)!, [], false);
      }
    }
  });
}

/** `session.isModified(obj)`: whether a column or relationship has an unflushed net change. */
export function isModified(c: SessionCore, obj: object): boolean {
  const state = ownState(c, obj, "session.isModified()");
  if (state.status === "pending") return true;
  if (state.hasChanges()) return true;
  for (const [, l] of relationEntries(state)) {
    if (Array.isArray(l.value)) {
      const base = Array.isArray(l.base) ? l.base : [];
      if (base.length !== l.value.length) return true;
      const was = new Set(base);
      if (l.value.some((o) => !was.has(o))) return true;
    } else if (l.value !== l.base && !(l.base === undefined && l.value === null)) return true;
  }
  return false;
}

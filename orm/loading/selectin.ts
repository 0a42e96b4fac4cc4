/**
 * Loading a relationship of many objects in a second query: `SELECT ... WHERE fk IN (...)`,
 * batched under the dialect's parameter limit, built with the statement builder. Nested
 * `joined` options are LEFT JOINed in that query (see `joined.ts`); other nested options
 * then load further relationships of what was loaded. An object whose relationship is loaded
 * already keeps it (see `keep.ts`).
 *
 * @module
 */
import { inList } from "../../core/builder/comparison.ts";
import { type Select, select } from "../../core/builder/select.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { type KeyPart, keyPartOf } from "../mapping/identity.ts";
import { fromClass, rowColumns } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipOf } from "../relationship/relationship.ts";
import { hydrate, type LoadContext } from "./hydrate.ts";
import type { LoaderOption } from "./options.ts";
import { setLoaded } from "../relationship/sync.ts";
import { adopt, mayStore, type Overwrite } from "./keep.ts";
import { loadJoinedRows } from "./joined.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";
import { criteriaFor } from "./criteria.ts";
import type { Column } from "../../core/schema/column.ts";
import {
  hydrateNarrowed,
  keptColumns,
  narrow,
  ownColumns,
  partialContext,
  widenRows,
} from "./columns.ts";

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function orderOf(rel: Relationship): SqlSource<unknown>[] | null {
  const o = rel.options.orderBy?.();
  if (o === undefined) return null;
  return Array.isArray(o) ? o : [o];
}

/** Groups values by key, normalised as the database compares the key column's type. */
class ByKey<V> {
  readonly #map = new Map<unknown, V[]>();
  readonly #part: KeyPart;
  /** The keys, in first-seen order. */
  readonly keys: unknown[] = [];
  constructor(part: KeyPart) {
    this.#part = part;
  }
  add(key: unknown, value: V): void {
    const k = this.#part(key);
    const list = this.#map.get(k);
    if (list) list.push(value);
    else {
      this.#map.set(k, [value]);
      this.keys.push(key);
    }
  }
  ensure(key: unknown): void {
    const k = this.#part(key);
    if (!this.#map.has(k)) {
      this.#map.set(k, []);
      this.keys.push(key);
    }
  }
  get(key: unknown): V[] {
    return this.#map.get(this.#part(key)) ?? [];
  }
}

async function loadManyToOne(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  how: Overwrite,
  need: readonly Column[],
  joins: readonly LoaderOption[],
): Promise<object[]> {
  const populate = how.populate;
  const target = rel.targetMapper;
  const identity = ctx.identityMap(target);
  // The keys compare as the referenced column's values do.
  const part = target.keyParts[rel.ref];
  const wanted = new ByKey<InstanceState>(part);
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    const fk = s.values[rel.fk];
    if (fk === null || fk === undefined) {
      if (mayStore(rel, s, how)) setLoaded(rel, s, null);
    } else wanted.add(fk, s);
  }
  const byRef = target.pk.length === 1 && target.pk[0] === rel.ref;
  // An object held for the key answers without a query, if it is of the target's class (the
  // identity map of a hierarchy holds every class's objects: another's row is no match).
  const cls = target.cls as unknown as abstract new () => object;
  const held = (key: unknown): object | undefined => {
    const obj = identity.get(part(key));
    return obj === undefined || target.poly === null || obj instanceof cls ? obj : undefined;
  };
  // Nested joined options are read in the query: every target is selected then.
  const missing = populate || !byRef || joins.length > 0
    ? wanted.keys
    : wanted.keys.filter((k) => held(k) === undefined);
  const refCol = target.columns[rel.ref];
  const found = new Map<unknown, object>();
  const fetch = fetcher(ctx, target, how, [...need, refCol], joins);
  for (const chunk of chunks(missing, rowsPerStatement(ctx.dialect))) {
    const objs = await fetch((q) =>
      q.where(inList(refCol, chunk), criteriaFor(ctx.criteria, target, target.table))
    );
    for (let i = 0; i < objs.length; i++) {
      found.set(part(stateOf(objs[i])!.values[rel.ref]), objs[i]);
    }
  }
  const loaded: object[] = [];
  const keys = wanted.keys;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const obj = found.get(part(key)) ?? (byRef ? held(key) : undefined) ?? null;
    const holders = wanted.get(key);
    for (let i = 0; i < holders.length; i++) {
      if (mayStore(rel, holders[i], how)) setLoaded(rel, holders[i], obj);
    }
    if (obj) loaded.push(obj);
  }
  return loaded;
}

async function loadOneToMany(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  how: Overwrite,
  need: readonly Column[],
  joins: readonly LoaderOption[],
): Promise<object[]> {
  const target = rel.targetMapper;
  const children = new ByKey<object>(target.keyParts[rel.fk]);
  for (let i = 0; i < states.length; i++) {
    const k = states[i].values[rel.ref];
    if (k !== null && k !== undefined) children.ensure(k);
  }
  const fkCol = target.columns[rel.fk];
  const order = orderOf(rel) ?? target.pk.map((i) => target.columns[i]);
  let loaded: object[] = [];
  const fetch = fetcher(ctx, target, how, [...need, fkCol], joins);
  for (const chunk of chunks(children.keys, rowsPerStatement(ctx.dialect))) {
    const objs = await fetch((q) =>
      q.where(inList(fkCol, chunk), criteriaFor(ctx.criteria, target, target.table))
        .orderBy(...order)
    );
    for (let i = 0; i < objs.length; i++) children.add(stateOf(objs[i])!.values[rel.fk], objs[i]);
    loaded = loaded.length === 0 ? objs : loaded.concat(objs);
  }
  // Indexed loops: these run once per object loaded, mostly before the optimizing compiler
  // sees them, where for...of makes an iterator result per item.
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    // A collection already loaded keeps what it holds (see `keep.ts`).
    if (!mayStore(rel, s, how)) continue;
    const k = s.values[rel.ref];
    const list = adopt(rel, s, k === null || k === undefined ? [] : children.get(k), how);
    setLoaded(rel, s, rel.scalar ? (list[0] ?? null) : list, true);
  }
  return loaded;
}

async function loadManyToMany(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  how: Overwrite,
  need: readonly Column[],
  joins: readonly LoaderOption[],
): Promise<object[]> {
  const populate = how.populate;
  const target = rel.targetMapper;
  const sec = rel.secondary!;
  const members = new ByKey<object>(keyPartOf(sec.owner.type));
  for (let i = 0; i < states.length; i++) {
    const k = states[i].values[rel.ref];
    if (k !== null && k !== undefined) members.ensure(k);
  }
  if (joins.length > 0) return await manyToManyJoined(ctx, states, rel, how, need, joins, members);
  const record: Record<string, SqlSource<unknown>> = {};
  const columns = rowColumns(target);
  const keep = keptColumns(ctx, target, columns, need);
  const load = keep === null ? ctx : partialContext(ctx);
  (keep ?? columns.map((_, i) => i)).forEach((i) => (record[`c${i}`] = columns[i]));
  record.owner = sec.owner;
  const [, toTarget] = rel.joinConditions((c) => c, (c) => c);
  const order = orderOf(rel);
  let loaded: object[] = [];
  for (const chunk of chunks(members.keys, rowsPerStatement(ctx.dialect))) {
    let q = fromClass(select(record), target).join(sec.table, toTarget.on).where(
      inList(sec.owner, chunk),
      criteriaFor(ctx.criteria, target, target.table),
    );
    if (order !== null) q = q.orderBy(...order);
    const rows = await ctx.rows(q);
    if (keep !== null) widenRows(rows, [[keep, columns.length]]);
    const objs = hydrate(load, target, rows, populate);
    const ownerAt = columns.length;
    for (let i = 0; i < objs.length; i++) members.add(rows[i][ownerAt], objs[i]);
    loaded = loaded.length === 0 ? objs : loaded.concat(objs);
  }
  storeMembers(states, rel, how, members);
  return loaded;
}

function storeMembers(
  states: readonly InstanceState[],
  rel: Relationship,
  how: Overwrite,
  members: ByKey<object>,
): void {
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (!mayStore(rel, s, how)) continue;
    const k = s.values[rel.ref];
    setLoaded(rel, s, adopt(rel, s, k === null || k === undefined ? [] : members.get(k), how));
  }
}

/**
 * The many-to-many load whose nested options LEFT JOIN further relationships: the select of
 * the target joined to the association table, its owner column carried through.
 */
async function manyToManyJoined(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  how: Overwrite,
  need: readonly Column[],
  joins: readonly LoaderOption[],
  members: ByKey<object>,
): Promise<object[]> {
  const target = rel.targetMapper;
  const sec = rel.secondary!;
  const [, toTarget] = rel.joinConditions((c) => c, (c) => c);
  const order = orderOf(rel);
  const loaded: object[] = [];
  for (const chunk of chunks(members.keys, rowsPerStatement(ctx.dialect))) {
    let q = select(target.cls).join(sec.table, toTarget.on).where(
      inList(sec.owner, chunk),
      criteriaFor(ctx.criteria, target, target.table),
    );
    if (order !== null) q = q.orderBy(...order);
    const got = await loadJoinedRows(ctx, target, q, joins, how, need, applyOptions, [sec.owner]);
    for (let i = 0; i < got.objects.length; i++) {
      members.add(got.carried[i][0], got.objects[i]);
      loaded.push(got.objects[i]);
    }
  }
  storeMembers(states, rel, how, members);
  return loaded;
}

/**
 * Runs the select of a relationship's target, shaped by the caller (its WHERE, its order),
 * and hydrates its objects; nested joined options LEFT JOIN their relationships in it.
 */
function fetcher(
  ctx: LoadContext,
  target: Mapper,
  how: Overwrite,
  need: readonly Column[],
  joins: readonly LoaderOption[],
): (shape: (q: Select<unknown>) => Select<unknown>) => Promise<object[]> {
  if (joins.length === 0) {
    const n = narrow(ctx, target, select(target.cls) as Select<unknown>, need);
    return async (shape) => {
      const rows = await ctx.rows(shape(n.query));
      return hydrateNarrowed(n, target, rows, how.populate);
    };
  }
  return async (shape) => {
    const q = shape(select(target.cls) as Select<unknown>);
    return (await loadJoinedRows(ctx, target, q, joins, how, need, applyOptions)).objects;
  };
}

/**
 * Loads one relationship for many objects of one mapper, in as few queries as the parameter
 * limit allows, then applies nested options to what was loaded. A relationship already
 * loaded on an object keeps its value unless `populate` (populate existing) or `reload`
 * (`session.load`: where it holds no unflushed change) says otherwise (see `keep.ts`);
 * `populate` also has the rows overwrite the columns of the objects held.
 */
export async function loadRelationship(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  nested: readonly LoaderOption[],
  populate: boolean,
  reload = false,
): Promise<void> {
  const how: Overwrite = { populate, reload };
  const load = rel.direction === "manyToOne"
    ? loadManyToOne
    : rel.direction === "oneToMany"
    ? loadOneToMany
    : loadManyToMany;
  const need = ownColumns(rel.targetMapper, nested);
  // Nested joined options are LEFT JOINed in this load's query; the others load after it.
  const joins = nested.filter((o) => o.strategy === "joined");
  const rest = joins.length === 0 ? nested : nested.filter((o) => o.strategy !== "joined");
  const loaded = await load(ctx, states, rel, how, need, joins);
  if (rest.length > 0 && loaded.length > 0) {
    const unique = [...new Set(loaded)];
    const targets = unique.map((o) => stateOf(o)!);
    await applyOptions(ctx, rel.targetMapper, targets, rest, populate, reload);
  }
}

/** Applies loader options to objects of one mapper (`populate`, `reload`: see above). */
export async function applyOptions(
  ctx: LoadContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  options: readonly LoaderOption[],
  populate: boolean,
  reload = false,
): Promise<void> {
  if (states.length === 0) return;
  for (const option of options) {
    await loadRelationship(
      ctx,
      states,
      relationshipOf(mapper, option.path),
      option.nested as readonly LoaderOption[],
      populate,
      reload,
    );
  }
}

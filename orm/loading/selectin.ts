/**
 * Loading a relationship of many objects in a second query: `SELECT ... WHERE fk IN (...)`,
 * batched under the dialect's parameter limit, built with the statement builder; nested
 * options then load further relationships of what was loaded.
 *
 * @module
 */
import { inList } from "../../core/builder/comparison.ts";
import { select } from "../../core/builder/select.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { type KeyPart, keyPartOf } from "../mapping/identity.ts";
import { fromClass, rowColumns } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipOf } from "../relationship/relationship.ts";
import { hydrate, type LoadContext } from "./hydrate.ts";
import type { LoaderOption } from "./options.ts";
import { loadedOf, setLoaded } from "../relationship/sync.ts";
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
  populate: boolean,
  need: readonly Column[],
): Promise<object[]> {
  const target = rel.targetMapper;
  const identity = ctx.identityMap(target);
  // The keys compare as the referenced column's values do.
  const part = target.keyParts[rel.ref];
  const wanted = new ByKey<InstanceState>(part);
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    const fk = s.values[rel.fk];
    if (fk === null || fk === undefined) setLoaded(rel, s, null);
    else wanted.add(fk, s);
  }
  const byRef = target.pk.length === 1 && target.pk[0] === rel.ref;
  // An object held for the key answers without a query, if it is of the target's class (the
  // identity map of a hierarchy holds every class's objects: another's row is no match).
  const cls = target.cls as unknown as abstract new () => object;
  const held = (key: unknown): object | undefined => {
    const obj = identity.get(part(key));
    return obj === undefined || target.poly === null || obj instanceof cls ? obj : undefined;
  };
  const missing = populate || !byRef
    ? wanted.keys
    : wanted.keys.filter((k) => held(k) === undefined);
  const refCol = target.columns[rel.ref];
  const found = new Map<unknown, object>();
  const n = narrow(ctx, target, select(target.cls), [...need, refCol]);
  for (const chunk of chunks(missing, rowsPerStatement(ctx.dialect))) {
    const rows = await ctx.rows(
      n.query.where(
        inList(refCol, chunk),
        criteriaFor(ctx.criteria, target, target.table),
      ),
    );
    const objs = hydrateNarrowed(n, target, rows, populate);
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
    for (let i = 0; i < holders.length; i++) setLoaded(rel, holders[i], obj);
    if (obj) loaded.push(obj);
  }
  return loaded;
}

async function loadOneToMany(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  populate: boolean,
  need: readonly Column[],
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
  const n = narrow(ctx, target, select(target.cls), [...need, fkCol]);
  for (const chunk of chunks(children.keys, rowsPerStatement(ctx.dialect))) {
    const rows = await ctx.rows(
      n.query.where(
        inList(fkCol, chunk),
        criteriaFor(ctx.criteria, target, target.table),
      ).orderBy(...order),
    );
    const objs = hydrateNarrowed(n, target, rows, populate);
    for (let i = 0; i < objs.length; i++) children.add(stateOf(objs[i])!.values[rel.fk], objs[i]);
    loaded = loaded.length === 0 ? objs : loaded.concat(objs);
  }
  const back = rel.back;
  // Indexed loops: these run once per object loaded, mostly before the optimizing compiler
  // sees them, where for...of makes an iterator result per item.
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    const k = s.values[rel.ref];
    const list = k === null || k === undefined ? [] : children.get(k);
    setLoaded(rel, s, rel.scalar ? (list[0] ?? null) : list, true);
    if (back?.scalar) {
      for (let j = 0; j < list.length; j++) {
        const cs = stateOf(list[j])!;
        if (populate || loadedOf(back, cs) === undefined) setLoaded(back, cs, s.obj);
      }
    }
  }
  return loaded;
}

async function loadManyToMany(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  populate: boolean,
  need: readonly Column[],
): Promise<object[]> {
  const target = rel.targetMapper;
  const sec = rel.secondary!;
  const members = new ByKey<object>(keyPartOf(sec.owner.type));
  for (let i = 0; i < states.length; i++) {
    const k = states[i].values[rel.ref];
    if (k !== null && k !== undefined) members.ensure(k);
  }
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
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    const k = s.values[rel.ref];
    setLoaded(rel, s, k === null || k === undefined ? [] : members.get(k));
  }
  return loaded;
}

/**
 * Loads one relationship for many objects of one mapper, in as few queries as the parameter
 * limit allows, then applies nested options to what was loaded.
 */
export async function loadRelationship(
  ctx: LoadContext,
  states: readonly InstanceState[],
  rel: Relationship,
  nested: readonly LoaderOption[],
  populate: boolean,
): Promise<void> {
  const load = rel.direction === "manyToOne"
    ? loadManyToOne
    : rel.direction === "oneToMany"
    ? loadOneToMany
    : loadManyToMany;
  const need = ownColumns(rel.targetMapper, nested);
  const loaded = await load(ctx, states, rel, populate, need);
  if (nested.length > 0 && loaded.length > 0) {
    const unique = [...new Set(loaded)];
    await applyOptions(ctx, rel.targetMapper, unique.map((o) => stateOf(o)!), nested, populate);
  }
}

/** Applies loader options to objects of one mapper. */
export async function applyOptions(
  ctx: LoadContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  options: readonly LoaderOption[],
  populate: boolean,
): Promise<void> {
  if (states.length === 0) return;
  for (const option of options) {
    await loadRelationship(
      ctx,
      states,
      relationshipOf(mapper, option.path),
      option.nested as readonly LoaderOption[],
      populate,
    );
  }
}

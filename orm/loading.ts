/**
 * Loading: hydrating rows into the identity map, and the relationship loaders (`selectin`,
 * `joined`, `session.load`). Nothing here runs on attribute access.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import { ArgumentError } from "../core/errors.ts";
import type { Fragment } from "../core/sql/nodes.ts";
import { sql } from "../core/sql/tag.ts";
import type { Mapper } from "./mapper.ts";
import type { Relationship } from "./relationship.ts";
import { type InstanceState, stateOf } from "./state.ts";

/**
 * A loader option for a relationship: `selectin("posts")`, optionally with nested options
 * for the loaded objects: `selectin("posts", selectin("comments"))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LoaderOption, selectin } from "@retort/orm";
 * const option: LoaderOption = selectin("posts", selectin("comments"));
 * assert(option.strategy === "selectin" && option.nested.length === 1);
 * ```
 */
export interface LoaderOption {
  /** How to load: a second batched `IN` query, or a LEFT JOIN in the same query. */
  readonly strategy: "selectin" | "joined";
  /** The relationship's name on the queried class (or the parent of a nested option). */
  readonly path: string;
  /** Options for the loaded objects. */
  readonly nested: readonly LoaderOption[];
}

/**
 * Loads a relationship of the queried objects with a second query, batched with `IN` under
 * the dialect's parameter limit. Nested options load further relationships of the results.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectin } from "@retort/orm";
 * const option = selectin("posts");
 * assert(option.path === "posts");
 * ```
 */
export function selectin(path: string, ...nested: LoaderOption[]): LoaderOption {
  return loaderOption("selectin", path, nested);
}

/**
 * Loads a relationship in the same query, with a LEFT JOIN; parent rows are de-duplicated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joined } from "@retort/orm";
 * assert(joined("author").strategy === "joined");
 * ```
 */
export function joined(path: string, ...nested: LoaderOption[]): LoaderOption {
  return loaderOption("joined", path, nested);
}

function loaderOption(
  strategy: "selectin" | "joined",
  path: string,
  nested: LoaderOption[],
): LoaderOption {
  if (typeof path !== "string" || path.length === 0) {
    throw new ArgumentError(`${strategy}() takes a relationship name, such as "posts".`);
  }
  return Object.freeze({ strategy, path, nested: Object.freeze(nested) });
}

/** What loading needs from a session. */
export interface LoadContext {
  readonly maxParams: number;
  readonly dialect: Dialect;
  /** Runs a fragment in the session's transaction, rows as arrays. */
  values(fragment: Fragment): Promise<{ rows: unknown[][]; columns: string[] }>;
  /** The session's identity map for a mapper. */
  identityMap(mapper: Mapper): Map<unknown, object>;
  /** Makes a hydrated object persistent in the session. */
  attach(state: InstanceState, key: unknown): void;
}

/**
 * Turns rows (arrays, with column names) into instances of a mapper's class through the
 * identity map. `offset` is where the mapper's columns start in each row.
 */
export function hydrate(
  ctx: LoadContext,
  mapper: Mapper,
  rows: unknown[][],
  columns: string[],
  populateExisting: boolean,
  offset = 0,
  decoded = false,
): object[] {
  const n = mapper.columns.length;
  let positions: number[] | null = null;
  for (let i = 0; i < n; i++) {
    if (columns[offset + i] !== mapper.columns[i].name) {
      positions = mapper.columns.map((c) => {
        const p = columns.indexOf(c.name, offset);
        if (p < 0) {
          throw new ArgumentError(
            `The query's rows have no column ${c.name} for ${mapper.name}.${c.key}; ` +
              `select(${mapper.name}) selects them all.`,
          );
        }
        return p;
      });
      break;
    }
  }
  const { list: decoders, any } = mapper.decoders(ctx.dialect);
  const decode = any && !decoded;
  const identity = ctx.identityMap(mapper);
  const out: object[] = new Array(rows.length);
  const exact = positions === null && offset === 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let values: unknown[];
    if (positions !== null) {
      values = new Array(n);
      for (let i = 0; i < n; i++) values[i] = row[positions[i]];
    } else if (exact && row.length === n) values = row;
    else values = row.slice(offset, offset + n);
    if (decode) {
      for (let i = 0; i < n; i++) {
        const d = decoders[i];
        const v = values[i];
        if (d !== null && v !== null && v !== undefined) values[i] = d(v);
      }
    }
    const key = mapper.identity(values);
    const existing = identity.get(key);
    if (existing !== undefined) {
      const state = stateOf(existing)!;
      if (populateExisting || state.expired) {
        state.values = values;
        state.loaded = null;
        state.flagged = null;
        state.expired = false;
      }
      out[r] = existing;
      continue;
    }
    const obj = mapper.hydrate(values);
    ctx.attach(stateOf(obj)!, key);
    out[r] = obj;
  }
  return out;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function orderOf(rel: Relationship): Fragment | null {
  const o = rel.options.orderBy?.();
  if (o === undefined) return null;
  return sql.join(Array.isArray(o) ? o : [o]);
}

/**
 * Loads one relationship for many objects of one mapper, in as few queries as the parameter
 * limit allows, then applies nested options to what was loaded.
 */
export async function loadRelationship(
  ctx: LoadContext,
  states: InstanceState[],
  rel: Relationship,
  nested: readonly LoaderOption[],
  populateExisting: boolean,
): Promise<void> {
  const target = rel.targetMapper;
  const limit = Math.max(1, ctx.maxParams - 10);
  let loaded: object[] = [];
  if (rel.direction === "manyToOne") {
    const identity = ctx.identityMap(target);
    const wanted = new Map<unknown, InstanceState[]>();
    for (const s of states) {
      const fk = s.values[rel.fk];
      if (fk === null || fk === undefined) {
        rel.setLoaded(s, null);
        continue;
      }
      const key = typeof fk === "bigint" ? Number(fk) : fk;
      const list = wanted.get(key);
      if (list) list.push(s);
      else wanted.set(key, [s]);
    }
    const missing = populateExisting
      ? [...wanted.keys()]
      : [...wanted.keys()].filter((k) => !identity.has(k));
    const refCol = target.columns[rel.ref];
    for (const chunk of chunks(missing, limit)) {
      const { rows, columns } = await ctx.values(
        sql`SELECT ${target.selectList} FROM ${target.table} WHERE ${refCol} IN ${sql.list(chunk)}`,
      );
      hydrate(ctx, target, rows, columns, populateExisting);
    }
    for (const [key, owners] of wanted) {
      const obj = identity.get(key) ?? null;
      for (const s of owners) rel.setLoaded(s, obj);
      if (obj) loaded.push(obj);
    }
  } else if (rel.direction === "oneToMany") {
    const byKey = new Map<unknown, object[]>();
    const keys: unknown[] = [];
    for (const s of states) {
      const k = s.values[rel.ref];
      if (k !== null && k !== undefined && !byKey.has(k)) {
        byKey.set(k, []);
        keys.push(k);
      }
    }
    const fkCol = target.columns[rel.fk];
    const order = orderOf(rel);
    const pkOrder = sql.join(target.pk.map((i) => target.columns[i]));
    for (const chunk of chunks(keys, limit)) {
      const { rows, columns } = await ctx.values(
        sql`SELECT ${target.selectList} FROM ${target.table} WHERE ${fkCol} IN ${
          sql.list(chunk)
        } ORDER BY ${order ?? pkOrder}`,
      );
      const objs = hydrate(ctx, target, rows, columns, populateExisting);
      for (const obj of objs) {
        const fk = stateOf(obj)!.values[rel.fk];
        byKey.get(typeof fk === "bigint" ? Number(fk) : fk)?.push(obj) ??
          byKey.get(fk)?.push(obj);
      }
      loaded = loaded.concat(objs);
    }
    const back = rel.back;
    for (const s of states) {
      const k = s.values[rel.ref];
      const children = (k === null || k === undefined) ? [] : byKey.get(k) ?? [];
      rel.setLoaded(s, rel.scalar ? (children[0] ?? null) : children);
      if (back && back.scalar) {
        for (const child of children) {
          const cs = stateOf(child)!;
          if (populateExisting || back.loaded(cs) === undefined) back.setLoaded(cs, s.obj);
        }
      }
    }
  } else {
    const sec = rel.secondary!;
    const keys = [...new Set(states.map((s) => s.values[rel.ref]).filter((k) => k != null))];
    const byKey = new Map<unknown, object[]>(keys.map((k) => [k, []]));
    const targetRef = target.columns[rel.fk];
    const order = orderOf(rel);
    for (const chunk of chunks(keys, limit)) {
      const { rows, columns } = await ctx.values(
        sql`SELECT ${target.selectList}, ${sec.owner} AS ${
          sql.id("__retort_owner")
        } FROM ${target.table} JOIN ${sec.table} ON ${sec.target} = ${targetRef} WHERE ${sec.owner} IN ${
          sql.list(chunk)
        }${order ? sql` ORDER BY ${order}` : sql``}`,
      );
      const objs = hydrate(ctx, target, rows, columns, populateExisting);
      const ownerAt = columns.length - 1;
      objs.forEach((obj, i) => {
        const owner = rows[i][ownerAt];
        (byKey.get(owner) ?? byKey.get(typeof owner === "bigint" ? Number(owner) : owner))
          ?.push(obj);
      });
      loaded = loaded.concat(objs);
    }
    for (const s of states) {
      const k = s.values[rel.ref];
      rel.setLoaded(s, k == null ? [] : byKey.get(k) ?? []);
    }
  }
  if (nested.length > 0 && loaded.length > 0) {
    const unique = [...new Set(loaded)];
    await applyOptions(ctx, target, unique.map((o) => stateOf(o)!), nested, populateExisting);
  }
}

/** Applies loader options to objects of one mapper. */
export async function applyOptions(
  ctx: LoadContext,
  mapper: Mapper,
  states: InstanceState[],
  options: readonly LoaderOption[],
  populateExisting: boolean,
): Promise<void> {
  if (states.length === 0) return;
  for (const option of options) {
    const rel = mapper.relationship(option.path);
    await loadRelationship(ctx, states, rel, option.nested, populateExisting);
  }
}

/**
 * Loader criteria, after SQLAlchemy's `with_loader_criteria`: a condition on a mapped class
 * that a session adds to every select of that class it runs: `select(Model)` queries,
 * `session.get` when it queries, and relationship loads (`selectin`, `joined`,
 * `session.load`). The soft-delete filter is the usual one:
 * `loaderCriteria(Post, (t) => isNull(t.c.deletedAt))` for a session, or declared on the
 * class for every session: `static criteria = (t) => isNull(t.c.deletedAt)`. Both combine
 * (ANDed); `withoutCriteria()` lifts both for one query.
 *
 * A session without criteria pays one lookup per load of a class: its load context holds
 * `null`, and the class's declaration is read once.
 *
 * @module
 */
import { and } from "../../core/builder/logic.ts";
import type { Condition } from "../../core/builder/clauses.ts";
import { ArgumentError } from "../../core/errors.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import type { QueryOption } from "../../core/builder/loaders.ts";
import { isEntity } from "../../core/statement.ts";
import type { EntityClass } from "../../core/statement.ts";
import { mapperOf } from "../mapping/configure.ts";
import { joinedOf } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";

/**
 * A condition on a mapped class's rows, for `engine.session({ criteria: [...] })` or
 * `session.addCriteria(...)`. `where` receives the class's table, or the alias a joined load
 * reads it through, and returns a condition on its columns (`t.c`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, isNull, type LoaderCriteria, loaderCriteria, Model } from "@retort/orm";
 * class Memo extends Model("criteria_type_doc_memos", {
 *   id: column.integer().primaryKey(),
 *   deletedAt: column.timestamp().nullable(),
 * }) {}
 * const live: LoaderCriteria = loaderCriteria(Memo, (t) => isNull(t.c.deletedAt));
 * assert(live.entity === Memo);
 * ```
 */
export interface LoaderCriteria {
  /** The mapped class whose loads the condition filters. */
  readonly entity: EntityClass;
  /** The condition, on the columns of the table or alias the class is read through. */
  readonly where: (t: { readonly c: never }) => Condition;
}

/**
 * A condition that a session adds to every select of a mapped class: `select(Model)`,
 * `session.get` (a row that fails it is not found) and relationship loads of the class.
 * `select(Model).options(withoutCriteria())` lifts it for one query.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, isNull, loaderCriteria, Model, select } from "@retort/orm";
 * class Card extends Model("criteria_doc_cards", {
 *   id: column.integer().primaryKey(),
 *   deletedAt: column.timestamp().nullable(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Card]);
 * {
 *   await using s = engine.session();
 *   s.addAll([new Card({ id: 1 }), new Card({ id: 2, deletedAt: new Date() })]);
 *   await s.commit();
 * }
 * await using session = engine.session({
 *   criteria: [loaderCriteria(Card, (t) => isNull(t.c.deletedAt))],
 * });
 * assert.equal((await session.all(select(Card))).length, 1);
 * assert.equal(await session.get(Card, 2), null);
 * ```
 */
export function loaderCriteria<M extends EntityClass & { readonly c: unknown }>(
  entity: M,
  where: (t: { readonly c: M["c"] }) => Condition,
): LoaderCriteria {
  if (!isEntity(entity)) {
    throw new ArgumentError("loaderCriteria(Model, (t) => ...) takes a mapped class first.");
  }
  mapperOf(entity);
  if (typeof where !== "function") {
    throw new ArgumentError(
      "loaderCriteria(Model, where) takes a function of the table, such as " +
        "(t) => isNull(t.c.deletedAt).",
    );
  }
  return Object.freeze({ entity, where: where as LoaderCriteria["where"] });
}

/** The criteria of a session, by mapper. */
export type CriteriaMap = Map<Mapper, LoaderCriteria[]>;

/**
 * The criteria of a load context that lifts every criterion, the session's and the classes'
 * (`withoutCriteria()`, refreshing an object held, a flush's cascades).
 */
export const LIFTED: CriteriaMap = new Map();

type Where = (t: { readonly c: never }) => unknown;
const declared = new WeakMap<Mapper, Where | null>();

/**
 * The condition a class declares on its loads, as `static criteria = (t) => condition` (or
 * a static method), or null; a subclass without its own takes its parent's.
 */
export function classCriteria(mapper: Mapper): Where | null {
  let w = declared.get(mapper);
  if (w === undefined) {
    const own = (mapper.cls as unknown as { criteria?: unknown }).criteria;
    if (own !== undefined && typeof own !== "function") {
      throw new ArgumentError(
        `${mapper.name}.criteria is the condition on every load of the class: declare it as ` +
          "static criteria = (t) => isNull(t.c.deletedAt), a function of the table.",
      );
    }
    w = own === undefined ? null : (own as Where).bind(mapper.cls);
    declared.set(mapper, w);
  }
  return w;
}

/** Adds criteria to a map (made when there is none), checked. */
export function addCriteria(
  map: CriteriaMap | null,
  criteria: readonly LoaderCriteria[],
): CriteriaMap | null {
  for (const c of criteria) {
    const ok = typeof c === "object" && c !== null && typeof c.where === "function" &&
      isEntity(c.entity);
    if (!ok) {
      throw new ArgumentError(
        "Session criteria are made with loaderCriteria(Model, (t) => condition).",
      );
    }
    const mapper = mapperOf(c.entity);
    map ??= new Map();
    const list = map.get(mapper);
    if (list === undefined) map.set(mapper, [c]);
    else list.push(c);
  }
  return map;
}

/**
 * A session's criteria of a mapper: its own, and in a hierarchy those of the classes above it
 * (a criterion of a class applies to its subclasses' loads too, as SQLAlchemy's does).
 */
function criteriaOf(map: CriteriaMap, mapper: Mapper): LoaderCriteria[] | undefined {
  let out = map.get(mapper);
  if (mapper.poly === null) return out;
  const proto = (mapper.cls as unknown as { prototype: object }).prototype;
  for (const [m, list] of map) {
    if (m === mapper) continue;
    const above = (m.cls as unknown as { prototype: object }).prototype;
    if (Object.prototype.isPrototypeOf.call(above, proto)) out = (out ?? []).concat(list);
  }
  return out;
}

/** The condition criteria add to a load of `mapper` read through `t`, or null for none. */
export function criteriaFor(
  map: CriteriaMap | null | undefined,
  mapper: Mapper,
  t: { readonly c: unknown },
): SqlSource<unknown> | null {
  if (map === LIFTED) return null;
  const own = classCriteria(mapper);
  const list = map == null ? undefined : criteriaOf(map, mapper);
  if (list === undefined && own === null) return null;
  // A class of a joined hierarchy is read through its tables joined: its c has them all.
  if (t === mapper.table && joinedOf(mapper) !== undefined) {
    t = mapper.cls as unknown as { c: unknown };
  }
  const on = t as { readonly c: never };
  const parts = (own === null ? [] : [own(on)]).concat((list ?? []).map((c) => c.where(on)));
  return parts.length === 1 ? parts[0] as SqlSource<unknown> : and(...parts as Condition[]);
}

const WITHOUT: QueryOption = Object.freeze({ option: "withoutCriteria", withoutCriteria: true });

/**
 * A query option that lifts the session's loader criteria for one query and the
 * relationships it loads: `select(Post).options(withoutCriteria())`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, isNull, loaderCriteria, Model, select, withoutCriteria } from "@retort/orm";
 * class Tag extends Model("without_criteria_doc_tags", {
 *   id: column.integer().primaryKey(),
 *   deletedAt: column.timestamp().nullable(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Tag]);
 * await using session = engine.session();
 * session.addCriteria(loaderCriteria(Tag, (t) => isNull(t.c.deletedAt)));
 * session.addAll([new Tag({}), new Tag({ deletedAt: new Date() })]);
 * assert.equal((await session.all(select(Tag))).length, 1);
 * assert.equal((await session.all(select(Tag).options(withoutCriteria()))).length, 2);
 * ```
 */
export function withoutCriteria(): QueryOption {
  return WITHOUT;
}

/** Whether options include `withoutCriteria()`; the other options. */
export function splitWithout(options: readonly unknown[]): [boolean, readonly unknown[]] {
  if (!options.includes(WITHOUT)) return [false, options];
  return [true, options.filter((o) => o !== WITHOUT)];
}

/**
 * A `select(Model)` with the criteria of its class added, the load context its relationship
 * loads use (without criteria under `withoutCriteria()`), and its other options.
 */
export function filtered<C extends { readonly criteria?: CriteriaMap | null }, Q>(
  ctx: C,
  mapper: Mapper,
  query: Q,
  options: readonly unknown[],
): [C, Q, readonly unknown[]] {
  if (ctx.criteria == null && options.length === 0 && classCriteria(mapper) === null) {
    return [ctx, query, options];
  }
  const [without, rest] = splitWithout(options);
  if (without) ctx = { ...ctx, criteria: LIFTED };
  const extra = criteriaFor(ctx.criteria, mapper, mapper.table);
  if (extra !== null) query = (query as { where(c: unknown): Q }).where(extra);
  return [ctx, query, rest];
}

/** The load context without criteria (itself when it has none), for refreshing objects held. */
export function unfiltered<C extends { readonly criteria?: CriteriaMap | null }>(ctx: C): C {
  return ctx.criteria === LIFTED ? ctx : { ...ctx, criteria: LIFTED };
}

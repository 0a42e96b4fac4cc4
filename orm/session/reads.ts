/**
 * What the Session's reads do: get by key, one-or-none checks, Core statements in the
 * session's transaction, loading a relationship, refreshing an object. The Session's methods
 * are thin doors onto these.
 *
 * @module
 */
import type { RunResult } from "../../core/engine/executor.ts";
import {
  ArgumentError,
  InvalidRequestError,
  MultipleResultsFound,
  NoResultFound,
} from "../../core/errors.ts";
import type { PlainRow, Row, SqlSource } from "../../core/sql/nodes.ts";
import type { EntityClass } from "../../core/statement.ts";
import { describe } from "../../core/util/describe.ts";
import { checkOptions, type LoaderOption } from "../loading/options.ts";
import { criteriaFor, splitWithout, unfiltered } from "../loading/criteria.ts";
import { withColumnOptions, wouldFill } from "../loading/columns.ts";
import { undeferChoices } from "../loading/column_options.ts";
import type { LoadContext } from "../loading/hydrate.ts";
import { applyOptions } from "../loading/selectin.ts";
import { DEFERRED, isUnloaded, unloadedRead } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { type ExecuteOptions, executeSynced } from "./bulk.ts";
import type { SessionCore } from "./core.ts";
import { entityMapper, keyOf, keyValues, loadByKey, loadFor } from "./query.ts";
import type { ExecuteResult } from "./types.ts";

/** The state of an object of session `c`, or an InvalidRequestError naming `what`. */
export function ownState(c: SessionCore, obj: object, what: string): InstanceState {
  const state = stateOf(obj);
  if (!state || state.session !== c) {
    throw new InvalidRequestError(
      `${what} takes an object of this session; this ${
        state ? state.mapper.name : describe(obj)
      } is ${state ? state.status : "not mapped"}.`,
    );
  }
  return state;
}

/** Flags a column of an object as changed in place, so that the next flush writes it. */
export function flagColumn(state: InstanceState, key: string): void {
  const i = state.mapper.indexByKey.get(key);
  if (i === undefined) {
    throw new ArgumentError(`${state.mapper.name} has no column ${JSON.stringify(key)}.`);
  }
  // An unloaded value (expired, deferred) cannot be written: reading it says how to load it.
  if (isUnloaded(state.values[i])) unloadedRead(state, i);
  state.flag(i);
}

const NO_LOADERS: LoaderOption[] = [];

/** `session.get`: from the identity map when there (and not expired), else one query. */
export function getObject<M extends EntityClass>(
  c: SessionCore,
  model: M,
  key: unknown,
  options: GetOptions,
): Promise<InstanceType<M> | null> {
  let keys: unknown[];
  let mapper: Mapper;
  let ctx: LoadContext = c.load;
  let loaders = NO_LOADERS;
  try {
    mapper = entityMapper(model, "session.get(...)");
    keys = keyValues(mapper, key);
    c.check();
    if (options.options !== undefined && options.options.length > 0) {
      [ctx, loaders] = getContext(ctx, mapper, options.options);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  const found = c.registry.lookup(mapper, keyOf(mapper, keys));
  if (found !== undefined && mapper.poly !== null && !(found instanceof model)) {
    return Promise.resolve(null); // the row is of another class of the hierarchy
  }
  const held = found !== undefined && !options.populateExisting && !stateOf(found)!.expired &&
    !wouldFill(ctx, stateOf(found)!);
  if (held && loaders.length === 0) return Promise.resolve(found as InstanceType<M>);
  const populate = options.populateExisting ?? false;
  if (loaders.length > 0) {
    return getWithLoaders(c, ctx, mapper, keys, populate, held ? found! : null, loaders) as Promise<
      InstanceType<M> | null
    >;
  }
  // Not held (that returned above): one query, and no closure made for it.
  try {
    c.enter("get an object", "a get");
  } catch (e) {
    return c.hooks.reject(e);
  }
  try {
    const task = c.needsAutoflush()
      ? c.settle(flushThenLoad(c, ctx, mapper, keys, populate))
      : loadByKey(ctx, mapper, keys, populate, c); // frees the session itself
    if (!gone(ctx, mapper, found)) return task as Promise<InstanceType<M> | null>;
    return task.then((obj) => {
      if (obj === null && stateOf(found)!.session === c) c.expunge(stateOf(found)!);
      return obj;
    }) as Promise<InstanceType<M> | null>;
  } catch (e) {
    c.leave();
    return Promise.reject(e);
  }
}

/**
 * Whether a get that finds no row means the held object's row is gone: it was expired (a
 * rollback, expireOnCommit) and no criteria could have hidden the row.
 */
function gone(ctx: LoadContext, mapper: Mapper, found: object | undefined): found is object {
  return found !== undefined && stateOf(found)!.expired && ctx.criteria == null &&
    criteriaFor(null, mapper, mapper.table) === null;
}

async function flushThenLoad(
  c: SessionCore,
  ctx: LoadContext,
  mapper: Mapper,
  keys: readonly unknown[],
  populate: boolean,
): Promise<object | null> {
  await c.flush();
  return await loadByKey(ctx, mapper, keys, populate);
}

/** `session.get` with relationship options: the object (held, or loaded), then its options. */
function getWithLoaders(
  c: SessionCore,
  ctx: LoadContext,
  mapper: Mapper,
  keys: readonly unknown[],
  populate: boolean,
  held: object | null,
  loaders: LoaderOption[],
): Promise<object | null> {
  return c.run("get an object", "a get", () =>
    c.withAutoflush(async () => {
      const obj = held ?? await loadByKey(ctx, mapper, keys, populate);
      if (obj !== null) await applyOptions(ctx, mapper, [stateOf(obj)!], loaders, populate);
      return obj;
    }));
}

/**
 * Options of `session.get`.
 *
 * @internal
 */
export interface GetOptions {
  populateExisting?: boolean;
  options?: readonly object[];
}

/** The load context of `session.get`'s options, and its relationship options. */
function getContext(
  ctx: LoadContext,
  mapper: Mapper,
  options: readonly object[],
): [LoadContext, LoaderOption[]] {
  const [without, rest] = splitWithout(options);
  if (without) ctx = unfiltered(ctx);
  const [withColumns, given] = withColumnOptions(ctx, rest);
  return [withColumns, checkOptions(mapper, given)];
}

/** The one element of `objs`; NoResultFound or MultipleResultsFound otherwise. */
export function onlyOne<T>(objs: T[], what: string): T {
  if (objs.length === 0) throw new NoResultFound(`The query returned no row; ${what} needs one.`);
  if (objs.length > 1) {
    throw new MultipleResultsFound(`The query returned ${objs.length} rows; ${what} needs one.`);
  }
  return objs[0];
}

/** The one element of `objs`, or null; MultipleResultsFound for more. */
export function atMostOne<T>(objs: T[], what: string): T | null {
  if (objs.length > 1) {
    throw new MultipleResultsFound(
      `The query returned ${objs.length} rows; ${what} needs at most one.`,
    );
  }
  return objs[0] ?? null;
}

/** `session.execute`: a Core statement in the session's transaction, after autoflush. */
export function executeIn<R = Row>(
  c: SessionCore,
  statement: SqlSource<R>,
  options?: ExecuteOptions,
): Promise<ExecuteResult<R>> {
  return c.run("execute a statement", "a statement", () =>
    c.withAutoflush(async () => {
      const r = await executeSynced(c, statement, options);
      return { rows: r.rows as PlainRow<R>[], rowsAffected: r.rowsAffected };
    }));
}

/** `session.run`: a statement for its effect in the session's transaction. */
export function runIn(c: SessionCore, statement: SqlSource<unknown>): Promise<RunResult> {
  return c.run("run a statement", "a statement", () =>
    c.withAutoflush(async () => {
      const r = await c.tx.execute(statement, "run");
      return { rowsAffected: r.rowsAffected, lastInsertId: r.lastInsertId };
    }));
}

/** `session.load`: a relationship of one or many objects, in one batched query. */
export function loadRelationship(
  c: SessionCore,
  objs: object | readonly object[],
  relationship: string,
  nested: LoaderOption[],
): Promise<void> {
  return c.run("load a relationship", "a load", () => {
    const list = Array.isArray(objs) ? objs as object[] : [objs as object];
    return loadFor(c, list.map((o) => ownState(c, o, "session.load()")), relationship, nested);
  });
}

/** `session.refresh`: reloads an object's columns, discarding unflushed changes. */
export function refreshObject(c: SessionCore, obj: object): Promise<void> {
  return c.run("refresh an object", "a refresh", async () => {
    const state = ownState(c, obj, "session.refresh()");
    if (state.status !== "persistent") {
      throw new InvalidRequestError("session.refresh() takes a persistent object.");
    }
    const mapper = state.mapper;
    const keys = mapper.pk.map((i) => state.stored[i]);
    // The columns loaded now are loaded again, deferred or not.
    const held = mapper.columns.filter((_, i) => state.values[i] !== DEFERRED);
    const ctx = { ...unfiltered(c.load), columns: undeferChoices(held) };
    if ((await loadByKey(ctx, mapper, keys, true)) === null) {
      throw new InvalidRequestError(
        `${mapper.name} ${String(state.key)} no longer exists in the database.`,
      );
    }
  });
}

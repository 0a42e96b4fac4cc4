/**
 * What the Session's reads do: get by key, one-or-none checks, Core statements in the
 * session's transaction, loading a relationship, refreshing an object. The Session's methods
 * are thin doors onto these.
 *
 * @module
 */
import type { RunResult } from "../../core/engine/executor.ts";
import { InvalidRequestError, MultipleResultsFound, NoResultFound } from "../../core/errors.ts";
import type { Row, SqlSource } from "../../core/sql/nodes.ts";
import type { EntityClass } from "../../core/statement.ts";
import { describe } from "../../core/util/describe.ts";
import type { LoaderOption } from "../loading/options.ts";
import { unfiltered } from "../loading/criteria.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { executeSynced } from "./bulk.ts";
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

/** `session.get`: from the identity map when there (and not expired), else one query. */
export function getObject<M extends EntityClass>(
  c: SessionCore,
  model: M,
  key: unknown,
  options: { populateExisting?: boolean },
): Promise<InstanceType<M> | null> {
  let keys: unknown[];
  let mapper: Mapper;
  try {
    mapper = entityMapper(model, "session.get(...)");
    keys = keyValues(mapper, key);
    c.check();
  } catch (e) {
    return Promise.reject(e);
  }
  const found = c.registry.lookup(mapper, keyOf(mapper, keys));
  if (found !== undefined && mapper.poly !== null && !(found instanceof model)) {
    return Promise.resolve(null); // the row is of another class of the hierarchy
  }
  if (found !== undefined && !options.populateExisting && !stateOf(found)!.expired) {
    return Promise.resolve(found as InstanceType<M>);
  }
  const populate = options.populateExisting ?? false;
  return c.run(
    "get an object",
    "a get",
    () => c.withAutoflush(() => loadByKey(c.load, mapper, keys, populate)),
  ) as Promise<InstanceType<M> | null>;
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
): Promise<ExecuteResult<R>> {
  return c.run("execute a statement", "a statement", () =>
    c.withAutoflush(async () => {
      const r = await executeSynced(c, statement);
      return { rows: r.rows as R[], rowsAffected: r.rowsAffected };
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
    if ((await loadByKey(unfiltered(c.load), mapper, keys, true)) === null) {
      throw new InvalidRequestError(
        `${mapper.name} ${String(state.key)} no longer exists in the database.`,
      );
    }
  });
}

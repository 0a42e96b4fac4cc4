/**
 * Hydrating: rows (arrays, decoded) into instances of a mapper's class, through the session's
 * identity map: a row whose object is already there gives that object.
 *
 * @module
 */
import { hasListeners, listenersOf } from "../mapping/events.ts";
import type { Dialect } from "../../core/dialect.ts";
import type { QueryResult } from "../../core/driver.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { loadedAgain } from "./existing.ts";
import { hydratePolymorphic } from "./polymorphic.ts";
import type { CriteriaMap } from "./criteria.ts";
import type { ColumnChoices } from "./column_options.ts";
import { instance, type InstanceState } from "../mapping/state.ts";

/** What loading needs from a session. */
export interface LoadContext {
  readonly dialect: Dialect;
  /** Runs a select in the session's transaction: rows as arrays, decoded. */
  rows(statement: SqlSource<unknown>): Promise<unknown[][]>;
  /** The same, with the driver's whole result (rows as arrays, decoded, in `rows`). */
  query(statement: SqlSource<unknown>): Promise<QueryResult>;
  /** The session's identity map of a mapper. */
  identityMap(mapper: Mapper): {
    get(key: unknown): object | undefined;
  };
  /** Makes a hydrated object persistent in the session. */
  attach(state: InstanceState, key: unknown): void;
  /** The session's loader criteria by mapper (see `criteria.ts`), or null for none. */
  readonly criteria?: CriteriaMap | null;
  /** The query's column options (see `columns.ts`), or null for none. */
  readonly columns?: ColumnChoices | null;
  /** Overwrites a persistent object's columns with its row (populate existing, expired). */
  refresh(state: InstanceState, values: unknown[], populate?: boolean): void;
}

/**
 * Turns rows into instances of a mapper's class through the identity map; the mapper's
 * columns are at `offset` in each row, in column order.
 */
export function hydrate(
  ctx: LoadContext,
  mapper: Mapper,
  rows: readonly unknown[][],
  populateExisting: boolean,
  offset = 0,
): object[] {
  if (mapper.poly !== null) return hydratePolymorphic(ctx, mapper, rows, populateExisting, offset);
  const n = mapper.columns.length;
  const identity = ctx.identityMap(mapper);
  const out: object[] = new Array(rows.length);
  const onLoad = listenersOf(mapper, "afterLoad");
  const loaded: object[] | null = onLoad.length > 0 ? [] : null;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const values = offset === 0 && row.length === n ? row : row.slice(offset, offset + n);
    out[r] = objectOf(ctx, mapper, identity, values, populateExisting, loaded);
  }
  if (loaded !== null) { for (const obj of loaded) for (const fn of onLoad) fn(obj as never); }
  return out;
}

/** The instance of one row of a mapper's columns alone (`hydrate` of one row, no array). */
export function hydrateOne(
  ctx: LoadContext,
  mapper: Mapper,
  row: unknown[],
  populateExisting: boolean,
): object {
  if (mapper.poly !== null || hasListeners(mapper, "afterLoad")) {
    return hydrate(ctx, mapper, [row], populateExisting)[0];
  }
  return objectOf(ctx, mapper, ctx.identityMap(mapper), row, populateExisting, null);
}

/** A row's object: the one the identity map holds (loaded again), or a new one attached. */
function objectOf(
  ctx: LoadContext,
  mapper: Mapper,
  identity: { get(key: unknown): object | undefined },
  values: unknown[],
  populateExisting: boolean,
  loaded: object[] | null,
): object {
  const key = mapper.identity(values);
  const existing = identity.get(key);
  if (existing !== undefined) return loadedAgain(ctx, existing, values, populateExisting);
  const state = instance(mapper, values);
  ctx.attach(state, key);
  loaded?.push(state.obj);
  return state.obj;
}

/**
 * Unloaded attributes. A column value `session.expire(obj, ...)` unloaded is the `EXPIRED`
 * marker in the object's values; a column a query left out (a deferred column, or one
 * `loadOnly` did not name) is the `DEFERRED` marker. Reading either raises NotLoadedError.
 * Objects with no unloaded attribute pay two comparisons per read.
 *
 * @module
 */
import { NotLoadedError } from "../../core/errors.ts";
import type { InstanceState } from "./state.ts";

/** The value of an expired column, until a load fills it again. */
export const EXPIRED: unique symbol = Symbol("retort.expired") as never;

/** The value of a column the query that loaded the object left out. */
export const DEFERRED: unique symbol = Symbol("retort.deferred") as never;

/** Whether a value is one of the markers of an unloaded column. */
export function isUnloaded(v: unknown): boolean {
  return v === EXPIRED || v === DEFERRED;
}

/** The NotLoadedError of reading an expired column. */
export function expiredRead(state: InstanceState, index: number): never {
  throw new NotLoadedError(
    `${state.mapper.name}.${state.mapper.keys[index]} is expired (by session.expire(), a ` +
      "rollback of a change made in place, or a bulk update of what it is computed from); " +
      "call await session.refresh(obj), or load the row again (session.get, a query).",
  );
}

/** The NotLoadedError of reading an unloaded column (expired or deferred). */
export function unloadedRead(state: InstanceState, index: number): never {
  if (state.values[index] === EXPIRED) expiredRead(state, index);
  const name = state.mapper.name;
  const key = state.mapper.keys[index];
  throw new NotLoadedError(
    `${name}.${key} is not loaded: the query that loaded this ${name} left it out (a ` +
      `deferred column, or loadOnly). Ask for it in the query with ` +
      `.options(undefer(${name}.c.${key})), or load it now with ` +
      `await session.refresh(obj, [${JSON.stringify(key)}]).`,
  );
}

/**
 * Fills the expired columns of an object from its row, keeping the other columns (and their
 * unflushed changes); false when none was expired.
 */
export function fillExpired(state: InstanceState, row: readonly unknown[]): boolean {
  const values = state.values;
  const loaded = state.loaded;
  let any = false;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === EXPIRED) {
      values[i] = row[i];
      any = true;
    }
    if (loaded !== null && loaded[i] === EXPIRED) {
      loaded[i] = row[i];
      any = true;
    }
  }
  return any;
}

/** Whether a row holds a column that is deferred in an object. */
export function fillsDeferred(state: InstanceState, row: readonly unknown[]): boolean {
  const values = state.values;
  const loaded = state.loaded;
  for (let i = 0; i < values.length; i++) {
    if (row[i] === DEFERRED) continue;
    if (values[i] === DEFERRED || (loaded !== null && loaded[i] === DEFERRED)) return true;
  }
  return false;
}

/**
 * Fills the deferred columns of an object from a row that holds them, keeping every other
 * value (a deferred column assigned to keeps its new value: the row only becomes what the
 * database holds); then notes whether any column is still deferred.
 */
export function fillDeferred(state: InstanceState, row: readonly unknown[]): void {
  const values = state.values;
  const loaded = state.loaded;
  let left = false;
  for (let i = 0; i < values.length; i++) {
    const v = row[i];
    if (values[i] === DEFERRED) {
      if (v === DEFERRED) left = true;
      else values[i] = v;
    }
    if (loaded !== null && loaded[i] === DEFERRED) {
      if (v === DEFERRED) left = true;
      else loaded[i] = v;
    }
  }
  state.partial = left;
}

/** Notes whether an object holds deferred columns (after its values were replaced). */
export function notePartial(state: InstanceState): void {
  state.partial = state.values.includes(DEFERRED);
}

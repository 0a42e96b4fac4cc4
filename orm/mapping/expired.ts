/**
 * Expired attributes: a column value `session.expire(obj, ...)` unloaded is the `EXPIRED`
 * marker in the object's values, and reading it raises NotLoadedError. Objects with no
 * expired attribute pay one comparison per read.
 *
 * @module
 */
import { NotLoadedError } from "../../core/errors.ts";
import type { InstanceState } from "./state.ts";

/** The value of an expired column, until a load fills it again. */
export const EXPIRED: unique symbol = Symbol("retort.expired") as never;

/** The NotLoadedError of reading an expired column. */
export function expiredRead(state: InstanceState, index: number): never {
  throw new NotLoadedError(
    `${state.mapper.name}.${state.mapper.keys[index]} is expired (session.expire()); ` +
      "call await session.refresh(obj), or load the row again (session.get, a query).",
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

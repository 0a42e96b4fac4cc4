/**
 * What a load does to an object the session holds when its row comes back: fills its
 * deferred or expired columns, or (populate existing, an expired object) takes the row,
 * keeping the changes made since it expired that no flush has written yet.
 *
 * @module
 */
import {
  DEFERRED,
  fillDeferred,
  fillExpired,
  fillsDeferred,
  notePartial,
} from "../mapping/expired.ts";
import type { InstanceState } from "../mapping/state.ts";
import type { Registry } from "./registry.ts";

/** Refreshes a held object from its row; `touch` saves it for a rollback first. */
export function refreshState(
  registry: Registry,
  touch: (state: InstanceState) => void,
  state: InstanceState,
  values: unknown[],
  populate: boolean,
): void {
  if (!populate && !state.expired) {
    // Deferred columns only: the row fills those it holds.
    if (!fillsDeferred(state, values)) return;
    touch(state);
    fillDeferred(state, values);
    return;
  }
  touch(state);
  if (!populate && fillExpired(state, values)) {
    state.expired = false;
    if (state.partial || values.includes(DEFERRED)) fillDeferred(state, values);
    return;
  }
  if (!populate && state.loaded !== null) {
    // Changed since it expired, not yet flushed: the row is the new baseline, and the changes
    // stay (as an attribute set after expiring is no longer expired in SQLAlchemy), a deferred
    // column's too; the others take the row (a column it left out is unloaded).
    const loaded = state.loaded;
    for (let i = 0; i < values.length; i++) {
      if (!state.columnChanged(i)) state.values[i] = values[i];
      loaded[i] = values[i];
    }
    notePartial(state);
    state.flagged = null;
    state.expired = false;
    return;
  }
  state.values = values;
  notePartial(state);
  state.loaded = null;
  state.flagged = null;
  state.expired = false;
  registry.dirty.delete(state);
  state.dirty = false;
}

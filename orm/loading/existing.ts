/**
 * A loaded row whose object is already in the identity map: the same object, refreshed from
 * the row only when asked (populate existing), expired, or holding unloaded columns.
 *
 * @module
 */
import { type InstanceState, stateOf } from "../mapping/state.ts";

/** The object already mapped for a row, its columns filled from `values` where due. */
export function loadedAgain(
  ctx: { refresh(state: InstanceState, values: unknown[], populate?: boolean): void },
  existing: object,
  values: unknown[],
  populateExisting: boolean,
): object {
  const state = stateOf(existing)!;
  if (populateExisting || state.expired || state.partial) {
    ctx.refresh(state, values, populateExisting);
  }
  return existing;
}

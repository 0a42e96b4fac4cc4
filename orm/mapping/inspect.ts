/**
 * Inspection: an object's lifecycle status and pending changes.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { type ObjectStatus, stateOf } from "./state.ts";
import { relationEntries } from "./relations.ts";
import { isUnloaded } from "./expired.ts";

/**
 * What {@linkcode inspect} tells of a mapped object.
 *
 * @example
 * ```ts
 * import type { InstanceInfo } from "@retort/orm";
 * const info: Partial<InstanceInfo> = { status: "transient" };
 * ```
 */
export interface InstanceInfo {
  /** transient, pending, persistent, deleted or detached. */
  readonly status: ObjectStatus;
  /** The mapped class's name. */
  readonly model: string;
  /** The primary key's values, once known. */
  readonly identity: readonly unknown[] | null;
  /** The keys of columns changed since loaded or last flushed. */
  readonly modified: readonly string[];
  /** The relationships that are loaded. */
  readonly loaded: readonly string[];
  /** The keys of columns not loaded (deferred, or expired); reading one raises. */
  readonly unloaded: readonly string[];
  /** Whether the object is in a session. */
  readonly inSession: boolean;
}

/**
 * Tells an object's status and changes, as SQLAlchemy's `inspect(obj)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, inspect, Model } from "@retort/orm";
 * class Pet extends Model("inspect_doc_pets", { id: column.integer().primaryKey(), name: column.text() }) {}
 * assert(inspect(new Pet({ name: "rex" })).status === "transient");
 * ```
 */
export function inspect(obj: object): InstanceInfo {
  const state = stateOf(obj);
  if (!state) {
    throw new ArgumentError("inspect() takes an instance of a mapped class.");
  }
  const mapper = state.mapper;
  const known = mapper.pk.every((i) => state.values[i] !== undefined && state.values[i] !== null);
  return {
    status: state.status,
    model: mapper.name,
    identity: known ? mapper.pk.map((i) => state.values[i]) : null,
    modified: state.changedColumns().map((i) => mapper.keys[i]),
    loaded: relationEntries(state).map(([name]) => name),
    unloaded: mapper.keys.filter((_, i) => isUnloaded(state.values[i])),
    inSession: state.session !== null,
  };
}

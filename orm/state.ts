/**
 * The ORM's per-instance state: column values, snapshots for dirty tracking and rollback,
 * loaded relationships, and the object's lifecycle status.
 *
 * @module
 */
import type { Mapper } from "./mapper.ts";

/** Where each instance keeps its state. */
export const STATE: unique symbol = Symbol("retort.state") as never;

/**
 * An object's place in the session lifecycle, as in SQLAlchemy:
 * - `transient`: new, in no session;
 * - `pending`: added to a session, not yet flushed;
 * - `persistent`: in the session's identity map, with a database row;
 * - `deleted`: marked for deletion (before commit);
 * - `detached`: has a row, but is in no session.
 *
 * @example
 * ```ts
 * import type { ObjectStatus } from "@retort/orm";
 * const s: ObjectStatus = "pending";
 * ```
 */
export type ObjectStatus = "transient" | "pending" | "persistent" | "deleted" | "detached";

/**
 * A session as the state sees it (to avoid an import cycle).
 *
 * @internal
 */
export interface StateOwner {
  /** Records that a persistent object changed. */
  markDirty(state: InstanceState): void;
  /** Cascades a newly related object into the session. */
  cascadeAdd(obj: object): void;
  /** Records that an object holds loaded relationships, for the flush to reconcile. */
  noteRelations(state: InstanceState): void;
}

/**
 * Internal: the state of one mapped instance.
 *
 * @internal
 */
export class InstanceState {
  /** The instance's mapper. */
  readonly mapper: Mapper;
  /** The instance. */
  readonly obj: object;
  /** Current column values, by column index. */
  values: unknown[];
  /** Values as the database holds them now (copy-on-write: null means equal to `values`). */
  loaded: unknown[] | null = null;
  /** Values as of the start of the transaction, for rollback (null: unchanged). */
  original: unknown[] | null = null;
  /** Lifecycle status. */
  status: ObjectStatus = "transient";
  /** The session the object belongs to. */
  session: StateOwner | null = null;
  /** The identity-map key, once persistent. */
  key: unknown = undefined;
  /** Loaded relationship values by name: an array, an object, or null. */
  relations: Record<string, unknown> | null = null;
  /** Whether the object is in its session's dirty set. */
  dirty = false;
  /** Columns flagged as modified in place (JSON objects, dates). */
  flagged: Set<number> | null = null;
  /** Whether it was inserted in the current transaction (for rollback). */
  insertedInTransaction = false;
  /** Whether it was deleted in the current transaction (for rollback). */
  deletedInTransaction = false;
  /** The order in which it was added, for insert ordering. */
  order = 0;
  /** Expired at commit (`expireOnCommit`): the next query that returns its row refreshes it. */
  expired = false;

  constructor(mapper: Mapper, obj: object, values: unknown[]) {
    this.mapper = mapper;
    this.obj = obj;
    this.values = values;
  }

  /** Sets a column value, tracking the change. */
  set(index: number, value: unknown): void {
    const values = this.values;
    if (values[index] === value) {
      // Re-assigning the same object flags it as changed in place (JSON, dates, bytes).
      if (typeof value !== "object" || value === null || this.status !== "persistent") return;
      (this.flagged ??= new Set()).add(index);
    }
    if (this.status === "persistent" || this.status === "deleted") {
      if (this.loaded === null) this.loaded = values.slice();
      if (this.original === null) this.original = this.loaded;
      values[index] = value;
      if (!this.dirty && this.session !== null) this.session.markDirty(this);
    } else {
      values[index] = value;
    }
  }

  /** The names of columns whose values differ from what the database holds. */
  changedColumns(): number[] {
    const loaded = this.loaded;
    const changed: number[] = [];
    if (loaded !== null) {
      const values = this.values;
      for (let i = 0; i < values.length; i++) {
        if (!sameValue(values[i], loaded[i])) changed.push(i);
      }
    }
    if (this.flagged) {
      for (const i of this.flagged) if (!changed.includes(i)) changed.push(i);
      changed.sort((a, b) => a - b);
    }
    return changed;
  }
}

/** Equality for change detection: dates and bytes by value, everything else by identity. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Uint8Array && b instanceof Uint8Array) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
  } catch {
    return false; // a revoked Proxy: changed, and the flush's type check refuses it
  }
  return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
}

/** The state of a mapped instance, or undefined for anything else. */
export function stateOf(obj: unknown): InstanceState | undefined {
  return typeof obj === "object" && obj !== null
    ? (obj as { [STATE]?: InstanceState })[STATE]
    : undefined;
}

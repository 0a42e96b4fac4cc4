/**
 * Where an instance is in the session lifecycle: its status and the span of a session's life
 * it is attached in, kept by each state as one shared object.
 *
 * @module
 */

/**
 * An object's place in the session lifecycle, as in SQLAlchemy:
 * - `transient`: new, in no session;
 * - `pending`: added to a session, not yet flushed;
 * - `persistent`: in the session's identity map, with a database row;
 * - `deleted`: deleted by a flush (before commit);
 * - `detached`: has (or had) a row, but is in no session.
 *
 * @example
 * ```ts
 * import type { ObjectStatus } from "@retort/orm";
 * const s: ObjectStatus = "pending";
 * ```
 */
export type ObjectStatus = "transient" | "pending" | "persistent" | "deleted" | "detached";

/**
 * A span of a session's life. An object attached to a session holds the span it was attached
 * in; when the session lets go of all its objects at once (close, expungeAll), the span ends
 * and each object is detached the next time it is looked at, rather than all of them there
 * and then.
 *
 * @internal
 */
export class Epoch<Owner> {
  /** Whether the span goes on. */
  live = true;
  /** The session. */
  readonly owner: Owner;
  /** The places an object attached in this span can be in, one per status. */
  readonly places: Places<Owner>;
  constructor(owner: Owner) {
    this.owner = owner;
    this.places = places(this);
  }
}

/**
 * A status and the span of a session an object is attached in, or null: one object shared by
 * every state in that place, so that each state keeps one field for both.
 */
export interface Place<Owner> {
  readonly epoch: Epoch<Owner> | null;
  readonly status: ObjectStatus;
}

type Places<Owner> = { readonly [S in ObjectStatus]: Place<Owner> };

function places<Owner>(epoch: Epoch<Owner> | null): Places<Owner> {
  const place = (status: ObjectStatus): Place<Owner> => Object.freeze({ epoch, status });
  return Object.freeze({
    transient: place("transient"),
    pending: place("pending"),
    persistent: place("persistent"),
    deleted: place("deleted"),
    detached: place("detached"),
  });
}

/** The places of objects in no session. */
// deno-lint-ignore no-explicit-any
export const UNATTACHED: Places<any> = places(null);

/** The place of a status in a span (null: in no session). */
export function placeOf<Owner>(epoch: Epoch<Owner> | null, status: ObjectStatus): Place<Owner> {
  const p: Places<Owner> = epoch === null ? UNATTACHED : epoch.places;
  switch (status) {
    case "persistent":
      return p.persistent;
    case "pending":
      return p.pending;
    case "transient":
      return p.transient;
    case "deleted":
      return p.deleted;
    default:
      return p.detached;
  }
}

/**
 * Read-only, live views of the session's new, dirty and deleted objects: nothing is copied
 * when they are read.
 *
 * @module
 */
import { type InstanceState, stateOf } from "../mapping/state.ts";

/**
 * A read-only, live view of a set of the session's objects (`session.new`, `.dirty`,
 * `.deleted`): it copies nothing when read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model } from "@retort/orm";
 * class Pin extends Model("objects_view_doc_pins", { id: column.integer().primaryKey() }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Pin]);
 * await using session = engine.session();
 * const pin = new Pin({});
 * session.add(pin);
 * assert(session.new.size === 1 && session.new.has(pin) && [...session.new][0] === pin);
 * ```
 */
export interface ObjectsView extends Iterable<object> {
  /** How many objects it holds. */
  readonly size: number;
  /** Whether it holds an object. */
  has(obj: object): boolean;
  /** The objects. */
  values(): IterableIterator<object>;
  /** Calls `fn` with each object. */
  forEach(fn: (obj: object) => void): void;
}

/** A view of a set of states, optionally only those passing `keep`. */
export class StatesView implements ObjectsView {
  readonly #states: ReadonlySet<InstanceState>;
  readonly #keep: ((s: InstanceState) => boolean) | null;
  constructor(states: ReadonlySet<InstanceState>, keep: ((s: InstanceState) => boolean) | null) {
    this.#states = states;
    this.#keep = keep;
  }
  get size(): number {
    if (this.#keep === null) return this.#states.size;
    let n = 0;
    for (const s of this.#states) if (this.#keep(s)) n++;
    return n;
  }
  has(obj: object): boolean {
    const s = stateOf(obj);
    return s !== undefined && this.#states.has(s) && (this.#keep === null || this.#keep(s));
  }
  *values(): IterableIterator<object> {
    for (const s of this.#states) if (this.#keep === null || this.#keep(s)) yield s.obj;
  }
  [Symbol.iterator](): IterableIterator<object> {
    return this.values();
  }
  forEach(fn: (obj: object) => void): void {
    for (const obj of this.values()) fn(obj);
  }
}

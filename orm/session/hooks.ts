/**
 * Session events: code that runs around a session's flushes, commits and rollbacks
 * (`session.on("beforeFlush", fn)`). A `beforeFlush` listener may add, change or delete
 * objects, and the flush writes them; what it throws stops the flush with nothing sent.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";

/**
 * The events of a session.
 *
 * @example
 * ```ts
 * import type { SessionEvent } from "@retort/orm";
 * const e: SessionEvent = "afterCommit";
 * ```
 */
export type SessionEvent = "beforeFlush" | "afterFlush" | "afterCommit" | "afterRollback";

const EVENTS: ReadonlySet<string> = new Set([
  "beforeFlush",
  "afterFlush",
  "afterCommit",
  "afterRollback",
]);

/** A listener of a session event: it gets the session, and may return a promise. */
export type SessionListener<S> = (session: S) => void | Promise<void>;

/** The listeners of one session. */
export class Hooks<S> {
  readonly #of: S;
  readonly #listeners = new Map<SessionEvent, SessionListener<S>[]>();

  constructor(of: S) {
    this.#of = of;
  }

  /** Adds a listener; returns a function that removes it. */
  on(event: SessionEvent, fn: SessionListener<S>): () => void {
    if (!EVENTS.has(event)) {
      throw new ArgumentError(
        `session.on(): ${JSON.stringify(event)} is not a session event; use one of ` +
          `${[...EVENTS].join(", ")}.`,
      );
    }
    if (typeof fn !== "function") {
      throw new ArgumentError(`session.on(${JSON.stringify(event)}): pass a function.`);
    }
    const list = this.#listeners.get(event) ?? [];
    list.push(fn);
    this.#listeners.set(event, list);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Whether an event has listeners. */
  has(event: SessionEvent): boolean {
    return (this.#listeners.get(event)?.length ?? 0) > 0;
  }

  /** Runs an event's listeners in order. */
  async fire(event: SessionEvent): Promise<void> {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return;
    for (const fn of [...list]) await fn(this.#of);
  }
}

/**
 * Session events: code that runs around a session's flushes, commits and rollbacks
 * (`session.on("beforeFlush", fn)`). A `beforeFlush` listener may add, change or delete
 * objects, and the flush writes them; what it throws stops the flush with nothing sent.
 *
 * What a listener may ask of the session, as in SQLAlchemy: `beforeFlush` and `afterFlush`
 * run inside the flush, in its transaction, and may query through the session (autoflush is
 * off meanwhile: a query never starts a flush inside the flush), but not flush, commit, roll
 * back, open a savepoint or close; `afterCommit` and `afterRollback` run once the transaction
 * is over, and the session runs no statement for them; class events (`beforeInsert`, ...) run
 * synchronously between the flush's steps and cannot wait for a query. What is refused says
 * so, names the listener, and loses nothing: a flush it stops leaves the session usable.
 *
 * @module
 */
import { ArgumentError, InvalidRequestError } from "../../core/errors.ts";

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

/** A listener running now: its event, what it may do, and what the session refused it. */
interface Running {
  /** The listener, as messages name it ("a beforeFlush listener"). */
  readonly what: string;
  readonly event: string;
  /** Whether it may run statements through the session (a flush listener). */
  readonly io: boolean;
  /** Whether it runs synchronously (a class event): the flush then raises what was refused. */
  readonly sync: boolean;
  refused: InvalidRequestError | null;
}

/** "a beforeFlush listener", "an afterCommit listener". */
const listener = (event: string): string =>
  `${/^[aeiou]/i.test(event) ? "an" : "a"} ${event} listener`;

/** Why each kind of listener may not do what it asked, and what to do instead. */
function whyNot(r: Running, lifecycle: boolean): string {
  if (r.sync) {
    return "class events run synchronously between the flush's steps, and cannot wait for the " +
      'session. Query in a session beforeFlush (or afterFlush) listener (session.on("beforeFlush", ' +
      "...)), which may await the session's queries.";
  }
  if (r.event === "afterCommit" || r.event === "afterRollback") {
    const done = r.event === "afterCommit" ? "committed" : "rolled back";
    return `the session's transaction is ${done} and over, and the session runs no statement ` +
      `until ${r.event === "afterCommit" ? "commit()" : "rollback()"} returns. Do it after ` +
      "that returns, or in another session or on the engine (engine.all(...)).";
  }
  if (!lifecycle) return "it runs inside the flush.";
  const flush = r.event === "beforeFlush"
    ? "what it adds or changes is written by this flush, and to stop the flush it throws."
    : "what it adds is written by the next flush.";
  return "it runs inside a flush that is still going on. The listener may query through the " +
    `session (autoflush is off while it runs); ${flush} Flush, commit, roll back, open a ` +
    "savepoint or close once the flush (or commit) has returned.";
}

/** The listeners of one session. */
export class Hooks<S> {
  readonly #of: S;
  readonly #listeners = new Map<SessionEvent, SessionListener<S>[]>();
  /** The listener running now (session or class event), or null. */
  running: Running | null = null;
  /** The errors the session raised to refuse a listener (see `isRefusal`). */
  readonly #refusals = new WeakSet<object>();

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

  /**
   * Runs an event's listeners in order; `io`: whether they may run statements through the
   * session (the flush's events) while they run.
   */
  async fire(event: SessionEvent, io = false): Promise<void> {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return;
    const outer = this.running;
    this.running = { what: listener(event), event, io, sync: false, refused: null };
    try {
      for (const fn of [...list]) await fn(this.#of);
    } finally {
      this.running = outer;
    }
  }

  /**
   * Runs class-event listeners (`fire`, synchronous; `events` names them): what they asked of
   * the session and were refused is raised once they ran, even when they did not wait for it.
   */
  fireClass(events: string, fire: () => void): void {
    const outer = this.running;
    const r: Running = {
      what: listener(events),
      event: events,
      io: false,
      sync: true,
      refused: null,
    };
    this.running = r;
    try {
      fire();
    } finally {
      this.running = outer;
    }
    if (r.refused !== null) throw r.refused;
  }

  /**
   * Throws when the listener running now may not `action` through the session; `lifecycle`:
   * the action flushes, commits, rolls back, opens a savepoint or closes.
   */
  allow(action: string, lifecycle: boolean): void {
    const r = this.running;
    if (r === null || (r.io && !lifecycle)) return;
    const error = new InvalidRequestError(
      `Cannot ${action} from ${r.what}: ${whyNot(r, lifecycle)}`,
    );
    this.#refusals.add(error);
    if (r.sync) r.refused ??= error;
    throw error;
  }

  /** A rejected promise of a refused `error`, left unhandled only where a caller can wait. */
  reject(error: unknown): Promise<never> {
    const p = Promise.reject(error);
    // A class listener cannot await it: the flush raises the refusal instead (`fireClass`).
    if (this.running?.sync) p.catch(() => {});
    return p;
  }

  /** Whether `error` (or one it wraps) is the session's refusal of a listener's request. */
  isRefusal(error: unknown): boolean {
    for (let e = error, n = 0; e instanceof Object && n < 8; n++) {
      if (this.#refusals.has(e)) return true;
      e = (e as { cause?: unknown }).cause;
    }
    return false;
  }
}

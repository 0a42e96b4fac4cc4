/**
 * Waiting for a connection of the PostgreSQL pool, for at most `acquireTimeout` milliseconds.
 * postgres.js waits for ever: a transaction that never settles, or a session that was never
 * closed, holds its connection, and once every connection is held, each `reserve()` and each
 * query waits in postgres.js's queue with no end. Here:
 *
 * - a checkout (`reserve()`) that has not got its connection in time fails with an
 *   OperationalError that names the pool's size and how many connections are held; the
 *   connection it would have got later is given straight back;
 * - a query on the pool, sent while every connection is held, is cancelled if it has not
 *   reached a connection in time (postgres.js then drops it from its queue unsent), and fails
 *   the same way. A query that reached a connection is never cancelled here, however long it
 *   runs.
 *
 * When the pool closes (its engine is disposed), the checkouts still waiting fail at once,
 * and later ones at their start: postgres.js's `end()` leaves a waiting `reserve()` in its
 * queue for ever, unsettled.
 *
 * @module
 */
import { startTimer } from "../../core/engine/timeout.ts";
import { OperationalError } from "../../core/errors.ts";

/** What a checkout needs of a postgres.js query: whether it was sent, and how to drop it. */
interface Pending {
  /** Set by postgres.js once the query is given to a connection. */
  readonly state?: unknown;
  cancel(): unknown;
}

/** A query being watched: whether it timed out, and how to stop watching. */
export interface Watch {
  readonly timedOut: boolean;
  stop(): void;
}

const UNWATCHED: Watch = { timedOut: false, stop: () => {} };

/** The connections held and the waits for them, of one pool. */
export class Checkout {
  readonly poolSize: number;
  readonly timeout: number;
  /** Connections reserved (or being reserved) and not yet released. */
  held = 0;
  /** The checkouts waiting for a connection, each with how to fail it. */
  readonly #waiting = new Set<(error: Error) => void>();
  #closed = false;

  /** `timeout`: milliseconds, checked (see `checkTimeout`); `Infinity` waits for ever. */
  constructor(poolSize: number, timeout: number) {
    this.poolSize = poolSize;
    this.timeout = timeout;
  }

  /** The error of a wait that ran out. */
  error(text: string, params: readonly unknown[] | undefined): OperationalError {
    const held = Math.min(this.held, this.poolSize);
    return new OperationalError(
      `No connection of the PostgreSQL pool came free within ${this.timeout} ms (acquireTimeout): ` +
        `the pool has ${this.poolSize} connection${this.poolSize === 1 ? "" : "s"} and ${held} ` +
        `${held === 1 ? "is" : "are"} held by transactions, sessions or engine.connect(). Commit ` +
        "or roll back and close them (`await using` closes them for you), or raise poolSize or " +
        "acquireTimeout.",
      { sql: text, params, code: "POOL_TIMEOUT" },
    );
  }

  /** The error of a checkout that finds (or waits on) a closed pool. */
  closedError(): OperationalError {
    return new OperationalError(
      "The PostgreSQL pool was closed (its engine was disposed) while this checkout waited " +
        "for a connection; create a new engine with createEngine().",
      { sql: "(connect)", params: [], code: "POOL_CLOSED" },
    );
  }

  /**
   * Reserves a connection, waiting at most the timeout; counts it held until `released()`.
   * Fails at once once the pool is closed (see `close()`).
   */
  reserve<R extends { release(): void }>(reserve: () => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(this.closedError());
    this.held++;
    const pending = reserve();
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      /** Stops waiting with `error`; the connection, should it come later, is given back. */
      const fail = (error: Error): void => {
        settled = true;
        this.#waiting.delete(fail);
        clearTimeout(timer);
        this.held--;
        // The reservation stays in postgres.js's queue: give its connection back once it comes.
        pending.then((r) => r.release(), () => {});
        reject(error);
      };
      const timer = startTimer(this.timeout, () => fail(this.error("(connect)", [])));
      this.#waiting.add(fail);
      pending.then(
        (r) => {
          if (settled) return;
          settled = true;
          this.#waiting.delete(fail);
          clearTimeout(timer);
          resolve(r);
        },
        (error) => {
          if (settled) return;
          settled = true;
          this.#waiting.delete(fail);
          clearTimeout(timer);
          this.held--;
          reject(error);
        },
      );
    });
  }

  /** The pool is closing: the checkouts waiting for a connection fail now, and later ones too. */
  close(): void {
    this.#closed = true;
    for (const fail of [...this.#waiting]) fail(this.closedError());
  }

  /** A reserved connection was given back (or lost). */
  released(): void {
    this.held--;
  }

  /**
   * Watches a query sent on the pool: while every connection is held, it is cancelled if it has
   * not reached a connection within the timeout.
   */
  watch(query: Pending): Watch {
    if (this.held < this.poolSize || this.timeout === Infinity) return UNWATCHED;
    const watch = {
      timedOut: false,
      stop: () => clearTimeout(timer),
    };
    const timer = startTimer(this.timeout, () => {
      if (query.state != null) return; // on a connection: running, not waiting
      watch.timedOut = true;
      query.cancel();
    });
    return watch;
  }
}

/**
 * Retrying a transaction that lost a race: a serialization failure or a deadlock on
 * PostgreSQL (SQLSTATE 40001, 40P01), a busy database on SQLite. The whole unit of work runs
 * again, a bounded number of times, after a jittered, growing pause.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import { DatabaseError } from "../errors.ts";

/**
 * How a transaction retries: `true` (5 attempts), a number of attempts, or the details.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "@retort/orm";
 * const retry: RetryOptions = { attempts: 8, baseDelayMs: 5, maxDelayMs: 200 };
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number;
  /** The pause before the second attempt, doubled each time (before jitter). Default 10 ms. */
  baseDelayMs?: number;
  /** The longest pause. Default 1000 ms. */
  maxDelayMs?: number;
}

/** Whether an error means the transaction lost a race and may succeed if run again. */
export function isRetriable(error: unknown, dialect: Dialect): boolean {
  return error instanceof DatabaseError && error.code !== undefined &&
    (dialect.retriableCodes ?? []).includes(error.code);
}

function attemptsOf(retry: boolean | number | RetryOptions | undefined): Required<RetryOptions> {
  const o = typeof retry === "object" ? retry : {};
  const attempts = typeof retry === "number" ? retry : retry ? o.attempts ?? 5 : 1;
  return {
    attempts: Math.max(1, Math.floor(attempts)),
    baseDelayMs: o.baseDelayMs ?? 10,
    maxDelayMs: o.maxDelayMs ?? 1000,
  };
}

/** The last error, saying how many attempts were made. */
function exhausted(error: DatabaseError, attempts: number): DatabaseError {
  const Class = error.constructor as new (
    message: string,
    options: { cause: unknown; sql?: string; params?: readonly unknown[]; code?: string },
  ) => DatabaseError;
  return new Class(`${error.message} (gave up after ${attempts} attempts)`, {
    cause: error,
    sql: error.sql,
    params: error.params,
    code: error.code,
  });
}

/**
 * Runs `attempt` until it succeeds, retrying errors that mean a lost race; `reset` runs
 * between attempts (to roll back). Other errors are raised at once.
 */
export async function withRetry<T>(
  retry: boolean | number | RetryOptions | undefined,
  dialect: Dialect,
  attempt: () => Promise<T>,
  reset: () => Promise<void> = () => Promise.resolve(),
): Promise<T> {
  const o = attemptsOf(retry);
  for (let n = 1;; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetriable(error, dialect)) throw error;
      if (n >= o.attempts) throw o.attempts > 1 ? exhausted(error as DatabaseError, n) : error;
      await reset();
      const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (n - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}

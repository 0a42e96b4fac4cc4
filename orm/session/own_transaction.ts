/**
 * `session.transaction(fn, { retry })`: `fn` in a transaction of its own, committed when it
 * returns, rolled back when it throws, and run again after a lost race. Its rollback would
 * undo what the session did before it, so a session holding work is refused, as SQLAlchemy's
 * `session.begin()` refuses a transaction begun already.
 *
 * @module
 */
import type { Dialect } from "../../core/dialect.ts";
import { InvalidRequestError } from "../../core/errors.ts";
import { type RetryOptions, withRetry } from "../../core/engine/retry.ts";
import type { ObjectsView } from "./views.ts";

/** What `ownTransaction` needs of a session. */
interface Owner {
  readonly engine: { readonly dialect: Dialect };
  readonly new: ObjectsView;
  readonly dirty: ObjectsView;
  readonly deleted: ObjectsView;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Runs `fn` as `session.transaction` does (see the module); `holdsWork`: the transaction's. */
export async function ownTransaction<S extends Owner, T>(
  session: S,
  holdsWork: boolean,
  fn: (session: S) => Promise<T>,
  retry: boolean | number | RetryOptions | undefined,
): Promise<T> {
  if (session.new.size > 0 || session.dirty.size > 0 || session.deleted.size > 0 || holdsWork) {
    throw new InvalidRequestError(
      "session.transaction(fn) runs fn in a transaction of its own, and this session holds " +
        "work of its transaction (changes, flushed or not, or a savepoint), which its rollback " +
        "would undo: commit or roll it back first, or run fn without session.transaction.",
    );
  }
  return await withRetry(retry, session.engine.dialect, async () => {
    try {
      const result = await fn(session);
      await session.commit();
      return result;
    } catch (error) {
      await session.rollback();
      throw error;
    }
  });
}

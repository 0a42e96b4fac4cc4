/**
 * The savepoint a session's `beginNested()` returns: commit flushes and releases it; rollback
 * (or disposing it) undoes its changes in the database and in memory.
 *
 * @module
 */
import type { Frame } from "./frame.ts";
import type { SessionTransaction } from "./transaction.ts";
import type { SessionSavepoint } from "./types.ts";

/** Wraps a savepoint frame of a session's transaction. */
export function openSavepoint(
  tx: SessionTransaction,
  frame: Frame,
  flush: () => Promise<void>,
): SessionSavepoint {
  const rollback = () => tx.rollbackTo(frame);
  return {
    get isActive() {
      return tx.isOpen(frame);
    },
    async commit() {
      if (tx.isOpen(frame)) await flush();
      await tx.releaseFrame(frame);
    },
    rollback,
    [Symbol.asyncDispose]: rollback,
  };
}

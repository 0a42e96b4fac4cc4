/**
 * How a transaction object ends: committed when its work returns, rolled back when it throws
 * or is left active.
 *
 * @module
 */
import { InvalidRequestError, OperationalError } from "../errors.ts";

/** What these functions need of a transaction. */
export interface Ending {
  readonly isActive: boolean;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
export async function runInTransaction<T, X extends Ending>(
  tx: X,
  fn: (tx: X) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await fn(tx);
  } catch (error) {
    try {
      await tx.rollback();
    } catch (rollbackError) {
      throw new SuppressedError(rollbackError, error, "The rollback after an error failed too.");
    }
    throw error;
  }
  if (tx.isActive) await tx.commit();
  return result;
}

/**
 * Rolls back a transaction that is still active. A lost connection (or one its engine closed)
 * has no transaction left to roll back, so that error is not raised again.
 */
export async function rollbackIfActive(tx: Ending | null): Promise<void> {
  if (!tx?.isActive) return;
  try {
    await tx.rollback();
  } catch (error) {
    if (!(error instanceof OperationalError) && !(error instanceof InvalidRequestError)) {
      throw error;
    }
  }
}

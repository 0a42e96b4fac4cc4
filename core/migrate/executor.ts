/**
 * The dialect of an executor: an engine's, a connection's, or a transaction's connection's.
 *
 * @module
 */
import { ArgumentError, type Dialect, type Executor } from "../mod.ts";

/** The dialect an engine, connection or transaction speaks. */
export function dialectOf(db: Executor): Dialect {
  const d = (db as { dialect?: Dialect }).dialect ??
    (db as { connection?: { dialect?: Dialect } }).connection?.dialect;
  if (d === undefined) {
    throw new ArgumentError("Expected an engine, a connection or a transaction.");
  }
  return d;
}

/**
 * Telling a promise from a value, for the paths that return a result itself where the driver
 * answers at once and a promise of it otherwise.
 *
 * @module
 */

/** Whether a value is a promise (a thenable) rather than the result itself. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

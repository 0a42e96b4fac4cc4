/**
 * The time options of an engine and its drivers (`busyTimeout`, `acquireTimeout`), checked
 * once where they are read: a number of milliseconds from 0 up, or `Infinity` for no limit.
 * A timer cannot wait longer than 2^31 − 1 ms (about 24.8 days): JavaScript runtimes fire a
 * longer one after 1 ms. So a longer wait means no limit, and no timer is set for it.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { describe } from "../util/describe.ts";
import { INT32_MAX } from "../util/ints.ts";

/**
 * A time option checked: undefined (not given) stays undefined; a number from 0 up is itself,
 * and one above 2^31 − 1 (the longest timer), `Infinity` included, is `Infinity` (no limit).
 * Anything else (NaN, a negative number, a string) is refused with an ArgumentError that
 * names the option and what it takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArgumentError } from "../errors.ts";
 * import { checkTimeout } from "./timeout.ts";
 * assert.equal(checkTimeout("busyTimeout", 250), 250);
 * assert.equal(checkTimeout("busyTimeout", 2 ** 40), Infinity);
 * assert.equal(checkTimeout("busyTimeout", undefined), undefined);
 * assert.throws(() => checkTimeout("busyTimeout", -1), ArgumentError);
 * ```
 */
export function checkTimeout(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new ArgumentError(
      `${name} is a number of milliseconds: 0 or more, or Infinity to wait with no limit; ` +
        `got ${describe(value, { showValue: true })}.`,
    );
  }
  return value > INT32_MAX ? Infinity : value;
}

/**
 * A checked time option as a finite number of milliseconds, for what cannot take `Infinity`
 * (a timer, SQLite's `PRAGMA busy_timeout`): no limit is the longest, 2^31 − 1 ms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { finiteTimeout } from "./timeout.ts";
 * assert.equal(finiteTimeout(Infinity), 2147483647);
 * assert.equal(finiteTimeout(5000), 5000);
 * ```
 */
export function finiteTimeout(ms: number): number {
  return Math.min(ms, INT32_MAX);
}

/**
 * Calls `fn` after `ms` milliseconds, unless `ms` is `Infinity` (no limit), when no timer is
 * set. The handle (undefined for no timer) goes to `clearTimeout`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startTimer } from "./timeout.ts";
 * assert.equal(startTimer(Infinity, () => {}), undefined);
 * clearTimeout(startTimer(10, () => {}));
 * ```
 */
export function startTimer(
  ms: number,
  fn: () => void,
): ReturnType<typeof setTimeout> | undefined {
  return ms === Infinity ? undefined : setTimeout(fn, finiteTimeout(ms));
}

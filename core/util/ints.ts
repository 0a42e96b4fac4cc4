/**
 * Integer limits, defined once.
 *
 * @module
 */

/** The largest integer a double holds exactly, as a bigint. */
export const MAX_SAFE: bigint = BigInt(Number.MAX_SAFE_INTEGER);
/** The smallest integer a double holds exactly, as a bigint. */
export const MIN_SAFE: bigint = BigInt(Number.MIN_SAFE_INTEGER);
/** The largest 32-bit signed integer. */
export const INT32_MAX = 2147483647;
/** The smallest 32-bit signed integer. */
export const INT32_MIN = -2147483648;
/** The largest 64-bit signed integer. */
export const INT64_MAX = 9223372036854775807n;
/** The smallest 64-bit signed integer. */
export const INT64_MIN = -9223372036854775808n;

/** A bigint as a number when a double holds it exactly, else the bigint. */
export function narrow(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

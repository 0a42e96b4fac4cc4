/**
 * When a column's value is the same as the one loaded: what a flush need not write.
 *
 * @module
 */

/** Equality for change detection: dates and bytes by value, everything else by identity. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Uint8Array && b instanceof Uint8Array) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
  } catch {
    return false; // a revoked Proxy: changed, and the flush's type check refuses it
  }
  if (typeof a === "number") {
    // An integer given as a number is the same as the bigint a bigint column reads back.
    return typeof b === "number" ? Number.isNaN(a) && Number.isNaN(b) : sameInteger(a, b);
  }
  return typeof a === "bigint" && sameInteger(b, a);
}

function sameInteger(n: unknown, big: unknown): boolean {
  return typeof big === "bigint" && typeof n === "number" && Number.isSafeInteger(n) &&
    BigInt(n) === big;
}

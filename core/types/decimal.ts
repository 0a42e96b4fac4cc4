/**
 * Decimal numbers as text, exactly: parsed into digits and a power of ten, rounded to a scale
 * as PostgreSQL rounds a `numeric` (half away from zero), and written back as plain text.
 * Column checks use it for a `numeric(precision, scale)`'s limits; dialects that do not keep
 * decimals themselves use it to apply the scale.
 *
 * @module
 */

/** A decimal number: `(-1)^negative × digits × 10^exponent`, with no zero at either end. */
export interface Decimal {
  readonly negative: boolean;
  /** The significant digits, without leading or trailing zeros ("" for zero). */
  readonly digits: string;
  /** The power of ten of the last digit. */
  readonly exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const ZERO: Decimal = { negative: false, digits: "", exponent: 0 };

function normal(negative: boolean, digits: string, exponent: number): Decimal {
  let start = 0;
  while (start < digits.length && digits[start] === "0") start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === "0") end--;
  if (start === end) return ZERO;
  return { negative, digits: digits.slice(start, end), exponent: exponent + digits.length - end };
}

/** Parses decimal text (`"-12.50"`, `"1e3"`, `".5"`), or returns null when it is not one. */
export function parseDecimal(text: string): Decimal | null {
  const m = NUMBER.exec(text);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const fraction = m[3] ?? "";
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent)) return null;
  return normal(m[1] === "-", m[2] + fraction, exponent - fraction.length);
}

/** The digits before the decimal point (0 for a value below 1). */
export function integerDigits(d: Decimal): number {
  return Math.max(0, d.digits.length + d.exponent);
}

/** Rounds to `scale` digits after the point, half away from zero (as PostgreSQL does). */
export function roundDecimal(d: Decimal, scale: number): Decimal {
  if (d.exponent >= -scale) return d;
  const drop = -scale - d.exponent;
  const keep = d.digits.length - drop;
  if (keep < 0) return ZERO;
  let digits = d.digits.slice(0, keep);
  if (d.digits[keep] >= "5") {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === "9") i--;
    digits = i < 0
      ? "1" + "0".repeat(digits.length)
      : digits.slice(0, i) + String(Number(digits[i]) + 1) + "0".repeat(digits.length - i - 1);
  }
  return normal(d.negative, digits, -scale);
}

/** Plain decimal text (no exponent), with at least `scale` digits after the point. */
export function decimalText(d: Decimal, scale = 0): string {
  const { digits, exponent } = d;
  let whole: string;
  let fraction: string;
  if (exponent >= 0) {
    whole = digits === "" ? "0" : digits + "0".repeat(exponent);
    fraction = "";
  } else if (-exponent >= digits.length) {
    whole = "0";
    fraction = "0".repeat(-exponent - digits.length) + digits;
  } else {
    whole = digits.slice(0, digits.length + exponent);
    fraction = digits.slice(digits.length + exponent);
  }
  if (fraction.length < scale) fraction += "0".repeat(scale - fraction.length);
  return (d.negative ? "-" : "") + whole + (fraction === "" ? "" : "." + fraction);
}

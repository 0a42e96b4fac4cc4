/**
 * `numeric` on SQLite. The column has NUMERIC affinity, so values are SQLite numbers and
 * compare and sort as numbers (`ORDER BY price`, `price > '9.99'`), as on PostgreSQL. What
 * Retort does around that:
 *
 * - the declared scale is applied before the value is sent, rounding half away from zero as
 *   PostgreSQL does (`numeric(10, 2)`: "1.005" is stored as 1.01), and read back with it
 *   ("1.01", "10.00");
 * - a value is sent only when SQLite keeps it exactly: an integer within 64 bits, or a number
 *   of at most 15 significant digits (a double holds those exactly). Anything else is an
 *   ArgumentError before anything is sent, rather than a rounded value stored.
 *
 * A `numeric` without a scale reads back in its shortest form ("1.5" for "1.50"), where
 * PostgreSQL keeps the digits as written.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { ColumnType, Converter } from "../../core/types/column_type.ts";
import {
  type Decimal,
  decimalText,
  integerDigits,
  parseDecimal,
  roundDecimal,
} from "../../core/types/decimal.ts";
import { INT64_MAX, INT64_MIN, narrow } from "../../core/util/ints.ts";

/** The most significant digits a double holds exactly, whatever they are. */
const DOUBLE_DIGITS = 15;

/** The scale a numeric type rounds to: its own, 0 for `numeric(p)`, none for `numeric`. */
function scaleOf(type: ColumnType): number | undefined {
  return type.scale ?? (type.precision === undefined ? undefined : 0);
}

function inexact(text: string, d: Decimal): ArgumentError {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return new ArgumentError(
    `The numeric ${shown} cannot be stored exactly on SQLite, which keeps a numeric as a ` +
      `64-bit integer or as a double (exact to ${DOUBLE_DIGITS} significant digits; this has ` +
      `${d.digits.length}). Round it, declare a scale that drops the extra digits, or store ` +
      "it as text.",
  );
}

/** A decimal as the SQLite value that holds it exactly: an integer, a double, or none. */
function sqliteValue(d: Decimal): number | bigint | null {
  if (d.exponent >= 0 && integerDigits(d) <= 19) {
    const n = BigInt(decimalText(d));
    if (n >= INT64_MIN && n <= INT64_MAX) return narrow(n);
  }
  if (d.digits.length > DOUBLE_DIGITS) return null;
  const n = Number(decimalText(d));
  return Number.isFinite(n) && (n !== 0 || d.digits === "") ? n : null;
}

const encoders = new WeakMap<ColumnType, Converter>();
const decoders = new WeakMap<ColumnType, Converter>();

/** The encoder of a numeric type: its scale applied, and sent as an exact SQLite number. */
export function numericEncoder(type: ColumnType): Converter {
  let encode = encoders.get(type);
  if (encode !== undefined) return encode;
  const scale = scaleOf(type);
  encode = (v) => {
    const text = typeof v === "string" ? v : String(v);
    let d = parseDecimal(text);
    if (d === null) return v; // refused by the column's check before it gets here
    if (scale !== undefined) d = roundDecimal(d, scale);
    const value = sqliteValue(d);
    if (value === null) throw inexact(text, d);
    return value;
  };
  encoders.set(type, encode);
  return encode;
}

/** The decoder of a numeric type: the decimal as text, with the type's scale. */
export function numericDecoder(type: ColumnType): Converter {
  let decode = decoders.get(type);
  if (decode !== undefined) return decode;
  const scale = scaleOf(type);
  decode = (v) => {
    if (typeof v === "string" && scale === undefined) return v;
    const d = parseDecimal(String(v));
    if (d === null) return String(v); // text that is not a number, stored by other means
    return decimalText(scale === undefined ? d : roundDecimal(d, scale), scale);
  };
  decoders.set(type, decode);
  return decode;
}

/**
 * Identity keys: one row is one object whatever spelling its key was given in. Each key part is
 * normalised by its column's type, as the database compares values of that type: a uuid in
 * lower case, a decimal by its value at the column's scale ("1.5", "1.50" and 1.5 are one
 * key), a date by its UTC day, a timestamp at full precision, bytes by content, and a bigint
 * and a number of the same value as one key; composite keys join their parts.
 *
 * @module
 */
import type { ColumnType } from "../../core/types/column_type.ts";
import { parseDecimal, roundDecimal } from "../../core/types/decimal.ts";
import { narrow } from "../../core/util/ints.ts";

/** A key part's normaliser: a value to a primitive that a Map compares as the database would. */
export type KeyPart = (v: unknown) => unknown;

const DAY_MS = 86_400_000;

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** One key value, normalised by its JavaScript type alone (no column type known). */
export function keyPart(v: unknown): unknown {
  if (typeof v === "bigint") return narrow(v);
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (v instanceof Uint8Array) return `x:${hex(v)}`;
  return v;
}

/** A uuid: the database compares its hex digits whatever their case. */
const uuidPart: KeyPart = (v) => typeof v === "string" ? v.toLowerCase() : keyPart(v);

/** A date: the UTC day (the day both dialects store), as a day number. */
const datePart: KeyPart = (v) => v instanceof Date ? Math.floor(v.getTime() / DAY_MS) : keyPart(v);

/** A decimal's value, rounded to `scale` when the column has one. */
function decimalPart(scale: number | undefined): KeyPart {
  return (v) => {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "bigint") return keyPart(v);
    const text = String(v);
    const parsed = parseDecimal(text);
    if (parsed === null) return `n?${text}`;
    const d = scale === undefined ? parsed : roundDecimal(parsed, scale);
    return `n:${d.negative ? "-" : ""}${d.digits}e${d.exponent}`;
  };
}

/** The normaliser of key values of a column type. */
export function keyPartOf(type: ColumnType): KeyPart {
  switch (type.kind) {
    case "uuid":
      return uuidPart;
    case "date":
      return datePart;
    case "numeric":
      // `numeric(p)` has scale 0; a `numeric` without precision keeps every digit.
      return decimalPart(type.scale ?? (type.precision === undefined ? undefined : 0));
    default:
      return keyPart;
  }
}

/** The normalisers of a row's columns, by column index. */
export function keyParts(columns: readonly { readonly type: ColumnType }[]): readonly KeyPart[] {
  return columns.map((c) => keyPartOf(c.type));
}

/**
 * The identity key of the primary-key values at `pk` in a row of column values, each part
 * normalised by `parts` (by column index).
 */
export function identityKey(
  values: readonly unknown[],
  pk: readonly number[],
  parts: readonly KeyPart[],
): unknown {
  if (pk.length === 1) return parts[pk[0]](values[pk[0]]);
  let key = "";
  for (let i = 0; i < pk.length; i++) {
    const p = parts[pk[i]](values[pk[i]]);
    key += (i === 0 ? "" : "\u0000") +
      (typeof p === "string" ? JSON.stringify(p) : typeof p === "bigint" ? `${p}n` : String(p));
  }
  return key;
}

/** Whether every primary-key value is set. */
export function hasIdentity(values: readonly unknown[], pk: readonly number[]): boolean {
  for (const i of pk) if (values[i] === undefined || values[i] === null) return false;
  return true;
}

/**
 * Conversions dialects share between JavaScript values and what drivers bind and return.
 *
 * @module
 */
import type { Converter } from "./column_type.ts";

/** Anything to a bigint. */
export const toBigInt: Converter = (v) => typeof v === "bigint" ? v : BigInt(v as number | string);
/** Anything to a number. */
export const toNumber: Converter = (v) => typeof v === "number" ? v : Number(v);
/** A Date to ISO 8601 text (UTC). */
export const isoText: Converter = (v) => (v as Date).toISOString();
/** A Date to its UTC calendar day, `YYYY-MM-DD`. */
export const dateText: Converter = (v) => (v as Date).toISOString().slice(0, 10);
/** Date text (or a Date) to a Date. */
export const parseDate: Converter = (v) => v instanceof Date ? v : new Date(v as string);
/** `YYYY-MM-DD` (or a Date) to a Date at UTC midnight. */
export const parseDay: Converter = (v) =>
  v instanceof Date ? v : new Date(`${v as string}T00:00:00Z`);
/** A value to JSON text. */
export const jsonText: Converter = (v) => JSON.stringify(v);
/**
 * JSON text to a value (a value already parsed passes). A bigint is a JSON number a driver
 * read as an integer column's (SQLite stores a top-level JSON number of a NUMERIC-affinity
 * column as one, exactly): the number it was, as `JSON.parse` gives it.
 */
export const parseJson: Converter = (v) =>
  typeof v === "string" ? JSON.parse(v) : typeof v === "bigint" ? Number(v) : v;
/** Bytes as a plain Uint8Array (a Buffer or subclass is viewed as one). */
export const toBytes: Converter = (v) =>
  v instanceof Uint8Array && v.constructor !== Uint8Array
    ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    : v;
/** A decimal as text. */
export const numericText: Converter = (v) => typeof v === "string" ? v : String(v);

/**
 * Parameters as SQLite binds them exactly: safe integers as integers (node:sqlite binds
 * every number as a REAL), booleans as 0 and 1, Dates as ISO 8601 text, arrays as JSON; text
 * holding a NUL and NaN refused.
 *
 * @module
 */
import { ArgumentError, DataError } from "../../core/errors.ts";
import { dateRangeProblem } from "../../core/types/dates.ts";
import { MAX_SAFE, MIN_SAFE } from "../../core/util/ints.ts";

/** JSON of an array parameter: bigints as numbers (or text), Dates checked as a Date is. */
function encodeJson(this: Record<string, unknown>, key: string, v: unknown): unknown {
  // A Date's toJSON ran already: the holder still has the Date.
  const raw = this[key];
  if (raw instanceof Date) return dateParam(raw);
  return typeof v === "bigint" ? (v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString()) : v;
}

function encode(v: unknown): unknown {
  switch (typeof v) {
    case "number":
      // node:sqlite binds every number as a REAL: 5 would be 5.0, and 'id-' || 5 'id-5.0'.
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? BigInt(v) : v;
    case "boolean":
      return v ? 1n : 0n;
    case "object":
      if (v === null || v instanceof Uint8Array) return v;
      if (v instanceof Date) return dateParam(v);
      if (Array.isArray(v)) return JSON.stringify(v, encodeJson);
      return v;
    default:
      return v;
  }
}

/**
 * SQLite stores text holding a NUL, but node:sqlite reads text only up to the first NUL: such
 * a value would come back cut short. It is refused, as PostgreSQL refuses it.
 */
function nulInText(text: string, params: readonly unknown[], hide: boolean): DataError {
  return new DataError(
    "A text parameter contains a NUL character, which SQLite cannot return exactly (text is " +
      "read up to the first NUL); remove it, or bind the value as bytes (Uint8Array).",
    { sql: text, params: hide ? undefined : params, code: "NUL_IN_TEXT" },
  );
}

/** A Date as ISO 8601 text, in the years both databases store (0000 to 9999). */
function dateParam(d: Date): string {
  const problem = dateRangeProblem(d.getTime());
  if (problem !== null) throw new ArgumentError(`A Date parameter: ${problem}.`);
  return d.toISOString();
}

/**
 * The parameters as SQLite binds them: `params` itself when none needs encoding, else a copy
 * with those encoded, made in `into` when given (an array the caller reuses: its values are
 * spread into the call and not kept).
 */
export function encodeAll(
  params: readonly unknown[],
  text: string,
  hide: boolean,
  into?: unknown[],
): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const t = typeof v;
    if (t === "string") {
      if ((v as string).includes("\0")) throw nulInText(text, params, hide);
    } else if (t === "number" && Number.isNaN(v)) {
      throw new ArgumentError(
        "A NaN parameter: SQLite cannot store NaN (it binds it as NULL); use null instead.",
      );
    } else if (
      t === "boolean" || (t === "number" && Number.isSafeInteger(v)) ||
      (t === "object" && v !== null && !(v instanceof Uint8Array))
    ) {
      out ??= copyInto(params, into);
      out[i] = encode(v);
    }
  }
  return out ?? params as unknown[];
}

function copyInto(params: readonly unknown[], into: unknown[] | undefined): unknown[] {
  if (into === undefined || into.length !== params.length) return params.slice();
  for (let i = 0; i < params.length; i++) into[i] = params[i];
  return into;
}

/**
 * Identity keys: one row is one object whatever its key's type. Values are normalised as the
 * database compares them: a bigint and a number of the same value are one key, a timestamp
 * compares at full precision, bytes by content; composite keys join their parts.
 *
 * @module
 */
import { narrow } from "../../core/util/ints.ts";

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** One key value, normalised: a primitive that a Map compares as the database would. */
export function keyPart(v: unknown): unknown {
  if (typeof v === "bigint") return narrow(v);
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (v instanceof Uint8Array) return `x:${hex(v)}`;
  return v;
}

/** The identity key of the primary-key values at `pk` in a row of column values. */
export function identityKey(values: readonly unknown[], pk: readonly number[]): unknown {
  if (pk.length === 1) return keyPart(values[pk[0]]);
  let key = "";
  for (let i = 0; i < pk.length; i++) {
    const p = keyPart(values[pk[i]]);
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

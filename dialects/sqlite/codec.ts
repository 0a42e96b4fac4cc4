/**
 * SQLite's column types: how each type kind is spelled in DDL, and converted on its way to
 * and from the driver (booleans as 0 and 1, dates and timestamps as ISO 8601 text, JSON as
 * text, decimals as SQLite numbers).
 *
 * @module
 */
import { ArgumentError, DataError } from "../../core/errors.ts";
import type { ColumnType, Converter } from "../../core/types/column_type.ts";
import {
  dateText,
  isoText,
  jsonText,
  parseJson,
  toBigInt,
  toBytes,
} from "../../core/types/convert.ts";
import { numericDecoder, numericEncoder } from "./numeric.ts";

const DDL: Readonly<Record<string, string>> = {
  integer: "INTEGER",
  bigint: "BIGINT",
  real: "REAL",
  double: "REAL",
  text: "TEXT",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  timestamptz: "TIMESTAMPTZ",
  json: "JSON",
  jsonb: "JSONB",
  uuid: "UUID",
  blob: "BLOB",
  enum: "TEXT",
};

const bool: Converter = (v) => v === null ? null : v === 1 || v === 1n || v === true;

/** SQLite stores NaN as NULL: refused, before anything is sent. */
const noNaN: Converter = (v) => {
  if (Number.isNaN(v)) {
    throw new ArgumentError(
      "SQLite cannot store NaN (it would store NULL); PostgreSQL's real and double keep it. " +
        "Use null, or check the value before it is written.",
    );
  }
  return v;
};

/** Date and time text without a zone, as SQLite's CURRENT_TIMESTAMP and datetime() write. */
const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * Timestamp text to a Date. SQLite's own clock (`CURRENT_TIMESTAMP`, `datetime('now')`) writes
 * UTC without a zone, so text without one is read as UTC, whatever the process's time zone.
 */
const parseTimestamp: Converter = (v) => {
  if (v instanceof Date) return v;
  const m = typeof v === "string" ? NO_ZONE.exec(v) : null;
  const d = new Date(m !== null ? `${m[1]}T${m[2]}Z` : v as string | number);
  if (Number.isNaN(d.getTime())) {
    // Text no Date reads ('infinity', a typo) is never an Invalid Date.
    throw new DataError(
      `A date or timestamp column holds ${JSON.stringify(v)}, which is not a date: select it ` +
        "as text (CAST(col AS TEXT)), or store ISO 8601 text.",
    );
  }
  return d;
};

/** Date text (`YYYY-MM-DD`, or a timestamp's day) to a Date at UTC midnight. */
const parseDay: Converter = (v) => {
  if (v instanceof Date) return v;
  const m = typeof v === "string" ? DAY.exec(v) : null;
  return m === null ? parseTimestamp(v) : new Date(`${m[0]}T00:00:00Z`);
};

const ENCODERS: Readonly<Record<string, Converter>> = {
  real: noNaN,
  double: noNaN,
  boolean: (v) => v === null ? null : v ? 1 : 0,
  date: dateText,
  timestamp: isoText,
  timestamptz: isoText,
  json: jsonText,
  jsonb: jsonText,
  uuid: (v) => (v as string).toLowerCase(),
};

const DECODERS: Readonly<Record<string, Converter>> = {
  bigint: toBigInt,
  boolean: bool,
  date: parseDay,
  timestamp: parseTimestamp,
  timestamptz: parseTimestamp,
  json: parseJson,
  jsonb: parseJson,
  blob: toBytes,
};

/** A type's DDL on SQLite. */
export function typeSql(type: ColumnType): string {
  if (type.kind === "varchar") return `VARCHAR(${type.length})`;
  if (type.kind === "numeric") {
    // NUMERIC affinity: decimals are stored as numbers, and compare and sort as numbers.
    return type.precision === undefined
      ? "NUMERIC"
      : `NUMERIC(${type.precision}${type.scale === undefined ? "" : `, ${type.scale}`})`;
  }
  const ddl = DDL[type.kind];
  if (ddl === undefined) {
    throw new ArgumentError(
      `SQLite has no column type ${JSON.stringify(type.name)}; give the type a ddl() of its own.`,
    );
  }
  return ddl;
}

/** A type's encoder on SQLite. */
export function encoder(type: ColumnType): Converter {
  if (type.kind === "numeric") return numericEncoder(type);
  return ENCODERS[type.kind] ?? null;
}

/** A type's decoder on SQLite. */
export function decoder(type: ColumnType): Converter {
  if (type.kind === "numeric") return numericDecoder(type);
  return DECODERS[type.kind] ?? null;
}

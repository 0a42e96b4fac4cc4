/**
 * PostgreSQL's column types: how each type kind is spelled in DDL, and converted on its way
 * to and from postgres.js.
 *
 * @module
 */
import { ArgumentError, DataError } from "../../core/errors.ts";
import type { ColumnType, Converter } from "../../core/types/column_type.ts";
import { jsonText, numericText, toBigInt, toBytes, toNumber } from "../../core/types/convert.ts";
import {
  dateText,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
  timestampText,
  UnreadableDate,
  unreadableDateError,
} from "./datetime.ts";

const DDL: Readonly<Record<string, string>> = {
  integer: "INTEGER",
  bigint: "BIGINT",
  real: "REAL",
  double: "DOUBLE PRECISION",
  text: "TEXT",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP(3)",
  timestamptz: "TIMESTAMPTZ(3)",
  json: "JSON",
  jsonb: "JSONB",
  uuid: "UUID",
  blob: "BYTEA",
  enum: "TEXT",
};

/**
 * Text (from a client without Retort's parsers) or a Date to a Date, never an Invalid Date:
 * a value no Date stands for is a DataError (code 22008), as with Retort's parsers.
 */
const dateOf = (parse: (text: string) => Date, type: string): Converter => (v) => {
  if (v instanceof Date) {
    if (!Number.isNaN(v.getTime())) return v;
    throw new DataError(
      `A ${type} value came back from the driver as an Invalid Date: the client's own parser ` +
        "for the type (its `types` option) made it, as postgres.js's makes of 'infinity'. Leave " +
        "the date types to Retort's parsers, or read the column in SQL as CASE WHEN " +
        "isfinite(col) THEN col END (null for infinity).",
      { code: "22008" },
    );
  }
  try {
    return parse(String(v));
  } catch (error) {
    if (error instanceof UnreadableDate) throw unreadableDateError(error, undefined);
    throw error;
  }
};

const ENCODERS: Readonly<Record<string, Converter>> = {
  numeric: numericText,
  // The UTC day, and the UTC wall-clock time; BC years as PostgreSQL writes them.
  date: (v) => dateText(v as Date),
  timestamp: (v) => timestampText(v as Date),
  json: jsonText,
  jsonb: jsonText,
};

const DECODERS: Readonly<Record<string, Converter>> = {
  bigint: toBigInt,
  real: toNumber,
  double: toNumber,
  numeric: numericText,
  date: dateOf(parseDate, "date"),
  timestamp: dateOf(parseTimestamp, "timestamp"),
  timestamptz: dateOf(parseTimestamptz, "timestamptz"),
  blob: toBytes,
  // postgres.js parses json and jsonb itself.
};

/** A type's DDL on PostgreSQL. */
export function typeSql(type: ColumnType): string {
  if (type.kind === "varchar") return `VARCHAR(${type.length})`;
  if (type.kind === "numeric") {
    return type.precision === undefined
      ? "NUMERIC"
      : `NUMERIC(${type.precision}${type.scale === undefined ? "" : `, ${type.scale}`})`;
  }
  const ddl = DDL[type.kind];
  if (ddl === undefined) {
    throw new ArgumentError(
      `PostgreSQL has no column type ${JSON.stringify(type.name)}; give the type a ddl() of ` +
        "its own.",
    );
  }
  return ddl;
}

/** A type's encoder on PostgreSQL. */
export function encoder(type: ColumnType): Converter {
  return ENCODERS[type.kind] ?? null;
}

/** A type's decoder on PostgreSQL. */
export function decoder(type: ColumnType): Converter {
  return DECODERS[type.kind] ?? null;
}

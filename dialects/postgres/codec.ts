/**
 * PostgreSQL's column types: how each type kind is spelled in DDL, and converted on its way
 * to and from postgres.js.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { ColumnType, Converter } from "../../core/types/column_type.ts";
import {
  dateText,
  isoText,
  jsonText,
  numericText,
  parseDate,
  parseDay,
  toBigInt,
  toBytes,
  toNumber,
} from "../../core/types/convert.ts";

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

/** postgres.js reads a timestamp's wall-clock time as local time: its local fields are UTC's. */
const wallClockUtc: Converter = (v) =>
  v instanceof Date
    ? new Date(
      Date.UTC(
        v.getFullYear(),
        v.getMonth(),
        v.getDate(),
        v.getHours(),
        v.getMinutes(),
        v.getSeconds(),
        v.getMilliseconds(),
      ),
    )
    : new Date(`${String(v).replace(" ", "T")}Z`);

const ENCODERS: Readonly<Record<string, Converter>> = {
  numeric: numericText,
  date: dateText,
  // UTC ISO text: PostgreSQL ignores the "Z" for a timestamp without time zone.
  timestamp: isoText,
  json: jsonText,
  jsonb: jsonText,
};

const DECODERS: Readonly<Record<string, Converter>> = {
  bigint: toBigInt,
  real: toNumber,
  double: toNumber,
  numeric: numericText,
  date: parseDay,
  timestamp: wallClockUtc,
  timestamptz: parseDate,
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

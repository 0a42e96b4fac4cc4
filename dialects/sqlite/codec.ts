/**
 * SQLite's column types: how each type kind is spelled in DDL, and converted on its way to
 * and from the driver (booleans as 0 and 1, dates and timestamps as ISO 8601 text, JSON as
 * text, decimals as text).
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
  parseJson,
  toBigInt,
  toBytes,
} from "../../core/types/convert.ts";

const DDL: Readonly<Record<string, string>> = {
  integer: "INTEGER",
  bigint: "BIGINT",
  real: "REAL",
  double: "REAL",
  numeric: "TEXT",
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

const ENCODERS: Readonly<Record<string, Converter>> = {
  numeric: numericText,
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
  numeric: numericText,
  boolean: bool,
  date: parseDay,
  timestamp: parseDate,
  timestamptz: parseDate,
  json: parseJson,
  jsonb: parseJson,
  blob: toBytes,
};

/** A type's DDL on SQLite. */
export function typeSql(type: ColumnType): string {
  if (type.kind === "varchar") return `VARCHAR(${type.length})`;
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
  return ENCODERS[type.kind] ?? null;
}

/** A type's decoder on SQLite. */
export function decoder(type: ColumnType): Converter {
  return DECODERS[type.kind] ?? null;
}

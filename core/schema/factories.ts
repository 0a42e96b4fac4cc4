/**
 * The column factories, `column.integer()`, `column.text()`...: one per type, each a new
 * column with no options yet.
 *
 * @module
 */
import { enumType, numeric, types, varchar } from "../types/builtin.ts";
import type { ColumnType } from "../types/column_type.ts";
import type { Fragment } from "../sql/nodes.ts";
import { Column, type ColumnConfig, type ColumnTable, type ReadonlyColumn } from "./column.ts";

const base = (): ColumnConfig => ({
  primaryKey: false,
  autoincrement: "auto",
  nullable: false,
  unique: false,
  index: false,
  version: false,
});

const make = <T>(type: ColumnType<T>): Column<T, false, never> =>
  new Column<T, false, never>(type, base());

/**
 * The column factories, one per type.
 *
 * @example
 * ```ts
 * import { column } from "@retort/orm";
 * const id = column.integer().primaryKey();
 * const price = column.numeric(10, 2);
 * const mood = column.enum(["happy", "sad"]).default("happy");
 * ```
 */
export const column: {
  /** A 32-bit integer (`number`). */
  integer(): Column<number, false, never>;
  /** A 64-bit integer (`bigint`). */
  bigint(): Column<bigint, false, never>;
  /** A 4-byte float on PostgreSQL, a REAL on SQLite. */
  real(): Column<number, false, never>;
  /** A double-precision float. */
  double(): Column<number, false, never>;
  /** An exact decimal, as a string so no precision is lost. */
  numeric(precision?: number, scale?: number): Column<string, false, never>;
  /** Text of any length. */
  text(): Column<string, false, never>;
  /** Text of at most `length` characters. */
  varchar(length: number): Column<string, false, never>;
  /** A boolean (0/1 on SQLite). */
  boolean(): Column<boolean, false, never>;
  /** A calendar date (a `Date` at UTC midnight). */
  date(): Column<Date, false, never>;
  /** A timestamp without time zone, read and written as UTC. */
  timestamp(): Column<Date, false, never>;
  /** A timestamp with time zone. */
  timestamptz(): Column<Date, false, never>;
  /** JSON, parsed. */
  json<T = unknown>(): Column<T, false, never>;
  /** Binary JSON on PostgreSQL (JSON text on SQLite), parsed. */
  jsonb<T = unknown>(): Column<T, false, never>;
  /** A UUID, as a string. */
  uuid(): Column<string, false, never>;
  /** Bytes (`BLOB` / `BYTEA`), as a `Uint8Array`. */
  blob(): Column<Uint8Array, false, never>;
  /** Same as `blob()`. */
  bytea(): Column<Uint8Array, false, never>;
  /** One of a fixed set of strings. */
  enum<const V extends readonly string[]>(values: V): Column<V[number], false, never>;
  /** A SQL expression of the table loaded with the row (read-only, not in the DDL). */
  expression<T>(
    expression: (table: ColumnTable) => Fragment,
    type: ColumnType<T>,
  ): ReadonlyColumn<T>;
} = {
  integer: () => make(types.integer),
  bigint: () => make(types.bigint),
  real: () => make(types.real),
  double: () => make(types.double),
  numeric: (precision?: number, scale?: number) => make(numeric(precision, scale)),
  text: () => make(types.text),
  varchar: (length: number) => make(varchar(length)),
  boolean: () => make(types.boolean),
  date: () => make(types.date),
  timestamp: () => make(types.timestamp),
  timestamptz: () => make(types.timestamptz),
  json: <T>() => make(types.json) as Column<T, false, never>,
  jsonb: <T>() => make(types.jsonb) as Column<T, false, never>,
  uuid: () => make(types.uuid),
  blob: () => make(types.blob),
  bytea: () => make(types.blob),
  enum: <const V extends readonly string[]>(values: V) => make(enumType(values)),
  expression: <T>(expression: (table: ColumnTable) => Fragment, type: ColumnType<T>) =>
    new Column(type, { ...base(), expression }) as ReadonlyColumn<T>,
};

/**
 * Column types: each with its TypeScript type, its DDL per dialect, and conversion both ways.
 *
 * A type converts a JavaScript value to what the driver binds (`encoder`), and what the driver
 * returns back to the JavaScript value (`decoder`); either is `null` where no conversion is
 * needed on that dialect, so hot paths skip it. `check` rejects a value the column cannot
 * hold before anything is sent.
 *
 * @module
 */
import type { Dialect } from "./dialect.ts";
import { type Fragment, sql, type SqlSource } from "./sql.ts";

/**
 * A conversion function, or `null` when values pass through as they are.
 *
 * @example
 * ```ts
 * import type { Converter } from "@retort/orm";
 * const toUpper: Converter = (v) => String(v).toUpperCase();
 * ```
 */
export type Converter = ((value: unknown) => unknown) | null;

/**
 * A column type. `T` is the TypeScript type of the column's values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteDialect, types } from "@retort/orm";
 * assert(types.boolean.ddl(sqliteDialect) === "BOOLEAN");
 * assert(types.boolean.decoder(sqliteDialect)!(1) === true);
 * ```
 */
export interface ColumnType<T = unknown> {
  /** The type's name, as users spell it: "integer", "timestamptz"... */
  readonly name: string;
  /** The type in DDL. */
  ddl(dialect: Dialect): string;
  /** JavaScript value → driver value, or null for none. */
  encoder(dialect: Dialect): Converter;
  /** Driver value → JavaScript value, or null for none. */
  decoder(dialect: Dialect): Converter;
  /** Why a value cannot go in this column, or null when it can. */
  check(value: unknown): string | null;
  /**
   * A CHECK condition the dialect needs to enforce the type (enums), given the column as SQL;
   * its values are literals, since DDL cannot bind parameters.
   */
  checkSql?(column: SqlSource<unknown>, dialect: Dialect): Fragment | null;
  /** Type-only: the value type. */
  readonly "~value"?: T;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const show = (v: unknown): string => {
  if (typeof v === "string") return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === "bigint") return `the bigint ${v}n`;
  if (v === null || typeof v !== "object") return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return "an array";
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)
    ?.constructor?.name;
  return name && name !== "Object" ? `an instance of ${name}` : "an object";
};

const isDate = (v: unknown): v is Date => {
  if (!(v instanceof Date)) return false;
  try {
    return !Number.isNaN(Date.prototype.getTime.call(v));
  } catch {
    return false;
  }
};

interface TypeSpec<T> {
  name: string;
  sqlite: string;
  postgres: string;
  check(value: unknown): string | null;
  encode?: { sqlite?: Converter; postgres?: Converter };
  decode?: { sqlite?: Converter; postgres?: Converter };
  checkSql?(column: SqlSource<unknown>, dialect: Dialect): Fragment | null;
  "~value"?: T;
}

function define<T>(spec: TypeSpec<T>): ColumnType<T> {
  const check = spec.check;
  return {
    name: spec.name,
    ddl: (d) => d.name === "sqlite" ? spec.sqlite : spec.postgres,
    encoder: (d) => spec.encode?.[d.name] ?? null,
    decoder: (d) => spec.decode?.[d.name] ?? null,
    check: (v) => {
      try {
        return check(v);
      } catch (error) {
        // A revoked Proxy, or one whose traps throw, cannot even be looked at.
        return `got a value that could not be inspected (${(error as Error)?.message ?? error}); ` +
          "pass a plain value, not a Proxy or an object whose properties throw";
      }
    },
    checkSql: spec.checkSql,
  };
}

/** Text a database stores exactly: no lone UTF-16 surrogate. */
const wellFormed = (v: string): string | null =>
  v.isWellFormed()
    ? null
    : "expects well-formed text, got a string with a lone UTF-16 surrogate, which no database " +
      "stores exactly; fix it with String.prototype.toWellFormed()";

const expect = (what: string) => (v: unknown) => `expects ${what}, got ${show(v)}`;

const toBigInt: Converter = (v) => typeof v === "bigint" ? v : BigInt(v as number | string);
const toNumber: Converter = (v) => typeof v === "number" ? v : Number(v);
const sqliteBool: Converter = (v) => v === null ? null : v === 1 || v === 1n || v === true;
const isoText: Converter = (v) => (v as Date).toISOString();
const dateText: Converter = (v) => (v as Date).toISOString().slice(0, 10);
const parseDate: Converter = (v) => v instanceof Date ? v : new Date(v as string);
const parseDay: Converter = (v) => v instanceof Date ? v : new Date(`${v as string}T00:00:00Z`);
const jsonText: Converter = (v) => JSON.stringify(v);
const parseJson: Converter = (v) => typeof v === "string" ? JSON.parse(v) : v;
const toBytes: Converter = (v) =>
  v instanceof Uint8Array && v.constructor !== Uint8Array
    ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    : v;
const numericText: Converter = (v) => typeof v === "string" ? v : String(v);

const checkInteger = (v: unknown): string | null =>
  (typeof v === "number" && Number.isSafeInteger(v)) ||
    (typeof v === "bigint" && v >= MIN_SAFE && v <= MAX_SAFE)
    ? null
    : typeof v === "number" && Number.isInteger(v)
    ? `expects a safe integer, got ${v}, which a double cannot hold exactly; use column.bigint()`
    : expect("an integer")(v);

/**
 * The built-in column types, by name. Users write them through `column.<type>()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { types } from "@retort/orm";
 * assert(types.integer.check("1") !== null);
 * assert(types.integer.check(1) === null);
 * ```
 */
export const types: {
  readonly integer: ColumnType<number>;
  readonly bigint: ColumnType<bigint>;
  readonly real: ColumnType<number>;
  readonly double: ColumnType<number>;
  readonly numeric: ColumnType<string>;
  readonly text: ColumnType<string>;
  readonly boolean: ColumnType<boolean>;
  readonly date: ColumnType<Date>;
  readonly timestamp: ColumnType<Date>;
  readonly timestamptz: ColumnType<Date>;
  readonly json: ColumnType<unknown>;
  readonly jsonb: ColumnType<unknown>;
  readonly uuid: ColumnType<string>;
  readonly blob: ColumnType<Uint8Array>;
} = {
  integer: define<number>({
    name: "integer",
    sqlite: "INTEGER",
    postgres: "INTEGER",
    check: (v) => {
      const e = checkInteger(v);
      if (e !== null) return e;
      const n = Number(v);
      return n > 2147483647 || n < -2147483648
        ? `expects a 32-bit integer, got ${n}; use column.bigint() for larger values`
        : null;
    },
    decode: { postgres: null, sqlite: null },
  }),
  bigint: define<bigint>({
    name: "bigint",
    sqlite: "BIGINT",
    postgres: "BIGINT",
    check: (v) =>
      typeof v === "bigint"
        ? (v >= INT64_MIN && v <= INT64_MAX ? null : `expects a 64-bit integer, got ${v}n`)
        : typeof v === "number" && Number.isSafeInteger(v)
        ? null
        : expect("a bigint")(v),
    decode: { sqlite: toBigInt, postgres: toBigInt },
  }),
  real: define<number>({
    name: "real",
    sqlite: "REAL",
    postgres: "REAL",
    check: (v) => typeof v === "number" ? null : expect("a number")(v),
    decode: { postgres: toNumber },
  }),
  double: define<number>({
    name: "double",
    sqlite: "REAL",
    postgres: "DOUBLE PRECISION",
    check: (v) => typeof v === "number" ? null : expect("a number")(v),
    decode: { postgres: toNumber },
  }),
  numeric: define<string>({
    name: "numeric",
    sqlite: "TEXT",
    postgres: "NUMERIC",
    check: (v) =>
      (typeof v === "string" && NUMERIC.test(v)) || typeof v === "bigint" ||
        (typeof v === "number" && Number.isFinite(v))
        ? null
        : expect('a decimal string such as "12.50"')(v),
    encode: { sqlite: numericText, postgres: numericText },
    decode: { sqlite: numericText, postgres: numericText },
  }),
  text: define<string>({
    name: "text",
    sqlite: "TEXT",
    postgres: "TEXT",
    check: (v) => typeof v === "string" ? wellFormed(v) : expect("a string")(v),
  }),
  boolean: define<boolean>({
    name: "boolean",
    sqlite: "BOOLEAN",
    postgres: "BOOLEAN",
    check: (v) => typeof v === "boolean" ? null : expect("a boolean")(v),
    encode: { sqlite: (v) => v === null ? null : v ? 1 : 0 },
    decode: { sqlite: sqliteBool },
  }),
  date: define<Date>({
    name: "date",
    sqlite: "DATE",
    postgres: "DATE",
    check: (v) => isDate(v) ? null : expect("a valid Date")(v),
    encode: { sqlite: dateText, postgres: dateText },
    decode: { sqlite: parseDay, postgres: parseDay },
  }),
  timestamp: define<Date>({
    name: "timestamp",
    sqlite: "TIMESTAMP",
    postgres: "TIMESTAMP(3)",
    check: (v) => isDate(v) ? null : expect("a valid Date")(v),
    // UTC ISO text: PostgreSQL ignores the "Z" for a timestamp without time zone, and
    // postgres.js, which re-reads a string bound to a timestamp as a Date, reads it exactly.
    encode: { sqlite: isoText, postgres: isoText },
    decode: {
      sqlite: parseDate,
      // postgres.js reads the wall-clock time as local time: its local fields are the UTC ones.
      postgres: (v) =>
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
          : new Date(`${String(v).replace(" ", "T")}Z`),
    },
  }),
  timestamptz: define<Date>({
    name: "timestamptz",
    sqlite: "TIMESTAMPTZ",
    postgres: "TIMESTAMPTZ(3)",
    check: (v) => isDate(v) ? null : expect("a valid Date")(v),
    encode: { sqlite: isoText },
    decode: { sqlite: parseDate, postgres: parseDate },
  }),
  json: define<unknown>({
    name: "json",
    sqlite: "JSON",
    postgres: "JSON",
    check: (v) => checkJson(v),
    encode: { sqlite: jsonText, postgres: jsonText },
    // postgres.js parses json and jsonb itself: a JSON string arrives as a string already.
    decode: { sqlite: parseJson },
  }),
  jsonb: define<unknown>({
    name: "jsonb",
    sqlite: "JSONB",
    postgres: "JSONB",
    check: (v) => checkJson(v),
    encode: { sqlite: jsonText, postgres: jsonText },
    // postgres.js parses json and jsonb itself: a JSON string arrives as a string already.
    decode: { sqlite: parseJson },
  }),
  uuid: define<string>({
    name: "uuid",
    sqlite: "UUID",
    postgres: "UUID",
    check: (v) => typeof v === "string" && UUID.test(v) ? null : expect("a UUID string")(v),
    encode: { sqlite: (v) => (v as string).toLowerCase() },
  }),
  blob: define<Uint8Array>({
    name: "blob",
    sqlite: "BLOB",
    postgres: "BYTEA",
    // isView: an object merely given Uint8Array's prototype holds no bytes.
    check: (v) =>
      ArrayBuffer.isView(v) && v instanceof Uint8Array ? null : expect("a Uint8Array")(v),
    decode: { postgres: toBytes, sqlite: toBytes },
  }),
};

function checkJson(v: unknown): string | null {
  if (v === undefined || typeof v === "function" || typeof v === "symbol") {
    return expect("a JSON-serialisable value")(v);
  }
  try {
    JSON.stringify(v);
    return null;
  } catch (e) {
    return `expects a JSON-serialisable value: ${(e as Error).message}`;
  }
}

/**
 * A `varchar(n)` type: a string of at most `n` characters, checked before sending (SQLite does
 * not enforce lengths itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { varchar } from "@retort/orm";
 * assert(varchar(3).check("abcd") !== null);
 * ```
 */
export function varchar(length: number): ColumnType<string> {
  return define<string>({
    name: `varchar(${length})`,
    sqlite: `VARCHAR(${length})`,
    postgres: `VARCHAR(${length})`,
    check: (v) =>
      typeof v !== "string"
        ? expect("a string")(v)
        : [...v].length > length
        ? `expects at most ${length} characters, got ${[...v].length}`
        : wellFormed(v),
  });
}

/**
 * A `numeric(precision, scale)` type, as a string so no precision is lost.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numeric, postgresDialect } from "@retort/orm";
 * assert(numeric(10, 2).ddl(postgresDialect) === "NUMERIC(10, 2)");
 * ```
 */
export function numeric(precision?: number, scale?: number): ColumnType<string> {
  const base = types.numeric;
  const spec = precision === undefined
    ? "NUMERIC"
    : `NUMERIC(${precision}${scale === undefined ? "" : `, ${scale}`})`;
  return { ...base, ddl: (d) => d.name === "sqlite" ? "TEXT" : spec };
}

/**
 * An enum type: one of a fixed set of strings. A CHECK constraint enforces it on SQLite and
 * PostgreSQL alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { enumType } from "@retort/orm";
 * const mood = enumType(["happy", "sad"]);
 * assert(mood.check("meh") !== null && mood.check("sad") === null);
 * ```
 */
export function enumType<const V extends readonly string[]>(values: V): ColumnType<V[number]> {
  const allowed = new Set<string>(values);
  return define<V[number]>({
    name: `enum(${values.join(", ")})`,
    sqlite: "TEXT",
    postgres: "TEXT",
    check: (v) =>
      typeof v === "string" && allowed.has(v)
        ? null
        : `expects one of ${values.map((x) => JSON.stringify(x)).join(", ")}, got ${show(v)}`,
    checkSql: (col) => sql`${col} IN (${sql.join(values.map((v) => sql.literal(v)))})`,
  });
}

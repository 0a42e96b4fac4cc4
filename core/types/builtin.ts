/**
 * The built-in column types: each with its TypeScript type and the check that refuses, before
 * anything is sent, a value the column cannot hold. How each is spelled in DDL and converted
 * to and from the driver is the dialect's business, found by the type's `kind`.
 *
 * @module
 */
import { sql } from "../sql/tag.ts";
import { describe } from "../util/describe.ts";
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, MAX_SAFE, MIN_SAFE } from "../util/ints.ts";
import { jsonProblem } from "../util/json.ts";
import type { ColumnType, Converter, TypeDialect } from "./column_type.ts";
import { dateRangeProblem } from "./dates.ts";
import { decimalText, integerDigits, parseDecimal, roundDecimal } from "./decimal.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const show = (v: unknown): string => describe(v, { showValue: true });

/** A Date's time value, or NaN when it is not a valid Date. */
const timeOf = (v: unknown): number => {
  if (!(v instanceof Date)) return NaN;
  try {
    return Date.prototype.getTime.call(v);
  } catch {
    return NaN;
  }
};

/** A built-in type: its kind, its parameters, and its check; the rest asks the dialect. */
class BuiltinType<T> implements ColumnType<T> {
  readonly name: string;
  readonly kind: string;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly values?: readonly string[];
  readonly compared?: ColumnType;
  readonly #check: (value: unknown) => string | null;
  declare readonly "~value"?: T;

  constructor(
    kind: string,
    check: (value: unknown) => string | null,
    params: {
      name?: string;
      length?: number;
      precision?: number;
      scale?: number;
      values?: readonly string[];
      compared?: ColumnType;
    } = {},
  ) {
    this.kind = kind;
    this.name = params.name ?? kind;
    this.#check = check;
    if (params.length !== undefined) this.length = params.length;
    if (params.precision !== undefined) this.precision = params.precision;
    if (params.scale !== undefined) this.scale = params.scale;
    if (params.values !== undefined) this.values = params.values;
    if (params.compared !== undefined) this.compared = params.compared;
  }

  ddl(dialect: TypeDialect): string {
    return dialect.typeSql(this);
  }

  encoder(dialect: TypeDialect): Converter {
    return dialect.encoder(this);
  }

  decoder(dialect: TypeDialect): Converter {
    return dialect.decoder(this);
  }

  check(value: unknown): string | null {
    try {
      return this.#check(value);
    } catch (error) {
      // A revoked Proxy, or one whose traps throw, cannot even be looked at.
      return `got a value that could not be inspected (${(error as Error)?.message ?? error}); ` +
        "pass a plain value, not a Proxy or an object whose properties throw";
    }
  }
}

/** Text a database stores exactly: no lone UTF-16 surrogate. */
const wellFormed = (v: string): string | null =>
  v.isWellFormed()
    ? null
    : "expects well-formed text, got a string with a lone UTF-16 surrogate, which no database " +
      "stores exactly; fix it with String.prototype.toWellFormed()";

const expect = (what: string) => (v: unknown) => `expects ${what}, got ${show(v)}`;

const checkInteger = (v: unknown): string | null =>
  (typeof v === "number" && Number.isSafeInteger(v)) ||
    (typeof v === "bigint" && v >= MIN_SAFE && v <= MAX_SAFE)
    ? null
    : typeof v === "number" && Number.isInteger(v)
    ? `expects a safe integer, got ${v}, which a double cannot hold exactly; use column.bigint()`
    : expect("an integer")(v);

/** The shortest decimal that names the 4-byte float nearest to `v`. */
function float32Text(v: number): number {
  const f = Math.fround(v);
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** Whether a 4-byte float column gives `v` back: its shortest decimal is `v` itself. */
function fitsFloat32(v: number): boolean {
  return !Number.isFinite(v) || Object.is(float32Text(v), v) || float32Text(v) === v;
}

const checkJson = (v: unknown): string | null => {
  const problem = jsonProblem(v);
  return problem === null ? null : `expects a JSON-serialisable value: ${problem}`;
};

const checkDate = (v: unknown): string | null => {
  const time = timeOf(v);
  return Number.isNaN(time) ? expect("a valid Date")(v) : dateRangeProblem(time);
};

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
  integer: new BuiltinType<number>("integer", (v) => {
    const e = checkInteger(v);
    if (e !== null) return e;
    const n = Number(v);
    return n > INT32_MAX || n < INT32_MIN
      ? `expects a 32-bit integer, got ${n}; use column.bigint() for larger values`
      : null;
  }),
  bigint: new BuiltinType<bigint>(
    "bigint",
    (v) =>
      typeof v === "bigint"
        ? (v >= INT64_MIN && v <= INT64_MAX ? null : `expects a 64-bit integer, got ${v}n`)
        : typeof v === "number" && Number.isSafeInteger(v)
        ? null
        : expect("a bigint")(v),
  ),
  real: new BuiltinType<number>(
    "real",
    (v) =>
      typeof v !== "number"
        ? expect("a number")(v)
        : !fitsFloat32(v)
        ? `expects a number a 4-byte float holds exactly, got ${v} (it would come back as ` +
          `${float32Text(v)}); use column.double()`
        : null,
  ),
  double: new BuiltinType<number>(
    "double",
    (v) => typeof v === "number" ? null : expect("a number")(v),
  ),
  numeric: new BuiltinType<string>(
    "numeric",
    (v) =>
      (typeof v === "string" && NUMERIC.test(v)) || typeof v === "bigint" ||
        (typeof v === "number" && Number.isFinite(v))
        ? null
        : expect('a decimal string such as "12.50"')(v),
  ),
  text: new BuiltinType<string>(
    "text",
    (v) => typeof v === "string" ? wellFormed(v) : expect("a string")(v),
  ),
  boolean: new BuiltinType<boolean>(
    "boolean",
    (v) => typeof v === "boolean" ? null : expect("a boolean")(v),
  ),
  date: new BuiltinType<Date>("date", checkDate),
  timestamp: new BuiltinType<Date>("timestamp", checkDate),
  timestamptz: new BuiltinType<Date>("timestamptz", checkDate),
  json: new BuiltinType<unknown>("json", checkJson),
  jsonb: new BuiltinType<unknown>("jsonb", checkJson),
  uuid: new BuiltinType<string>(
    "uuid",
    (v) => typeof v === "string" && UUID.test(v) ? null : expect("a UUID string")(v),
  ),
  // isView: an object merely given Uint8Array's prototype holds no bytes.
  blob: new BuiltinType<Uint8Array>(
    "blob",
    (v) => ArrayBuffer.isView(v) && v instanceof Uint8Array ? null : expect("a Uint8Array")(v),
  ),
};

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
  return new BuiltinType<string>(
    "varchar",
    (v) =>
      typeof v !== "string"
        ? expect("a string")(v)
        : [...v].length > length
        ? `expects at most ${length} characters, got ${[...v].length}`
        : wellFormed(v),
    { name: `varchar(${length})`, length },
  );
}

/**
 * Why a decimal does not fit `numeric(precision, scale)` once rounded to its scale, or null:
 * the digits before the point must be at most `precision - scale`, as PostgreSQL requires.
 */
function numericFits(v: unknown, precision: number, scale: number): string | null {
  const text = typeof v === "string" ? v : String(v);
  const d = parseDecimal(text);
  if (d === null) return null;
  const most = precision - scale;
  const rounded = roundDecimal(d, scale);
  if (integerDigits(rounded) <= most) return null;
  const roundedText = integerDigits(rounded) <= 60 ? decimalText(rounded, scale) : "";
  const shown = text.length > 60 || roundedText === ""
    ? `a number of ${integerDigits(rounded)} digits before the point`
    : roundedText === text
    ? text
    : `${text} (${roundedText} once rounded)`;
  return `expects at most ${most} digit${most === 1 ? "" : "s"} before the point ` +
    `(numeric(${precision}, ${scale})), got ${shown}`;
}

/**
 * A `numeric(precision, scale)` type, as a string so no precision is lost. A value with more
 * digits before the point than `precision - scale` allows (once rounded to the scale) is
 * refused before anything is sent; `numeric(p)` has scale 0, as in SQL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numeric, postgresDialect } from "@retort/orm";
 * assert(numeric(10, 2).ddl(postgresDialect) === "NUMERIC(10, 2)");
 * ```
 */
export function numeric(precision?: number, scale?: number): ColumnType<string> {
  const name = precision === undefined
    ? "numeric"
    : `numeric(${precision}${scale === undefined ? "" : `, ${scale}`})`;
  const digits = scale ?? 0;
  return new BuiltinType<string>(
    "numeric",
    (v) =>
      types.numeric.check(v) ??
        (precision === undefined ? null : numericFits(v, precision, digits)),
    { name, precision, scale, compared: precision === undefined ? undefined : types.numeric },
  );
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
  const type = new BuiltinType<V[number]>(
    "enum",
    (v) =>
      typeof v === "string" && allowed.has(v)
        ? null
        : `expects one of ${values.map((x) => JSON.stringify(x)).join(", ")}, got ${show(v)}`,
    {
      name: `enum(${values.join(", ")})`,
      values: Object.freeze([...values]),
    },
  );
  return Object.assign(type, {
    checkSql: (col: unknown) => sql`${col} IN (${sql.join(values.map((v) => sql.literal(v)))})`,
  });
}

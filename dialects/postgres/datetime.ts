/**
 * PostgreSQL's `date`, `timestamp` and `timestamptz` text (DateStyle ISO) to and from Dates,
 * exactly, whatever the process's time zone:
 *
 * - a `date` is its UTC midnight; a `timestamp` (without time zone) is its wall-clock time read
 *   as UTC; a `timestamptz` is its instant, with offsets to the second (PostgreSQL writes
 *   `-04:56:02` for New York before 1883);
 * - years 1 to 99 stay themselves, and BC years are astronomical (1 BC is the year 0, as
 *   `Date` counts them).
 *
 * postgres.js's own parser (`new Date(text)`) turns `0001-01-01` into 2001-01-01 and BC into an
 * Invalid Date, and reads a `timestamp` in the process's time zone. A value no Date stands for is
 * never an Invalid Date here: `infinity` and `-infinity`, and a finite value past the Dates
 * JavaScript holds (a `date` of the year 300000), make the parser throw an `UnreadableDate`,
 * which the drivers turn into a DataError naming the column (see `unreadableDateError`).
 *
 * A Date bound as a parameter is checked to be in the years both databases store, and one in
 * an array goes as text (see `dateParams`).
 *
 * @module
 */
import { ArgumentError, DataError } from "../../core/errors.ts";
import { dateRangeProblem } from "../../core/types/dates.ts";

const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;
const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|(Z))?( BC)?$/;

/** The time value of a UTC calendar time, with years below 100 and BC (year <= 0) kept. */
function utc(year: number, month: number, day: number, ms = 0): number {
  const d = new Date(ms);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

const yearOf = (digits: string, bc: string | undefined): number =>
  bc === undefined ? Number(digits) : 1 - Number(digits);

/**
 * What a date or time parser throws for a value no Date stands for: `infinity`, `-infinity`, a
 * finite value past the years JavaScript's Dates hold (271821 BC to 275760), or text of another
 * DateStyle that does not read as a Date. Code `22008` (datetime field overflow); the drivers
 * turn it into a DataError naming the column (see `unreadableDateError`).
 */
export class UnreadableDate extends Error {
  /** PostgreSQL's SQLSTATE for it: datetime field overflow. */
  readonly code = "22008";
  /** The value's text, as PostgreSQL sent it. */
  readonly text: string;
  /** The type's oid: 1082 (`date`), 1114 (`timestamp`) or 1184 (`timestamptz`). */
  readonly oid: number;

  /** The value's text and its type's oid. */
  constructor(text: string, oid: number) {
    super(`PostgreSQL sent the ${TYPE_NAMES[oid]} '${text}', which no JavaScript Date stands for`);
    this.name = "UnreadableDate";
    this.text = text;
    this.oid = oid;
  }
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1082: "date",
  1114: "timestamp",
  1184: "timestamptz",
};

/** The Date of a time value, or an `UnreadableDate` thrown when there is none. */
function dateOf(time: number, text: string, oid: number): Date {
  if (Number.isNaN(time)) throw new UnreadableDate(text, oid);
  return new Date(time);
}

/** Text of another DateStyle (`SQL`, `German`): what `new Date` makes of it, if anything. */
const otherStyle = (text: string, oid: number): Date => dateOf(Date.parse(text), text, oid);

/** `YYYY-MM-DD[ BC]` to a Date at that day's UTC midnight. */
export function parseDate(text: string): Date {
  const m = DATE.exec(text);
  if (m === null) return otherStyle(text, 1082);
  return dateOf(utc(yearOf(m[1], m[4]), Number(m[2]), Number(m[3])), text, 1082);
}

function parseStamp(text: string, zoned: boolean): Date {
  const oid = zoned ? 1184 : 1114;
  const m = TIMESTAMP.exec(text);
  if (m === null) return otherStyle(text, oid);
  const ms = Number(((m[7] ?? "") + "000").slice(0, 3));
  const time = Number(m[4]) * 3_600_000 + Number(m[5]) * 60_000 + Number(m[6]) * 1000 + ms;
  let t = utc(yearOf(m[1], m[13]), Number(m[2]), Number(m[3]), time);
  if (zoned && m[8] !== undefined) {
    const offset = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    t -= (m[8] === "-" ? -1 : 1) * offset * 1000;
  }
  // Past 8.64e15 ms from the epoch, `setUTCFullYear` gave NaN; the offset may push past it too.
  return dateOf(Math.abs(t) <= 8.64e15 ? t : NaN, text, oid);
}

/** What a driver knows of a result's columns when a parser threw: each one's name and type. */
export interface ColumnOfType {
  readonly name: string;
  readonly type?: number;
}

/** The array type of each date and time type. */
const ARRAY_OF: Readonly<Record<number, number>> = { 1082: 1182, 1114: 1115, 1184: 1185 };

/**
 * The DataError (code `22008`) a statement fails with when a parser threw `error` on one of
 * its rows: it names the column (the one of the value's type or its array type, or else of an
 * array of a domain; several when more than one may be, none when the columns are not known)
 * and says how to read the value in SQL instead. The statement itself ran (an `INSERT ...
 * RETURNING` wrote its rows); only its result was not read, and the connection stays usable.
 * Without `sql` (a column's decoder read the text), the error carries no statement.
 */
export function unreadableDateError(
  error: UnreadableDate,
  columns: readonly ColumnOfType[] | undefined,
  sql?: string,
  params: readonly unknown[] = [],
  hideParameters = false,
): DataError {
  const { oid, text } = error;
  const all = columns ?? [];
  // The columns of the value's type or its array; else of the database's own types (an array
  // of a domain over the type); else the only column.
  let named = all.filter((c) => c.type === oid || c.type === ARRAY_OF[oid]);
  if (named.length === 0) named = all.filter((c) => (c.type ?? 0) >= 16384);
  if (named.length === 0 && all.length === 1) named = [...all];
  const names = named.map((c) => JSON.stringify(c.name));
  const where = names.length === 1
    ? `Column ${names[0]}`
    : names.length > 1
    ? `One of the columns ${names.join(", ")}`
    : "A column";
  const col = names.length === 1 ? names[0] : "col";
  const type = TYPE_NAMES[oid];
  // An array's elements are read as text by a cast to text[]; a value of its own, to text.
  const array = named.length === 1 && named[0].type !== oid;
  const asText = array
    ? `${col}::text[] gives its elements as text`
    : `${col}::text gives its text`;
  const infinite = text === "infinity" || text === "-infinity";
  const what = infinite
    ? `holds the ${type} '${text}', which no JavaScript Date stands for (Retort reads finite ` +
      `dates only, and writes Dates of the years 0000 to 9999). Read it in SQL instead: ` +
      (array ? "" : `CASE WHEN isfinite(${col}) THEN ${col} END gives null for it, `) +
      `${asText}; or store NULL rather than '${text}' for no bound`
    : DATE.test(text) || TIMESTAMP.test(text)
    ? `holds the ${type} '${text}', past the years a JavaScript Date holds (271821 BC to ` +
      `275760). Read it in SQL instead: ${asText}`
    : `holds the ${type} '${text}', which Retort cannot read: it reads PostgreSQL's ISO ` +
      "DateStyle, PostgreSQL's default (SET DateStyle = ISO)";
  const ran = sql === undefined ? "" : " The statement ran; its result was not read.";
  return new DataError(`${where} ${what}.${ran}`, {
    cause: error,
    sql,
    params: hideParameters || sql === undefined ? undefined : params,
    code: error.code,
  });
}

/** `timestamp` text: the wall-clock time, read as UTC. */
export function parseTimestamp(text: string): Date {
  return parseStamp(text, false);
}

/** `timestamptz` text: the instant. */
export function parseTimestamptz(text: string): Date {
  return parseStamp(text, true);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function dayText(d: Date): string {
  const y = d.getUTCFullYear();
  return `${pad(y <= 0 ? 1 - y : y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function timeText(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    pad(d.getUTCMilliseconds(), 3);
}

const era = (d: Date): string => d.getUTCFullYear() <= 0 ? " BC" : "";

/** A Date as `date` text: its UTC day. */
export function dateText(d: Date): string {
  return dayText(d) + era(d);
}

/** A Date as `timestamp` text: its UTC wall-clock time. */
export function timestampText(d: Date): string {
  return `${dayText(d)} ${timeText(d)}${era(d)}`;
}

/** A Date as `timestamptz` text: its instant, at UTC. */
export function timestamptzText(d: Date): string {
  return `${dayText(d)} ${timeText(d)}+00${era(d)}`;
}

/**
 * The parameters with every Date checked to be in the years both databases store, and each
 * Date inside an array as `timestamptzText`; `params` itself when that changes nothing. A Date
 * parameter of its own stays a Date, which the driver declares a `timestamptz` (so that it has
 * that type where the SQL gives it none); in an array, declared of no type, it is text the
 * server reads as the array's type. (A timestamptz stored in a `timestamp` or `date` column
 * is converted in the session's TimeZone: the builder and the ORM bind such columns by type.)
 */
export function dateParams(params: readonly unknown[], depth = 0): readonly unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    let text: unknown = v;
    if (v instanceof Date) {
      const problem = dateRangeProblem(v.getTime());
      if (problem !== null) throw new ArgumentError(`A Date parameter: ${problem}.`);
      // A parameter of its own stays a Date, declared timestamptz by the driver, so that it
      // means a timestamptz wherever the SQL gives it no type (`${d} + interval '1 day'`).
      if (depth > 0) text = timestamptzText(v);
    } else if (Array.isArray(v) && depth < 4) text = dateParams(v, depth + 1);
    if (text !== v) (out ??= params.slice())[i] = text;
  }
  return out ?? params;
}

/** A serializer: Dates as the given text, and anything else as text. */
const serializer = (format: (d: Date) => string) => (x: unknown): string =>
  x instanceof Date ? format(x) : String(x);

/**
 * The date and time types as postgres.js's `types` option takes them: Retort's parsers and
 * serializers for `date` (1082), `timestamp` (1114) and `timestamptz` (1184).
 */
export const dateTypes: Readonly<
  Record<
    string,
    { to: number; from: number[]; serialize(x: unknown): string; parse(x: string): Date }
  >
> = {
  retortDate: { to: 1082, from: [1082], serialize: serializer(dateText), parse: parseDate },
  retortTimestamp: {
    to: 1114,
    from: [1114],
    serialize: serializer(timestampText),
    parse: parseTimestamp,
  },
  retortTimestamptz: {
    to: 1184,
    from: [1184],
    serialize: serializer(timestamptzText),
    parse: parseTimestamptz,
  },
};

/**
 * The parsers by type oid, for clients that take them so (PGlite). Their arrays are in
 * `pgliteArrayParsers` (see `arrays.ts`): PGlite parses an array's elements with its own
 * parsers, not with those a query is given.
 */
export const dateParsers: Readonly<Record<number, (text: string) => unknown>> = {
  1082: parseDate,
  1114: parseTimestamp,
  1184: parseTimestamptz,
};

/** The serializers by type oid, for clients that take them so (PGlite). */
export const dateSerializers: Readonly<Record<number, (x: unknown) => string>> = {
  1082: dateTypes.retortDate.serialize,
  1114: dateTypes.retortTimestamp.serialize,
  1184: dateTypes.retortTimestamptz.serialize,
};

/** What the driver sees of a postgres.js client's options. */
interface ClientOptions {
  types?: Record<string, { from?: number | number[] }>;
  parsers?: Record<number, unknown>;
  serializers?: Record<number, unknown>;
}

/**
 * Gives a postgres.js client passed in by the user Retort's date and time parsers and
 * serializers, unless its own `types` option already handles one of those types (then the
 * client is left as it is). Returns whether they are in place.
 */
export function installDateTypes(client: { options?: unknown }): boolean {
  const options = client.options as ClientOptions | undefined;
  if (options?.parsers === undefined || options.serializers === undefined) return false;
  const taken = Object.values(options.types ?? {}).some((t) =>
    [t.from ?? []].flat().some((oid) => oid === 1082 || oid === 1114 || oid === 1184)
  );
  if (taken) return Object.values(dateTypes).some((t) => options.parsers![t.to] === t.parse);
  for (const t of Object.values(dateTypes)) {
    options.parsers[t.to] = t.parse;
    options.serializers[t.to] = t.serialize;
  }
  return true;
}

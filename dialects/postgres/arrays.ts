/**
 * PostgreSQL arrays read from their text form, with NULL elements as `null`.
 *
 * postgres.js's own array parser reads an unquoted `NULL` element as if it were the quoted
 * text `"NULL"` (porsager/postgres#1124): a `text[]` gives the string "NULL", an `int[]` gives
 * NaN, a `boolean[]` false, a `date[]` an Invalid Date, and a `bigint[]` or `json[]` throws. It
 * also misreads arrays with explicit bounds (`[0:1]={1,2}`). Here every array type the client
 * learns of (built in or not: enums, domains, extensions) is read by `parseArray` instead,
 * each element with the client's parser for the element type, so that both drivers (see
 * `pgliteArrayParsers`) give the same values. An array of a domain has its elements read by the
 * domain's base type, once the driver has looked it up (see `own_arrays.ts`).
 *
 * @module
 */
import { narrow } from "../../core/util/ints.ts";
import { arrayText } from "./array_params.ts";
import { parseDate, parseTimestamp, parseTimestamptz } from "./datetime.ts";

/**
 * An array's text as PostgreSQL writes it (`{a,NULL,"NULL","q\"u"}`, nested as `{{..},{..}}`,
 * with explicit bounds as `[0:1]={..}`) to nested arrays: an unquoted `NULL` is `null`, every
 * other element (quoted, its backslash escapes undone, or not) goes through `element`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArray } from "./arrays.ts";
 * assert.deepEqual(parseArray('{a,NULL,"NULL","q\\"u"}', (s) => s), ["a", null, "NULL", 'q"u']);
 * assert.deepEqual(parseArray("[0:1]={{1,NULL},{3,4}}", Number), [[1, null], [3, 4]]);
 * ```
 */
export function parseArray(
  text: string,
  element: (text: string) => unknown,
  delimiter = ",",
): unknown[] {
  let i = text.startsWith("[") ? text.indexOf("=") + 1 : 0;
  const end = text.length;
  const list = (): unknown[] => {
    const out: unknown[] = [];
    i++; // past "{"
    if (text[i] === "}") {
      i++;
      return out;
    }
    while (i < end) {
      const c = text[i];
      if (c === "{") out.push(list());
      else if (c === '"') {
        let value = "";
        let from = ++i;
        while (i < end && text[i] !== '"') {
          if (text[i] === "\\") {
            value += text.slice(from, i);
            from = ++i; // the escaped character is kept
          }
          i++;
        }
        out.push(element(value + text.slice(from, i)));
        i++; // past the closing quote
      } else {
        let stop = i;
        while (stop < end && text[stop] !== delimiter && text[stop] !== "}") stop++;
        const raw = text.slice(i, stop);
        out.push(raw.length === 4 && raw.toUpperCase() === "NULL" ? null : element(raw));
        i = stop;
      }
      if (text[i] === delimiter) i++;
      else {
        i++; // past "}"
        break;
      }
    }
    return out;
  };
  return list();
}

/** An element's text as it is. */
export const same = (text: string): string => text;

/** The first oid of the types a database makes of its own (enums, domains, extensions). */
export const FIRST_OWN_OID = 16384;

/** Marks Retort's array parser for postgres.js with the oid of its element type. */
const ELEMENT = Symbol("retort.arrayElement");

/** The element type's oid of one of Retort's array parsers for postgres.js, if it is one. */
export function elementOf(parser: unknown): number | undefined {
  return typeof parser === "function" ? (parser as { [ELEMENT]?: number })[ELEMENT] : undefined;
}

/**
 * The arrays a parser of postgres.js's read with their elements as text, their element type
 * being one of the database's own the client has no parser for (a domain not yet looked up).
 */
const TEXT_ELEMENTS = new WeakSet<unknown[]>();

/** Whether a value is an array read with its elements as text (see `TEXT_ELEMENTS`). */
export function readAsText(value: unknown): value is unknown[] {
  return Array.isArray(value) && TEXT_ELEMENTS.has(value);
}

/** `box[]` (1020) is the one array type whose elements are separated by `;`. */
const delimiterOf = (arrayOid: number): string => arrayOid === 1020 ? ";" : ",";

type Parser = (text: string) => unknown;

/** Marks a `typeArrayMap` already watched. */
const WATCHED = Symbol("retort.arrayTypesWatched");

/** What the driver sees of a postgres.js client's options. */
interface ClientOptions {
  parsers?: Record<number, Parser | undefined>;
  serializers?: Record<number, ((x: unknown) => unknown) | undefined>;
  shared?: { typeArrayMap?: Record<number, number> };
  fetch_types?: boolean;
}

/**
 * The built-in array types (element oid to array oid), which a client created with
 * `fetch_types: false` never learns: bool, bytea, char, name, int8, int2, int4, text, oid,
 * json, xml, point, box, cidr, float4, float8, money, macaddr, inet, bpchar, varchar, date,
 * time, timestamp, timestamptz, interval, timetz, bit, varbit, numeric, uuid, jsonb.
 */
const BUILTIN_ARRAYS: Readonly<Record<number, number>> = {
  16: 1000,
  17: 1001,
  18: 1002,
  19: 1003,
  20: 1016,
  21: 1005,
  23: 1007,
  25: 1009,
  26: 1028,
  114: 199,
  142: 143,
  600: 1017,
  603: 1020,
  650: 651,
  700: 1021,
  701: 1022,
  790: 791,
  829: 1040,
  869: 1041,
  1042: 1014,
  1043: 1015,
  1082: 1182,
  1083: 1183,
  1114: 1115,
  1184: 1185,
  1186: 1187,
  1266: 1270,
  1560: 1561,
  1562: 1563,
  1700: 1231,
  2950: 2951,
  3802: 3807,
};

/**
 * An array parameter as PostgreSQL's array text, each element through the element type's
 * serializer (looked up when a value is sent), as postgres.js writes arrays: for a client that
 * did not learn the array types (`fetch_types: false`), which postgres.js would send as
 * `String(array)`. Anything not an array (text already) goes as it is.
 */
function arraySerializer(
  serializers: Record<number, ((x: unknown) => unknown) | undefined>,
  elementOid: number,
  arrayOid: number,
): (x: unknown) => unknown {
  const delimiter = delimiterOf(arrayOid);
  return (xs) =>
    Array.isArray(xs)
      ? arrayText(xs, (x) => String((serializers[elementOid] ?? String)(x)), delimiter)
      : xs;
}

/**
 * A parser of one array type for postgres.js. postgres.js hands a parser flagged `array` the
 * text less its first character (the brace, which explicit bounds do not start with), and
 * flags each array parser it installs: the flag here stays false, so the text comes whole.
 */
function postgresArrayParser(
  parsers: Record<number, Parser | undefined>,
  elementOid: number,
  arrayOid: number,
): Parser {
  const delimiter = delimiterOf(arrayOid);
  // The element's parser is looked up when a value is read: Retort's date parsers, the user's
  // own, or a domain's (once the driver learns its base type) may come after the array type.
  const parse: Parser = (text) => {
    const element = parsers[elementOid];
    const out = parseArray(text, element ?? same, delimiter);
    if (element === undefined && elementOid >= FIRST_OWN_OID) TEXT_ELEMENTS.add(out);
    return out;
  };
  Object.defineProperty(parse, "array", { get: () => false, set: () => {}, enumerable: true });
  (parse as { [ELEMENT]?: number })[ELEMENT] = elementOid;
  return parse;
}

/**
 * Makes a postgres.js client read every array type with `parseArray`. postgres.js learns the
 * array types when a connection opens (`fetch_types`): for each, it records the element type's
 * array type in `options.shared.typeArrayMap`, then installs its parser in `options.parsers`
 * unless the client has a parser and a serializer for it already. The types learnt so far get
 * Retort's parser now; the map is watched for the others, whose parser is put in place before
 * postgres.js would install its own (which then leaves it: the slot ignores writes). A parser
 * the user gave for an array type (through `types`) is kept. A client created with
 * `fetch_types: false` learns no array type: it is given the built-in ones (see
 * `BUILTIN_ARRAYS`), parsed so and written as postgres.js writes arrays. The array types it
 * has not learnt (its database's own, on such a client, or made after it connected) come as
 * text, which the driver reads (see `OwnArrays`); the driver writes their parameters too (see
 * `array_params.ts`). Returns whether the client had the shape this needs.
 */
export function installArrayTypes(client: { options?: unknown }): boolean {
  const options = client.options as ClientOptions | undefined;
  const parsers = options?.parsers;
  const shared = options?.shared;
  const map = shared?.typeArrayMap;
  if (parsers === undefined || shared === undefined || map === undefined) return false;
  if ((map as { [WATCHED]?: true })[WATCHED]) return true;
  const take = (elementOid: number, arrayOid: number): void => {
    const current = parsers[arrayOid] as (Parser & { array?: unknown }) | undefined;
    // The user's own parser (not one of postgres.js's, which it flags `array`) stays.
    if (current !== undefined && current.array !== true) return;
    const parse = postgresArrayParser(parsers, elementOid, arrayOid);
    Object.defineProperty(parsers, arrayOid, {
      get: () => parse,
      set: () => {},
      enumerable: true,
      configurable: true,
    });
  };
  for (const [elementOid, arrayOid] of Object.entries(map)) take(Number(elementOid), arrayOid);
  shared.typeArrayMap = new Proxy(map, {
    get: (target, key) => key === WATCHED ? true : Reflect.get(target, key),
    set: (target, key, value) => {
      if (typeof key === "string" && typeof value === "number") take(Number(key), value);
      return Reflect.set(target, key, value);
    },
  });
  // A client that does not fetch the array types learns none: the built-in ones are given to
  // it as postgres.js would have learnt them (declared, read, and written as arrays).
  const serializers = options!.serializers;
  if (options!.fetch_types === false && serializers !== undefined) {
    for (const [key, arrayOid] of Object.entries(BUILTIN_ARRAYS)) {
      const elementOid = Number(key);
      if (map[elementOid] === undefined) shared.typeArrayMap[elementOid] = arrayOid;
      serializers[arrayOid] ??= arraySerializer(serializers, elementOid, arrayOid);
    }
  }
  return true;
}

/** Element parsers on PGlite as Retort configures postgres.js (see `connect.ts`). */
const ELEMENTS: Readonly<Record<number, Parser>> = {
  16: (t) => t === "t",
  20: (t) => narrow(BigInt(t)),
  21: Number,
  23: Number,
  26: Number,
  700: Number,
  701: Number,
  114: (t) => JSON.parse(t),
  3802: (t) => JSON.parse(t),
  1082: parseDate,
  1114: parseTimestamp,
  1184: parseTimestamptz,
};

/** The built-in array types whose elements are parsed (array oid to element oid). */
const ARRAYS: Readonly<Record<number, number>> = {
  1000: 16,
  1016: 20,
  1005: 21,
  1007: 23,
  1028: 26,
  1021: 700,
  1022: 701,
  199: 114,
  3807: 3802,
  1182: 1082,
  1115: 1114,
  1185: 1184,
};

/** `bytea` hex text (`\x00ff`) as bytes, as PGlite reads a `bytea`. */
const parseBytea = (text: string): Uint8Array =>
  Uint8Array.from(
    { length: (text.length - 2) / 2 },
    (_, i) => parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16),
  );

/**
 * Array parsers by type oid for PGlite, whose queries take parsers so: the arrays of booleans,
 * integers, floats, json and jsonb, dates and timestamps, read by `parseArray` with the element
 * parsers Retort gives postgres.js, so that both drivers agree. (PGlite reads the other array
 * types, text-like ones, correctly itself.)
 */
export const pgliteArrayParsers: Readonly<Record<number, Parser>> = Object.fromEntries(
  Object.entries(ARRAYS).map(([arrayOid, elementOid]) => {
    const element = ELEMENTS[elementOid];
    const delimiter = delimiterOf(Number(arrayOid));
    return [arrayOid, (text: string) => parseArray(text, element, delimiter)];
  }),
);

/**
 * The parser of an element type on PGlite, where the driver reads an array PGlite does not know
 * (a domain's, an enum's): the values PGlite or Retort give that type on their own (numbers,
 * booleans, json, dates, bytes, arrays), or none for a type read as text.
 */
export function pgliteElement(oid: number): Parser | undefined {
  return ELEMENTS[oid] ?? pgliteArrayParsers[oid] ?? (oid === 17 ? parseBytea : undefined);
}

/**
 * Array parameters as PostgreSQL's array text, for an array type the driver does not know.
 *
 * An array parameter goes to the server with no declared type, which the server infers from
 * the statement (`c = ANY($1)` on a `color` column: `color[]`). The driver then writes it with
 * its serializer for that type, when it has one: postgres.js has those of the array types it
 * learnt as it connected, PGlite those of the built-in ones. For any other (an enum's, a
 * domain's or an extension's array, or a type created after the client connected) both
 * write `String(value)`, `red,green`, which PostgreSQL refuses as a malformed array literal.
 * So every array parameter is given, here, a text form of its own (`toString`): PostgreSQL's
 * array text, `{"red","green",NULL}`, quoted and escaped, nested arrays as `{{..},{..}}`.
 * Where the driver has a serializer, that is used; where it has none, this text is.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { isPlainObject } from "../../core/util/describe.ts";
import { timestamptzText } from "./datetime.ts";

const escapeElement = (t: string): string => t.replaceAll("\\", "\\\\").replaceAll('"', '\\"');

const undefinedElement = (): never => {
  throw new ArgumentError("An array parameter holds undefined; use null for NULL.");
};

/**
 * An array as PostgreSQL's array text: each element quoted (backslashes and quotes escaped),
 * its text from `element`; `null` as NULL, a nested array as a nested `{..}`; `undefined`
 * refused with an ArgumentError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrayText } from "./array_params.ts";
 * assert.equal(arrayText(["a", null, 'q"u'], String), '{"a",NULL,"q\\"u"}');
 * assert.equal(arrayText([[1, 2], [3, 4]], String), '{{"1","2"},{"3","4"}}');
 * ```
 */
export function arrayText(
  xs: readonly unknown[],
  element: (x: unknown) => string,
  delimiter = ",",
): string {
  const items = xs.map((x) =>
    Array.isArray(x)
      ? arrayText(x, element, delimiter)
      : x === null
      ? "NULL"
      : x === undefined
      ? undefinedElement()
      : `"${escapeElement(element(x))}"`
  );
  return `{${items.join(delimiter)}}`;
}

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * An element's text for a type the driver does not know, as PostgreSQL reads the element
 * type's input: a string as it is, a Date as `timestamptz` text, bytes as `bytea` hex
 * (`\x00ff`), a plain object as JSON, anything else (numbers, booleans) as `String(x)`, as
 * the drivers write the elements of a `text[]`.
 */
function elementText(x: unknown): string {
  if (typeof x === "string") return x;
  if (x instanceof Date) return timestamptzText(x);
  if (x instanceof Uint8Array) return `\\x${hex(x)}`;
  if (isPlainObject(x)) return JSON.stringify(x);
  return String(x);
}

/**
 * An array parameter that writes itself as PostgreSQL's array text: a copy of the array
 * (still an array, for the driver's own serializer of a type it knows) whose `toString`,
 * which a driver without a serializer for the type calls, gives `arrayText`.
 */
function arrayParam(xs: readonly unknown[]): unknown[] {
  const copy = xs.slice();
  const text = (): string => arrayText(copy, elementText);
  Object.defineProperty(copy, "toString", { value: text });
  Object.defineProperty(copy, Symbol.toPrimitive, { value: text });
  return copy;
}

/**
 * The parameters with each array made to write itself as PostgreSQL's array text when the
 * driver does not know its type (see the module's doc), declared of no type when `driver`
 * takes declarations (postgres.js's `typed`); the others as they are. The same list when it
 * holds no array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrayParams } from "./array_params.ts";
 * const [xs] = arrayParams([["red", null]]);
 * assert.equal(String(xs), '{"red",NULL}');
 * assert(Array.isArray(xs));
 * ```
 */
export function arrayParams(
  params: readonly unknown[],
  driver?: { typed?(value: unknown, type: number): unknown },
): readonly unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (!Array.isArray(v)) continue;
    // Declared of no type (0) where the driver takes a declaration: the server tells it.
    const a = arrayParam(v);
    (out ??= params.slice())[i] = driver?.typed ? driver.typed(a, 0) : a;
  }
  return out ?? params;
}

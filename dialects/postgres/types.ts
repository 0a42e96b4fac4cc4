/**
 * How Retort has postgres.js read and write values, the same for a client it opens by URL (as
 * `types`, see `connect.ts`) and for one passed in (installed on its options, see
 * `installRetortTypes`):
 *
 * - `int8` comes back as a number when it fits in a double exactly, as a bigint otherwise;
 * - a string bound to a `json` or `jsonb` parameter is JSON text (what Retort's json columns
 *   and `sql.json` make) and is sent as it is, not encoded again as a JSON string;
 * - `date`, `timestamp` and `timestamptz` go through Retort's parsers and serializers (see
 *   `datetime.ts`);
 * - every array type is read by Retort's array parser (see `arrays.ts`).
 *
 * Other types (`numeric` as text, `bytea`, booleans, floats) are postgres.js's own on both.
 *
 * @module
 */
import { narrow } from "../../core/util/ints.ts";
import { installArrayTypes } from "./arrays.ts";
import { dateTypes, installDateTypes } from "./datetime.ts";

/** A type as postgres.js's `types` option takes it. */
interface PgType {
  to: number;
  from: number[];
  serialize(x: unknown): string;
  parse(x: string): unknown;
}

const INT8 = 20;
const JSON_OIDS = [114, 3802];

/** Marks a serializer that already sends strings as they are. */
const PASSES_STRINGS = Symbol("retort.passesStrings");

type Serializer = ((x: unknown) => unknown) & { [PASSES_STRINGS]?: true };

/** `int8` text to a number when exact, else a bigint. */
const parseInt8 = (x: string): number | bigint => narrow(BigInt(x));

/** A serializer that sends a string as it is and gives anything else to `inner`. */
function passingStrings(inner: (x: unknown) => unknown): Serializer {
  const serialize: Serializer = (x) => typeof x === "string" ? x : inner(x);
  serialize[PASSES_STRINGS] = true;
  return serialize;
}

/**
 * Retort's types as postgres.js's `types` option takes them, for a client it opens: `int8`,
 * `json` and `jsonb`, and the date and time types.
 */
export const retortTypes: Readonly<Record<string, PgType>> = {
  int8: { to: INT8, from: [INT8], serialize: (x) => String(x), parse: parseInt8 },
  json: {
    to: 114,
    from: JSON_OIDS,
    serialize: passingStrings((x) => JSON.stringify(x)) as (x: unknown) => string,
    parse: (x) => JSON.parse(x),
  },
  ...dateTypes,
};

/** What the driver sees of a postgres.js client's options. */
interface ClientOptions {
  types?: Record<string, { from?: number | number[] } | undefined>;
  parsers?: Record<number, unknown>;
  serializers?: Record<number, Serializer | undefined>;
}

/** Whether the client's own `types` option reads a type. */
function ownParser(options: ClientOptions, oid: number): boolean {
  return Object.values(options.types ?? {}).some((t) =>
    [t?.from ?? []].flat().some((o) => o === oid)
  );
}

/**
 * Makes a postgres.js client passed in by the user read and write values as one Retort opens
 * does (see the module's doc), changing what Retort needs and no more:
 *
 * - `int8` is read as a number or a bigint, unless the client's `types` reads `int8` itself
 *   (`postgres.BigInt`, say), when its parser stays;
 * - the `json` and `jsonb` serializers (postgres.js's `JSON.stringify`, or the client's own)
 *   send a string as it is, and give anything else to the serializer they were; the parsers
 *   stay;
 * - the date and time types get Retort's parsers and serializers unless the client's `types`
 *   handles one of them (see `installDateTypes`);
 * - array types are read by Retort's parser, except those the client's `types` reads; with
 *   `fetch_types: false` the client is given the built-in array types (see
 *   `installArrayTypes`).
 *
 * The changes are made on the client's options, so its own queries see them too. Installing
 * twice changes nothing more.
 */
export function installRetortTypes(client: { options?: unknown }): void {
  const options = client.options as ClientOptions | undefined;
  const parsers = options?.parsers;
  const serializers = options?.serializers;
  if (options === undefined || parsers === undefined || serializers === undefined) return;
  if (!ownParser(options, INT8)) parsers[INT8] = parseInt8;
  for (const oid of JSON_OIDS) {
    const inner = serializers[oid];
    if (inner?.[PASSES_STRINGS]) continue;
    serializers[oid] = passingStrings(inner ?? ((x) => JSON.stringify(x)));
  }
  installDateTypes(client);
  installArrayTypes(client);
}

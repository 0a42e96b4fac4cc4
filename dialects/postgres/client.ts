/**
 * The PostgreSQL client Retort accepts: a postgres.js `sql` instance, told from other clients
 * of like shape (Bun's `SQL`, node-postgres) by what only postgres.js has.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";

/**
 * A postgres.js `sql` instance, by shape.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createEngine, type PostgresClient } from "@retort/orm";
 * const client: PostgresClient = postgres("postgres://localhost/test");
 * await using engine = createEngine(client);
 * ```
 */
export interface PostgresClient {
  /** Runs SQL text with parameters. */
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): unknown;
  /** Reserves a connection. */
  reserve(): Promise<unknown>;
  /** Closes the pool. */
  end(options?: { timeout?: number }): Promise<void>;
  /** The client's options. */
  options: { max?: number };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/**
 * Whether a value is a postgres.js `sql` instance (3.4 or later): a function with `unsafe`,
 * `reserve`, `begin` and `end`, whose `options` hold postgres.js's `parsers`, `serializers`
 * and `shared` state (which Retort's types are installed in). Bun's `SQL`, which has the same
 * methods but none of those options, is not one.
 */
export function isPostgresClient(x: unknown): x is PostgresClient {
  if (typeof x !== "function") return false;
  const c = x as unknown as Record<string, unknown>;
  const options = c.options;
  return typeof c.unsafe === "function" && typeof c.reserve === "function" &&
    typeof c.begin === "function" && typeof c.end === "function" && isObject(options) &&
    isObject(options.parsers) && isObject(options.serializers) && isObject(options.shared);
}

/** Whether a value is Bun's own SQL client (`new Bun.SQL(url)`, `import { sql } from "bun"`). */
function isBunSql(x: unknown): boolean {
  if (typeof x !== "function") return false;
  const SQL = (globalThis as { Bun?: { SQL?: unknown } }).Bun?.SQL;
  if (typeof SQL === "function" && x instanceof SQL) return true;
  const { options, unsafe } = x as unknown as { options?: unknown; unsafe?: unknown };
  return typeof unsafe === "function" && isObject(options) && "adapter" in options;
}

/**
 * Why a value that looks like a PostgreSQL client is not one Retort takes, or null when it is
 * not like one (or is a postgres.js client): Bun's `SQL`, or another function with `unsafe()`
 * that is not postgres.js.
 */
export function postgresLookalike(x: unknown): string | null {
  if (isPostgresClient(x)) return null;
  if (isBunSql(x)) {
    return "Bun's own SQL client (Bun.SQL), which Retort does not support: it encodes JSON " +
      "and dates, and reports errors, differently from postgres.js";
  }
  if (typeof x === "function" && typeof (x as { unsafe?: unknown }).unsafe === "function") {
    return "a function with an unsafe() method that is not a postgres.js client (one of " +
      "postgres.js 3.4 or later has reserve(), begin() and options.parsers)";
  }
  return null;
}

/** What the PostgreSQL driver takes, for messages. */
export const POSTGRES_ACCEPTED = "a postgres.js client (`postgres(url)` from the npm package " +
  "`postgres`, 3.4 or later) or a postgres:// URL";

/** The `transform` parts of a postgres.js client's options that change results, by name. */
function resultTransforms(client: PostgresClient): string[] {
  const transform = (client.options as { transform?: Record<string, unknown> }).transform;
  return ["column", "value", "row"].filter((k) => {
    const part = transform?.[k] as { from?: unknown } | undefined;
    return typeof part?.from === "function";
  });
}

/**
 * Throws an ArgumentError unless the value is a postgres.js client Retort can use, naming what
 * it is and what is accepted. A client created with a `transform` that changes results
 * (`postgres.camel`, a `column`, `value` or `row` transform) is refused: Retort names and
 * decodes result columns itself, and the transform would rename them out of its reach (a
 * bigint column read under a camelCase key, undecoded). `transform: { undefined }` is fine.
 */
export function checkPostgresClient(x: unknown): asserts x is PostgresClient {
  if (!isPostgresClient(x)) {
    const what = postgresLookalike(x) ?? describeValue(x);
    throw new ArgumentError(`Retort's PostgreSQL driver takes ${POSTGRES_ACCEPTED}; got ${what}.`);
  }
  const transforms = resultTransforms(x);
  if (transforms.length > 0) {
    throw new ArgumentError(
      `This postgres.js client has a ${transforms.join(" and ")} transform (its \`transform\` ` +
        "option), which renames or changes the columns of results that Retort names and " +
        "decodes itself. Give Retort a client created without `transform`, or a postgres:// URL.",
    );
  }
}

/** A value's kind for messages: `null`, `a string`, `a Pool`, `a function`. */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "function") return x.name ? `a function named ${x.name}` : "a function";
  if (typeof x !== "object") return `a ${typeof x}`;
  const name = (Object.getPrototypeOf(x) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `an object of class ${name}`
    : "a plain object";
}

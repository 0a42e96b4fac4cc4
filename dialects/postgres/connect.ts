/**
 * Opens PostgreSQL by URL with postgres.js, loaded only when a `postgres://` engine is used.
 * postgres.js is an optional peer of the npm package: where it is not installed, opening fails
 * with an OperationalError that says how to install it.
 *
 * @module
 */
import type { Driver } from "../../core/driver.ts";
import { OperationalError } from "../../core/errors.ts";
import type { PostgresClient } from "./client.ts";
import { postgresDriver, type PostgresDriverOptions } from "./driver.ts";
import { retortTypes } from "./types.ts";

/** Whether an error of a dynamic import says the `postgres` package cannot be found. */
function isPostgresMissing(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== "string") return false;
  // Node.js and Bun: "Cannot find package 'postgres' imported from ..."; Deno: 'Import
  // "postgres" not a dependency', "npm package 'postgres' does not exist".
  const names = /(['"])(npm:)?postgres(@[^'"]*)?\1/.test(message);
  const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" ||
    /cannot find (package|module)|not a dependency|could not find|does not exist/i.test(message);
  return names && missing;
}

/**
 * The error a failed `import("postgres")` becomes: an OperationalError (code
 * `DRIVER_MISSING`) saying how to install postgres.js (on Deno, how to add it) when the
 * package is not found, and the error itself otherwise (postgres.js found but failing to
 * load).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperationalError } from "../../core/errors.ts";
 * import { postgresImportError } from "./connect.ts";
 * const notFound = Object.assign(
 *   new Error("Cannot find package 'postgres' imported from /app/chunk.js"),
 *   { code: "ERR_MODULE_NOT_FOUND" },
 * );
 * assert(postgresImportError(notFound) instanceof OperationalError);
 * ```
 */
export function postgresImportError(error: unknown): unknown {
  if (!isPostgresMissing(error)) return error;
  const deno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
  const how = deno
    ? "which Deno could not load: add it with `deno add npm:postgres` (Retort's JSR package " +
      "brings it by itself; a local copy needs it in the import map)"
    : "which is not installed: run `npm install postgres` (or `pnpm add postgres`, " +
      "`yarn add postgres`, `bun add postgres`)";
  return new OperationalError(
    `A postgres:// URL needs postgres.js (the npm package \`postgres\`), ${how}.`,
    { code: "DRIVER_MISSING", cause: error },
  );
}

/**
 * Opens a postgres.js pool for a URL, with Retort's types (see `types.ts`): `int8` values come
 * back as numbers when they fit in a double exactly and as bigints when they do not; a string
 * bound to a `json` or `jsonb` parameter is JSON text (as `sql.json` makes) and is sent as it
 * is, not encoded again as a JSON string; `date`, `timestamp` and `timestamptz` are read and
 * written by Retort's own parsers (exact for years 1 to 99 and BC, and independent of the
 * process's time zone; see `datetime.ts`); arrays are read by Retort's parser, NULL elements
 * as `null` (see `arrays.ts`); notices are not printed. Where postgres.js is not installed, it
 * fails with an OperationalError (code `DRIVER_MISSING`) saying how to install it.
 *
 * @example
 * ```ts ignore
 * import { openPostgres } from "@retort/orm/postgres";
 * const driver = await openPostgres("postgres://postgres@127.0.0.1:5432/test", { poolSize: 5 });
 * await driver.close();
 * ```
 */
export async function openPostgres(
  url: string,
  options: { poolSize?: number } & PostgresDriverOptions = {},
): Promise<Driver> {
  const { default: postgres } = await import("postgres").catch((error) => {
    throw postgresImportError(error);
  });
  const client = postgres(url, {
    max: options.poolSize ?? 10,
    onnotice: () => {},
    types: { ...retortTypes },
  });
  return postgresDriver(client as unknown as PostgresClient, { ...options, owned: true });
}

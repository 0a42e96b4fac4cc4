/**
 * Opens PostgreSQL by URL with postgres.js, loaded only when a `postgres://` engine is used.
 *
 * @module
 */
import postgres from "postgres";
import type { Driver } from "../../core/driver.ts";
import type { PostgresClient } from "./client.ts";
import { narrow } from "../../core/util/ints.ts";
import { dateTypes } from "./datetime.ts";
import { postgresDriver, type PostgresDriverOptions } from "./driver.ts";

/**
 * Opens a postgres.js pool for a URL. `int8` values come back as numbers when they fit in a
 * double exactly and as bigints when they do not; a string bound to a `json` or `jsonb`
 * parameter is JSON text (as `sql.json` makes) and is sent as it is, not encoded again as a
 * JSON string; `date`, `timestamp` and `timestamptz` are read and written by Retort's own
 * parsers (exact for years 1 to 99 and BC, and independent of the process's time zone; see
 * `datetime.ts`); notices are not printed.
 *
 * @example
 * ```ts ignore
 * import { openPostgres } from "@retort/orm/postgres";
 * const driver = await openPostgres("postgres://postgres@127.0.0.1:5432/test", { poolSize: 5 });
 * await driver.close();
 * ```
 */
export function openPostgres(
  url: string,
  options: { poolSize?: number } & PostgresDriverOptions = {},
): Promise<Driver> {
  const client = postgres(url, {
    max: options.poolSize ?? 10,
    onnotice: () => {},
    types: {
      int8: {
        to: 20,
        from: [20],
        serialize: (x: unknown) => String(x),
        parse: (x: string) => narrow(BigInt(x)),
      },
      json: {
        to: 114,
        from: [114, 3802],
        serialize: (x: unknown) => typeof x === "string" ? x : JSON.stringify(x),
        parse: (x: string) => JSON.parse(x),
      },
      ...dateTypes,
    },
  });
  return Promise.resolve(
    postgresDriver(client as unknown as PostgresClient, { ...options, owned: true }),
  );
}

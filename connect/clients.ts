/**
 * Clients Retort accepts by shape, and the driver each gets: a `node:sqlite` DatabaseSync or
 * `@db/sqlite` Database, a postgres.js `sql` instance, or a ready Driver.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import type { Driver } from "../core/driver.ts";
import type { EngineOptions } from "../core/engine/engine.ts";
import { finiteTimeout } from "../core/engine/timeout.ts";
import { checkPostgresClient, isPostgresClient } from "../dialects/postgres/client.ts";
import { postgresDialect } from "../dialects/postgres/dialect.ts";
import { isPGlite } from "../dialects/postgres/pglite/client.ts";
import { isBunDatabase } from "../dialects/sqlite/bun.ts";
import { isSqliteClient } from "../dialects/sqlite/client.ts";
import { sqliteDialect } from "../dialects/sqlite/dialect.ts";

/** A client made ready: its dialect, its driver (perhaps still loading), its pool size. */
export interface Wired {
  readonly dialect: Dialect;
  readonly driver: Driver | Promise<Driver>;
  readonly poolSize: number;
}

const isDriver = (x: unknown): x is Driver =>
  typeof x === "object" && x !== null && "dialect" in x &&
  typeof (x as Driver).connect === "function" && typeof (x as Driver).query === "function";

/**
 * The driver for a client of a known shape, or undefined. The options were checked by
 * `openEngine`; SQLite's drivers take a finite busy timeout (no limit: the longest).
 */
export function wireClient(client: unknown, options: EngineOptions): Wired | undefined {
  const hideParameters = options.hideParameters ?? false;
  const owned = options.closeClient ?? false;
  if (isDriver(client)) {
    return { dialect: client.dialect, driver: client, poolSize: client.poolSize };
  }
  if (isPostgresClient(client)) {
    checkPostgresClient(client); // refused now, not at first use
    const driver = import("../dialects/postgres/driver.ts").then((m) =>
      m.postgresDriver(client, { hideParameters, owned, acquireTimeout: options.acquireTimeout })
    );
    return { dialect: postgresDialect, driver, poolSize: client.options?.max ?? 10 };
  }
  if (isPGlite(client)) {
    const busyTimeout = options.busyTimeout ?? 5000;
    const driver = import("../dialects/postgres/pglite/driver.ts").then((m) =>
      m.pgliteDriver(client, { busyTimeout, hideParameters, owned })
    );
    return { dialect: postgresDialect, driver, poolSize: 1 };
  }
  if (isBunDatabase(client)) { // before isSqliteClient: it has prepare() and exec() too
    const busyTimeout = finiteTimeout(options.busyTimeout ?? 5000);
    const driver = Promise.all([
      import("../dialects/sqlite/bun.ts"),
      import("../dialects/sqlite/driver.ts"),
    ]).then(([bun, m]) =>
      m.sqliteDriver(bun.bunSqlite(client), { busyTimeout, hideParameters, owned })
    );
    return { dialect: sqliteDialect, driver, poolSize: 1 };
  }
  if (isSqliteClient(client)) {
    const busyTimeout = finiteTimeout(options.busyTimeout ?? 5000);
    const driver = import("../dialects/sqlite/driver.ts").then((m) =>
      m.sqliteDriver(client, { busyTimeout, hideParameters, owned })
    );
    return { dialect: sqliteDialect, driver, poolSize: 1 };
  }
  return undefined;
}

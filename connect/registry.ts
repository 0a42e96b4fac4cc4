/**
 * Which URLs open which database: a small registry of URL schemes, each with its dialect and
 * a driver loaded only when an engine of that kind is first made.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import type { Driver } from "../core/driver.ts";
import type { EngineOptions } from "../core/engine/engine.ts";
import { finiteTimeout } from "../core/engine/timeout.ts";
import { postgresDialect } from "../dialects/postgres/dialect.ts";
import { sqliteDialect } from "../dialects/sqlite/dialect.ts";
import { sqlitePathOf } from "../dialects/sqlite/url.ts";

/** One kind of database URL. */
export interface Scheme {
  /** How the URL is spelled, for messages. */
  readonly spelling: string;
  /** The dialect of the database. */
  readonly dialect: Dialect;
  /** Whether a URL is of this kind. */
  matches(url: string): boolean;
  /** The pool size for a URL and options. */
  poolSize(url: string, options: EngineOptions): number;
  /** Opens the driver (importing it on first use), with options checked by `openEngine`. */
  open(url: string, options: EngineOptions, poolSize: number): Promise<Driver>;
}

const schemes: readonly Scheme[] = [
  {
    spelling: '"sqlite::memory:", "sqlite:///:memory:", "sqlite:///relative.db", ' +
      '"sqlite:////absolute/path.db"',
    dialect: sqliteDialect,
    matches: (url) => sqlitePathOf(url) !== null,
    poolSize: (url, o) => sqlitePathOf(url) === ":memory:" ? 1 : o.poolSize ?? 4,
    open: (url, o, poolSize) =>
      import("../dialects/sqlite/driver.ts").then((m) =>
        m.openSqlite(sqlitePathOf(url)!, {
          busyTimeout: finiteTimeout(o.busyTimeout ?? 5000), // no limit: the longest
          hideParameters: o.hideParameters ?? false,
          poolSize,
        })
      ),
  },
  {
    spelling: '"postgres://user@host:port/database"',
    dialect: postgresDialect,
    matches: (url) => /^postgres(ql)?:\/\//.test(url),
    poolSize: (_url, o) => o.poolSize ?? 10,
    open: (url, o, poolSize) =>
      import("../dialects/postgres/connect.ts").then((m) =>
        m.openPostgres(url, {
          hideParameters: o.hideParameters ?? false,
          acquireTimeout: o.acquireTimeout,
          poolSize,
        })
      ),
  },
];

/** The scheme of a URL, or undefined. */
export function schemeOf(url: string): Scheme | undefined {
  return schemes.find((s) => s.matches(url));
}

/** How every known URL is spelled, for messages. */
export function spellings(): string {
  return schemes.map((s) => s.spelling).join(", or ");
}

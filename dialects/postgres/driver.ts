/**
 * The PostgreSQL driver over a postgres.js `sql` instance, by shape. It does not import
 * postgres.js itself: a user's client is accepted as it is.
 *
 * Statements run as named prepared statements (postgres.js `prepare: true`), on the client's
 * pool; a transaction reserves one connection of that pool.
 *
 * @module
 */
import { postgresDialect } from "../../core/dialect.ts";
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../core/driver.ts";
import type { PostgresClient } from "../../core/engine.ts";
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../core/errors.ts";
import type { Row } from "../../core/sql.ts";

/**
 * Options of the PostgreSQL driver.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createEngine } from "@retort/orm";
 * import { postgresDriver, type PostgresDriverOptions } from "@retort/orm/postgres";
 * const options: PostgresDriverOptions = { hideParameters: true };
 * await using engine = createEngine(postgresDriver(postgres("postgres://localhost/test"), options));
 * ```
 */
export interface PostgresDriverOptions {
  /** Keep parameters out of errors. */
  hideParameters?: boolean;
}

interface PgResult extends Array<Row> {
  count: number | null;
  command: string;
  columns?: { name: string }[];
}

interface PgQuery extends Promise<PgResult> {
  values(): Promise<PgResult>;
}

interface Reserved {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<PgResult>;
  release(): void;
}

const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

/**
 * Turns a postgres.js error into Retort's taxonomy, by SQLSTATE class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { translatePostgresError } from "@retort/orm/postgres";
 * const driverError = Object.assign(new Error("duplicate key"), { code: "23505" });
 * const e = translatePostgresError(driverError, "INSERT", [], false);
 * assert(e.name === "IntegrityError" && e.code === "23505");
 * ```
 */
export function translatePostgresError(
  error: unknown,
  text: string,
  params: readonly unknown[],
  hideParameters: boolean,
): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = String((error as { code?: unknown }).code ?? "");
  const options = { cause: error, sql: text, params: hideParameters ? undefined : params, code };
  if (CONNECTION_CODES.has(code)) return new OperationalError(message, options);
  switch (code.slice(0, 2)) {
    case "23":
      return new IntegrityError(message, options);
    case "22":
      return new DataError(message, options);
    case "42":
    case "26":
    case "34":
    case "3D":
    case "3F":
      return new ProgrammingError(message, options);
    case "08":
    case "40":
    case "53":
    case "55":
    case "57":
    case "58":
    case "25":
      return new OperationalError(message, options);
  }
  return new DatabaseError(message, options);
}

function toResult(r: PgResult, mode: QueryMode): QueryResult {
  if (mode === "run") return { rows: [], rowsAffected: r.count ?? r.length };
  const rows: Row[] = new Array(r.length);
  for (let i = 0; i < r.length; i++) rows[i] = r[i];
  if (mode === "values") {
    return { rows, rowsAffected: rows.length, columns: (r.columns ?? []).map((c) => c.name) };
  }
  return { rows, rowsAffected: rows.length };
}

/** What the driver needs of a postgres.js `sql` instance or reserved connection. */
interface Target {
  unsafe(text: string, params: unknown[], o: { prepare: boolean }): unknown;
  typed?(value: unknown, type: number): unknown;
}

/**
 * postgres.js declares an array parameter with its first element's type (a `boolean[]` as
 * `boolean`, a `Date[]` as `timestamptz`), which PostgreSQL then refuses; declaring arrays
 * as unknown (type 0) lets the server tell their type and postgres.js encode them for it.
 */
function arraysUntyped(target: Target, params: readonly unknown[]): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < params.length; i++) {
    if (Array.isArray(params[i]) && target.typed) {
      out ??= params.slice();
      out[i] = target.typed(params[i], 0);
    }
  }
  return out ?? params as unknown[];
}

async function run(
  target: Target,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  hide: boolean,
): Promise<QueryResult> {
  try {
    const query = target.unsafe(text, arraysUntyped(target, params), {
      prepare: params.length > 0,
    }) as PgQuery;
    return toResult(await (mode === "values" ? query.values() : query), mode);
  } catch (error) {
    throw translatePostgresError(error, text, params, hide);
  }
}

class PostgresDriver implements Driver {
  readonly dialect = postgresDialect;
  readonly poolSize: number;
  readonly #client: PostgresClient;
  readonly #hide: boolean;
  readonly #onClose?: () => Promise<void>;

  constructor(client: PostgresClient, options: PostgresDriverOptions, owned: boolean) {
    this.#client = client;
    this.#hide = options.hideParameters ?? false;
    this.poolSize = client.options?.max ?? 10;
    if (owned) this.#onClose = () => client.end({ timeout: 5 });
  }

  query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    return run(this.#client, text, params, mode, this.#hide);
  }

  async connect(): Promise<DriverConnection> {
    let reserved: Reserved;
    try {
      reserved = await this.#client.reserve() as Reserved;
    } catch (error) {
      throw translatePostgresError(error, "(connect)", [], this.#hide);
    }
    let released = false;
    return {
      query: (text, params, mode) => run(reserved, text, params, mode, this.#hide),
      release: () => {
        if (!released) {
          released = true;
          reserved.release();
        }
        return Promise.resolve();
      },
    };
  }

  async close(): Promise<void> {
    await this.#onClose?.();
  }
}

/**
 * Wraps a postgres.js `sql` instance. The engine does not close a client it was given unless
 * `owned` is set.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createEngine } from "@retort/orm";
 * import { postgresDriver } from "@retort/orm/postgres";
 * const client = postgres("postgres://postgres@127.0.0.1:5432/test");
 * await using engine = createEngine(postgresDriver(client));
 * ```
 */
export function postgresDriver(
  client: PostgresClient,
  options: PostgresDriverOptions & { owned?: boolean } = {},
): Driver {
  return new PostgresDriver(client, options, options.owned ?? false);
}

/**
 * The PostgreSQL driver over a postgres.js `sql` instance, by shape. It does not import
 * postgres.js itself: a user's client is accepted as it is.
 *
 * Statements run as named prepared statements (postgres.js `prepare: true`), on the client's
 * pool; a transaction reserves one connection of that pool.
 *
 * @module
 */
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../core/driver.ts";
import { OperationalError } from "../../core/errors.ts";
import type { Row } from "../../core/sql/nodes.ts";
import type { PostgresClient } from "./client.ts";
import { postgresDialect } from "./dialect.ts";
import { isConnectionLoss, translatePostgresError } from "./errors.ts";

export { translatePostgresError } from "./errors.ts";

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
  unsafe(
    text: string,
    params: unknown[],
    o: { prepare: boolean; onexecute?: (c: PgConnection) => boolean },
  ): unknown;
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

/** What postgres.js shows of one of its connections, to a query's `onexecute` hook. */
interface PgConnection {
  /** Set while the connection is reserved; postgres.js clears it when the socket closes. */
  reserved: unknown;
  /** Called once by postgres.js when the socket closes. */
  onclose?: ((error: unknown) => void) | null;
}

async function run(
  target: Target,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  hide: boolean,
  onexecute?: (c: PgConnection) => boolean,
  retriesUnsent = 0,
  onLoss?: (sent: boolean) => void,
): Promise<QueryResult> {
  for (let attempt = 0;; attempt++) {
    let query: PgQuery | undefined;
    try {
      query = target.unsafe(
        text,
        arraysUntyped(target, params),
        onexecute === undefined ? { prepare: params.length > 0 } : {
          prepare: params.length > 0,
          onexecute,
        },
      ) as PgQuery;
      return toResult(await (mode === "values" ? query.values() : query), mode);
    } catch (error) {
      if (!isConnectionLoss(error)) throw translatePostgresError(error, text, params, hide);
      const sent = (query as { state?: unknown } | undefined)?.state != null;
      onLoss?.(sent);
      // postgres.js keeps the last error of a connection the server closed in mid-statement,
      // and fails the first query that reconnects it with that server error (a SQLSTATE),
      // unsent: each lost connection of the pool once. Such a query is sent again. (A query
      // that could not connect at all is not: postgres.js would wait longer each time.)
      const stale = /^[0-9A-Z]{5}$/.test((error as { code?: string }).code ?? "");
      if (!sent && stale && attempt < retriesUnsent) continue;
      throw translatePostgresError(error, text, params, hide);
    }
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
    return run(
      this.#client,
      text,
      params,
      mode,
      this.#hide,
      undefined,
      this.poolSize,
      this.#onLoss,
    );
  }

  /** Connections lost in mid-statement since the pool was last healed. */
  #stale = 0;
  /** Whether the server answered since the pool last failed to reach it. */
  #reachable = false;
  #readying: Promise<void> | null = null;
  readonly #onLoss = (sent: boolean): void => {
    if (sent) this.#stale++;
    else this.#reachable = false;
  };

  /**
   * Makes the pool fit to reserve a connection from. postgres.js has two flaws here:
   *
   * - A `reserve()` that fails to connect stays in postgres.js's queue: the pool goes on
   *   reconnecting for it, and the connection it finally gets goes to nobody. So before
   *   reserving on a pool that has not reached the server yet (or failed to since), one
   *   ordinary query checks that it can; if it cannot, that query's error is the answer.
   * - It keeps the error of a connection lost in mid-statement, and fails the first query to
   *   reconnect it with that error (see `run`); a `reserve()` failing so is the case above.
   *   So after such losses, as many one-row queries as the pool has connections reach every
   *   idle or closed one, and spend the stale errors.
   */
  #ready(): Promise<void> {
    return this.#readying ??= (async () => {
      // Let postgres.js process the closes first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const count = this.#stale > 0 ? this.poolSize : 1;
      this.#stale = 0;
      const probe = () => run(this.#client, "SELECT 1", [], "run", this.#hide);
      const results = await Promise.allSettled(Array.from({ length: count }, probe));
      const failed = results.find((r) => r.status === "rejected");
      if (failed !== undefined && results.every((r) => r.status === "rejected")) {
        throw (failed as PromiseRejectedResult).reason;
      }
      this.#reachable = true;
      // postgres.js resets its reconnection backoff when a connection opens, except on the
      // path that spends a stale error; left alone, each lost connection would make the next
      // reconnection wait longer, up to 20 s. The pool is working again: reset it.
      const shared = (this.#client.options as { shared?: { retries?: number } }).shared;
      if (shared) shared.retries = 0;
    })().finally(() => (this.#readying = null));
  }

  async connect(): Promise<DriverConnection> {
    if (this.#stale > 0 || !this.#reachable) await this.#ready();
    let reserved: Reserved;
    try {
      reserved = await this.#client.reserve() as Reserved;
    } catch (error) {
      this.#reachable = false;
      throw translatePostgresError(error, "(connect)", [], this.#hide);
    }
    // postgres.js never settles a query sent on a reserved connection whose socket has closed
    // (and throws an uncaught TypeError from a timer), and `release()` would put such a
    // connection back in its pool for the next query to hang on. So the connection is watched
    // (each query's `onexecute` shows it), and once lost it is neither used nor released:
    // postgres.js keeps it among its closed connections and reconnects it when needed.
    let conn: PgConnection | null = null;
    const watch = (c: PgConnection): boolean => {
      conn = c;
      return true;
    };
    let lost = false;
    const isLost = (): boolean => lost || (lost = conn !== null && conn.reserved === null);
    const hide = this.#hide;
    const onLoss = (): void => {
      lost = true; // counted as stale when released
    };
    let released = false;
    return {
      query: (text, params, mode) =>
        isLost()
          ? Promise.reject(
            new OperationalError(
              "The connection to PostgreSQL was lost (the server closed it); its transaction " +
                "is gone. Roll back, and retry on a new connection.",
              { sql: text, params: hide ? undefined : params, code: "CONNECTION_CLOSED" },
            ),
          )
          : run(reserved, text, params, mode, hide, watch, 0, onLoss),
      release: async () => {
        if (released) return;
        released = true;
        if (!isLost()) return reserved.release();
        // Wait until postgres.js has seen the socket close, so that healing reaches it.
        const c = conn as PgConnection | null;
        if (c !== null && c.reserved !== null) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            c.onclose = () => resolve();
            timer = setTimeout(resolve, 1000);
          });
          clearTimeout(timer);
        }
        this.#stale++;
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

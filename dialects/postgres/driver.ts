/**
 * The PostgreSQL driver over a postgres.js `sql` instance, by shape. It does not import
 * postgres.js itself: a user's client is accepted as it is.
 *
 * Statements with parameters run as named prepared statements (postgres.js `prepare: true`)
 * up to a bounded number of texts, and as unnamed statements past it (see `prepared.ts`), on
 * the client's pool; a transaction reserves one connection of that pool. A checkout that
 * finds every connection held waits at most `acquireTimeout` (see `checkout.ts`).
 *
 * @module
 */
import type { Driver, DriverConnection, QueryMode, QueryResult } from "../../core/driver.ts";
import { checkTimeout } from "../../core/engine/timeout.ts";
import { InvalidRequestError, OperationalError } from "../../core/errors.ts";
import { cursorChunks } from "./cursor.ts";
import { type ColumnOfType, UnreadableDate, unreadableDateError } from "./datetime.ts";
import { Checkout, type Watch } from "./checkout.ts";
import { checkPostgresClient, type PostgresClient } from "./client.ts";
import { postgresDialect } from "./dialect.ts";
import { abortedCommit, isConnectionLoss, translatePostgresError } from "./errors.ts";
import { OwnArrays } from "./own_arrays.ts";
import { PreparedTexts } from "./prepared.ts";
import { holdsUnread, paramsFor, type PgResult, readOwnArrays, toResult } from "./results.ts";
import { installRetortTypes } from "./types.ts";

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
  /**
   * Milliseconds a checkout (a transaction, a session, `engine.connect()`, or a statement
   * while every connection is held) waits for a free connection before it fails with an
   * OperationalError. Default 30000; `Infinity` (or anything above 2^31 − 1) waits with no
   * limit. Anything but a number from 0 up is refused with an ArgumentError.
   */
  acquireTimeout?: number;
  /**
   * How many statement texts run as named prepared statements (each connection holds at most
   * that many); others run unnamed. Default 256; 0 prepares none.
   */
  preparedStatements?: number;
}

interface PgQuery extends Promise<PgResult> {
  values(): Promise<PgResult>;
  /** Set once the query is given to a connection. */
  readonly state?: unknown;
  cancel(): unknown;
}

interface Reserved {
  unsafe(
    text: string,
    params: unknown[],
    options: { prepare: boolean; simple: boolean },
  ): Promise<PgResult>;
  release(): void;
}

/** What the driver needs of a postgres.js `sql` instance or reserved connection. */
interface Target {
  unsafe(
    text: string,
    params: unknown[],
    o: { prepare: boolean; simple: boolean; onexecute?: (c: PgConnection) => boolean },
  ): unknown;
  typed?(value: unknown, type: number): unknown;
}

/** What postgres.js shows of one of its connections, to a query's `onexecute` hook. */
interface PgConnection {
  /** Set while the connection is reserved; postgres.js clears it when the socket closes. */
  reserved: unknown;
  /** Called once by postgres.js when the socket closes. */
  onclose?: ((error: unknown) => void) | null;
}

/** How one statement is run. */
interface RunOptions {
  readonly hide: boolean;
  /** Whether it runs as a named prepared statement. */
  readonly prepare: boolean;
  /** A reserved connection's watch over its socket. */
  readonly onexecute?: (c: PgConnection) => boolean;
  /** How many times a query failed unsent by a stale error is sent again. */
  readonly retriesUnsent?: number;
  readonly onLoss?: (sent: boolean) => void;
  /** The pool's checkout, for a query on the pool (not on a reserved connection). */
  readonly checkout?: Checkout;
  /**
   * The statement errors name, and whose parameters they hide, when it is not the one sent:
   * the query of a stream, for its DECLARE, FETCH and CLOSE.
   */
  readonly as?: { readonly text: string; readonly params: readonly unknown[] };
  /** The driver's array types not learnt by postgres.js, read from text (see `results.ts`). */
  readonly arrays?: OwnArrays;
}

async function run(
  target: Target,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  how: RunOptions,
): Promise<QueryResult> {
  const values = paramsFor(target, params);
  // postgres.js sends a text without parameters in the simple protocol, which runs every
  // statement of a text and answers with the results of all. A text that may hold several
  // (it has a semicolon) goes in the extended protocol instead, where the server refuses one
  // that does before running any of it (see errors.ts).
  const simple = values.length === 0 && !text.includes(";");
  const options = how.onexecute === undefined
    ? { prepare: how.prepare, simple }
    : { prepare: how.prepare, simple, onexecute: how.onexecute };
  for (let attempt = 0;; attempt++) {
    let query: PgQuery | undefined;
    let watch: Watch | undefined;
    try {
      query = target.unsafe(text, values, options) as PgQuery;
      watch = how.checkout?.watch(query);
      const r = await (mode === "values" ? query.values() : query);
      if (r.command === "ROLLBACK" && text === "COMMIT") throw abortedCommit();
      if (how.arrays !== undefined && holdsUnread(r, mode, how.arrays)) {
        // Looked up on the same connection (or the pool), as the result came.
        const { hide, onexecute, checkout } = how;
        await readOwnArrays(
          r,
          mode,
          how.arrays,
          (t, p) => run(target, t, p, "all", { hide, prepare: false, onexecute, checkout }),
        );
      }
      return toResult(r, mode);
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      const shown = how.as ?? { text, params };
      // A value no Date stands for (`infinity`): the parser threw on a row, and postgres.js
      // failed the query and read the rest of its result, so the connection stays usable.
      if (error instanceof UnreadableDate) {
        const columns = (query as { statement?: { columns?: ColumnOfType[] } } | undefined)
          ?.statement?.columns;
        throw unreadableDateError(error, columns, shown.text, shown.params, how.hide);
      }
      if (watch?.timedOut) {
        throw how.checkout!.error(shown.text, how.hide ? undefined : shown.params);
      }
      if (!isConnectionLoss(error)) {
        throw translatePostgresError(error, shown.text, shown.params, how.hide);
      }
      const sent = query?.state != null;
      how.onLoss?.(sent);
      // postgres.js keeps the last error of a connection the server closed in mid-statement,
      // and fails the first query that reconnects it with that server error (a SQLSTATE),
      // unsent: each lost connection of the pool once. Such a query is sent again. (A query
      // that could not connect at all is not: postgres.js would wait longer each time.)
      const stale = /^[0-9A-Z]{5}$/.test((error as { code?: string }).code ?? "");
      if (!sent && stale && attempt < (how.retriesUnsent ?? 0)) continue;
      throw translatePostgresError(error, shown.text, shown.params, how.hide);
    } finally {
      watch?.stop();
    }
  }
}

class PostgresDriver implements Driver {
  readonly dialect = postgresDialect;
  readonly poolSize: number;
  readonly #client: PostgresClient;
  readonly #hide: boolean;
  readonly #onClose?: () => Promise<void>;
  readonly #checkout: Checkout;
  readonly #prepared: PreparedTexts;
  readonly #arrays: OwnArrays;

  constructor(client: PostgresClient, options: PostgresDriverOptions, owned: boolean) {
    checkPostgresClient(client);
    this.#client = client;
    this.#hide = options.hideParameters ?? false;
    this.poolSize = client.options?.max ?? 10;
    const acquireTimeout = checkTimeout("acquireTimeout", options.acquireTimeout) ?? 30_000;
    this.#checkout = new Checkout(this.poolSize, acquireTimeout);
    this.#prepared = new PreparedTexts(options.preparedStatements ?? 256);
    installRetortTypes(client);
    // Elements of arrays postgres.js does not read whole go through its parsers (see
    // own_arrays.ts), and a domain's parser is given to it, for its arrays' elements.
    const parsers = (client.options as { parsers?: Record<number, unknown> } | undefined)
      ?.parsers ?? {};
    this.#arrays = new OwnArrays({
      element: (oid) => parsers[oid] as ((text: string) => unknown) | undefined,
      learn: (domain, parse) => void (parsers[domain] ??= parse),
    });
    if (owned) this.#onClose = () => client.end({ timeout: 5 });
  }

  /** Whether a statement runs as a named prepared statement. */
  #prepare(text: string, params: readonly unknown[]): boolean {
    return params.length > 0 && this.#prepared.prepare(text);
  }

  query(text: string, params: readonly unknown[], mode: QueryMode): Promise<QueryResult> {
    return run(this.#client, text, params, mode, {
      hide: this.#hide,
      prepare: this.#prepare(text, params),
      retriesUnsent: this.poolSize,
      onLoss: this.#onLoss,
      checkout: this.#checkout,
      arrays: this.#arrays,
    });
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
      const probe = () =>
        run(this.#client, "SELECT 1", [], "run", {
          hide: this.#hide,
          prepare: false,
          checkout: this.#checkout,
        });
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
      reserved = await this.#checkout.reserve(() => this.#client.reserve() as Promise<Reserved>);
    } catch (error) {
      if (error instanceof OperationalError && error.code === "POOL_TIMEOUT") throw error;
      this.#reachable = false;
      throw translatePostgresError(error, "(connect)", [], this.#hide);
    }
    const checkout = this.#checkout;
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
    const arrays = this.#arrays;
    const onLoss = (): void => {
      lost = true; // counted as stale when released
    };
    let released = false;
    return {
      stream: (text, params, mode, chunkSize, inTransaction) => {
        // The cursor's statements fail as the query itself, its parameters hidden as its own.
        const as = { text, params };
        const send = (t: string, p: readonly unknown[], m: QueryMode) =>
          run(reserved, t, p, m, { hide, prepare: false, onexecute: watch, onLoss, as, arrays });
        return cursorChunks(send, text, params, mode, chunkSize, inTransaction);
      },
      query: (text, params, mode) =>
        isLost()
          ? Promise.reject(
            new OperationalError(
              "The connection to PostgreSQL was lost (the server closed it); its transaction " +
                "is gone. Roll back, and retry on a new connection.",
              { sql: text, params: hide ? undefined : params, code: "CONNECTION_CLOSED" },
            ),
          )
          : run(reserved, text, params, mode, {
            hide,
            prepare: this.#prepare(text, params),
            onexecute: watch,
            onLoss,
            arrays,
          }),
      release: async () => {
        if (released) return;
        released = true;
        checkout.released();
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
    this.#checkout.close(); // a checkout still waiting fails now, not at its timeout
    await this.#onClose?.();
  }
}

/**
 * Wraps a postgres.js `sql` instance (3.4 or later; anything else, Bun's own `SQL` among
 * them, is refused with an ArgumentError). The engine does not close a client it was given
 * unless `owned` is set.
 *
 * A client passed in reads and writes values as one Retort opens by URL does. To that end
 * Retort changes, on the client's options (so the client's own queries see it too):
 *
 * - `int8` is read as a number when it fits in a double exactly, else as a bigint (unless the
 *   client's `types` option reads `int8` itself, as `postgres.BigInt` does: then that stays);
 * - the `json` and `jsonb` serializers send a string as it is (Retort binds JSON as JSON
 *   text, which postgres.js would encode again as a JSON string) and hand anything else to the
 *   serializer they were, the client's own or `JSON.stringify`; parsers stay;
 * - `date`, `timestamp` and `timestamptz` are read and written by Retort's parsers (exact for
 *   years 1 to 99 and BC, independent of the time zone), unless the client's `types` handles
 *   one of them, when all three stay the client's;
 * - arrays are read by Retort's parser (NULL elements as `null`), except array types the
 *   client's `types` reads itself; a client created with `fetch_types: false`, which learns no
 *   array type, is given the built-in ones (so that arrays bind and read as on any other).
 *   An array type the client did not learn (made after it connected, or any of the
 *   database's own with `fetch_types: false`) is read all the same, once looked up, and its
 *   parameters go as PostgreSQL's array text.
 *
 * Everything else the client was created with (pool size, `onnotice`, `ssl`, timeouts, its
 * other types) stays as it is. A client with a `transform` that changes results
 * (`postgres.camel`; a `column`, `value` or `row` transform) is refused with an ArgumentError:
 * Retort names and decodes result columns itself.
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

/**
 * The PostgreSQL client Retort accepts, by shape: a postgres.js `sql` instance.
 *
 * @module
 */

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

/** Whether a value has the shape of a postgres.js `sql` instance. */
export function isPostgresClient(x: unknown): x is PostgresClient {
  return typeof x === "function" && typeof (x as unknown as PostgresClient).unsafe === "function";
}

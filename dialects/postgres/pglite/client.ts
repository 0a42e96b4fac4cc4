/**
 * The PGlite client Retort accepts, by shape: an `@electric-sql/pglite` instance. Nothing here
 * imports PGlite, or the driver: a composition root can test a value's shape cheaply.
 *
 * @module
 */

/**
 * A PGlite instance (`new PGlite()` or `await PGlite.create()`), by the shape the driver uses.
 *
 * @example
 * ```ts ignore
 * import { PGlite } from "@electric-sql/pglite";
 * import type { PGliteClient } from "@retort/orm/pglite";
 * const db: PGliteClient = await PGlite.create();
 * ```
 */
export interface PGliteClient {
  /** Runs one statement with parameters. */
  query(
    text: string,
    params?: unknown[],
    options?: {
      rowMode?: "array" | "object";
      paramTypes?: number[];
      parsers?: Record<number, (text: string) => unknown>;
      serializers?: Record<number, (value: unknown) => string>;
    },
  ): Promise<
    { rows: unknown[]; fields: { name: string; dataTypeID: number }[]; affectedRows?: number }
  >;
  /**
   * Describes a statement without running it: its result's columns (PGlite 0.2 and later).
   * The driver asks only to name the column of a value it could not read.
   */
  describeQuery?(
    text: string,
    options?: { paramTypes?: number[] },
  ): Promise<{ resultFields: { name: string; dataTypeID: number }[] }>;
  /** Runs SQL text (several statements, no parameters). */
  exec(text: string): Promise<unknown>;
  /** Shuts the database down. */
  close(): Promise<void>;
  /** Whether the instance was closed. */
  readonly closed?: boolean;
}

/**
 * Whether a value is a PGlite instance: it runs statements (`query`, `exec`) and speaks
 * PostgreSQL's wire protocol in process (`execProtocol`), which no other client Retort takes
 * does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { isPGlite } from "./client.ts";
 * assert(!isPGlite(new DatabaseSync(":memory:")));
 * ```
 */
export function isPGlite(x: unknown): x is PGliteClient {
  const db = x as Record<string, unknown> | null;
  return typeof db === "object" && db !== null && typeof db.query === "function" &&
    typeof db.exec === "function" && typeof db.execProtocol === "function" &&
    typeof db.transaction === "function";
}

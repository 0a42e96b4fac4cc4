/**
 * Making an engine from what the user has: a URL (by its scheme) or a client (by its shape).
 * The engine's class is given, so that Core and the ORM each make their own.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import type { Driver } from "../core/driver.ts";
import type { EngineOptions } from "../core/engine/engine.ts";
import { checkTimeout } from "../core/engine/timeout.ts";
import { ArgumentError } from "../core/errors.ts";
import {
  describeValue,
  POSTGRES_ACCEPTED,
  type PostgresClient,
  postgresLookalike,
} from "../dialects/postgres/client.ts";
import type { SqliteClient } from "../dialects/sqlite/client.ts";
import type { BunDatabase } from "../dialects/sqlite/bun.ts";
import type { PGliteClient } from "../dialects/postgres/pglite/client.ts";
import { wireClient } from "./clients.ts";
import { schemeOf, spellings } from "./registry.ts";

/**
 * What `createEngine` accepts: a URL, a client of a known shape, or a ready driver.
 *
 * @example
 * ```ts
 * import type { EngineSource } from "@retort/orm";
 * const source: EngineSource = "sqlite::memory:";
 * ```
 */
export type EngineSource =
  | string
  | URL
  | Driver
  | SqliteClient
  | PostgresClient
  | PGliteClient
  | BunDatabase;

/** A class of engine: Core's Engine, or the ORM's. */
export type EngineClass<E> = new (
  dialect: Dialect,
  driver: Driver | Promise<Driver>,
  options: EngineOptions,
  poolSize: number,
) => E;

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

/**
 * The options as the drivers are given them, checked once here (an ArgumentError now, not at
 * first use): each time option a number of milliseconds from 0 up, `Infinity` (no limit) for
 * one above 2^31 − 1 (see `checkTimeout`).
 */
function driverOptions(options: EngineOptions): EngineOptions {
  const busyTimeout = checkTimeout("busyTimeout", options.busyTimeout);
  const acquireTimeout = checkTimeout("acquireTimeout", options.acquireTimeout);
  return { ...options, busyTimeout, acquireTimeout };
}

/** Makes an engine of a class from a URL or a client. */
export function openEngine<E>(
  Class: EngineClass<E>,
  source: EngineSource,
  options: EngineOptions = {},
): E {
  const checked = driverOptions(options);
  if (source instanceof URL) source = source.href;
  if (typeof source === "string") {
    const scheme = schemeOf(source);
    if (scheme === undefined) {
      throw new ArgumentError(
        `Cannot create an engine for ${JSON.stringify(redactUrl(source))}: use ${spellings()} ` +
          "URL.",
      );
    }
    const poolSize = scheme.poolSize(source, checked);
    return new Class(scheme.dialect, scheme.open(source, checked, poolSize), options, poolSize);
  }
  const wired = wireClient(source, checked);
  if (wired === undefined) {
    const lookalike = postgresLookalike(source);
    if (lookalike !== null) {
      throw new ArgumentError(
        `createEngine takes, for PostgreSQL, ${POSTGRES_ACCEPTED}; got ${lookalike}.`,
      );
    }
    throw new ArgumentError(
      "createEngine takes a database URL, a node:sqlite DatabaseSync, a @db/sqlite Database, " +
        "a bun:sqlite Database, a postgres.js sql instance, a PGlite instance or a Driver; " +
        `got ${describeValue(source)}.`,
    );
  }
  return new Class(wired.dialect, wired.driver, options, wired.poolSize);
}

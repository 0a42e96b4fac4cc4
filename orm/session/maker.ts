/**
 * Session factories.
 *
 * @module
 */
import type { Engine } from "../../core/engine/engine.ts";
import { Session } from "./session.ts";
import type { SessionOptions } from "./types.ts";

/**
 * A session factory, as SQLAlchemy's `sessionmaker`: `const Session = sessionMaker(engine)`,
 * then `await using session = Session()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sessionMaker } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const Session = sessionMaker(engine);
 * await using session = Session();
 * assert(!session.inTransaction);
 * ```
 */
export function sessionMaker(
  engine: Engine,
  options: SessionOptions = {},
): (overrides?: SessionOptions) => Session {
  return (overrides) => new Session(engine, { ...options, ...overrides });
}

/**
 * Session factories.
 *
 * @module
 */
import type { Engine } from "../../core/engine/engine.ts";
import { Session } from "./session.ts";
import type { SessionOptions } from "./types.ts";

type Listeners = NonNullable<SessionOptions["on"]>;
type Listener = (session: never) => void | Promise<void>;

/** The factory's listeners and a session's own: both run, the factory's first. */
function bothListeners(
  base: Listeners | undefined,
  own: Listeners | undefined,
): Listeners | undefined {
  if (base === undefined || own === undefined) return own ?? base;
  const out: Record<string, Listener> = { ...base };
  for (const [event, fn] of Object.entries(own) as [string, Listener | undefined][]) {
    const first = out[event];
    if (fn === undefined) continue;
    out[event] = first === undefined ? fn : async (session: never) => {
      await first(session);
      await fn(session);
    };
  }
  return out as Listeners;
}

/**
 * A session factory, as SQLAlchemy's `sessionmaker`: `const Session = sessionMaker(engine)`,
 * then `await using session = Session()`. Options given to `Session(...)` override the
 * factory's, except listeners (`on`), which are added to the factory's.
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
  return (overrides) =>
    new Session(engine, {
      ...options,
      ...overrides,
      on: bothListeners(options.on, overrides?.on),
    });
}

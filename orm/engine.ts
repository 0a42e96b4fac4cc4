/**
 * The ORM's Engine: Core's Engine, with `engine.session()` to open a Session on it.
 *
 * @module
 */
import { Engine as CoreEngine } from "../core/engine/engine.ts";
import { Session, type SessionOptions } from "./session.ts";

/**
 * An Engine (see Core's) that also opens ORM sessions: `engine.session()` is
 * `new Session(engine)`, as `sessionMaker(engine)()` is. Made by `createEngine` from the
 * package's main entry point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, Session } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * await using session = engine.session();
 * assert(session instanceof Session && session.engine === engine);
 * ```
 */
export class Engine extends CoreEngine {
  /** Opens an ORM session on this engine; use it with `await using`. */
  session(options?: SessionOptions): Session {
    return new Session(this, options);
  }
}

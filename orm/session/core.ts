/**
 * The session's machinery, behind its public face (`session.ts`): the registry of objects,
 * the transaction, what objects tell their session (StateOwner), the one-task guard,
 * autoflush, and running a flush.
 *
 * @module
 */
import type { Engine } from "../../core/engine/engine.ts";
import { InvalidRequestError } from "../../core/errors.ts";
import { type FlushContext, UnitOfWork } from "../flush/unit_of_work.ts";
import type { LoadContext } from "../loading/hydrate.ts";
import { addCriteria, type CriteriaMap, LIFTED } from "../loading/criteria.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { refreshState } from "./refresh.ts";
import { type InstanceState, stateOf, type StateOwner } from "../mapping/state.ts";
import { Epoch } from "../mapping/epoch.ts";
import { type AddContext, addState } from "./add.ts";
import { Registry } from "./registry.ts";
import { type ObjectsView, StatesView } from "./views.ts";
import { SessionTransaction } from "./transaction.ts";
import { openSavepoint } from "./savepoint.ts";
import { Hooks } from "./hooks.ts";
import { fireAll } from "../mapping/events.ts";
import type { SessionOptions, SessionSavepoint } from "./types.ts";

/** The session's machinery. */
export class SessionCore implements StateOwner {
  readonly engine: Engine;
  readonly registry: Registry = new Registry();
  readonly tx: SessionTransaction;
  readonly expireOnCommit: boolean;
  readonly load: LoadContext & { criteria: CriteriaMap | null };
  readonly adding: AddContext;
  autoflush: boolean;
  /** The session's event listeners; the public session puts itself in as their argument. */
  hooks: Hooks<unknown> = new Hooks<unknown>(null);
  closed = false;
  #busy: string | null = null;
  /** How many tasks hold the session: one, or more for a flush listener's own statements. */
  #depth = 0;
  #flushing = false;
  /** The `session.stream()` loops open now, by name (see `openStream`). */
  readonly #streams: string[] = [];

  constructor(engine: Engine, options: SessionOptions) {
    this.engine = engine;
    this.autoflush = options.autoflush ?? true;
    this.expireOnCommit = options.expireOnCommit ?? false;
    this.tx = new SessionTransaction(engine, this.registry);
    const registry = this.registry;
    const touch = (s: InstanceState) => this.touch(s);
    this.load = {
      dialect: engine.dialect,
      criteria: options.criteria === undefined ? null : addCriteria(null, options.criteria),
      rows: (statement) =>
        this.tx.execute(statement, "values").then((r) => r.rows as unknown as unknown[][]),
      query: (statement) => this.tx.execute(statement, "values"),
      identityMap: (mapper) => registry.map(mapper),
      attach: (state, key) => registry.attach(state, key, this),
      refresh: (state, values, populate) =>
        refreshState(registry, touch, state, values, populate ?? false),
    };
    this.adding = { session: this, registry, touch: (s) => this.touch(s) };
  }

  #views: { new: ObjectsView; dirty: ObjectsView; deleted: ObjectsView } | null = null;

  /** The read-only views of the new, dirty and deleted objects, made on first use. */
  views(): { new: ObjectsView; dirty: ObjectsView; deleted: ObjectsView } {
    const r = this.registry;
    return this.#views ??= {
      new: new StatesView(r.pending, null),
      dirty: new StatesView(r.dirty, (s) => s.hasChanges()),
      deleted: new StatesView(r.deleted, null),
    };
  }

  /** The span of the session's life its objects are attached in. */
  epoch: Epoch<StateOwner> = new Epoch<StateOwner>(this);

  /** Whether values must stay out of messages. */
  get hideParameters(): boolean {
    return this.engine.options.hideParameters ?? false;
  }

  /** What the session is running now, or null. */
  get busy(): string | null {
    return this.#busy;
  }

  // ---- StateOwner: what objects tell their session --------------------------------------

  /** An object is about to change: the transaction saves it once per frame. */
  touch(state: InstanceState, clean?: boolean): void {
    this.tx.touch(state, clean);
  }

  /** A relationship was loaded from the database where none was before. */
  noteLoad(state: InstanceState, relationship: string): void {
    this.tx.noteLoad(state, relationship);
  }
  /** See `StateOwner.noteInPlace`. */
  noteInPlace(state: InstanceState, index: number): void {
    this.tx.noteInPlace(state, index);
  }

  /** A persistent object's columns changed. */
  markDirty(state: InstanceState): void {
    state.dirty = true;
    this.registry.dirty.add(state);
  }

  /** A related object joined through a save-update cascade. */
  cascadeAdd(obj: object): void {
    const state = stateOf(obj);
    if (state && state.status === "transient") addState(this.adding, state, true);
  }

  /** An object now holds loaded relationships. */
  noteRelations(state: InstanceState): void {
    if (state.session === this && state.status !== "transient") this.registry.holders.add(state);
  }

  /** An identity-map lookup, with no I/O. */
  lookup(mapper: Mapper, key: unknown): object | undefined {
    return this.registry.lookup(mapper, key);
  }

  // ---- guards ---------------------------------------------------------------------------

  /** Throws when the session is closed or waits for `rollback()`. */
  check(): void {
    if (this.closed) {
      throw new InvalidRequestError("This session is closed; open a new one for more work.");
    }
    this.tx.checkUsable();
  }

  /**
   * Marks the session busy with one task (`doing` names it in messages), or throws when it is
   * closed, waits for `rollback()`, or runs another task (`action` names the one refused).
   * `settle` (or `leave`, when the task could not start) frees it again. While a flush
   * listener runs, its own statements run inside the flush's task (a listener cannot be told
   * from another task then); what no listener may do (`lifecycle`: flush, commit, roll back,
   * open a savepoint, close), or what this listener may not, is refused by `Hooks.allow`.
   */
  enter(action: string, doing: string, lifecycle = false): void {
    this.check();
    if (this.hooks.running !== null) this.hooks.allow(action, lifecycle);
    else if (this.#busy !== null) {
      throw new InvalidRequestError(
        `Cannot ${action}: this session is already running ${this.#busy} in another task. ` +
          "A session is not safe for concurrent use; give each task its own session.",
      );
    }
    this.#busy ??= doing;
    this.#depth++;
  }

  /** Throws when a listener runs now that may not `action` (see `enter`), or another task. */
  refuseBusy(action: string): void {
    if (this.hooks.running !== null) this.hooks.allow(action, true);
    if (this.#busy !== null) {
      throw new InvalidRequestError(
        `Cannot ${action}: this session is running ${this.#busy} in another task.`,
      );
    }
  }

  /**
   * Notes a `session.stream()` loop open (`what` names it in messages) until the returned
   * function runs. Its rows are read in the session's transaction, so a commit or rollback is
   * refused meanwhile (see `checkStreams`); other work of the session runs between its rows.
   */
  openStream(what: string): () => void {
    const streams = this.#streams;
    streams.push(what);
    return () => {
      streams.splice(streams.lastIndexOf(what), 1);
    };
  }

  /** Throws while a `session.stream()` loop is open: `action` would end its transaction. */
  checkStreams(action: string): void {
    const open = this.#streams.at(-1);
    if (open === undefined) return;
    throw new InvalidRequestError(
      `Cannot ${action}: this session is still running ${open}, which reads its rows in the ` +
        `session's transaction; finish or leave the loop first, then ${action}.`,
    );
  }

  /** Frees the session of a task that did not start (or ends one). */
  leave(): void {
    if (--this.#depth > 0) return;
    this.#depth = 0;
    this.#busy = null;
  }

  /**
   * The task's outcome, the session freed when it settles: one reaction, with handlers made
   * once per session, not an async frame or two closures per task (a point lookup is a few
   * microseconds in all).
   */
  settle<T>(task: Promise<T>): Promise<T> {
    return task.then(this.#free as (value: T) => T, this.#freeFailed);
  }

  readonly #free = (value: unknown): unknown => {
    this.leave();
    return value;
  };

  readonly #freeFailed = (error: unknown): never => {
    this.leave();
    throw error;
  };

  /** A rejection handler that frees the session and rethrows (for a task's last reaction). */
  get freeFailed(): (error: unknown) => never {
    return this.#freeFailed;
  }

  /**
   * Runs `fn` as the session's one task; `action` and `doing` name it in messages;
   * `lifecycle`: see `enter`.
   */
  run<T>(action: string, doing: string, fn: () => Promise<T>, lifecycle = false): Promise<T> {
    try {
      this.enter(action, doing, lifecycle);
    } catch (error) {
      return this.hooks.reject(error);
    }
    let task: Promise<T>;
    try {
      task = fn();
    } catch (error) {
      this.leave();
      return Promise.reject(error);
    }
    return this.settle(task);
  }

  /**
   * Whether a statement run now flushes first: autoflush is on, there is work, and no flush
   * (or listener of one) runs now.
   */
  needsAutoflush(): boolean {
    return this.autoflush && this.hooks.running === null && !this.#flushing && this.#hasWork();
  }

  /** Flushes first when autoflush is on and there is work, then runs `fn`. */
  withAutoflush<T>(fn: () => Promise<T>): Promise<T> {
    if (this.needsAutoflush()) return this.flush().then(fn);
    return fn();
  }

  /** Removes an object from the session, for good: no rollback brings it back. */
  expunge(state: InstanceState): void {
    this.tx.forget(state);
    this.registry.forget(state);
    state.status = state.status === "pending" ? "transient" : "detached";
    state.session = null;
  }

  // ---- transactions ---------------------------------------------------------------------

  /** Flushes and commits; objects deleted in the transaction become detached. */
  async commit(): Promise<void> {
    this.checkStreams("commit");
    await this.flush();
    await this.tx.commit();
    for (const s of this.registry.removed) {
      s.status = "detached";
      s.session = null;
    }
    this.registry.removed.clear();
    if (this.expireOnCommit) {
      for (const o of this.registry.objects()) {
        stateOf(o)!.expired = true;
      }
    }
    await this.hooks.fire("afterCommit", false);
  }

  /** Rolls the transaction back; `afterRollback` listeners run when one was open. */
  async rollback(): Promise<void> {
    this.checkStreams("roll back");
    const open = this.tx.active;
    await this.tx.rollback();
    if (open) {
      // What the rolled-back transaction read may be gone (a row it inserted) or changed: every
      // object is refreshed by the next load of its row, and `get` asks the database again.
      for (const o of this.registry.objects()) {
        const s = stateOf(o)!;
        if (s.status === "persistent") s.expired = true;
      }
      await this.hooks.fire("afterRollback", false);
    }
  }

  /** Flushes, then opens a savepoint. */
  async beginNested(): Promise<SessionSavepoint> {
    await this.flush();
    const frame = await this.tx.beginNested();
    return openSavepoint(
      this.tx,
      frame,
      () => this.run("commit a savepoint", "a savepoint commit", () => this.flush(), true),
    );
  }

  // ---- the flush ------------------------------------------------------------------------

  #hasWork(): boolean {
    const r = this.registry;
    return r.pending.size > 0 || r.dirty.size > 0 || r.deleted.size > 0 || r.holders.size > 0;
  }

  /** Writes pending changes, in the session's transaction. */
  async flush(): Promise<void> {
    if (!this.#hasWork() || this.#flushing) return;
    this.#flushing = true;
    let result;
    try {
      const uow = await this.#prepare();
      try {
        result = await uow.execute();
        this.registry.applyFlush(result, this);
      } catch (error) {
        await this.tx.flushFailed(error);
        throw error;
      }
    } finally {
      this.#flushing = false;
    }
    const hooks = this.hooks;
    try {
      hooks.fireClass("afterInsert", () => fireAll("afterInsert", result.inserted));
      hooks.fireClass("afterUpdate", () => fireAll("afterUpdate", result.written));
      hooks.fireClass("afterDelete", () => fireAll("afterDelete", result.deleted));
      await hooks.fire("afterFlush", true);
    } catch (error) {
      // An after-listener that throws fails the flush as a failed statement does: its rows are
      // rolled back (inside a savepoint, only the savepoint), never committed by a later commit.
      // What the session refused a listener did nothing: the flush stands.
      if (!hooks.isRefusal(error)) await this.tx.flushFailed(error);
      throw error;
    }
  }

  /**
   * The flush up to its first statement. What a listener throws fails the flush as a failed
   * statement would (the session then asks for rollback); what the checks refuse, or the
   * session refused a listener, sends nothing and leaves the session usable, with what the
   * listeners changed undone (the next flush runs them again, once).
   */
  async #prepare(): Promise<UnitOfWork> {
    const hooks = this.hooks;
    const frame = this.tx.openMemoryFrame();
    let uow: UnitOfWork;
    let checking = false;
    try {
      await hooks.fire("beforeFlush", true);
      uow = new UnitOfWork(this.#flushContext());
      uow.reconcile();
      hooks.fireClass("beforeInsert, beforeUpdate or beforeDelete", () => uow.beforeEvents());
      checking = true;
      uow.check();
    } catch (error) {
      if (checking || hooks.isRefusal(error)) this.tx.undoFrame(frame);
      else {
        this.tx.keepFrame(frame);
        await this.tx.flushFailed(error);
      }
      throw error;
    }
    this.tx.keepFrame(frame);
    return uow;
  }

  #flushContext(): FlushContext {
    const r = this.registry;
    return {
      ...this.load,
      // A cascade loads every child row, whatever the loader criteria hide.
      criteria: LIFTED,
      pending: r.pending,
      dirty: r.dirty,
      deleted: r.deleted,
      holders: r.holders,
      hideParameters: this.hideParameters,
      add: (obj) => this.cascadeAdd(obj),
      expunge: (s) => this.expunge(s),
      held: (mapper) => r.map(mapper).values(),
      touch: (s) => this.touch(s),
      execute: (statement, mode) => this.tx.execute(statement, mode),
    };
  }
}

/**
 * The Session: a unit of work with an identity map, used with `await using`.
 *
 * It begins a transaction on first use; `commit()` flushes and commits; leaving the block
 * without `commit()` rolls back and releases the connection. Its transaction (see
 * `transaction.ts`) restores objects on rollback; its unit of work (see `flush/`) writes
 * them. Using one session from two concurrent tasks is an immediate error.
 *
 * @module
 */
import { ownTransaction } from "./own_transaction.ts";
import type { Engine } from "../../core/engine/engine.ts";
import type { RunResult } from "../../core/engine/executor.ts";
import type { RetryOptions } from "../../core/engine/retry.ts";
import type { Row, SqlSource } from "../../core/sql/nodes.ts";
import type { EntityClass } from "../../core/statement.ts";
import type { LoaderOption } from "../loading/options.ts";
import type { ExecuteOptions } from "./bulk.ts";
import type * as loaders from "../../core/builder/loaders.ts";
import { addCriteria, type LoaderCriteria } from "../loading/criteria.ts";
import type { InstanceState } from "../mapping/state.ts";
import { addObject } from "./add.ts";
import { SessionCore } from "./core.ts";
import { Hooks, type SessionEvent, type SessionListener } from "./hooks.ts";
import { mergeInto } from "./merge.ts";
import { loadEntities } from "./query.ts";
import { expireEvery, expireObject, isModified, refreshAttributes } from "./expire.ts";
import { scalarIn, scalarsIn, type SessionScalar } from "./scalars.ts";
import type { ObjectsView } from "./views.ts";
import {
  atMostOne,
  executeIn,
  flagColumn,
  getObject,
  loadRelationship,
  onlyOne,
  ownState,
  refreshObject,
  runIn,
} from "./reads.ts";
import { type SessionStreamOptions, streamEntities } from "./stream.ts";
import type {
  EntityKey,
  EntityQuery,
  ExecuteResult,
  SessionOptions,
  SessionSavepoint,
} from "./types.ts";

/**
 * A unit of work with an identity map. Make one with `sessionMaker(engine)()` or
 * `engine.session()`, and use it with `await using`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, select, sql } from "@retort/orm";
 * class Note extends Model("session_doc_notes", {
 *   id: column.integer().primaryKey(),
 *   body: column.text(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Note]);
 * {
 *   await using session = engine.session();
 *   session.add(new Note({ body: "hello" }));
 *   await session.commit();
 * }
 * await using session = engine.session();
 * const notes = await session.all(select(Note).where(sql`${Note.c.body} = ${"hello"}`));
 * assert(notes.length === 1 && notes[0] instanceof Note);
 * ```
 */
export class Session implements AsyncDisposable {
  /** The engine this session runs on. */
  readonly engine: Engine;
  readonly #c: SessionCore;

  /** Internal: use `sessionMaker(engine)` or `engine.session()`. */
  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine;
    this.#c = new SessionCore(engine, options);
    this.#c.hooks = new Hooks<unknown>(this);
    for (const [event, fn] of Object.entries(options.on ?? {})) {
      if (fn !== undefined) this.on(event as SessionEvent, fn as SessionListener<Session>);
    }
  }

  /**
   * Adds a listener of a session event; returns a function that removes it. `beforeFlush`
   * runs before a flush that has work (it may add, change or delete objects, and the flush
   * writes them; what it throws stops the flush with nothing sent), `afterFlush` after one,
   * `afterCommit` after a commit and `afterRollback` after a rollback of an open transaction.
   * The flush's listeners may query through the session (autoflush is off while they run),
   * but not flush, commit, roll back, open a savepoint or close it; after a commit or a
   * rollback the transaction is over, and the session runs no statement for its listeners.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { column, createEngine, Model } from "@retort/orm";
   * class Tick extends Model("session_on_doc_ticks", { id: column.integer().primaryKey() }) {}
   * await using engine = createEngine("sqlite::memory:");
   * await engine.createAll([Tick]);
   * await using session = engine.session();
   * const seen: string[] = [];
   * session.on("afterCommit", () => void seen.push("committed"));
   * session.add(new Tick({}));
   * await session.commit();
   * assert.deepEqual(seen, ["committed"]);
   * ```
   */
  on(event: SessionEvent, fn: SessionListener<Session>): () => void {
    return this.#c.hooks.on(event, fn as SessionListener<unknown>);
  }

  /**
   * Adds loader criteria: conditions added to every later select of their classes in this
   * session (queries, `get`, relationship loads); `withoutCriteria()` lifts them for a query.
   */
  addCriteria(...criteria: LoaderCriteria[]): void {
    this.#c.load.criteria = addCriteria(this.#c.load.criteria, criteria);
  }

  /** Whether a transaction is open. */
  get inTransaction(): boolean {
    return this.#c.tx.active;
  }

  /** Objects added and not yet flushed: a live read-only view (size, has, iteration). */
  get new(): ObjectsView {
    return this.#c.views().new;
  }

  /** Persistent objects with unflushed column changes: a live read-only view. */
  get dirty(): ObjectsView {
    return this.#c.views().dirty;
  }

  /** Objects marked for deletion and not yet flushed: a live read-only view. */
  get deleted(): ObjectsView {
    return this.#c.views().deleted;
  }

  /** How many objects the identity map holds. */
  get identityCount(): number {
    return this.#c.registry.size;
  }

  /** The state of an object of this session, or an InvalidRequestError naming `what`. */
  #own(obj: object, what: string): InstanceState {
    return ownState(this.#c, obj, what);
  }

  // ---- adding and removing ---------------------------------------------------------------

  /** Adds an object (and, by cascade, the new objects related to it) to the session. */
  add(obj: object): void {
    this.#c.check();
    addObject(this.#c.adding, obj);
  }

  /** Adds several objects. */
  addAll(objs: Iterable<object>): void {
    // An array by index: no iterator result per object in code not yet optimized.
    if (Array.isArray(objs)) { for (let i = 0; i < objs.length; i++) this.add(objs[i]); }
    else for (const obj of objs) this.add(obj);
  }

  /** Marks an object for deletion at the next flush (a pending object is just removed). */
  delete(obj: object): void {
    this.#c.check();
    const state = this.#own(obj, "session.delete()");
    this.#c.touch(state);
    if (state.status === "pending") this.#c.expunge(state);
    else if (state.status === "persistent") this.#c.registry.deleted.add(state);
  }

  /** Removes an object from the session without touching the database. */
  expunge(obj: object): void {
    this.#c.expunge(this.#own(obj, "session.expunge()"));
  }

  /** Removes every object from the session. */
  expungeAll(): void {
    this.#c.registry.clear(this.#c);
  }

  /**
   * Copies the state of an object from outside this session (detached, or new) onto this
   * session's object for the same row, loading it if needed, and returns that object; its
   * loaded relationships with a save-update cascade are merged too.
   */
  merge<T extends object>(obj: T): Promise<T> {
    const c = this.#c;
    return c.run("merge an object", "a merge", () => mergeInto(c, obj));
  }

  /** Marks a column as changed in place (a JSON value mutated), so the next flush writes it. */
  flagModified(obj: object, key: string): void {
    flagColumn(this.#own(obj, "flagModified()"), key);
  }

  // ---- flush and transactions -----------------------------------------------------------

  /** Writes pending changes to the database (inside the session's transaction). */
  flush(): Promise<void> {
    return this.#c.run("flush", "a flush", () => this.#c.flush(), true);
  }

  /** Flushes and commits the transaction; objects stay readable afterwards. */
  commit(): Promise<void> {
    return this.#c.run("commit", "a commit", () => this.#c.commit(), true);
  }

  /** Rolls back the transaction; objects return to what they were when it began. */
  async rollback(): Promise<void> {
    this.#c.refuseBusy("roll back");
    await this.#c.rollback();
  }

  /**
   * Opens a savepoint (after a flush). Rolling it back undoes its changes in the database
   * and in memory; a flush that fails inside it rolls it back by itself, and the session goes
   * on in the enclosing transaction.
   */
  beginNested(): Promise<SessionSavepoint> {
    return this.#c.run("open a savepoint", "a savepoint", () => this.#c.beginNested(), true);
  }

  /**
   * Runs `fn` and commits, or rolls back if it (or the commit) throws. With `retry`, a
   * transaction that loses a race (a serialization failure, a deadlock, a busy database) is
   * rolled back and `fn` runs again, as `engine.transaction` does.
   */
  async transaction<T>(
    fn: (session: Session) => Promise<T>,
    options: { retry?: boolean | number | RetryOptions } = {},
  ): Promise<T> {
    return await ownTransaction(this, this.#c.tx.holdsWork, fn, options.retry);
  }

  /** Runs `fn` with autoflush off. */
  async noAutoflush<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.#c.autoflush;
    this.#c.autoflush = false;
    try {
      return await fn();
    } finally {
      this.#c.autoflush = before;
    }
  }

  // ---- queries --------------------------------------------------------------------------

  /**
   * The object with a primary key: from the identity map when there, else one query.
   * `options` takes query options: columns (`undefer(...)`, a held object missing them is
   * loaded again), `withoutCriteria()`, and relationships (loaded with a second query).
   */
  get<M extends EntityClass>(
    model: M,
    key: NoInfer<EntityKey<M>>,
    options: { populateExisting?: boolean; options?: readonly object[] } = {},
  ): Promise<InstanceType<M> | null> {
    return getObject(this.#c, model, key, options);
  }

  /** Runs a `select(Model)` and returns its objects. */
  all<T extends loaders.EntityObject>(query: EntityQuery<T>): Promise<T[]> {
    const c = this.#c;
    return c.run(
      "run a query",
      "a query",
      () => c.withAutoflush(() => loadEntities(c.load, query)),
    );
  }

  /** The first object of a `select(Model)`, or null. */
  async first<T extends loaders.EntityObject>(query: EntityQuery<T>): Promise<T | null> {
    return (await this.all(query))[0] ?? null;
  }

  /** The one object of a `select(Model)`; NoResultFound or MultipleResultsFound otherwise. */
  async one<T extends loaders.EntityObject>(query: EntityQuery<T>): Promise<T> {
    return onlyOne(await this.all(query), "one()");
  }

  /** The one object of a `select(Model)`, or null; MultipleResultsFound for more. */
  async oneOrNull<T extends loaders.EntityObject>(query: EntityQuery<T>): Promise<T | null> {
    return atMostOne(await this.all(query), "oneOrNull()");
  }

  /**
   * Streams a `select(Model)` as objects, reading `chunkSize` rows at a time (1000 by
   * default) with a cursor, `selectin` loaders run once per chunk. The session keeps what it
   * streams unless `expunge: true` lets each chunk's clean objects go once passed.
   */
  stream<T extends loaders.EntityObject>(
    query: EntityQuery<T>,
    options?: SessionStreamOptions,
  ): AsyncGenerator<T, void, undefined> {
    return streamEntities(this.#c, query, options);
  }

  /**
   * Runs a Core statement or fragment in the session's transaction (after autoflush); a bulk
   * update or delete of a mapped table keeps the objects held in sync (`options.synchronize`).
   */
  execute<R = Row>(statement: SqlSource<R>, options?: ExecuteOptions): Promise<ExecuteResult<R>> {
    return executeIn(this.#c, statement, options);
  }

  /** Runs a statement for its effect in the session's transaction. */
  run(statement: SqlSource<unknown>): Promise<RunResult> {
    return runIn(this.#c, statement);
  }

  /**
   * Loads a relationship of one or many objects, in one batched query, with optional nested
   * options: `await session.load(users, "posts", selectin("comments"))`.
   */
  load<T extends object, const K extends loaders.RelationshipNames<T>>(
    objs: T | readonly T[],
    relationship: K,
    ...nested: loaders.LoaderFor<loaders.RelatedOf<T[K]>>[]
  ): Promise<void> {
    return loadRelationship(this.#c, objs, relationship, nested as LoaderOption[]);
  }

  /**
   * Reloads an object's columns from the database, discarding unflushed changes; with
   * `attrs`, only those columns, and the named relationships are loaded again.
   */
  refresh(obj: object, attrs?: readonly string[]): Promise<void> {
    return attrs === undefined
      ? refreshObject(this.#c, obj)
      : refreshAttributes(this.#c, obj, attrs);
  }

  /**
   * Unloads the named columns and relationships of an object, or all of them (unflushed
   * changes to them are discarded); reading one raises NotLoadedError until the next load of
   * its row fills it.
   */
  expire(obj: object, attrs?: readonly string[]): void {
    expireObject(this.#c, obj, attrs);
  }

  /** Expires every persistent object of the session. */
  expireAll(): void {
    expireEvery(this.#c);
  }

  /** Whether an object has an unflushed net change of a column or relationship. */
  isModified(obj: object): boolean {
    return isModified(this.#c, obj);
  }

  /** The first column of the first row (the first object of a `select(Model)`), or null. */
  scalar<R>(statement: SqlSource<R>): Promise<SessionScalar<R> | null> {
    return scalarIn(this.#c, statement);
  }

  /** The first column of every row (the objects of a `select(Model)`). */
  scalars<R>(statement: SqlSource<R>): Promise<SessionScalar<R>[]> {
    return scalarsIn(this.#c, statement);
  }

  /** Rolls back what is not committed, releases the connection, and clears the session. */
  async close(): Promise<void> {
    if (this.#c.closed) return;
    this.#c.hooks.allow("close the session", true);
    this.#c.checkStreams("close");
    try {
      await this.#c.rollback();
    } finally {
      this.expungeAll();
      this.#c.closed = true;
    }
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The Session: a unit of work with an identity map, used with `await using`.
 *
 * It begins a transaction on first use; `commit()` flushes and commits; leaving the block
 * without `commit()` rolls back and releases the connection. A failed flush rolls back and
 * the session refuses further work until `rollback()`. Using one session from two concurrent
 * tasks is an immediate error.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import type { QueryMode, QueryResult } from "../core/driver.ts";
import { type Connection, rollbackIfActive, type Transaction } from "../core/engine/connection.ts";
import type { Engine } from "../core/engine/engine.ts";
import type { RunResult } from "../core/engine/executor.ts";
import {
  ArgumentError,
  InvalidRequestError,
  MultipleResultsFound,
  NoResultFound,
  PendingRollbackError,
} from "../core/errors.ts";
import { Fragment, type Row, type SqlSource } from "../core/sql/nodes.ts";
import { sql } from "../core/sql/tag.ts";
import { UnitOfWork } from "./flush.ts";
import {
  applyOptions,
  hydrate,
  type LoadContext,
  type LoaderOption,
  loadRelationship,
} from "./loading.ts";
import { type Mapper, mapperOf } from "./mapper.ts";
import type { EntityClass } from "../core/statement.ts";
import type { Relationship } from "./relationship.ts";
import { type InstanceState, type ObjectStatus, stateOf, type StateOwner } from "./state.ts";

/**
 * Options of a session.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "@retort/orm";
 * const options: SessionOptions = { autoflush: false, expireOnCommit: false };
 * ```
 */
export interface SessionOptions {
  /** Flush pending changes before each query (default true). */
  autoflush?: boolean;
  /**
   * Mark loaded objects expired at commit, so the next query that returns their rows
   * refreshes them (default false: objects keep their values and stay readable).
   */
  expireOnCommit?: boolean;
}

/**
 * A statement whose rows are objects of a mapped class: `select(User)`, with the class in
 * `entity` and loader options in `loadOptions`.
 *
 * @example
 * ```ts
 * import type { EntityQuery } from "@retort/orm";
 * function entityOf<T>(q: EntityQuery<T>): unknown {
 *   return q.entity;
 * }
 * ```
 */
export interface EntityQuery<T> extends SqlSource<T> {
  /** The mapped class whose objects the rows are. */
  readonly entity?: unknown;
  /** Loader options (`selectin(...)`, `joined(...)`). */
  readonly loadOptions?: readonly unknown[];
  /** Whether rows overwrite objects already in the identity map. */
  readonly populateExistingRows?: boolean;
}

/**
 * What `session.execute` returns.
 *
 * @example
 * ```ts
 * import type { ExecuteResult } from "@retort/orm";
 * const r: ExecuteResult<{ n: number }> = { rows: [{ n: 1 }], rowsAffected: 1 };
 * ```
 */
export interface ExecuteResult<R> {
  /** The rows the statement returned. */
  readonly rows: R[];
  /** Rows returned, or changed by a write. */
  readonly rowsAffected: number;
}

/**
 * A savepoint inside a session's transaction (`beginNested()`): commit it to keep its
 * changes, or roll it back (disposing does) to undo them in the database and in memory.
 *
 * @example
 * ```ts
 * import type { SessionSavepoint } from "@retort/orm";
 * async function undo(sp: SessionSavepoint): Promise<void> {
 *   await sp.rollback();
 * }
 * ```
 */
export interface SessionSavepoint extends AsyncDisposable {
  /** Releases the savepoint, keeping its changes in the transaction. */
  commit(): Promise<void>;
  /** Rolls back to the savepoint. */
  rollback(): Promise<void>;
  /** Whether it can still be committed or rolled back. */
  readonly isActive: boolean;
}

interface Frame {
  tx: Transaction;
  values: Map<InstanceState, { values: unknown[]; status: ObjectStatus }>;
  added: Set<InstanceState>;
}

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
export class Session implements AsyncDisposable, StateOwner {
  /** The engine this session runs on. */
  readonly engine: Engine;
  #autoflush: boolean;
  readonly #expireOnCommit: boolean;
  #conn: Connection | null = null;
  #tx: Transaction | null = null;
  #frames: Frame[] = [];
  readonly #identity = new Map<Mapper, Map<unknown, object>>();
  readonly #pending = new Set<InstanceState>();
  readonly #dirty = new Set<InstanceState>();
  readonly #deleted = new Set<InstanceState>();
  readonly #holders = new Set<InstanceState>();
  readonly #touched = new Set<InstanceState>();
  /** Objects inserted in the current transaction (an array: cheaper than the set). */
  #inserted: InstanceState[] = [];
  #busy: string | null = null;
  #failed: unknown = null;
  #closed = false;
  #order = 0;
  #flushing = false;

  /** Internal: use `sessionMaker(engine)` or `engine.session()`. */
  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine;
    this.#autoflush = options.autoflush ?? true;
    this.#expireOnCommit = options.expireOnCommit ?? false;
  }

  /** The dialect of the session's database. */
  get dialect(): Dialect {
    return this.engine.dialect;
  }

  /** Whether a transaction is open. */
  get inTransaction(): boolean {
    return this.#tx !== null;
  }

  /** Objects added and not yet flushed. */
  get new(): object[] {
    return [...this.#pending].map((s) => s.obj);
  }

  /** Persistent objects with unflushed changes. */
  get dirty(): object[] {
    return [...this.#dirty].filter((s) => s.changedColumns().length > 0).map((s) => s.obj);
  }

  /** Objects marked for deletion and not yet flushed. */
  get deleted(): object[] {
    return [...this.#deleted].map((s) => s.obj);
  }

  /** How many objects the identity map holds. */
  get identityCount(): number {
    let n = 0;
    for (const m of this.#identity.values()) n += m.size;
    return n;
  }

  // ---- StateOwner --------------------------------------------------------------------------

  /** Internal: a persistent object changed. */
  markDirty(state: InstanceState): void {
    state.dirty = true;
    this.#dirty.add(state);
    this.#touched.add(state);
    const frame = this.#frames.at(-1);
    if (frame && !frame.values.has(state)) {
      frame.values.set(state, {
        values: (state.loaded ?? state.values).slice(),
        status: state.status,
      });
    }
  }

  /** Internal: a related object joined through a save-update cascade. */
  cascadeAdd(obj: object): void {
    const state = stateOf(obj);
    if (state && state.status === "transient") this.#add(state, true);
  }

  /** Internal: an object now holds loaded relationships. */
  noteRelations(state: InstanceState): void {
    if (state.session === this && state.status !== "transient") this.#holders.add(state);
  }

  /** Internal: an identity-map lookup, with no I/O. */
  lookup(mapper: Mapper, key: unknown): object | undefined {
    return this.#identity.get(mapper)?.get(key);
  }

  // ---- guards ------------------------------------------------------------------------------

  #check(): void {
    if (this.#closed) {
      throw new InvalidRequestError("This session is closed; open a new one for more work.");
    }
    if (this.#failed !== null) {
      throw new PendingRollbackError(
        "This session's transaction was rolled back after an error during flush " +
          `(${(this.#failed as Error)?.message ?? this.#failed}); call session.rollback() ` +
          "before using it again.",
        { cause: this.#failed },
      );
    }
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.#check();
    if (this.#busy !== null) {
      throw new InvalidRequestError(
        `Cannot ${what}: this session is already running ${this.#busy} in another task. ` +
          "A session is not safe for concurrent use; give each task its own session.",
      );
    }
    this.#busy = what;
    try {
      return await fn();
    } finally {
      this.#busy = null;
    }
  }

  async #transaction(): Promise<Transaction> {
    if (this.#tx) return this.#tx;
    const conn = await this.engine.connect();
    try {
      this.#tx = await conn.begin();
    } catch (e) {
      await conn.close();
      throw e;
    }
    this.#conn = conn;
    return this.#tx;
  }

  /** Runs a statement in the session's transaction, beginning it when needed. */
  #send(statement: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const tx = this.#tx;
    if (tx !== null) return tx.execute(statement, mode);
    return this.#transaction().then((t) => t.execute(statement, mode));
  }

  #ctx: (LoadContext & { run(f: Fragment, mode: QueryMode): Promise<QueryResult> }) | null = null;

  #loadContext(): LoadContext & { run(f: Fragment, mode: QueryMode): Promise<QueryResult> } {
    if (this.#ctx !== null) return this.#ctx;
    const identity = this.#identity;
    return this.#ctx = {
      maxParams: this.engine.dialect.maxParams,
      dialect: this.engine.dialect,
      values: async (fragment) => {
        const r = await this.#send(fragment, "values");
        return { rows: r.rows as unknown as unknown[][], columns: r.columns ?? [] };
      },
      identityMap(mapper) {
        let m = identity.get(mapper);
        if (!m) identity.set(mapper, m = new Map());
        return m;
      },
      attach: (state, key) => {
        state.status = "persistent";
        state.session = this;
        state.key = key;
        identity.get(state.mapper)!.set(key, state.obj);
        if (state.relations !== null) this.#holders.add(state);
      },
      run: (fragment, mode) => this.#send(fragment, mode),
    };
  }

  // ---- adding and removing ------------------------------------------------------------------

  /** Adds an object (and, by cascade, the new objects related to it) to the session. */
  add(obj: object): void {
    this.#check();
    const state = stateOf(obj);
    if (!state) {
      throw new ArgumentError(
        `session.add() takes an instance of a mapped class; got ${describe(obj)}.`,
      );
    }
    this.#add(state, false);
  }

  /** Adds several objects. */
  addAll(objs: Iterable<object>): void {
    for (const obj of objs) this.add(obj);
  }

  #add(state: InstanceState, cascaded: boolean): void {
    if (state.session !== null && state.session !== this) {
      throw new InvalidRequestError(
        `This ${state.mapper.name} belongs to another session; expunge it there first.`,
      );
    }
    const mapper = state.mapper;
    for (const name of mapper.relationships.keys()) {
      if (Object.hasOwn(state.obj, name)) {
        throw new ArgumentError(
          `${mapper.name}.${name} is declared as a class field, which hides the relationship; ` +
            `write \`declare ${name}: ...\` instead of \`${name}: ... = ...\` or \`${name}!: ...\`.`,
        );
      }
    }
    switch (state.status) {
      case "transient":
        state.status = "pending";
        state.session = this;
        state.order = ++this.#order;
        this.#pending.add(state);
        this.#frames.at(-1)?.added.add(state);
        break;
      case "detached": {
        const map = this.#map(mapper);
        const existing = map.get(state.key);
        if (existing && existing !== state.obj) {
          throw new InvalidRequestError(
            `Another ${mapper.name} with the same key is already in this session; ` +
              "merge the changes into that object instead.",
          );
        }
        state.status = "persistent";
        state.session = this;
        map.set(state.key, state.obj);
        if (state.loaded !== null || state.flagged) this.markDirty(state);
        break;
      }
      case "persistent":
        if (this.#deleted.delete(state)) break;
        return;
      default:
        if (!cascaded) return;
    }
    // save-update cascade along what is loaded.
    if (state.relations !== null) {
      this.#holders.add(state);
      for (const name in state.relations) {
        const rel = mapper.relationships.get(name)!;
        if (!rel.cascade.saveUpdate) continue;
        const v = (state.relations[name] as { value: unknown }).value;
        const items = Array.isArray(v) ? v : v ? [v] : [];
        for (const item of items) {
          const s = stateOf(item);
          if (s && s.status === "transient") this.#add(s, true);
        }
      }
    }
  }

  #map(mapper: Mapper): Map<unknown, object> {
    let m = this.#identity.get(mapper);
    if (!m) this.#identity.set(mapper, m = new Map());
    return m;
  }

  /** Marks an object for deletion at the next flush (a pending object is just removed). */
  delete(obj: object): void {
    this.#check();
    const state = stateOf(obj);
    if (!state || state.session !== this) {
      throw new InvalidRequestError(
        `session.delete() takes an object of this session; this ${
          state ? state.mapper.name : describe(obj)
        } is ${state ? state.status : "not mapped"}.`,
      );
    }
    if (state.status === "pending") this.#expunge(state);
    else if (state.status === "persistent") {
      this.#deleted.add(state);
      this.#touched.add(state);
    }
  }

  /** Removes an object from the session without touching the database. */
  expunge(obj: object): void {
    const state = stateOf(obj);
    if (!state || state.session !== this) {
      throw new InvalidRequestError("session.expunge() takes an object of this session.");
    }
    this.#expunge(state);
  }

  #expunge(state: InstanceState): void {
    this.#pending.delete(state);
    this.#dirty.delete(state);
    this.#deleted.delete(state);
    this.#holders.delete(state);
    if (state.status === "persistent" || state.status === "deleted") {
      this.#identity.get(state.mapper)?.delete(state.key);
      state.status = "detached";
    } else state.status = "transient";
    state.session = null;
    state.dirty = false;
  }

  /** Removes every object from the session. */
  expungeAll(): void {
    for (const m of this.#identity.values()) {
      for (const obj of m.values()) {
        const s = stateOf(obj)!;
        s.session = null;
        s.status = "detached";
        s.dirty = false;
      }
      m.clear();
    }
    for (const s of this.#pending) {
      s.session = null;
      s.status = "transient";
    }
    this.#pending.clear();
    this.#dirty.clear();
    this.#deleted.clear();
    this.#holders.clear();
  }

  /**
   * Marks a column as changed in place (a JSON value or Date mutated without assignment), so
   * the next flush writes it.
   */
  flagModified(obj: object, key: string): void {
    const state = stateOf(obj);
    if (!state || state.session !== this) {
      throw new InvalidRequestError("flagModified() takes an object of this session.");
    }
    const i = state.mapper.indexByKey.get(key);
    if (i === undefined) {
      throw new ArgumentError(`${state.mapper.name} has no column ${JSON.stringify(key)}.`);
    }
    (state.flagged ??= new Set()).add(i);
    this.markDirty(state);
  }

  // ---- flush and transactions ---------------------------------------------------------------

  #hasWork(): boolean {
    return this.#pending.size > 0 || this.#dirty.size > 0 || this.#deleted.size > 0 ||
      this.#holders.size > 0;
  }

  /** Writes pending changes to the database (inside the session's transaction). */
  flush(): Promise<void> {
    return this.#run("flush", () => this.#flush());
  }

  async #flush(): Promise<void> {
    if (!this.#hasWork() || this.#flushing) return;
    this.#flushing = true;
    const ctx = {
      ...this.#loadContext(),
      pending: this.#pending,
      dirty: this.#dirty,
      deleted: this.#deleted,
      holders: this.#holders,
      add: (obj: object) => this.cascadeAdd(obj),
      expunge: (s: InstanceState) => this.#expunge(s),
    };
    try {
      const uow = new UnitOfWork(ctx);
      uow.prepare(); // validation errors here leave the database and the session untouched
      try {
        const result = await uow.execute();
        this.#finalize(result);
      } catch (error) {
        await this.#abort(error);
        throw error;
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #abort(error: unknown): Promise<void> {
    this.#failed = error;
    await rollbackIfActive(this.#tx);
  }

  #finalize(result: {
    inserted: InstanceState[];
    updated: InstanceState[];
    deleted: InstanceState[];
    reconciled: InstanceState[];
  }): void {
    let map: Map<unknown, object> | null = null;
    let mapper: Mapper | null = null;
    for (const s of result.inserted) {
      if (s.mapper !== mapper) map = this.#map(mapper = s.mapper);
      s.key = s.mapper.identity(s.values);
      s.status = "persistent";
      s.insertedInTransaction = true;
      s.loaded = null;
      s.flagged = null;
      map!.set(s.key, s.obj);
      if (s.relations !== null) this.#holders.add(s);
    }
    for (const s of result.inserted) this.#inserted.push(s);
    if (result.inserted.length === this.#pending.size) this.#pending.clear();
    else for (const s of result.inserted) this.#pending.delete(s);
    for (const s of this.#dirty) {
      s.loaded = null;
      s.flagged = null;
      s.dirty = false;
    }
    this.#dirty.clear();
    for (const s of result.deleted) {
      this.#identity.get(s.mapper)?.delete(s.key);
      s.status = "deleted";
      s.deletedInTransaction = true;
      this.#deleted.delete(s);
      this.#holders.delete(s);
      this.#touched.add(s);
    }
    for (const s of result.reconciled) {
      if (s.relations === null) continue;
      for (const name in s.relations) {
        const l = s.relations[name] as { value: unknown; base: unknown };
        l.base = Array.isArray(l.value) ? l.value.slice() : l.value;
      }
    }
  }

  /** Flushes and commits the transaction; objects stay readable afterwards. */
  commit(): Promise<void> {
    return this.#run("commit", async () => {
      await this.#flush();
      const tx = this.#tx;
      if (tx) {
        try {
          await tx.commit();
        } catch (error) {
          await this.#abort(error);
          throw error;
        }
      }
      await this.#release();
      for (const s of this.#inserted) {
        s.original = null;
        s.insertedInTransaction = false;
      }
      this.#inserted = [];
      for (const s of this.#touched) {
        s.original = null;
        s.insertedInTransaction = false;
        if (s.deletedInTransaction) {
          s.deletedInTransaction = false;
          s.status = "detached";
          s.session = null;
        }
      }
      this.#touched.clear();
      this.#frames = [];
      if (this.#expireOnCommit) {
        for (const m of this.#identity.values()) {
          for (const o of m.values()) stateOf(o)!.expired = true;
        }
      }
    });
  }

  /** Rolls back the transaction; changes in memory return to their committed values. */
  async rollback(): Promise<void> {
    if (this.#busy !== null) {
      throw new InvalidRequestError(
        `Cannot roll back: this session is running ${this.#busy} in another task.`,
      );
    }
    await rollbackIfActive(this.#tx);
    await this.#release();
    this.#restore();
    this.#failed = null;
    this.#frames = [];
  }

  #restore(): void {
    for (const s of this.#inserted) this.#touched.add(s);
    this.#inserted = [];
    for (const s of this.#touched) {
      if (s.original !== null) s.values = s.original.slice();
      s.original = null;
      s.loaded = null;
      s.flagged = null;
      s.dirty = false;
      if (s.insertedInTransaction) {
        s.insertedInTransaction = false;
        this.#identity.get(s.mapper)?.delete(s.key);
        s.status = "transient";
        s.session = null;
        s.key = undefined;
        this.#holders.delete(s);
      } else if (s.deletedInTransaction) {
        s.deletedInTransaction = false;
        s.status = "persistent";
        this.#map(s.mapper).set(s.key, s.obj);
      }
    }
    this.#touched.clear();
    for (const s of this.#pending) {
      if (s.original !== null) s.values = s.original.slice();
      s.original = null;
      s.status = "transient";
      s.session = null;
    }
    this.#pending.clear();
    for (const s of this.#dirty) {
      s.loaded = null;
      s.dirty = false;
    }
    this.#dirty.clear();
    this.#deleted.clear();
  }

  async #release(): Promise<void> {
    const conn = this.#conn;
    this.#tx = null;
    this.#conn = null;
    if (conn) await conn.close();
  }

  /** Opens a savepoint; rolling it back undoes its changes in the database and in memory. */
  beginNested(): Promise<SessionSavepoint> {
    return this.#run("beginNested", async () => {
      await this.#flush();
      const outer = this.#frames.at(-1)?.tx ?? await this.#transaction();
      const tx = await outer.begin();
      const frame: Frame = { tx, values: new Map(), added: new Set() };
      this.#frames.push(frame);
      let active = true;
      const close = () => {
        active = false;
        const i = this.#frames.indexOf(frame);
        if (i >= 0) this.#frames.splice(i);
      };
      const commit = async () => {
        if (!active) return;
        await this.#run("commit a savepoint", () => this.#flush());
        close();
        await tx.commit();
      };
      const rollback = async () => {
        if (!active) return;
        close();
        await tx.rollback();
        this.#failed = null;
        this.#undoFrame(frame);
      };
      const savepoint: SessionSavepoint = {
        get isActive() {
          return active && tx.isActive;
        },
        commit,
        rollback,
        [Symbol.asyncDispose]: rollback,
      };
      return savepoint;
    });
  }

  #undoFrame(frame: Frame): void {
    for (const s of frame.added) {
      if (s.status === "persistent" || s.status === "pending") {
        this.#identity.get(s.mapper)?.delete(s.key);
        this.#pending.delete(s);
        this.#holders.delete(s);
        if (s.original !== null) s.values = s.original.slice();
        s.original = null;
        s.insertedInTransaction = false;
        s.status = "transient";
        s.session = null;
        s.key = undefined;
      }
    }
    for (const [s, saved] of frame.values) {
      s.values = saved.values.slice();
      s.loaded = null;
      s.dirty = false;
      this.#dirty.delete(s);
      if (saved.status === "persistent" && s.status === "deleted") {
        s.status = "persistent";
        s.deletedInTransaction = false;
        this.#map(s.mapper).set(s.key, s.obj);
      }
    }
    this.#deleted.clear();
  }

  /** Runs `fn` and commits, or rolls back if it throws. */
  async transaction<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await fn(this);
    } catch (error) {
      await this.rollback();
      throw error;
    }
    await this.commit();
    return result;
  }

  /** Runs `fn` with autoflush off. */
  async noAutoflush<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.#autoflush;
    this.#autoflush = false;
    try {
      return await fn();
    } finally {
      this.#autoflush = before;
    }
  }

  #autoflushNow(): Promise<void> | undefined {
    return this.#autoflush && this.#hasWork() ? this.#flush() : undefined;
  }

  // ---- queries -----------------------------------------------------------------------------

  /** The object with a primary key: from the identity map when there, else one query. */
  get<M extends EntityClass>(
    model: M,
    key: unknown,
    options: { populateExisting?: boolean } = {},
  ): Promise<InstanceType<M> | null> {
    const mapper = mapperOf(model);
    const values: unknown[] = new Array(mapper.columns.length);
    const keys = mapper.pk.length === 1 ? [key] : key;
    if (!Array.isArray(keys) || keys.length !== mapper.pk.length) {
      return Promise.reject(
        new ArgumentError(
          `${mapper.name} has a composite primary key (${
            mapper.pk.map((i) => mapper.keys[i]).join(", ")
          }); pass its values as an array.`,
        ),
      );
    }
    mapper.pk.forEach((i, k) => (values[i] = keys[k]));
    for (const i of mapper.pk) {
      const problem = values[i] === null || values[i] === undefined
        ? "needs a value"
        : mapper.columns[i].type.check(values[i]);
      if (problem !== null) {
        return Promise.reject(new ArgumentError(`${mapper.name}.${mapper.keys[i]} ${problem}.`));
      }
    }
    const identityKey = mapper.identity(values);
    const found = this.#identity.get(mapper)?.get(identityKey);
    if (found !== undefined && !options.populateExisting && !stateOf(found)!.expired) {
      try {
        this.#check();
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve(found as InstanceType<M>);
    }
    return this.#run("get", async () => {
      const flushing = this.#autoflushNow();
      if (flushing !== undefined) await flushing;
      const ctx = this.#loadContext();
      const fragment = getStatement(mapper, keys, this.engine.dialect);
      const r = await this.#send(fragment, "values");
      const objs = hydrate(
        ctx,
        mapper,
        r.rows as unknown as unknown[][],
        r.columns ?? [],
        options.populateExisting ?? false,
      );
      return (objs[0] ?? null) as InstanceType<M> | null;
    });
  }

  async #entities<T>(query: EntityQuery<T>): Promise<T[]> {
    const entity = query.entity;
    if (entity === undefined) {
      throw new ArgumentError(
        "session.all/first/one take select(Model) statements; for other statements use " +
          "session.execute().",
      );
    }
    const mapper = mapperOf(entity);
    await this.#autoflushNow();
    const ctx = this.#loadContext();
    const options = (query.loadOptions ?? []) as LoaderOption[];
    const populate = query.populateExistingRows ?? false;
    const joinedOptions = options.filter((o) => o.strategy === "joined");
    let objs: object[];
    if (joinedOptions.length > 0) {
      objs = await this.#joined(ctx, mapper, query, joinedOptions, populate);
    } else {
      const r = await this.#send(query, "values");
      objs = hydrate(
        ctx,
        mapper,
        r.rows as unknown as unknown[][],
        r.columns ?? [],
        populate,
        0,
        true,
      );
    }
    const rest = options.filter((o) => o.strategy !== "joined");
    if (rest.length > 0 && objs.length > 0) {
      await applyOptions(ctx, mapper, [...new Set(objs)].map((o) => stateOf(o)!), rest, populate);
    }
    return objs as T[];
  }

  /** joined(): the statement as a subquery, LEFT JOINed to each relationship's table. */
  async #joined(
    ctx: LoadContext,
    mapper: Mapper,
    query: SqlSource<unknown>,
    options: LoaderOption[],
    populate: boolean,
  ): Promise<object[]> {
    const base = sql.id("__retort_base");
    const ord = sql.id("__retort_ord");
    const parts: Fragment[] = [];
    const joins: Fragment[] = [];
    const rels: Relationship[] = [];
    const pendingNested: [Mapper, object[], readonly LoaderOption[]][] = [];
    options.forEach((o, k) => {
      const rel = mapper.relationship(o.path);
      if (rel.direction === "manyToMany") {
        throw new ArgumentError(
          `joined("${o.path}") does not load many-to-many relationships; use selectin("${o.path}").`,
        );
      }
      rels.push(rel);
      const target = rel.targetMapper;
      const alias = sql.id(`__retort_j${k}`);
      parts.push(sql.join(target.columns.map((c) => sql`${alias}.${sql.id(c.name)}`)));
      const [left, right] = rel.direction === "manyToOne"
        ? [
          sql`${base}.${sql.id(mapper.columns[rel.fk].name)}`,
          sql`${alias}.${sql.id(target.columns[rel.ref].name)}`,
        ]
        : [
          sql`${alias}.${sql.id(target.columns[rel.fk].name)}`,
          sql`${base}.${sql.id(mapper.columns[rel.ref].name)}`,
        ];
      joins.push(
        sql` LEFT JOIN ${
          target.table.schema
            ? sql.id(target.table.schema, target.table.name)
            : sql.id(target.table.name)
        } AS ${alias} ON ${left} = ${right}`,
      );
    });
    const baseCols = sql.join(mapper.columns.map((c) => sql`${base}.${sql.id(c.name)}`));
    const orderTargets = rels.map((rel, k) =>
      sql.join(
        rel.targetMapper.pk.map((i) =>
          sql`${sql.id(`__retort_j${k}`)}.${sql.id(rel.targetMapper.columns[i].name)}`
        ),
      )
    );
    const inner = sql`SELECT ${
      sql.id("__retort_q")
    }.*, row_number() OVER () AS ${ord} FROM (${query}) AS ${sql.id("__retort_q")}`;
    const statement = sql`SELECT ${baseCols}, ${sql.join(parts)} FROM (${inner}) AS ${base}${
      sql.join(joins, sql``)
    } ORDER BY ${base}.${ord}, ${sql.join(orderTargets)}`;
    const r = await this.#send(statement, "values");
    const rows = r.rows as unknown as unknown[][];
    const columns = r.columns ?? [];
    const parents = hydrate(ctx, mapper, rows, columns, populate);
    const unique: object[] = [];
    const seen = new Set<object>();
    for (const p of parents) {
      if (!seen.has(p)) {
        seen.add(p);
        unique.push(p);
      }
    }
    let offset = mapper.columns.length;
    rels.forEach((rel, k) => {
      const target = rel.targetMapper;
      const present = rows.map((row) => row[offset + target.pk[0]] !== null);
      const withTarget = rows.filter((_, i) => present[i]);
      const children = hydrate(ctx, target, withTarget, columns, populate, offset);
      const byParent = new Map<object, object[]>(unique.map((p) => [p, []]));
      let c = 0;
      rows.forEach((_, i) => {
        if (!present[i]) return;
        const list = byParent.get(parents[i])!;
        const child = children[c++];
        if (!list.includes(child)) list.push(child);
      });
      for (const p of unique) {
        const list = byParent.get(p)!;
        const ps = stateOf(p)!;
        if (!populate && rel.loaded(ps) !== undefined) continue;
        rel.setLoaded(ps, rel.scalar ? (list[0] ?? null) : list);
        if (rel.back?.scalar && rel.direction === "oneToMany") {
          for (const child of list) rel.back.setLoaded(stateOf(child)!, p);
        }
      }
      const nested = options[k].nested;
      if (nested.length > 0) {
        const all = [...new Set([...byParent.values()].flat())];
        pendingNested.push([target, all, nested]);
      }
      offset += target.columns.length;
    });
    for (const [target, objs, nested] of pendingNested.splice(0)) {
      await applyOptions(ctx, target, objs.map((o) => stateOf(o)!), nested, populate);
    }
    return unique;
  }

  /** Runs a `select(Model)` and returns its objects. */
  all<T>(query: EntityQuery<T>): Promise<T[]> {
    return this.#run("a query", () => this.#entities(query));
  }

  /** The first object of a `select(Model)`, or null. */
  first<T>(query: EntityQuery<T>): Promise<T | null> {
    return this.#run("a query", async () => (await this.#entities(query))[0] ?? null);
  }

  /** The one object of a `select(Model)`; NoResultFound or MultipleResultsFound otherwise. */
  one<T>(query: EntityQuery<T>): Promise<T> {
    return this.#run("a query", async () => {
      const objs = await this.#entities(query);
      if (objs.length === 0) throw new NoResultFound("The query returned no row; one() needs one.");
      if (objs.length > 1) {
        throw new MultipleResultsFound(`The query returned ${objs.length} rows; one() needs one.`);
      }
      return objs[0];
    });
  }

  /** The one object of a `select(Model)`, or null; MultipleResultsFound for more. */
  oneOrNull<T>(query: EntityQuery<T>): Promise<T | null> {
    return this.#run("a query", async () => {
      const objs = await this.#entities(query);
      if (objs.length > 1) {
        throw new MultipleResultsFound(
          `The query returned ${objs.length} rows; oneOrNull() needs at most one.`,
        );
      }
      return objs[0] ?? null;
    });
  }

  /** Runs a Core statement or fragment in the session's transaction (after autoflush). */
  execute<R = Row>(statement: SqlSource<R>): Promise<ExecuteResult<R>> {
    return this.#run("execute", async () => {
      await this.#autoflushNow();
      const r = await this.#send(statement, "all");
      return { rows: r.rows as R[], rowsAffected: r.rowsAffected };
    });
  }

  /** Runs a statement for its effect in the session's transaction. */
  run(statement: SqlSource<unknown>): Promise<RunResult> {
    return this.#run("run", async () => {
      await this.#autoflushNow();
      const r = await this.#send(statement, "run");
      return { rowsAffected: r.rowsAffected, lastInsertId: r.lastInsertId };
    });
  }

  /**
   * Loads a relationship of one or many objects, in one batched query, with optional nested
   * options: `await session.load(users, "posts", selectin("comments"))`.
   */
  load(
    objs: object | readonly object[],
    relationship: string,
    ...nested: LoaderOption[]
  ): Promise<void> {
    return this.#run("load", async () => {
      const list = Array.isArray(objs) ? objs as object[] : [objs as object];
      if (list.length === 0) return;
      const states = list.map((o) => {
        const s = stateOf(o);
        if (!s || s.session !== this) {
          throw new InvalidRequestError("session.load() takes objects of this session.");
        }
        return s;
      });
      const mapper = states[0].mapper;
      if (states.some((s) => s.mapper !== mapper)) {
        throw new ArgumentError("session.load() takes objects of one class at a time.");
      }
      await this.#autoflushNow();
      const ctx = this.#loadContext();
      const rel = mapper.relationship(relationship);
      await loadRelationship(
        ctx,
        states.filter((s) => s.status === "persistent"),
        rel,
        nested,
        true,
      );
      for (const s of states) {
        if (s.status !== "persistent") rel.current(s, true);
        this.#holders.add(s);
      }
    });
  }

  /** Reloads an object's columns from the database, discarding unflushed changes. */
  refresh(obj: object): Promise<void> {
    return this.#run("refresh", async () => {
      const state = stateOf(obj);
      if (!state || state.session !== this || state.status !== "persistent") {
        throw new InvalidRequestError(
          "session.refresh() takes a persistent object of this session.",
        );
      }
      const mapper = state.mapper;
      const r = await this.#send(
        getStatement(mapper, mapper.pk.map((i) => state.values[i]), this.engine.dialect),
        "values",
      );
      if (r.rows.length === 0) {
        throw new InvalidRequestError(
          `${mapper.name} ${String(state.key)} no longer exists in the database.`,
        );
      }
      this.#dirty.delete(state);
      state.dirty = false;
      hydrate(this.#loadContext(), mapper, r.rows as unknown as unknown[][], r.columns ?? [], true);
    });
  }

  /** Rolls back what is not committed, releases the connection, and clears the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await rollbackIfActive(this.#tx);
      this.#restore();
    } finally {
      await this.#release().catch(() => {});
      this.expungeAll();
      this.#closed = true;
    }
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function getStatement(mapper: Mapper, keys: readonly unknown[], dialect: Dialect): Fragment {
  const strings = mapper.template("get", () => {
    const s = ["SELECT ", " FROM ", " WHERE "];
    mapper.pk.forEach((_, k) => s.push(" = ", k < mapper.pk.length - 1 ? " AND " : ""));
    return s;
  });
  const { list: encoders } = mapper.encoders(dialect);
  const values: unknown[] = [mapper.selectList, mapper.table];
  mapper.pk.forEach((i, k) => {
    const enc = encoders[i];
    values.push(mapper.columns[i], enc === null ? keys[k] : enc(keys[k]));
  });
  return new Fragment(strings, values);
}

function describe(x: unknown): string {
  if (x === null || typeof x !== "object") return String(x);
  return `an instance of ${(x as object).constructor?.name ?? "an unknown class"}`;
}

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

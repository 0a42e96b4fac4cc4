/**
 * A session's transaction, as SQLAlchemy's SessionTransaction: the one owner of its life.
 * It begins the database transaction when first needed, keeps a stack of frames (the
 * transaction, then each savepoint), saves each object the first time a frame changes it,
 * and on rollback restores exactly the objects that frame changed: column values, status,
 * keys, identity-map entries, loaded relationships and the session's pending, changed and
 * deleted sets. A failed flush inside a savepoint rolls back to that savepoint only; one at
 * the top level leaves the session asking for `rollback()`.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import type { Connection, Transaction } from "../../core/engine/connection.ts";
import { rollbackIfActive } from "../../core/engine/ending.ts";
import type { Engine } from "../../core/engine/engine.ts";
import { InvalidRequestError, PendingRollbackError } from "../../core/errors.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { relationOf } from "../mapping/relations.ts";
import { Frame, restoreSnapshots, snapshotOf, StreamHold } from "./frame.ts";
import type { Registry } from "./registry.ts";

/** A session's transaction: database connection, frames, failure. */
export class SessionTransaction {
  readonly #engine: Engine;
  readonly #registry: Registry;
  #conn: Connection | null = null;
  #root: Transaction | null = null;
  #beginning: Promise<Transaction> | null = null;
  readonly #frames: Frame[] = [];
  #failed: unknown = null;
  /** The registry's add order when the transaction (logically) began. */
  #base = 0;
  /** The `session.stream()` loops reading in the transaction now. */
  readonly #holds = new Set<StreamHold>();

  constructor(engine: Engine, registry: Registry) {
    this.#engine = engine;
    this.#registry = registry;
  }

  /** Whether the database transaction has begun. */
  get active(): boolean {
    return this.#root !== null;
  }

  /**
   * Whether this transaction holds work a rollback would undo: an object it flushed or
   * changed, or a savepoint open.
   */
  get holdsWork(): boolean {
    if (this.#frames.length > 1) return true;
    const f = this.#frames[0];
    return f !== undefined && (f.snapshots.size > 0 || f.added.length > 0);
  }

  /** The failure a top-level flush left, until `rollback()`. */
  get failed(): unknown {
    return this.#failed;
  }

  /** Throws PendingRollbackError while a top-level failure waits for `rollback()`. */
  checkUsable(): void {
    if (this.#failed === null) return;
    throw new PendingRollbackError(
      "This session's transaction was rolled back after an error in a flush or a commit " +
        `(${(this.#failed as Error)?.message ?? this.#failed}); call session.rollback() ` +
        "before using it again.",
      { cause: this.#failed },
    );
  }

  #innermost(): Frame {
    let f = this.#frames.at(-1);
    if (f === undefined) this.#frames.push(f = new Frame(null, this.#base));
    return f;
  }

  /**
   * Saves an object's state in the innermost frame, the first time that frame changes it;
   * `clean`: its values were just copied into `loaded` (which was null), so that copy serves.
   */
  touch(state: InstanceState, clean = false): void {
    const frame = this.#innermost();
    if (state.frame === frame) return;
    state.frame = frame;
    if (state.status === "pending" && state.order > frame.start) {
      // New in this frame: a rollback makes it transient; only its values need saving, once
      // (an object new in this frame is saved in no other).
      if (state.original < 0) {
        const saved = frame.addedValues;
        const values = state.values;
        state.original = saved.length;
        state.originalIn = frame;
        for (let i = 0, n = state.mapper.columns.length; i < n; i++) saved.push(values[i]);
        frame.added.push(state);
      }
      return;
    }
    if (frame.snapshots.has(state)) return;
    frame.snapshots.set(state, snapshotOf(state, this.#registry, clean));
  }

  /** Records a relationship first loaded in the innermost frame. */
  noteLoad(state: InstanceState, relationship: string): void {
    this.#innermost().loads.push(state, relationship);
  }

  /** Records a column changed in place in the innermost frame (see `restoreSnapshots`). */
  noteInPlace(state: InstanceState, index: number): void {
    this.#innermost().inPlace.push(state, index);
  }

  /** Forgets an object (expunged): no rollback brings it back. */
  forget(state: InstanceState): void {
    for (const f of this.#frames) f.snapshots.delete(state);
    state.original = -1;
    state.originalIn = null;
    state.frame = null;
  }

  async #begin(): Promise<Transaction> {
    this.checkUsable();
    if (this.#root !== null) return this.#root;
    this.#beginning ??= (async () => {
      const conn = await this.#engine.connect();
      try {
        this.#root = await conn.begin();
      } catch (e) {
        await conn.close();
        throw e;
      }
      this.#conn = conn;
      return this.#root;
    })().finally(() => (this.#beginning = null));
    return await this.#beginning;
  }

  /** The transaction statements run in: the innermost savepoint's, or the outermost. */
  #current(): Transaction | null {
    for (let i = this.#frames.length - 1; i >= 0; i--) {
      const sp = this.#frames[i].savepoint;
      if (sp !== null) return sp;
    }
    return this.#root;
  }

  /** Runs a statement in the transaction, beginning it when needed. */
  execute(statement: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult> {
    const tx = this.#failed === null ? this.#current() : null;
    if (tx !== null) return tx.execute(statement, mode);
    return this.#begin().then(() => this.#current()!.execute(statement, mode));
  }

  /**
   * Opens a stream of a query's rows (arrays, decoded) in chunks, beginning the transaction if
   * needed; its hold says when the transaction (or savepoint) ends under it.
   */
  async openStream(statement: SqlSource<unknown>, size: number): Promise<StreamHold> {
    if (this.#failed !== null || this.#current() === null) await this.#begin();
    const chunks = this.#current()!.streamChunks(statement, "values", size);
    const frame = this.#frames.at(-1);
    return new StreamHold(chunks, frame?.savepoint != null ? frame : null, this.#holds);
  }

  /** The streams reading in `frames` (every one, for null) lose their rows; `failure`: why. */
  #endStreams(frames: Frame[] | null, failure: unknown): void {
    for (const h of this.#holds) {
      if (frames !== null && (h.frame === null || !frames.includes(h.frame))) continue;
      h.ended ??= { savepoint: frames !== null, failure };
    }
  }

  /** Opens a savepoint frame (the caller flushed first). */
  async beginNested(): Promise<Frame> {
    await this.#begin();
    this.#innermost(); // the transaction's own frame comes first
    const savepoint = await this.#current()!.begin();
    const frame = new Frame(savepoint, this.#registry.order);
    this.#frames.push(frame);
    return frame;
  }

  /**
   * Opens a frame in memory only, no savepoint: what a flush's listeners change in it is undone
   * by `undoFrame` when the flush is refused before it sends anything, or joins the enclosing
   * frame by `keepFrame`.
   */
  openMemoryFrame(): Frame {
    this.#innermost();
    const frame = new Frame(null, this.#registry.order);
    this.#frames.push(frame);
    return frame;
  }

  /** Keeps a memory frame's changes: they join the enclosing frame. */
  keepFrame(frame: Frame): void {
    if (this.#frames.at(-1) === frame) this.#merge(frame);
  }

  /** Undoes, in memory, what was changed in a memory frame. */
  undoFrame(frame: Frame): void {
    const i = this.#frames.indexOf(frame);
    if (i >= 0) this.#restoreFrames(this.#frames.splice(i));
  }

  /** Whether a frame is still open. */
  isOpen(frame: Frame): boolean {
    return this.#frames.includes(frame);
  }

  /** Releases a savepoint (and any inside it): their changes join the enclosing frame. */
  async releaseFrame(frame: Frame): Promise<void> {
    this.#checkFrame(frame, "commit");
    const i = this.#frames.indexOf(frame);
    for (const inner of this.#frames.slice(i + 1).reverse()) this.#merge(inner);
    await frame.savepoint!.commit();
    this.#merge(frame);
  }

  #merge(frame: Frame): void {
    const i = this.#frames.indexOf(frame);
    const parent = this.#frames[i - 1];
    for (const [state, snap] of frame.snapshots) {
      if (!parent.snapshots.has(state)) parent.snapshots.set(state, snap);
      if (state.frame === frame) state.frame = parent;
    }
    const base = parent.addedValues.length;
    for (const v of frame.addedValues) parent.addedValues.push(v);
    for (const state of frame.added) {
      if (state.originalIn === frame) {
        state.original += base;
        state.originalIn = parent;
      }
      parent.added.push(state);
      if (state.frame === frame) state.frame = parent;
    }
    for (const load of frame.loads) parent.loads.push(load);
    for (const x of frame.inPlace) parent.inPlace.push(x);
    for (const h of this.#holds) if (h.frame === frame) h.frame = parent.savepoint && parent;
    this.#frames.splice(i, 1);
  }

  #checkFrame(frame: Frame, what: string): void {
    if (this.isOpen(frame)) return;
    throw new InvalidRequestError(
      frame.failure !== null
        ? `Cannot ${what} this savepoint: a failed flush rolled it back (` +
          `${(frame.failure as Error)?.message ?? frame.failure}); its work is undone, and the ` +
          "session goes on in the enclosing transaction."
        : `Cannot ${what} this savepoint: it was already committed or rolled back.`,
    );
  }

  /** Rolls a savepoint back, in the database and in memory, with the savepoints inside it. */
  async rollbackTo(frame: Frame): Promise<void> {
    if (!this.isOpen(frame)) return;
    const i = this.#frames.indexOf(frame);
    const undone = this.#frames.splice(i);
    this.#endStreams(undone, frame.failure);
    try {
      await frame.savepoint!.rollback();
    } finally {
      this.#restoreFrames(undone);
    }
  }

  /**
   * Restores frames (given outermost first), innermost first; what each loaded stays loaded
   * through the frames restored after it (see `restoreSnapshots`).
   */
  #restoreFrames(undone: Frame[]): void {
    for (let k = undone.length - 1; k >= 0; k--) {
      const f = undone[k];
      this.#restore(f);
      const outer = k > 0 ? undone[k - 1] : this.#frames.at(-1);
      if (outer === undefined) continue;
      for (const load of f.loads) outer.loads.push(load);
      for (const x of f.inPlace) outer.inPlace.push(x);
    }
  }

  /**
   * A flush failed: inside a savepoint, roll back to it (the enclosing transaction stays
   * usable); at the top level, roll the database back and wait for `rollback()`.
   */
  async flushFailed(error: unknown): Promise<void> {
    const frame = this.#frames.at(-1);
    if (frame?.savepoint != null && frame.savepoint.isActive) {
      frame.failure = error;
      try {
        await this.rollbackTo(frame);
        return;
      } catch {
        // The savepoint could not be rolled back (a lost connection): the whole transaction
        // is gone.
      }
    }
    this.#failed = error;
    this.#endStreams(null, error);
    await rollbackIfActive(this.#root).catch(() => {});
  }

  /** Commits the database transaction; the frames end. */
  async commit(): Promise<void> {
    this.checkUsable();
    const root = this.#root;
    if (root !== null) {
      try {
        await root.commit();
      } catch (error) {
        this.#failed = error;
        throw error;
      }
    }
    await this.#release();
    for (const f of this.#frames) {
      const added = f.added;
      for (let i = 0; i < added.length; i++) {
        added[i].original = -1;
        added[i].originalIn = null;
      }
    }
    this.#frames.length = 0;
    this.#base = this.#registry.order;
  }

  /** Rolls back in the database and restores every object the transaction changed. */
  async rollback(): Promise<void> {
    this.#endStreams(null, null);
    try {
      await rollbackIfActive(this.#root);
    } finally {
      await this.#release().catch(() => {});
      this.#restoreFrames(this.#frames.splice(0));
      // Objects added with no frame yet to hold them (nothing else changed) are this
      // transaction's too.
      this.#restoreAdded(this.#base);
      this.#failed = null;
      this.#base = this.#registry.order;
    }
  }

  async #release(): Promise<void> {
    const conn = this.#conn;
    this.#root = null;
    this.#conn = null;
    if (conn) await conn.close();
  }

  /** Puts every object a frame changed back as the frame found it. */
  #restore(frame: Frame): void {
    restoreSnapshots(frame, this.#registry);
    let madeNew = 0;
    for (const s of frame.added) {
      const at = s.original;
      if (at < 0 || s.originalIn !== frame) continue; // forgotten, or saved again elsewhere
      s.values = frame.addedValues.slice(at, at + s.mapper.columns.length);
      this.#makeTransient(s);
      madeNew++;
    }
    madeNew += this.#restoreAdded(frame.start);
    if (madeNew === 0) return;
    // A relationship loaded in the frame stays loaded, unless it now holds an object the
    // rollback made new again (a row the rolled-back work inserted).
    const loads = frame.loads;
    for (let k = 0; k < loads.length; k += 2) {
      const s = loads[k] as InstanceState;
      const name = loads[k + 1] as string;
      const l = relationOf(s, name);
      if (l === undefined) continue;
      const items = Array.isArray(l.value) ? l.value : l.value ? [l.value] : [];
      if (items.some((o) => stateOf(o)?.status === "transient")) delete s.relations![name];
    }
  }

  /** Pending objects added after `start` and never flushed become transient; how many. */
  #restoreAdded(start: number): number {
    let n = 0;
    for (const s of [...this.#registry.pending]) {
      if (s.order > start) {
        this.#makeTransient(s);
        n++;
      }
    }
    return n;
  }

  #makeTransient(s: InstanceState): void {
    this.#registry.forget(s);
    s.loaded = null;
    s.flagged = null;
    s.status = "transient";
    s.session = null;
    s.key = undefined;
    s.frame = null;
    s.original = -1;
    s.originalIn = null;
  }
}

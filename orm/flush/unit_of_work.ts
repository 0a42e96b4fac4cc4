/**
 * The unit of work: one flush. It reads the session's new, changed and deleted objects
 * (never changing the session's own collections), checks everything it will write before
 * sending anything, emits the statements in foreign-key order, and returns what it did for
 * the session to apply.
 *
 * Order: relationships are reconciled first (cascades, foreign-key sync, orphans,
 * association rows); then, table by table in dependency order, inserts (multi-row, rows of a
 * self-referential table level by level) and updates (only the changed columns); then the
 * foreign keys of rows in a cycle (a second UPDATE); then association rows; then deletes,
 * dependents first.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import { Fragment } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { type CascadeContext, cascadeDeletes } from "./cascade.ts";
import { deferrable, deleteOrder, insertLevels, orderMappers, selfReferential } from "./order.ts";
import { Plan, type PlanContext, type WorkSets } from "./plan.ts";
import { writeAssociations, type WriteContext } from "./statements.ts";
import { deleteRows, insertRows, postUpdate, updateRow, updateRows } from "./joined.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";
import { fireAll } from "../mapping/events.ts";
import { checkWrites } from "./check.ts";
import { switchRows } from "./row_switch.ts";

/** What a flush needs from its session. */
export interface FlushContext extends WriteContext, CascadeContext, PlanContext {
  readonly pending: ReadonlySet<InstanceState>;
  readonly dirty: ReadonlySet<InstanceState>;
  readonly deleted: ReadonlySet<InstanceState>;
  readonly holders: ReadonlySet<InstanceState>;
  /** Called before the flush changes an object, so that a rollback can restore it. */
  touch(state: InstanceState): void;
}

/** What a successful flush did, for the session to apply. */
export interface FlushResult {
  /** New objects now inserted (their generated columns set). */
  readonly inserted: InstanceState[];
  /** Persistent objects whose rows now hold their values. */
  readonly written: InstanceState[];
  /** Objects whose rows were deleted. */
  readonly deleted: InstanceState[];
  /** Objects whose relationships were reconciled. */
  readonly reconciled: InstanceState[];
}

const NO_COLUMNS: readonly number[] = Object.freeze([]);
const ascending = (a: number, b: number): number => a - b;
const onUpdates = new WeakMap<Mapper, readonly number[]>();

/** The indexes of a mapper's columns with an `onUpdate` value. */
function onUpdateColumns(mapper: Mapper): readonly number[] {
  let list = onUpdates.get(mapper);
  if (list === undefined) {
    list = mapper.indexes.filter((i) => mapper.columns[i].config.onUpdate !== undefined);
    onUpdates.set(mapper, list);
  }
  return list;
}

/** A set of column indexes (in order) as a key: a bit mask when it fits, else their list. */
function columnsKey(indexes: readonly number[]): number | string {
  let mask = 0;
  for (let k = 0; k < indexes.length; k++) {
    if (indexes[k] >= 30) return indexes.join(",");
    mask |= 1 << indexes[k];
  }
  return mask;
}

/**
 * The changed columns of a state as a bit mask (the key `columnsKey` gives their list), 0 for
 * none; -1 past the 30th column, where the list itself is the key.
 */
function changedMask(s: InstanceState): number {
  let mask = 0;
  for (let i = 0, n = s.values.length; i < n; i++) {
    if (!s.columnChanged(i)) continue;
    if (i >= 30) return -1;
    mask |= 1 << i;
  }
  return mask;
}

/** One flush. */
export class UnitOfWork {
  readonly #ctx: FlushContext;
  readonly #sets: WorkSets & { dirty: Set<InstanceState> };
  readonly #plan: Plan;
  readonly #inserted: InstanceState[] = [];
  readonly #written = new Set<InstanceState>();
  readonly #deleted: InstanceState[] = [];
  /** Foreign keys left NULL for a cycle, to set once their parents have keys. */
  readonly #later = new Map<InstanceState, Set<number>>();

  constructor(ctx: FlushContext) {
    this.#ctx = ctx;
    this.#sets = {
      pending: new Set(ctx.pending),
      dirty: new Set(ctx.dirty),
      deleted: new Set(ctx.deleted),
      holders: ctx.holders,
    };
    this.#plan = new Plan(this.#sets, ctx);
  }

  /** Reconciles relationships; sends nothing. */
  reconcile(): void {
    this.#plan.reconcile();
  }

  /** Checks every value to be written; sends nothing. */
  check(): void {
    this.#check();
  }

  /**
   * The before-events, once reconciling has settled what the flush writes: what a listener
   * changes in a column is written by this flush, and what it throws stops the flush.
   */
  beforeEvents(): void {
    const sets = this.#sets;
    fireAll("beforeInsert", sets.pending);
    const updating: InstanceState[] = [];
    // forEach, not for...of, over the sets of a flush: no iterator result per object in code
    // not yet optimized (a flush runs its loops a few times each, over many objects).
    sets.dirty.forEach((s) => {
      if (s.status === "persistent" && !sets.deleted.has(s)) updating.push(s);
    });
    this.#plan.rules.forEach((_, s) => {
      if (s.status === "persistent" && !sets.deleted.has(s) && !sets.dirty.has(s)) {
        updating.push(s);
      }
    });
    fireAll("beforeUpdate", updating);
    fireAll("beforeDelete", sets.deleted);
    // A listener may have changed a persistent object the flush was not writing.
    this.#ctx.dirty.forEach((s) => sets.dirty.add(s));
  }

  #check(): void {
    checkWrites(this.#sets, this.#plan, this.#ctx.hideParameters);
  }

  /** Runs the flush's statements. */
  async execute(): Promise<FlushResult> {
    const ctx = this.#ctx;
    const sets = this.#sets;
    const chosen = new Set(sets.deleted);
    const before = await cascadeDeletes(ctx, sets, this.#plan);
    if (sets.deleted.size > chosen.size) {
      fireAll("beforeDelete", [...sets.deleted].filter((s) => !chosen.has(s)));
    }
    const mappers = new Set<Mapper>();
    let last: Mapper | null = null;
    const touch = (s: InstanceState) => {
      ctx.touch(s);
      if (s.mapper !== last) mappers.add(last = s.mapper);
    };
    sets.pending.forEach(touch);
    sets.dirty.forEach(touch);
    sets.deleted.forEach(touch);
    this.#plan.rules.forEach((_, s) => touch(s));
    const switched = switchRows(sets);
    const { order, broken } = orderMappers([...mappers]);
    for (const mapper of order) {
      await this.#inserts(mapper);
      await this.#updates(mapper);
    }
    for (const [s, columns] of this.#later) {
      for (const fk of columns) this.#applyRule(s, fk, true);
      await postUpdate(ctx, s, [...columns]);
      if (s.status === "persistent") this.#written.add(s);
    }
    // A deleted object's association rows go before new ones are written: a new object that
    // took over its row (a row switch) may link the same pairs again.
    for (const statement of before) await ctx.execute(statement, "run");
    await writeAssociations(ctx, this.#plan.assocRemove, this.#plan.assocAdd, sets.deleted);
    // Rows deleted across a broken cycle let go of each other first.
    for (const { mapper, fk } of broken) {
      for (const s of sets.deleted) {
        if (s.mapper !== mapper || s.status !== "persistent" || s.stored[fk] == null) continue;
        await postUpdate(ctx, s, [fk], null);
      }
    }
    for (const mapper of [...order].reverse()) await this.#deletes(mapper);
    // A switched row's new object was inserted, as far as the session knows; the old deleted.
    for (const [n, d] of switched) {
      this.#written.delete(n);
      this.#inserted.push(n);
      this.#deleted.push(d);
    }
    return {
      inserted: this.#inserted,
      written: [...this.#written],
      deleted: this.#deleted,
      reconciled: this.#plan.reconciled,
    };
  }

  /**
   * Sets one foreign key from its rule. A parent with no key yet (inserted later in a cycle)
   * leaves it NULL for a second UPDATE, where the column may wait.
   */
  #applyRule(s: InstanceState, fk: number, final = false): void {
    const rule = this.#plan.rules.get(s)?.get(fk);
    if (rule === undefined) return;
    if (rule.parent === null) {
      s.set(fk, null, false); // the flush's own write: not through the validators
      return;
    }
    const v = rule.parent.values[rule.ref];
    if (v === undefined) {
      if (!final && deferrable(s.mapper, fk)) {
        let later = this.#later.get(s);
        if (!later) this.#later.set(s, later = new Set());
        later.add(fk);
        if (s.values[fk] === undefined) s.values[fk] = null;
        return;
      }
      throw new InvalidRequestError(
        `${s.mapper.name}.${s.mapper.keys[fk]} refers to a ${rule.parent.mapper.name} with no ` +
          "key yet; the flush could not order them.",
      );
    }
    s.set(fk, v, false);
  }

  #applyRules(s: InstanceState): void {
    const rules = this.#plan.rules.get(s);
    if (!rules) return;
    for (const fk of rules.keys()) this.#applyRule(s, fk);
    if (s.status === "persistent" && s.hasChanges()) this.#sets.dirty.add(s);
  }

  async #inserts(mapper: Mapper): Promise<void> {
    const sets = this.#sets;
    // Rules for this table's rows that are already persistent.
    this.#plan.rules.forEach((_, s) => {
      if (s.mapper === mapper && s.status !== "pending") this.#applyRules(s);
    });
    const states: InstanceState[] = [];
    sets.pending.forEach((s) => {
      if (s.mapper === mapper && s.status === "pending") states.push(s);
    });
    if (states.length === 0) return;
    states.sort((a, b) => a.order - b.order);
    for (const level of insertLevels(mapper, states, this.#plan.rules)) {
      if (this.#plan.rules.size > 0) {
        for (let i = 0; i < level.length; i++) this.#applyRules(level[i]);
      }
      await insertRows(this.#ctx, mapper, level);
      for (let i = 0; i < level.length; i++) this.#inserted.push(level[i]);
    }
  }

  async #updates(mapper: Mapper): Promise<void> {
    const ctx = this.#ctx;
    const sets = this.#sets;
    const cols = mapper.columns;
    const batchable = ctx.dialect.updateRows !== undefined && mapper.version < 0;
    const groups = new Map<number | string, { changed: number[]; states: InstanceState[] }>();
    const onUpdates = onUpdateColumns(mapper);
    const dirty = [...sets.dirty]; // an array, walked by index (see beforeEvents)
    // Rows that only take their changed columns group by a mask, with no list made per row.
    const plain = batchable && onUpdates.length === 0 && mapper.readBack.length === 0;
    for (let d = 0; d < dirty.length; d++) {
      const s = dirty[d];
      if (s.mapper !== mapper || sets.deleted.has(s) || s.status !== "persistent") continue;
      const mask = plain ? changedMask(s) : -1;
      if (mask === 0) continue;
      if (mask > 0) {
        const group = groups.get(mask);
        if (group) group.states.push(s);
        else {
          const changed = s.changedColumns();
          if (changed.length === 0) continue; // a value whose comparison changed since
          groups.set(mask, { changed, states: [s] });
        }
        this.#written.add(s);
        continue;
      }
      const changed = s.changedColumns();
      if (changed.length === 0) continue;
      let computed: readonly number[] = NO_COLUMNS;
      const given = changed.length;
      for (let k = 0; k < onUpdates.length; k++) {
        const i = onUpdates[k];
        if (changed.includes(i)) continue;
        const onUpdate = cols[i].config.onUpdate;
        if (onUpdate instanceof Fragment) computed = [...computed, i];
        else {
          s.values[i] = typeof onUpdate === "function" ? (onUpdate as () => unknown)() : onUpdate;
        }
        changed.push(i);
      }
      const version = mapper.version;
      if (version >= 0 && !changed.includes(version)) {
        const v = s.stored[version];
        s.values[version] = typeof v === "bigint" ? v + 1n : Number(v) + 1;
        changed.push(version);
      }
      if (changed.length > given) changed.sort(ascending); // changedColumns' are in order
      this.#written.add(s);
      if (batchable && computed.length === 0 && mapper.readBack.length === 0) {
        const key = columnsKey(changed);
        let group = groups.get(key);
        if (!group) groups.set(key, group = { changed, states: [] });
        group.states.push(s);
        continue;
      }
      await updateRow(ctx, mapper, s, changed, computed);
    }
    for (const { changed, states } of groups.values()) {
      if (states.length === 1) {
        await updateRow(ctx, mapper, states[0], changed, []);
        continue;
      }
      const perRow = mapper.pk.length + changed.length;
      const size = rowsPerStatement(ctx.dialect, perRow);
      for (let i = 0; i < states.length; i += size) {
        await updateRows(ctx, mapper, states.slice(i, i + size), changed);
      }
    }
  }

  async #deletes(mapper: Mapper): Promise<void> {
    let states = [...this.#sets.deleted].filter((s) =>
      s.mapper === mapper && s.status === "persistent"
    );
    if (states.length === 0) return;
    const { order, clear } = deleteOrder(mapper, states);
    for (const [s, fk] of clear) await postUpdate(this.#ctx, s, [fk], null);
    states = order;
    await deleteRows(this.#ctx, mapper, states, selfReferential(mapper));
    for (const s of states) this.#deleted.push(s);
  }
}

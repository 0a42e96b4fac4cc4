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
import { ArgumentError, IntegrityError, InvalidRequestError } from "../../core/errors.ts";
import { Fragment } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { type CascadeContext, cascadeDeletes } from "./cascade.ts";
import { deferrable, deleteOrder, insertLevels, orderMappers, selfReferential } from "./order.ts";
import { Plan, type PlanContext, type WorkSets } from "./plan.ts";
import {
  deleteRows,
  insertRows,
  postUpdate,
  updateRow,
  updateRows,
  writeAssociations,
  type WriteContext,
} from "./statements.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";

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

const hideValue = (problem: string): string =>
  problem.replace(/, got .*$/s, ", got a value hidden by hideParameters");

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

  /** Reconciles relationships and checks every value to be written; sends nothing. */
  prepare(): void {
    this.#plan.reconcile();
    this.#check();
  }

  #check(): void {
    const hide = this.#ctx.hideParameters;
    const checkState = (s: InstanceState, columns: Iterable<number>) => {
      const cols = s.mapper.columns;
      for (const i of columns) {
        const v = s.values[i];
        if (v === undefined || v === null) continue;
        let problem: string | null;
        try {
          if (v instanceof Fragment) continue;
          problem = cols[i].type.check(v);
        } catch {
          problem =
            "got a value that could not be inspected (a revoked Proxy?); pass a plain value";
        }
        if (problem !== null) {
          throw new ArgumentError(
            `${s.mapper.name}.${cols[i].key} ${hide ? hideValue(problem) : problem}.`,
          );
        }
      }
    };
    for (const s of this.#sets.pending) {
      checkState(s, s.mapper.indexes);
      this.#checkRequired(s);
    }
    for (const s of this.#sets.dirty) checkState(s, s.changedColumns());
  }

  /** A NOT NULL column of a new row with no value, no default and no parent to fill it. */
  #checkRequired(s: InstanceState): void {
    const rules = this.#plan.rules.get(s);
    s.mapper.columns.forEach((col, i) => {
      const c = col.config;
      if (c.nullable || col.generated || c.default !== undefined || c.serverDefault !== undefined) {
        return;
      }
      const v = s.values[i];
      if (v !== undefined && v !== null) return;
      const rule = rules?.get(i);
      if (rule?.parent) return;
      const fix = c.references ? ", set it (or the relationship that fills it)" : ", set it";
      throw new IntegrityError(
        `${s.mapper.name}.${col.key} is NOT NULL and has no value${fix}, give the column a ` +
          "default, or make it nullable. Nothing of this flush was sent.",
        { code: "NOT_NULL" },
      );
    });
  }

  /** Runs the flush's statements. */
  async execute(): Promise<FlushResult> {
    const ctx = this.#ctx;
    const sets = this.#sets;
    const before = await cascadeDeletes(ctx, sets, this.#plan);
    for (const set of [sets.pending, sets.dirty, sets.deleted, this.#plan.rules.keys()]) {
      for (const s of set) ctx.touch(s);
    }
    const mappers = new Set<Mapper>();
    for (const set of [sets.pending, sets.dirty, sets.deleted, this.#plan.rules.keys()]) {
      for (const s of set) mappers.add(s.mapper);
    }
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
    await writeAssociations(ctx, this.#plan.assocRemove, this.#plan.assocAdd, sets.deleted);
    for (const statement of before) await ctx.execute(statement, "run");
    // Rows deleted across a broken cycle let go of each other first.
    for (const { mapper, fk } of broken) {
      for (const s of sets.deleted) {
        if (s.mapper !== mapper || s.status !== "persistent" || s.stored[fk] == null) continue;
        await postUpdate(ctx, s, [fk], null);
      }
    }
    for (const mapper of [...order].reverse()) await this.#deletes(mapper);
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
      s.set(fk, null);
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
    s.set(fk, v);
  }

  #applyRules(s: InstanceState): void {
    const rules = this.#plan.rules.get(s);
    if (!rules) return;
    for (const fk of rules.keys()) this.#applyRule(s, fk);
    if (s.status === "persistent" && s.changedColumns().length > 0) this.#sets.dirty.add(s);
  }

  async #inserts(mapper: Mapper): Promise<void> {
    const sets = this.#sets;
    // Rules for this table's rows that are already persistent.
    for (const s of this.#plan.rules.keys()) {
      if (s.mapper === mapper && s.status !== "pending") this.#applyRules(s);
    }
    const states: InstanceState[] = [];
    for (const s of sets.pending) if (s.mapper === mapper && s.status === "pending") states.push(s);
    if (states.length === 0) return;
    states.sort((a, b) => a.order - b.order);
    for (const level of insertLevels(mapper, states, this.#plan.rules)) {
      for (const s of level) this.#applyRules(s);
      await insertRows(this.#ctx, mapper, level);
      for (const s of level) this.#inserted.push(s);
    }
  }

  async #updates(mapper: Mapper): Promise<void> {
    const ctx = this.#ctx;
    const sets = this.#sets;
    const cols = mapper.columns;
    const batchable = ctx.dialect.updateRows !== undefined && mapper.version < 0;
    const groups = new Map<string, { changed: number[]; states: InstanceState[] }>();
    for (const s of sets.dirty) {
      if (s.mapper !== mapper || sets.deleted.has(s) || s.status !== "persistent") continue;
      const changed = s.changedColumns();
      if (changed.length === 0) continue;
      const computed: number[] = [];
      for (let i = 0; i < cols.length; i++) {
        const onUpdate = cols[i].config.onUpdate;
        if (onUpdate === undefined || changed.includes(i)) continue;
        if (onUpdate instanceof Fragment) computed.push(i);
        else {
          s.values[i] = typeof onUpdate === "function" ? (onUpdate as () => unknown)() : onUpdate;
        }
        changed.push(i);
      }
      const version = mapper.version;
      if (version >= 0 && !changed.includes(version)) {
        s.values[version] = (s.stored[version] as number) + 1;
        changed.push(version);
      }
      changed.sort((a, b) => a - b);
      this.#written.add(s);
      if (batchable && computed.length === 0) {
        const key = changed.join(",");
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
    states = deleteOrder(mapper, states);
    await deleteRows(this.#ctx, mapper, states, selfReferential(mapper));
    for (const s of states) this.#deleted.push(s);
  }
}

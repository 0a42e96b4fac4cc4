/**
 * Reconciling relationships before a flush: which foreign keys take which parent's key (or
 * null), which children became orphans, which association rows appear or go, and which new
 * objects join by a save-update cascade. Nothing is sent.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { type InstanceState, type Loaded, stateOf } from "../mapping/state.ts";
import { isLoaded, relationOf } from "../mapping/relations.ts";
import type { RelationEntry } from "../mapping/state_parts.ts";
import { type Relationship, relationshipsOf } from "../relationship/relationship.ts";
import { loadedOf } from "../relationship/sync.ts";

/** A foreign key to take from a parent (null: to set to NULL). */
export interface Rule {
  readonly parent: InstanceState | null;
  /** The referenced column's index in the parent. */
  readonly ref: number;
}

/** One association row: its two columns, and the objects and column indexes they take. */
export type Pair = readonly [Column, InstanceState, number, Column, InstanceState, number];

/** What the flush must see through, as reconciling relationships found it. */
export interface WorkSets {
  /** New objects to insert; cascaded ones are added here. */
  readonly pending: Set<InstanceState>;
  /** Persistent objects with changed columns. */
  readonly dirty: ReadonlySet<InstanceState>;
  /** Objects to delete; orphans are added here. */
  readonly deleted: Set<InstanceState>;
  /** Objects holding loaded relationships. */
  readonly holders: ReadonlySet<InstanceState>;
}

/** What a plan asks of its session. */
export interface PlanContext {
  /** Adds a transient object to the session (a save-update cascade). */
  add(obj: object): void;
  /** Removes a pending object from the session (an orphan never inserted). */
  expunge(state: InstanceState): void;
}

const isNew = (s: InstanceState): boolean => s.status === "transient" || s.status === "pending";

/**
 * Whether a loaded relationship still holds what the database holds, with no new object. A
 * settled single reference (an object or null: see `RelationEntry`) is its own base.
 */
function unchanged(e: RelationEntry): boolean {
  if (!isLoaded(e)) return e === null || !isNew(stateOf(e)!);
  const { value, base } = e;
  if (!Array.isArray(value)) return value === base && (value === null || !isNew(stateOf(value)!));
  if (!Array.isArray(base) || base.length !== value.length) return false;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== base[i] || isNew(stateOf(value[i])!)) return false;
  }
  return true;
}

let nextId = 0;
const objectIds = new WeakMap<object, number>();
function objectId(s: InstanceState): number {
  let id = objectIds.get(s);
  if (id === undefined) objectIds.set(s, id = ++nextId);
  return id;
}

/** The plan of one flush's relationships. */
export class Plan {
  /** Foreign-key values to set from a parent (or to null), per child and column. */
  readonly rules: Map<InstanceState, Map<number, Rule>> = new Map();
  readonly assocAdd: Map<Table, Map<string, Pair>> = new Map();
  readonly assocRemove: Map<Table, Map<string, Pair>> = new Map();
  /** Objects whose relationships were reconciled (their bases move on after the flush). */
  readonly reconciled: InstanceState[] = [];
  readonly #sets: WorkSets;
  readonly #ctx: PlanContext;

  constructor(sets: WorkSets, ctx: PlanContext) {
    this.#sets = sets;
    this.#ctx = ctx;
  }

  /** Sets a rule: `child`'s column `fk` takes `parent`'s column `ref` (or NULL). */
  rule(child: InstanceState, fk: number, parent: InstanceState | null, ref: number): void {
    let m = this.rules.get(child);
    if (!m) this.rules.set(child, m = new Map());
    if (parent === null && m.get(fk)?.parent) return; // a parent given elsewhere wins
    m.set(fk, { parent, ref });
  }

  /** Walks every object with loaded relationships, and what they reach. */
  reconcile(): void {
    const sets = this.#sets;
    const queue: InstanceState[] = [];
    // forEach, not for...of: no iterator result per object in code not yet optimized.
    const enqueue = (s: InstanceState) => {
      if (s.relations !== null) queue.push(s);
    };
    sets.pending.forEach(enqueue);
    sets.dirty.forEach(enqueue);
    sets.holders.forEach(enqueue);
    const seen = new Set<InstanceState>();
    const removed: [InstanceState, Relationship, InstanceState][] = [];
    const orphans: InstanceState[] = [];
    while (queue.length > 0) {
      const s = queue.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (s.relations === null || sets.deleted.has(s)) continue;
      const fresh = isNew(s);
      let reconciled = false;
      const record = s.relations!;
      const names = Object.keys(record);
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        // What still equals what was loaded (or last flushed) needs nothing.
        if (!fresh && unchanged(record[name])) continue;
        const l = relationOf(s, name)!;
        if (!reconciled) {
          reconciled = true;
          this.reconciled.push(s);
        }
        const rel = relationshipsOf(s.mapper).get(name)!;
        const enlist = (obj: object) => this.#enlist(rel, obj, queue);
        if (rel.direction === "manyToOne") {
          const v = l.value as object | null;
          if (v) this.rule(s, rel.fk, enlist(v), rel.ref);
          else if (this.#orphaned(s, rel, l)) orphans.push(s);
          else if (l.base !== null || fresh) this.rule(s, rel.fk, null, rel.ref);
          continue;
        }
        const current = (rel.scalar ? (l.value ? [l.value] : []) : l.value) as object[];
        const base = (rel.scalar ? (l.base ? [l.base] : []) : (l.base ?? [])) as object[];
        if (rel.direction === "oneToMany") {
          // Only what joined the collection takes the parent's key: a child held before keeps
          // its foreign key as it is (set by hand, or by a bulk update, it is not undone).
          const held = !fresh && base.length > 8 ? new Set(base) : null;
          for (const child of current) {
            const cs = enlist(child);
            if (fresh || !(held ? held.has(child) : base.includes(child))) {
              this.rule(cs, rel.fk, s, rel.ref);
            }
          }
          for (const child of base) {
            if (!current.includes(child)) removed.push([stateOf(child)!, rel, s]);
          }
        } else {
          const sec = rel.secondary!;
          for (const t of current) {
            const ts = enlist(t);
            if (!base.includes(t)) this.#pair(this.assocAdd, sec, s, rel, ts);
          }
          for (const t of base) {
            if (!current.includes(t)) this.#pair(this.assocRemove, sec, s, rel, stateOf(t)!);
          }
        }
      }
    }
    for (const [child, rel, parent] of removed) {
      const rules = this.rules.get(child);
      const rule = rules?.get(rel.fk);
      if (rule?.parent && rule.parent !== parent) continue; // moved to another parent
      if (rule?.parent) rules!.delete(rel.fk); // the stale link of an index assignment
      // The child still names its old parent where the collection changed without it seeing
      // (index assignment, which back-populates cannot see): that reference goes too.
      const l = rel.back ? loadedOf(rel.back, child) : undefined;
      if (l && l.value === parent.obj) l.value = null;
      if (rel.cascade.deleteOrphan) orphans.push(child);
      else this.rule(child, rel.fk, null, rel.ref);
    }
    for (const orphan of orphans) {
      this.rules.delete(orphan);
      if (orphan.status === "pending") {
        this.#ctx.expunge(orphan);
        sets.pending.delete(orphan);
      } else if (orphan.status === "persistent") sets.deleted.add(orphan);
    }
  }

  /**
   * Whether a child whose many-to-one was set to null is an orphan: the parent's side
   * deletes orphans, and the child had a parent (known, or named by its foreign key).
   */
  #orphaned(child: InstanceState, rel: Relationship, l: Loaded): boolean {
    if (!rel.back?.cascade.deleteOrphan) return false;
    if (l.base !== undefined) return l.base !== null;
    const fk = child.stored[rel.fk];
    return fk !== null && fk !== undefined;
  }

  #enlist(rel: Relationship, obj: object, queue: InstanceState[]): InstanceState {
    const os = stateOf(obj)!;
    if (os.status === "transient" && rel.cascade.saveUpdate) {
      this.#ctx.add(obj);
      if ((os.status as string) === "pending") this.#sets.pending.add(os);
    }
    if (os.status === "transient") {
      throw new InvalidRequestError(
        `${rel.qualifiedName} refers to a new ${os.mapper.name} that is not in the ` +
          "session (its cascade has no save-update); add it with session.add().",
      );
    }
    queue.push(os);
    return os;
  }

  #pair(
    into: Map<Table, Map<string, Pair>>,
    sec: { table: Table; owner: Column; target: Column },
    owner: InstanceState,
    rel: Relationship,
    target: InstanceState,
  ): void {
    let m = into.get(sec.table);
    if (!m) into.set(sec.table, m = new Map());
    // One row per (column, object) pair, whichever side of a back-populated pair saw it.
    const a = [sec.owner, owner, rel.ref] as const;
    const b = [sec.target, target, rel.fk] as const;
    const [x, y] = a[0].name <= b[0].name ? [a, b] : [b, a];
    const key = `${x[0].name}:${objectId(x[1])}|${y[0].name}:${objectId(y[1])}`;
    m.set(key, [...x, ...y]);
  }
}

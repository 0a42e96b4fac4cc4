/**
 * The unit of work: turns the session's new, changed and deleted objects into INSERT, UPDATE
 * and DELETE statements, ordered by foreign-key dependencies and batched.
 *
 * Order: relationships are reconciled first (cascades, foreign-key sync, orphans,
 * association rows); then, table by table in dependency order, inserts (multi-row
 * `INSERT ... RETURNING`, self-referential rows level by level) and updates (only the changed
 * columns); then association rows; then deletes, dependents first.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../core/driver.ts";
import {
  ArgumentError,
  IntegrityError,
  InvalidRequestError,
  StaleDataError,
} from "../core/errors.ts";
import type { Column, ColumnTable } from "../core/schema/column.ts";
import { sameTable, type Table } from "../core/schema/table.ts";
import { Fragment, Identifier } from "../core/sql/nodes.ts";
import { sql } from "../core/sql/tag.ts";
import { type LoadContext, loadRelationship } from "./loading.ts";
import type { Mapper } from "./mapper.ts";
import type { Relationship } from "./relationship.ts";
import { type InstanceState, stateOf } from "./state.ts";

/** What a flush needs from its session. */
export interface FlushContext extends LoadContext {
  readonly pending: Set<InstanceState>;
  readonly dirty: Set<InstanceState>;
  readonly deleted: Set<InstanceState>;
  readonly holders: Set<InstanceState>;
  /** Adds a transient object to the session (a cascade). */
  add(obj: object): void;
  /** Removes a pending object from the session (an orphan never inserted). */
  expunge(state: InstanceState): void;
  /** Runs a fragment in the session's transaction. */
  run(fragment: Fragment, mode: QueryMode): Promise<QueryResult>;
}

/** What a successful flush did, for the session to finalise. */
export interface FlushResult {
  inserted: InstanceState[];
  updated: InstanceState[];
  deleted: InstanceState[];
  reconciled: InstanceState[];
}

interface Rule {
  parent: InstanceState | null;
  ref: number;
}

const ids = new WeakMap<Column, Identifier>();
const idOf = (c: Column): Identifier => {
  let id = ids.get(c);
  if (!id) ids.set(c, id = new Identifier([c.name]));
  return id;
};

const tableIds = new WeakMap<Table, Fragment>();
const tableOf = (t: Table): Fragment => {
  let f = tableIds.get(t);
  if (!f) {
    tableIds.set(
      t,
      f = new Fragment(["", ""], [new Identifier(t.schema ? [t.schema, t.name] : [t.name])]),
    );
  }
  return f;
};

/** Whether a value is SQL; false for anything that cannot be looked at (a revoked Proxy). */
const isFragment = (v: unknown): boolean => {
  try {
    return v instanceof Fragment;
  } catch {
    return false; // the type check then reports it
  }
};

const isNew = (s: InstanceState): boolean => s.status === "transient" || s.status === "pending";

/** Builds a fragment from pieces, caching the strings array per statement shape. */
class Builder {
  strings: string[] = [""];
  values: unknown[] = [];
  text(t: string): this {
    this.strings[this.strings.length - 1] += t;
    return this;
  }
  value(v: unknown): this {
    this.values.push(v);
    this.strings.push("");
    return this;
  }
  build(mapper: Mapper, key: string): Fragment {
    return new Fragment(mapper.template(key, () => this.strings), this.values);
  }
}

/** One flush. */
export class UnitOfWork {
  readonly #ctx: FlushContext;
  /** Foreign-key values to set from a parent (or to null), per child state and column. */
  readonly #rules = new Map<InstanceState, Map<number, Rule>>();
  readonly #nullRules = new Map<InstanceState, Set<number>>();
  readonly #orphans: InstanceState[] = [];
  readonly #assocAdd = new Map<
    Table,
    Map<string, [Column, InstanceState, number, Column, InstanceState, number]>
  >();
  readonly #assocRemove = new Map<
    Table,
    Map<string, [Column, InstanceState, number, Column, InstanceState, number]>
  >();
  readonly #preDelete: Fragment[] = [];
  readonly #reconciled: InstanceState[] = [];
  readonly #inserted: InstanceState[] = [];
  readonly #updated: InstanceState[] = [];
  readonly #deletedDone: InstanceState[] = [];

  constructor(ctx: FlushContext) {
    this.#ctx = ctx;
  }

  /** Reconciles relationships and checks values; sends nothing. */
  prepare(): void {
    this.#reconcile();
    this.#check();
  }

  /** Runs the flush's statements. */
  async execute(): Promise<FlushResult> {
    await this.#cascadeDeletes();
    for (const s of this.#ctx.pending) if (s.original === null) s.original = s.values.slice();
    const order = this.#order();
    for (const mapper of order) {
      await this.#inserts(mapper);
      await this.#updates(mapper);
    }
    await this.#associations();
    for (const f of this.#preDelete) await this.#ctx.run(f, "run");
    for (const mapper of [...order].reverse()) await this.#deletes(mapper);
    return {
      inserted: this.#inserted,
      updated: this.#updated,
      deleted: this.#deletedDone,
      reconciled: this.#reconciled,
    };
  }

  #rule(child: InstanceState, fk: number, parent: InstanceState | null, ref: number): void {
    if (parent === null) {
      let set = this.#nullRules.get(child);
      if (!set) this.#nullRules.set(child, set = new Set());
      set.add(fk);
      return;
    }
    let m = this.#rules.get(child);
    if (!m) this.#rules.set(child, m = new Map());
    m.set(fk, { parent, ref });
  }

  #reconcile(): void {
    const ctx = this.#ctx;
    const queue: InstanceState[] = [];
    for (const set of [ctx.pending, ctx.dirty, ctx.holders]) {
      for (const s of set) if (s.relations !== null) queue.push(s);
    }
    const seen = new Set<InstanceState>();
    const removedChildren: [InstanceState, Relationship, InstanceState][] = [];
    while (queue.length > 0) {
      const s = queue.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (s.relations === null || ctx.deleted.has(s)) continue;
      const fresh = isNew(s);
      let reconciled = false;
      for (const name in s.relations) {
        const l = s.relations[name] as { value: unknown; base: unknown };
        // What still equals what was loaded (or last flushed) needs nothing.
        if (!fresh && unchanged(l)) continue;
        if (!reconciled) {
          reconciled = true;
          this.#reconciled.push(s);
        }
        const rel = s.mapper.relationships.get(name)!;
        const cascade = rel.cascade;
        const enlist = (obj: object) => {
          const os = stateOf(obj)!;
          if (os.status === "transient" && cascade.saveUpdate) ctx.add(obj);
          if (os.status === "transient") {
            throw new InvalidRequestError(
              `${rel.qualifiedName} refers to a new ${os.mapper.name} that is not in the ` +
                "session (its cascade has no save-update); add it with session.add().",
            );
          }
          queue.push(os);
          return os;
        };
        if (rel.direction === "manyToOne") {
          const v = l.value as object | null;
          if (v) this.#rule(s, rel.fk, enlist(v), rel.ref);
          else if (l.base !== null || isNew(s)) this.#rule(s, rel.fk, null, rel.ref);
          continue;
        }
        const current = (rel.scalar ? (l.value ? [l.value] : []) : l.value) as object[];
        const base = (rel.scalar ? (l.base ? [l.base] : []) : (l.base ?? [])) as object[];
        if (rel.direction === "oneToMany") {
          for (const child of current) this.#rule(enlist(child), rel.fk, s, rel.ref);
          for (const child of base) {
            if (!current.includes(child)) removedChildren.push([stateOf(child)!, rel, s]);
          }
        } else {
          const sec = rel.secondary!;
          for (const t of current) {
            const ts = enlist(t);
            if (!base.includes(t)) this.#pair(this.#assocAdd, sec, s, rel, ts);
          }
          for (const t of base) {
            if (!current.includes(t)) this.#pair(this.#assocRemove, sec, s, rel, stateOf(t)!);
          }
        }
      }
    }
    for (const [child, rel, parent] of removedChildren) {
      const rules = this.#rules.get(child);
      const rule = rules?.get(rel.fk);
      if (rule && rule.parent !== parent) continue; // moved to another parent
      if (rule) {
        // The child still names its old parent (the collection changed by index
        // assignment, which back-populates cannot see): that link is stale.
        rules!.delete(rel.fk);
        const back = rel.back;
        const l = back?.loaded(child);
        if (l && l.value === parent.obj) l.value = null;
      }
      if (rel.cascade.deleteOrphan) this.#orphans.push(child);
      else this.#rule(child, rel.fk, null, rel.ref);
    }
    for (const orphan of this.#orphans) {
      if (orphan.status === "pending") ctx.expunge(orphan);
      else if (orphan.status === "persistent") ctx.deleted.add(orphan);
    }
  }

  #pair(
    into: Map<Table, Map<string, [Column, InstanceState, number, Column, InstanceState, number]>>,
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
    m.set(key, [...x, ...y] as [Column, InstanceState, number, Column, InstanceState, number]);
  }

  /** Checks every value that will be written, before anything is sent. */
  #check(): void {
    const ctx = this.#ctx;
    const checkState = (s: InstanceState, columns: Iterable<number>) => {
      const cols = s.mapper.columns;
      for (const i of columns) {
        const v = s.values[i];
        if (v === undefined || v === null || isFragment(v)) continue;
        const problem = cols[i].type.check(v);
        if (problem !== null) {
          throw new ArgumentError(`${s.mapper.name}.${cols[i].key} ${problem}.`);
        }
      }
    };
    for (const s of ctx.pending) checkState(s, s.mapper.indexes);
    for (const s of ctx.dirty) checkState(s, s.changedColumns());
  }

  async #cascadeDeletes(): Promise<void> {
    const ctx = this.#ctx;
    const queue = [...ctx.deleted];
    const done = new Set<InstanceState>();
    while (queue.length > 0) {
      const d = queue.shift()!;
      if (done.has(d)) continue;
      done.add(d);
      for (const rel of d.mapper.relationships.values()) {
        const direction = rel.direction;
        if (direction === "manyToMany") {
          if (rel.options.passiveDeletes) continue;
          const sec = rel.secondary!;
          const key = d.values[rel.ref];
          this.#preDelete.push(sql`DELETE FROM ${sec.table} WHERE ${idOf(sec.owner)} = ${key}`);
          continue;
        }
        if (direction === "manyToOne") {
          if (!rel.cascade.delete) continue;
          let parent: unknown;
          try {
            parent = rel.get(d.obj);
          } catch {
            continue;
          }
          const ps = stateOf(parent);
          if (ps && ps.status === "persistent" && !ctx.deleted.has(ps)) {
            ctx.deleted.add(ps);
            queue.push(ps);
          }
          continue;
        }
        if (rel.options.passiveDeletes) continue;
        const target = rel.targetMapper;
        const fkCol = target.columns[rel.fk];
        const onDelete = fkCol.config.references?.options.onDelete;
        let l = rel.loaded(d);
        if (l === undefined && !rel.cascade.delete) {
          // The database's ON DELETE handles the children it was told to.
          if (onDelete === "cascade" || onDelete === "set null" || onDelete === "set default") {
            continue;
          }
          if (fkCol.config.nullable) {
            // The children lose their parent in one statement.
            this.#preDelete.push(
              sql`UPDATE ${tableOf(target.table)} SET ${idOf(fkCol)} = NULL WHERE ${
                idOf(fkCol)
              } = ${d.values[rel.ref]}`,
            );
            continue;
          }
        }
        if (l === undefined) {
          await loadRelationship(ctx, [d], rel, [], false);
          l = rel.loaded(d)!;
        }
        const children = new Set<object>([
          ...((rel.scalar ? (l.value ? [l.value] : []) : l.value) as object[]),
          ...((rel.scalar ? (l.base ? [l.base] : []) : (l.base ?? [])) as object[]),
        ]);
        for (const child of children) {
          const cs = stateOf(child)!;
          if (rel.cascade.delete) {
            if (cs.status === "pending") ctx.expunge(cs);
            else if (cs.status === "persistent" && !ctx.deleted.has(cs)) {
              ctx.deleted.add(cs);
              queue.push(cs);
            }
          } else if (cs.status === "persistent" && !ctx.deleted.has(cs)) {
            if (!fkCol.config.nullable && onDelete !== "cascade") {
              throw new IntegrityError(
                `Deleting ${d.mapper.name} would leave ${target.name} rows (${rel.qualifiedName}) ` +
                  `without a parent, and ${target.name}.${fkCol.key} is NOT NULL. Give ` +
                  `${rel.qualifiedName} cascade: "all" (or "delete"), or delete those rows first.`,
              );
            }
            if (onDelete !== "cascade") this.#rule(cs, rel.fk, null, rel.ref);
          }
        }
      }
    }
  }

  /** Mappers in foreign-key order: parents before children. */
  #order(): Mapper[] {
    const ctx = this.#ctx;
    const mappers = new Set<Mapper>();
    for (const set of [ctx.pending, ctx.dirty, ctx.deleted]) {
      for (const s of set) mappers.add(s.mapper);
    }
    for (const child of this.#rules.keys()) mappers.add(child.mapper);
    for (const child of this.#nullRules.keys()) mappers.add(child.mapper);
    const list = [...mappers];
    const byTable = (t: ColumnTable) => list.find((m) => sameTable(m.table, t));
    const deps = new Map<Mapper, Mapper[]>(list.map((m) => [
      m,
      m.table.foreignKeys.map((f) => byTable(f.target.table!)).filter((p): p is Mapper =>
        p !== undefined && p !== m
      ),
    ]));
    const out: Mapper[] = [];
    const state = new Map<Mapper, 1 | 2>();
    const visit = (m: Mapper, path: Mapper[]) => {
      const s = state.get(m);
      if (s === 2) return;
      if (s === 1) {
        const cycle = [...path.slice(path.indexOf(m)), m].map((x) => x.table.name);
        throw new InvalidRequestError(
          `Cannot order the flush: the tables ${cycle.join(" → ")} depend on each other through ` +
            "foreign keys. Flush the rows in two steps (insert, flush, then link them).",
        );
      }
      state.set(m, 1);
      for (const d of deps.get(m)!) visit(d, [...path, m]);
      state.set(m, 2);
      out.push(m);
    };
    for (const m of list) visit(m, []);
    return out;
  }

  #applyRules(s: InstanceState): void {
    const nulls = this.#nullRules.get(s);
    if (nulls) { for (const fk of nulls) if (!this.#rules.get(s)?.has(fk)) s.set(fk, null); }
    const rules = this.#rules.get(s);
    if (!rules) return;
    for (const [fk, rule] of rules) {
      const v = rule.parent!.values[rule.ref];
      if (v === undefined) {
        throw new InvalidRequestError(
          `${s.mapper.name}.${s.mapper.keys[fk]} refers to a ${rule.parent!.mapper.name} with no ` +
            "key yet; the flush could not order them.",
        );
      }
      s.set(fk, v);
    }
  }

  async #inserts(mapper: Mapper): Promise<void> {
    const ctx = this.#ctx;
    const states: InstanceState[] = [];
    for (const s of ctx.pending) if (s.mapper === mapper) states.push(s);
    if (states.length === 0) {
      for (const s of this.#rules.keys()) if (s.mapper === mapper) this.#applyRules(s);
      for (const s of this.#nullRules.keys()) if (s.mapper === mapper) this.#applyRules(s);
      return;
    }
    states.sort((a, b) => a.order - b.order);
    // Rules for this table's rows that are already persistent.
    const isPending = (s: InstanceState) => s.status === "pending";
    for (const s of this.#rules.keys()) {
      if (s.mapper === mapper && !isPending(s)) this.#applyRules(s);
    }
    for (const s of this.#nullRules.keys()) {
      if (s.mapper === mapper && !isPending(s)) this.#applyRules(s);
    }
    // Self-referential rows: insert level by level, parents first.
    const level = new Map<InstanceState, number>();
    let maxLevel = 0;
    if (this.#selfReferential(mapper)) {
      const levelOf = (s: InstanceState, path: Set<InstanceState>): number => {
        const known = level.get(s);
        if (known !== undefined) return known;
        if (path.has(s)) {
          throw new InvalidRequestError(
            `Cannot order the flush: ${mapper.name} rows refer to each other in a cycle.`,
          );
        }
        path.add(s);
        let l = 0;
        for (const rule of this.#rules.get(s)?.values() ?? []) {
          const p = rule.parent;
          if (p && p.mapper === mapper && isPending(p)) l = Math.max(l, levelOf(p, path) + 1);
        }
        path.delete(s);
        level.set(s, l);
        return l;
      };
      const path = new Set<InstanceState>();
      for (const s of states) maxLevel = Math.max(maxLevel, levelOf(s, path));
    }
    for (let l = 0; l <= maxLevel; l++) {
      const batch = maxLevel === 0 ? states : states.filter((s) => level.get(s) === l);
      for (const s of batch) this.#applyRules(s);
      await this.#insertBatch(mapper, batch);
    }
  }

  async #insertBatch(mapper: Mapper, states: InstanceState[]): Promise<void> {
    const cols = mapper.columns;
    const n = cols.length;
    const { list: encoders } = mapper.encoders(this.#ctx.dialect);
    // Fill defaults and find which columns each row provides.
    const signatures: string[] = new Array(states.length);
    for (let r = 0; r < states.length; r++) {
      const s = states[r];
      const values = s.values;
      let sig = "";
      for (let i = 0; i < n; i++) {
        let v = values[i];
        if (v === undefined) {
          const c = cols[i].config;
          if (c.default !== undefined) {
            v = c.default instanceof Fragment
              ? c.default
              : typeof c.default === "function"
              ? (c.default as () => unknown)()
              : c.default;
            if (!(v instanceof Fragment)) {
              const problem = v === null ? null : cols[i].type.check(v);
              if (problem !== null) {
                throw new ArgumentError(`The default of ${mapper.name}.${cols[i].key} ${problem}.`);
              }
              values[i] = v;
            }
          } else if (cols[i].generated || c.serverDefault !== undefined) {
            sig += "-";
            continue;
          } else if (c.nullable) {
            values[i] = v = null;
          } else {
            throw new IntegrityError(
              `${mapper.name}.${cols[i].key} is NOT NULL and has no value: set it, give the ` +
                "column a default, or make it nullable.",
              { code: "NOT_NULL" },
            );
          }
        }
        sig += v instanceof Fragment ? "f" : "+";
      }
      signatures[r] = sig;
    }
    let start = 0;
    while (start < states.length) {
      const sig = signatures[start];
      let end = start + 1;
      while (end < states.length && signatures[end] === sig) end++;
      const provided: number[] = [];
      const returned: number[] = [];
      for (let i = 0; i < n; i++) {
        if (sig[i] === "-" || sig[i] === "f") returned.push(i);
        if (sig[i] !== "-") provided.push(i);
      }
      if (returned.length > 0) {
        for (const p of [...mapper.pk].reverse()) if (!returned.includes(p)) returned.unshift(p);
      }
      const perRow = Math.max(1, provided.length);
      const maxRows = Math.max(1, Math.floor((this.#ctx.maxParams - 10) / perRow));
      for (let i = start; i < end; i += maxRows) {
        await this.#insertRows(
          mapper,
          states.slice(i, Math.min(end, i + maxRows)),
          provided,
          returned,
          encoders,
        );
      }
      start = end;
    }
  }

  async #insertRows(
    mapper: Mapper,
    states: InstanceState[],
    provided: number[],
    returned: number[],
    encoders: ((v: unknown) => unknown)[] | (((v: unknown) => unknown) | null)[],
  ): Promise<void> {
    const cols = mapper.columns;
    if (states.length > 1 && provided.length === 0) {
      for (const s of states) await this.#insertRows(mapper, [s], provided, returned, encoders);
      return;
    }
    // The values, in placeholder order; the text around them is built once per shape.
    const width = provided.length;
    const values: unknown[] = new Array(1 + width + states.length * width + returned.length);
    let n = 0;
    values[n++] = tableOf(mapper.table);
    for (let k = 0; k < width; k++) values[n++] = idOf(cols[provided[k]]);
    for (let r = 0; r < states.length; r++) {
      const row = states[r].values;
      for (let k = 0; k < width; k++) {
        const i = provided[k];
        const v = row[i];
        const enc = encoders[i];
        values[n++] = v === null || enc === null || v instanceof Fragment ? v : enc(v);
      }
    }
    for (let k = 0; k < returned.length; k++) values[n++] = idOf(cols[returned[k]]);
    const key = `ins:${provided.join(",")}:${returned.join(",")}:${states.length}`;
    const strings = mapper.template(key, () => {
      const b = new Builder().text("INSERT INTO ").value(null);
      if (width === 0) b.text(" DEFAULT VALUES");
      else {
        b.text(" (");
        for (let k = 0; k < width; k++) b.text(k > 0 ? ", " : "").value(null);
        b.text(") VALUES ");
        for (let r = 0; r < states.length; r++) {
          b.text(r === 0 ? "(" : ", (");
          for (let k = 0; k < width; k++) b.text(k > 0 ? ", " : "").value(null);
          b.text(")");
        }
      }
      if (returned.length > 0) {
        b.text(" RETURNING ");
        for (let k = 0; k < returned.length; k++) b.text(k > 0 ? ", " : "").value(null);
      }
      return b.strings;
    });
    const fragment = new Fragment(strings, values);
    if (returned.length === 0) {
      await this.#ctx.run(fragment, "run");
    } else {
      const result = await this.#ctx.run(fragment, "values");
      const rows = result.rows as unknown as unknown[][];
      const { list: decoders } = mapper.decoders(this.#ctx.dialect);
      const pkGenerated = mapper.pk.length === 1 && states[0].values[mapper.pk[0]] === undefined;
      if (pkGenerated && rows.length > 1) {
        // Generated keys increase in insert order; match them to rows by sorting.
        rows.sort((x, y) => (x[0] as number) < (y[0] as number) ? -1 : 1);
      }
      const byKey = pkGenerated ? null : new Map(states.map((s) => [mapper.identity(s.values), s]));
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        let s: InstanceState | undefined;
        const decoded = returned.map((i, k) => {
          const v = row[k];
          const d = decoders[i];
          return v === null || v === undefined || d === null ? v : d(v);
        });
        if (byKey) {
          const probe = new Array(cols.length);
          returned.forEach((i, k) => (probe[i] = decoded[k]));
          s = byKey.get(mapper.identity(probe));
        } else s = states[r];
        if (!s) continue;
        returned.forEach((i, k) => (s!.values[i] = decoded[k]));
      }
    }
    for (const s of states) this.#inserted.push(s);
  }

  async #updates(mapper: Mapper): Promise<void> {
    const ctx = this.#ctx;
    const cols = mapper.columns;
    // PostgreSQL: rows changing the same columns go out in one UPDATE ... FROM (VALUES ...),
    // one round trip instead of one per row.
    const batchable = ctx.dialect.updateRows !== undefined;
    const groups = new Map<string, { changed: number[]; states: InstanceState[] }>();
    for (const s of ctx.dirty) {
      if (s.mapper !== mapper || ctx.deleted.has(s) || s.status !== "persistent") continue;
      const changed = s.changedColumns();
      if (changed.length === 0) continue;
      const old = s.loaded ?? s.values;
      const returning: number[] = [];
      for (let i = 0; i < cols.length; i++) {
        const onUpdate = cols[i].config.onUpdate;
        if (onUpdate === undefined || changed.includes(i)) continue;
        if (onUpdate instanceof Fragment) returning.push(i);
        else {s.values[i] = typeof onUpdate === "function"
            ? (onUpdate as () => unknown)()
            : onUpdate;}
        changed.push(i);
      }
      const version = mapper.version;
      if (version >= 0 && !changed.includes(version)) {
        s.values[version] = (old[version] as number) + 1;
        changed.push(version);
      }
      changed.sort((a, b) => a - b);
      if (batchable && version < 0 && returning.length === 0) {
        const key = changed.join(",");
        let group = groups.get(key);
        if (!group) groups.set(key, group = { changed, states: [] });
        group.states.push(s);
        continue;
      }
      await this.#updateOne(mapper, s, changed, returning, old);
    }
    for (const { changed, states } of groups.values()) {
      if (states.length === 1) {
        await this.#updateOne(mapper, states[0], changed, [], states[0].loaded ?? states[0].values);
        continue;
      }
      const perRow = mapper.pk.length + changed.length;
      const size = Math.max(1, Math.floor((ctx.maxParams - 10) / perRow));
      for (let i = 0; i < states.length; i += size) {
        await this.#updateBatch(mapper, states.slice(i, i + size), changed);
      }
    }
  }

  async #updateOne(
    mapper: Mapper,
    s: InstanceState,
    changed: number[],
    returning: number[],
    old: unknown[],
  ): Promise<void> {
    const ctx = this.#ctx;
    const cols = mapper.columns;
    const version = mapper.version;
    const { list: encoders } = mapper.encoders(ctx.dialect);
    const { list: decoders } = mapper.decoders(ctx.dialect);
    const b = new Builder().text("UPDATE ").value(tableOf(mapper.table)).text(" SET ");
    changed.forEach((i, k) => {
      if (k > 0) b.text(", ");
      b.value(idOf(cols[i])).text(" = ");
      const v = returning.includes(i) ? cols[i].config.onUpdate : s.values[i];
      const enc = encoders[i];
      b.value(v === null || v instanceof Fragment || enc === null ? v : enc(v));
    });
    b.text(" WHERE ");
    mapper.pk.forEach((i, k) => {
      if (k > 0) b.text(" AND ");
      const enc = encoders[i];
      b.value(idOf(cols[i])).text(" = ").value(enc === null ? old[i] : enc(old[i]));
    });
    if (version >= 0) b.text(" AND ").value(idOf(cols[version])).text(" = ").value(old[version]);
    if (returning.length > 0) {
      b.text(" RETURNING ");
      returning.forEach((i, k) => {
        if (k > 0) b.text(", ");
        b.value(idOf(cols[i]));
      });
    }
    const fragment = b.build(mapper, `upd:${changed.join(",")}:${returning.join(",")}`);
    const result = await ctx.run(fragment, returning.length > 0 ? "values" : "run");
    const count = returning.length > 0 ? result.rows.length : result.rowsAffected;
    if (count === 0) {
      throw new StaleDataError(
        `UPDATE of ${mapper.name} ${describeKey(mapper, old)} matched no row: it was deleted, ` +
          (version >= 0 ? "or its version changed, " : "") +
          "by another transaction. Reload it and try again.",
      );
    }
    if (returning.length > 0) {
      const row = (result.rows as unknown as unknown[][])[0];
      returning.forEach((i, k) => {
        const d = decoders[i];
        s.values[i] = row[k] === null || d === null ? row[k] : d(row[k]);
      });
    }
    this.#updated.push(s);
  }

  /** One UPDATE for many rows changing the same columns, as the dialect writes it. */
  async #updateBatch(mapper: Mapper, states: InstanceState[], changed: number[]): Promise<void> {
    const ctx = this.#ctx;
    const cols = mapper.columns;
    const pk = mapper.pk;
    const keys = [...pk, ...changed];
    const { list: encoders } = mapper.encoders(ctx.dialect);
    const rows = states.map((s) => {
      const old = s.loaded ?? s.values;
      return keys.map((i, k) => {
        const raw = k < pk.length ? old[i] : s.values[i];
        const enc = encoders[i];
        return raw === null || enc === null ? raw : enc(raw);
      });
    });
    const statement = ctx.dialect.updateRows!({
      table: tableOf(mapper.table),
      keys: pk.map((i) => idOf(cols[i])),
      set: changed.map((i) => idOf(cols[i])),
      types: keys.map((i) => cols[i].type.ddl(ctx.dialect)),
      rows,
    });
    const r = await ctx.run(statement, "run");
    if (r.rowsAffected !== states.length) {
      throw new StaleDataError(
        `UPDATE of ${states.length} ${mapper.name} rows matched ${r.rowsAffected}: some were ` +
          "deleted by another transaction. Reload them and try again.",
      );
    }
    for (const s of states) this.#updated.push(s);
  }

  async #associations(): Promise<void> {
    const ctx = this.#ctx;
    for (const [table, pairs] of this.#assocRemove) {
      for (const [colA, sa, ia, colB, sb, ib] of pairs.values()) {
        if (ctx.deleted.has(sa) || ctx.deleted.has(sb)) continue;
        await ctx.run(
          sql`DELETE FROM ${tableOf(table)} WHERE ${idOf(colA)} = ${sa.values[ia]} AND ${
            idOf(colB)
          } = ${sb.values[ib]}`,
          "run",
        );
      }
    }
    for (const [table, pairs] of this.#assocAdd) {
      const rows = [...pairs.values()];
      if (rows.length === 0) continue;
      const [colA, , , colB] = rows[0];
      const limit = Math.max(1, Math.floor((ctx.maxParams - 10) / 2));
      for (let i = 0; i < rows.length; i += limit) {
        const chunk = rows.slice(i, i + limit);
        await ctx.run(
          sql`INSERT INTO ${tableOf(table)} (${idOf(colA)}, ${idOf(colB)}) VALUES ${
            sql.join(chunk.map(([, sa, ia, , sb, ib]) => sql`(${sa.values[ia]}, ${sb.values[ib]})`))
          }`,
          "run",
        );
      }
    }
  }

  async #deletes(mapper: Mapper): Promise<void> {
    const ctx = this.#ctx;
    let states = [...ctx.deleted].filter((s) => s.mapper === mapper && s.status === "persistent");
    if (states.length === 0) return;
    states = this.#deleteOrder(mapper, states);
    const cols = mapper.columns;
    const { list: encoders } = mapper.encoders(ctx.dialect);
    const key = (s: InstanceState, i: number) => {
      const v = (s.loaded ?? s.values)[i];
      return encoders[i] === null ? v : encoders[i]!(v);
    };
    if (mapper.pk.length === 1 && mapper.version < 0 && !this.#selfReferential(mapper)) {
      const pkCol = cols[mapper.pk[0]];
      const limit = Math.max(1, ctx.maxParams - 10);
      for (let i = 0; i < states.length; i += limit) {
        const chunk = states.slice(i, i + limit);
        const r = await ctx.run(
          sql`DELETE FROM ${tableOf(mapper.table)} WHERE ${idOf(pkCol)} IN ${
            sql.list(chunk.map((s) => key(s, mapper.pk[0])))
          }`,
          "run",
        );
        if (r.rowsAffected !== chunk.length) {
          throw new StaleDataError(
            `DELETE of ${chunk.length} ${mapper.name} rows matched ${r.rowsAffected}: some were ` +
              "already deleted by another transaction.",
          );
        }
      }
    } else {
      for (const s of states) {
        const conds = mapper.pk.map((i) => sql`${idOf(cols[i])} = ${key(s, i)}`);
        if (mapper.version >= 0) {
          conds.push(
            sql`${idOf(cols[mapper.version])} = ${(s.loaded ?? s.values)[mapper.version]}`,
          );
        }
        const r = await ctx.run(
          sql`DELETE FROM ${tableOf(mapper.table)} WHERE ${sql.join(conds, sql` AND `)}`,
          "run",
        );
        if (r.rowsAffected === 0) {
          throw new StaleDataError(
            `DELETE of ${mapper.name} ${describeKey(mapper, s.values)} matched no row: it was ` +
              "deleted or changed by another transaction.",
          );
        }
      }
    }
    for (const s of states) this.#deletedDone.push(s);
  }

  #selfReferential(mapper: Mapper): boolean {
    return mapper.table.foreignKeys.some((f) => sameTable(f.target.table!, mapper.table));
  }

  /** Self-referential rows: children before their parents. */
  #deleteOrder(mapper: Mapper, states: InstanceState[]): InstanceState[] {
    if (!this.#selfReferential(mapper)) return states;
    const selfFks = mapper.table.foreignKeys.filter((f) => sameTable(f.target.table!, mapper.table))
      .map((f) => [mapper.indexByKey.get(f.column.key)!, mapper.indexByKey.get(f.target.key)!]);
    const byRef = new Map<unknown, InstanceState>();
    for (const s of states) {
      for (const [, ref] of selfFks) byRef.set(`${ref}:${String(s.values[ref])}`, s);
    }
    const out: InstanceState[] = [];
    const seen = new Set<InstanceState>();
    const children = new Map<InstanceState, InstanceState[]>();
    for (const s of states) {
      for (const [fk, ref] of selfFks) {
        const parent = byRef.get(`${ref}:${String((s.loaded ?? s.values)[fk])}`);
        if (parent && parent !== s) {
          const list = children.get(parent) ?? [];
          list.push(s);
          children.set(parent, list);
        }
      }
    }
    const visit = (s: InstanceState) => {
      if (seen.has(s)) return;
      seen.add(s);
      for (const c of children.get(s) ?? []) visit(c);
      out.push(s);
    };
    for (const s of states) visit(s);
    return out;
  }
}

/** Whether a loaded relationship still holds what the database holds, with no new object. */
function unchanged(l: { value: unknown; base: unknown }): boolean {
  const { value, base } = l;
  if (!Array.isArray(value)) {
    return value === base && (value === null || !isNew(stateOf(value)!));
  }
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

function describeKey(mapper: Mapper, values: readonly unknown[]): string {
  return `(${mapper.pk.map((i) => `${mapper.keys[i]}=${String(values[i])}`).join(", ")})`;
}

/**
 * The tables of a class in joined-table inheritance: its root's table, then one table per
 * class down to its own, each holding the class's columns declared there and a primary key
 * that refers to its parent's. What the rest of the ORM asks of a mapper's tables (the flush's
 * order and statements, relationships' foreign keys, the columns a select lists) is answered
 * here; a class outside such a hierarchy has its one table.
 *
 * @module
 */
import { and } from "../../core/builder/logic.ts";
import type { Column, ReferenceOptions } from "../../core/schema/column.ts";
import { sameTable, type Table } from "../../core/schema/table.ts";
import type { Select } from "../../core/builder/select.ts";
import type { EntitySelection } from "../../core/statement.ts";
import type { Fragment } from "../../core/sql/nodes.ts";
import { sql } from "../../core/sql/tag.ts";
import type { Mapper } from "./mapper.ts";

/** One table of a class in a joined hierarchy. */
export interface TablePart {
  readonly table: Table;
  /** Per column of the table, in table order: the index of its value in the mapper's. */
  readonly indexes: readonly number[];
}

/** A class's place in a joined hierarchy. */
export interface Joined {
  /** Its tables, the root's first, its own last. */
  readonly parts: readonly TablePart[];
  /** The columns its own table adds (not its primary key), in the mapper's order. */
  readonly added: readonly Column[];
}

const joined = new WeakMap<Mapper, Joined>();
/** Bumped by every joined subclass declared: what a hierarchy's selects list changes. */
let generation = 0;

/** The subclass tables of joined hierarchies: their class's name and the tables above. */
const subclassTables = new WeakMap<
  Table,
  { readonly mapper: Mapper; readonly parents: readonly Table[] }
>();

/** Internal: records a mapper's tables (the root's, when its first joined subclass comes). */
export function setJoined(mapper: Mapper, info: Joined): void {
  joined.set(mapper, info);
  const tables = info.parts.map((p) => p.table);
  if (tables.length > 1) {
    subclassTables.set(tables.at(-1)!, { mapper, parents: tables.slice(0, -1) });
  }
  generation++;
}

/**
 * The class of a joined hierarchy whose own table this is, with its root's class name and
 * the tables above it; undefined for any other table.
 */
export function subclassTableOf(
  table: Table,
): { name: string; rootName: string; parents: readonly Table[] } | undefined {
  const found = subclassTables.get(table);
  if (found === undefined) return undefined;
  return {
    name: found.mapper.name,
    rootName: found.mapper.poly!.root.name,
    parents: found.parents,
  };
}

/** The tables of a mapper in a joined hierarchy, or undefined outside one. */
export function joinedOf(mapper: Mapper): Joined | undefined {
  return joined.get(mapper);
}

/** The tables a mapper's columns live in: the root's first, its own last. */
export function tablesOf(mapper: Mapper): readonly Table[] {
  const j = joined.get(mapper);
  return j === undefined ? [mapper.table] : j.parts.map((p) => p.table);
}

/** Whether a column is in one of the tables. */
export function onTables(column: Column, tables: readonly Table[]): boolean {
  const t = column.table;
  return t !== undefined && tables.some((x) => sameTable(x, t));
}

type ForeignKey = { column: Column; target: Column; options: ReferenceOptions };

/**
 * The foreign keys of a mapper's columns: those of each of its tables, less the primary keys
 * that refer to the parent's (the inheritance itself). A class of a single-table hierarchy
 * maps some of its table's.
 */
export function foreignKeysOf(mapper: Mapper): ForeignKey[] {
  const j = joined.get(mapper);
  if (j === undefined) {
    const fks = mapper.table.foreignKeys;
    return mapper.poly === null ? fks : fks.filter((f) => mapper.indexByKey.has(f.column.key));
  }
  const out: ForeignKey[] = [];
  j.parts.forEach((p, k) => {
    for (const f of p.table.foreignKeys) {
      if (k > 0 && f.column.config.primaryKey && sameTable(f.target.table!, j.parts[k - 1].table)) {
        continue;
      }
      out.push(f);
    }
  });
  return out;
}

/** The descendants of a mapper, depth first. */
function descendants(mapper: Mapper): Mapper[] {
  const out: Mapper[] = [];
  for (const child of mapper.poly?.children ?? []) out.push(child, ...descendants(child));
  return out;
}

interface Layout {
  readonly generation: number;
  readonly columns: readonly Column[];
  readonly selection: EntitySelection;
  readonly at: Map<Column, number>;
  readonly indexes: Map<Mapper, readonly number[] | null>;
}

const layouts = new WeakMap<Mapper, Layout>();

/** The condition joining a table of the hierarchy to the root's, by primary key. */
function onRoot(table: Table, root: Table): Fragment {
  const parts = table.primaryKey.map((c) => {
    const r = root.primaryKey.find((p) => p.key === c.key)!;
    return sql`${c} = ${r}`;
  });
  return parts.length === 1 ? parts[0] : and(...parts);
}

function layoutOf(mapper: Mapper): Layout {
  let l = layouts.get(mapper);
  if (l !== undefined && l.generation === generation) return l;
  const j = joined.get(mapper)!;
  const below = descendants(mapper).filter((d) => joined.has(d));
  const columns = [...mapper.columns, ...below.flatMap((d) => joined.get(d)!.added)];
  const root = j.parts[0].table;
  const joins: EntitySelection["joins"][number][] = [];
  for (const p of j.parts.slice(1)) {
    joins.push({ kind: "JOIN", target: p.table, on: onRoot(p.table, root) });
  }
  for (const d of below) {
    const own = joined.get(d)!.parts.at(-1)!.table;
    joins.push({ kind: "LEFT JOIN", target: own, on: onRoot(own, root) });
  }
  l = {
    generation,
    columns,
    selection: { columns, joins },
    at: new Map(columns.map((c, i) => [c, i])),
    indexes: new Map(),
  };
  layouts.set(mapper, l);
  return l;
}

/**
 * What `select(Class)` lists for a class of a joined hierarchy: its columns (its parents'
 * first), then those of its subclasses' tables, LEFT JOINed: a row loads as any of them.
 */
export function selectionOf(mapper: Mapper): EntitySelection {
  return layoutOf(mapper).selection;
}

/**
 * The columns of a row of `select(mapper.cls)`, in order: for a joined hierarchy, its layout;
 * for a single-table one, every column of the table; else the mapper's.
 */
export function rowColumns(mapper: Mapper): readonly Column[] {
  if (joined.has(mapper)) return layoutOf(mapper).columns;
  return mapper.poly === null ? mapper.columns : mapper.table.columns;
}

/**
 * Where `sub`'s column values are in a row of `select(selected.cls)` (a joined hierarchy), or
 * null when `sub` is not `selected` or one of its subclasses.
 */
export function rowIndexesIn(selected: Mapper, sub: Mapper): readonly number[] | null {
  const l = layoutOf(selected);
  let idx = l.indexes.get(sub);
  if (idx === undefined) {
    const found = sub.columns.map((c) => l.at.get(c) ?? -1);
    idx = found.includes(-1) ? null : found;
    l.indexes.set(sub, idx);
  }
  return idx;
}

/**
 * A select of other columns reading from a mapper's class as `select(Class)` does: its
 * table, or a joined hierarchy's tables with their joins.
 */
export function fromClass<R>(q: Select<R>, mapper: Mapper): Select<R> {
  if (!joined.has(mapper)) return q.from(mapper.cls);
  const l = layoutOf(mapper);
  let out = q.from(joined.get(mapper)!.parts[0].table);
  for (const j of l.selection.joins) {
    out = j.kind === "JOIN" ? out.join(j.target, j.on) : out.leftJoin(j.target, j.on);
  }
  return out;
}

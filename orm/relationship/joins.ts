/**
 * The path of a relationship through the database: the owner's table it starts from, then
 * the tables a query joins (the association table of a many-to-many, then the target's: each
 * table of a joined hierarchy's class), each with the condition that joins it to the one
 * before, read through the aliases given for the target's tables. What `join(User.posts)`,
 * `User.posts.of(alias)`, `any()` and `has()` are made of.
 *
 * @module
 */
import { conjunction } from "../../core/builder/clauses.ts";
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import { sameTable, Table } from "../../core/schema/table.ts";
import { Fragment, type SqlSource } from "../../core/sql/nodes.ts";
import { entityConditions } from "../../core/statement.ts";
import { subclassTableOf, tablesOf } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { onAlias } from "./rebind.ts";

type ColumnAt = (column: Column) => SqlSource<unknown>;

/** One table joined along a relationship (the `Joinable` protocol of core/statement.ts). */
export interface JoinStep {
  /** The table (or alias) joined. */
  readonly target: Table;
  /** The condition joining it to the table before (the first step: to `from`). */
  readonly on: SqlSource<unknown>;
  /** On the first step: the owner's table the path starts from. */
  readonly from?: Table;
}

/** What a path needs of a relationship (structural: the relationship imports this module). */
export interface Pathable {
  readonly name: string;
  readonly qualifiedName: string;
  readonly owner: Mapper;
  readonly targetMapper: Mapper;
  readonly direction: "manyToOne" | "oneToMany" | "manyToMany";
  readonly fk: number;
  readonly ref: number;
  readonly secondary: { table: Table } | null;
  joinConditions(owner: ColumnAt, target: ColumnAt): { table: string; on: Fragment }[];
}

/** A relationship's path from its owner's table to its target's tables. */
export interface Path {
  /** The joins, in order; the first holds `from`. */
  readonly steps: readonly JoinStep[];
  /** Which step reads the target's table that holds the target's side of the condition. */
  readonly main: number;
  /** That table, not aliased. */
  readonly mainTable: Table;
  /** The conditions on the target class's rows (a single-table subclass's), as read. */
  readonly own: readonly SqlSource<unknown>[];
  /** Whether that table, not aliased, is one the owner's rows are read from too. */
  readonly selfReferential: boolean;
}

/**
 * The path of a relationship, the target's tables read through `aliases` (by table). A table
 * of the target's that the owner's class reads too (a joined hierarchy's root, shared by
 * both) and has no alias is not joined, unless it holds the condition (`selfReferential`).
 */
export function pathOf(rel: Pathable, aliases: ReadonlyMap<Table, Table>): Path {
  const ownerTables = tablesOf(rel.owner);
  const tables = tablesOf(rel.targetMapper);
  const shared = (t: Table) => !aliases.has(t) && ownerTables.some((o) => sameTable(o, t));
  const read = (t: Table) => aliases.get(t) ?? t;
  const at: ColumnAt = (c) => {
    const alias = aliases.get(c.table as Table);
    return alias === undefined ? c : alias.c[c.key];
  };
  const manyToOne = rel.direction === "manyToOne";
  const ownerSide = rel.owner.columns[manyToOne ? rel.fk : rel.ref];
  const targetSide = rel.targetMapper.columns[manyToOne ? rel.ref : rel.fk];
  const main = tables.find((t) => t === targetSide.table) ?? rel.targetMapper.table;
  const steps: JoinStep[] = rel.joinConditions((c) => c, at).map((j) => ({
    target: j.table === "association" ? rel.secondary!.table : read(main),
    on: j.on,
  }));
  const from = ownerTables.find((t) => t === ownerSide.table) ?? rel.owner.table;
  steps[0] = { ...steps[0], from };
  // The target's other tables, each joined by primary key to the one before.
  let previous = main;
  for (const t of tables) {
    if (t === main || shared(t)) continue;
    steps.push({ target: read(t), on: samePrimaryKey(read(t), read(previous)) });
    previous = t;
  }
  return {
    steps,
    main: rel.secondary ? 1 : 0,
    mainTable: main,
    own: entityConditions(rel.targetMapper.cls).map((e) => onAlias(e, tables, at)),
    selfReferential: shared(main),
  };
}

/** `a.id = b.id` over the primary key (the tables of one hierarchy share its keys). */
function samePrimaryKey(a: Table, b: Table): Fragment {
  return conjunction(a.primaryKey.map((c) => new Fragment(["", " = ", ""], [c, b.c[c.key]])));
}

/**
 * The joins along a relationship, for a builder's `join()`: the path, the target class's own
 * conditions on the join of its table. A self-referential one without an alias is refused.
 */
export function joinSteps(rel: Pathable, aliases: ReadonlyMap<Table, Table>): JoinStep[] {
  const path = pathOf(rel, aliases);
  if (path.selfReferential) throw needsAlias(rel, path.mainTable);
  const steps = path.steps.slice();
  if (path.own.length > 0) {
    const m = steps[path.main];
    steps[path.main] = { ...m, on: conjunction([m.on, ...path.own]) };
  }
  return steps;
}

/** How the code names a table of the target's: `Class.table`. */
function tableExpression(rel: Pathable, table: Table): string {
  const target = rel.targetMapper;
  if (table === target.table) return `${target.name}.table`;
  const owner = subclassTableOf(table)?.name ?? target.poly?.root.name ?? target.name;
  return `${owner}.table`;
}

function needsAlias(rel: Pathable, table: Table): ArgumentError {
  const n = rel.name;
  return new ArgumentError(
    `Cannot join along ${rel.qualifiedName}: it is self-referential (its owner ` +
      `${rel.owner.name} and its target ${rel.targetMapper.name} are both read from ` +
      `${table.name}), so its target needs an alias: const ${n} = ` +
      `${tableExpression(rel, table)}.as("${n}"); select(...).join(${rel.qualifiedName}` +
      `.of(${n})), then filter on ${n}.c.<column>.`,
  );
}

/** Checks the aliases given to `rel.of(...)`: one per table of the target's at most. */
export function aliasesOf(rel: Pathable, aliases: readonly unknown[]): Map<Table, Table> {
  const tables = tablesOf(rel.targetMapper);
  const out = new Map<Table, Table>();
  for (const a of aliases) {
    const base = a instanceof Table && a.alias !== undefined
      ? tables.find((t) => sameTable(t, a))
      : undefined;
    if (base === undefined) {
      const names = tables.map((t) => t.name).join(", ");
      throw new ArgumentError(
        `${rel.qualifiedName}.of(...) takes aliases of ${rel.targetMapper.name}'s ` +
          `table${tables.length === 1 ? "" : "s"} (${names}), made with table.as(name): ` +
          `${rel.qualifiedName}.of(${tableExpression(rel, tables.at(-1)!)}.as("${rel.name}")).`,
      );
    }
    if (out.has(base)) {
      throw new ArgumentError(
        `${rel.qualifiedName}.of(...) is given two aliases of ${base.name}; give one per table.`,
      );
    }
    out.set(base, a as Table);
  }
  return out;
}

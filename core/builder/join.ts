/**
 * Joins: what a select reads from and joins to, and the ON condition inferred from the one
 * foreign key between two tables.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { sameTable, Table } from "../schema/table.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { isEntity, type Joinable, type TableLike, toJoin } from "../statement.ts";
import { conjunction } from "./clauses.ts";
import { Cte, Subquery } from "./cte.ts";
import { ColumnRef, TypedExpression } from "./expression.ts";

/**
 * What a select reads from: a table, a subquery, a CTE, or a fragment.
 *
 * @example
 * ```ts
 * import { column, type FromItem, select, table } from "@retort/orm";
 * const users = table("from_item_doc_users", { id: column.integer().primaryKey() });
 * const sources: FromItem[] = [users, select(users.c.id).as("ids")];
 * ```
 */
export type FromItem = TableLike | Subquery<unknown> | Cte<unknown> | Fragment;

/** One JOIN of a select. */
export interface Join {
  readonly kind: "JOIN" | "LEFT JOIN";
  readonly target: SqlSource<unknown>;
  readonly on: SqlSource<unknown>;
}

/**
 * What a select with no FROM reads from: the tables (or subqueries, CTEs) of its columns,
 * less those it joins.
 */
export function implicitFrom(
  exprs: readonly unknown[],
  joins: readonly Join[],
): SqlSource<unknown>[] {
  const out: SqlSource<unknown>[] = [];
  for (const e of exprs) {
    const source = e instanceof Column
      ? e.table
      : e instanceof ColumnRef || e instanceof TypedExpression
      ? e.source
      : undefined;
    if (source !== undefined && !out.includes(source)) out.push(source);
  }
  return out.filter((x) => !joins.some((j) => j.target === x));
}

/**
 * Refuses a join to a table the select reads already (in FROM, or joined): both would be
 * named the same, which the database refuses or reads as one. An alias reads it twice.
 */
export function readOnce(
  t: SqlSource<unknown>,
  from: readonly SqlSource<unknown>[] | null,
  joins: readonly Join[],
): void {
  const same = (x: SqlSource<unknown>) =>
    x === t ||
    (x instanceof Table && t instanceof Table && sameTable(x, t) && x.alias === t.alias);
  if (!(from ?? []).some(same) && !joins.some((j) => same(j.target))) return;
  const name = t instanceof Table ? t.alias ?? t.name : "This item";
  throw new ArgumentError(
    `${name} is read already in this select; to read it again, join an alias of it ` +
      `(${t instanceof Table ? `${t.name}.as("other")` : 'query.as("other")'}).`,
  );
}

/** Checks what a select reads from or joins to. */
export function fromItem(item: unknown, what: string): SqlSource<unknown> {
  if (item instanceof Table || item instanceof Subquery || item instanceof Cte) return item;
  if (item instanceof Fragment) return item;
  if (isEntity(item)) return item.table;
  throw new ArgumentError(
    `${what} takes a table, a model class, a subquery (query.as("name")), a CTE or a fragment.`,
  );
}

/** Infers the ON clause of a join from the one foreign key between target and the others. */
export function inferOn(left: readonly SqlSource<unknown>[], target: SqlSource<unknown>): Fragment {
  const targetName = target instanceof Table
    ? target.alias ?? target.name
    : target instanceof Subquery || target instanceof Cte
    ? target.name
    : "the target";
  if (!(target instanceof Table)) {
    throw new ArgumentError(
      `Cannot infer how to join ${targetName}: only tables have foreign keys. Pass the ON ` +
        "condition: .join(target, eq(a, b)).",
    );
  }
  const found: [Column, Column][] = [];
  const names: string[] = [];
  for (const l of left) {
    if (!(l instanceof Table)) continue;
    names.push(l.alias ?? l.name);
    for (const fk of target.foreignKeys) {
      if (sameTable(fk.target.table!, l)) {
        found.push([target.column(fk.column.key), l.column(fk.target.key)]);
      }
    }
    if (l === target) continue;
    for (const fk of l.foreignKeys) {
      if (sameTable(fk.target.table!, target)) {
        found.push([l.column(fk.column.key), target.column(fk.target.key)]);
      }
    }
  }
  if (found.length === 1) {
    const [a, b] = found[0];
    return new Fragment(["", " = ", ""], [a, b]);
  }
  const what = `${targetName} to ${names.join(", ") || "nothing (no table before it)"}`;
  throw new ArgumentError(
    found.length === 0
      ? `Cannot infer how to join ${what}: no foreign key links them. Pass the ON ` +
        "condition: .join(target, eq(a, b))."
      : `Cannot infer how to join ${what}: ${found.length} foreign keys link them (` +
        found.map(([a, b]) =>
          `${a.table!.alias ?? a.table!.name}.${a.key} → ` +
          `${b.table!.alias ?? b.table!.name}.${b.key}`
        ).join(", ") +
        "). Pass the ON condition: .join(target, eq(a, b)).",
  );
}

/** What a select reads from and joins, as joining along a joinable changes it. */
export interface Reading {
  readonly from: readonly SqlSource<unknown>[] | null;
  readonly joins: readonly Join[];
  /** Tables read after the FROM's own, as the start of a path joined along (see below). */
  readonly roots: readonly Table[];
}

const nameOf = (t: Table) => t.alias ?? t.name;

/**
 * Joining along a joinable (a relationship): what the select's FROM and joins become. A path
 * whose start the select reads (`read`: its FROM) or joins is joined in order. One whose
 * start it does not read has the start read first, last in the FROM, the path's tables
 * leaving the FROM they were in: `select(Post).join(User.posts)` is
 * `FROM users JOIN posts ON ...`, as SQLAlchemy has it; or, when the select joins other tables
 * already, an inner path is joined the other way round, from the last of its tables the
 * select reads (a condition between two tables read goes with the next join). A table read
 * already, after joins that may read it, cannot be joined again.
 */
export function joinAlong(
  joinable: Joinable,
  kind: Join["kind"],
  on: unknown,
  s: Reading,
  read: readonly SqlSource<unknown>[],
): Partial<Reading> {
  if (on !== undefined) {
    throw new ArgumentError("Joining along a relationship takes no ON condition.");
  }
  const steps = joinable[toJoin]();
  const forward = steps.map((j) => ({ kind, target: j.target, on: j.on }));
  const ends = steps.map((j) => j.target);
  const start = steps[0]?.from;
  const present = [...read, ...s.joins.map((j) => j.target)];
  const joined = s.joins.length > 0;
  const path = () =>
    `the relationship from ${start ? nameOf(start) : "the query"} to ${nameOf(ends.at(-1)!)}`;
  if (start === undefined || present.includes(start)) {
    // A table read already is joined again only where no join before reads it.
    const again = joined ? ends.find((t) => present.includes(t)) : undefined;
    if (again !== undefined) {
      throw new ArgumentError(
        `Cannot join along ${path()} here: the query already reads ${nameOf(again)}. Join ` +
          `along it before the joins that read ${nameOf(again)}, or to an alias of it: ` +
          `.join(Owner.relationship.of(Target.table.as("x"))).`,
      );
    }
    return {
      joins: [...s.joins, ...forward],
      from: s.from && s.from.filter((x) => !ends.includes(x as Table)),
    };
  }
  if (!joined) {
    return {
      joins: forward,
      roots: [...s.roots, start],
      from: s.from && s.from.filter((x) => !ends.includes(x as Table)),
    };
  }
  const nodes = [start, ...steps.map((j) => j.target)];
  let k = nodes.length - 1;
  while (k > 0 && !present.includes(nodes[k])) k--;
  if (k === 0 || kind !== "JOIN") {
    throw new ArgumentError(
      `Cannot ${kind === "JOIN" ? "join" : "left-join"} along ${path()} here: the query ` +
        (k === 0
          ? "reads none of its tables and already joins others. "
          : `does not read ${nameOf(start)} but already joins other tables, so the path ` +
            `would be joined the other way round (from ${nameOf(nodes[k])}), which changes ` +
            "what a LEFT JOIN keeps. ") +
        `Read ${nameOf(start)} first: join it (or its class) before this, or list it in ` +
        "from().",
    );
  }
  const out: Join[] = [];
  let carried: SqlSource<unknown>[] = [];
  for (let i = k; i >= 1; i--) {
    if (i > 1 && present.includes(nodes[i - 1])) {
      carried.push(steps[i - 1].on);
      continue;
    }
    const on = carried.length > 0 ? conjunction([steps[i - 1].on, ...carried]) : steps[i - 1].on;
    out.push({ kind, target: nodes[i - 1], on });
    carried = [];
  }
  return { joins: [...s.joins, ...out, ...forward.slice(k)] };
}

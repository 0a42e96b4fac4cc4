/**
 * Upserts: an insert's `ON CONFLICT (target) DO NOTHING / DO UPDATE SET ...`, which read the
 * same on SQLite and PostgreSQL; and the checked assignments `set(...)` and `doUpdate(...)`
 * take.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { sameTable, type Table } from "../schema/table.ts";
import { EMPTY, Fragment, Identifier, type SqlSource } from "../sql/nodes.ts";
import { isPlainObject } from "../util/describe.ts";
import { conjunction } from "./clauses.ts";
import { bindValue, ColumnRef, type Expression } from "./expression.ts";
import { assignments, columnList, idOf } from "./write.ts";

/**
 * An insert's `ON CONFLICT` clause, as `onConflict(...).doNothing()` / `doUpdate(...)` build
 * it.
 *
 * @example
 * ```ts
 * import type { Conflict } from "@retort/orm";
 * const skip: Conflict = { target: [], update: null, where: [] };
 * ```
 */
export interface Conflict {
  /** The conflict target's columns (none: any conflict, for DO NOTHING). */
  readonly target: readonly Column[];
  /** null: DO NOTHING; "inserted": set every inserted column; else the assignments. */
  readonly update: null | "inserted" | ReadonlyMap<Column, unknown>;
  /** Conditions of `DO UPDATE ... WHERE`. */
  readonly where: readonly SqlSource<unknown>[];
}

/** Checks `set(...)` values against their columns and binds them. */
export function bindAssignments(
  table: Table,
  set: Record<string, unknown>,
  what: string,
): Map<Column, unknown> {
  if (!isPlainObject(set)) {
    throw new ArgumentError(`${what} takes an object of column keys to values.`);
  }
  const out = new Map<Column, unknown>();
  for (const [key, v] of Object.entries(set)) {
    if (v === undefined) continue;
    const col = table.column(key);
    out.set(col, bindValue(col, v, `${table.name}.${col.key}`));
  }
  return out;
}

/** Checks an upsert's conflict target: columns of the table inserted into. */
export function checkTarget(table: Table, target: readonly unknown[]): Column[] {
  return target.map((c) => {
    if (!(c instanceof Column) || c.table === undefined || !sameTable(c.table, table)) {
      throw new ArgumentError(
        `onConflict(...) takes columns of ${table.name} (its unique or primary key columns).`,
      );
    }
    return c;
  });
}

/** Renders ` ON CONFLICT ...`, or nothing. */
export function conflictClause(c: Conflict | null, inserted: readonly Column[]): Fragment {
  if (c === null) return EMPTY;
  const target = c.target.length === 0
    ? new Fragment([""], [])
    : new Fragment([" (", ")"], [columnList(c.target)]);
  if (c.update === null) return new Fragment([" ON CONFLICT", " DO NOTHING"], [target]);
  let pairs: [Column, unknown][];
  if (c.update === "inserted") {
    const excluded = (col: Column) => new Fragment(["excluded.", ""], [idOf(col)]);
    pairs = inserted.filter((col) => !c.target.includes(col)).map((col) => [col, excluded(col)]);
    // Nothing else to set: a no-op assignment still makes RETURNING return the row.
    if (pairs.length === 0) pairs = [[c.target[0], excluded(c.target[0])]];
  } else pairs = [...c.update];
  const where = c.where.length === 0
    ? new Fragment([""], [])
    : new Fragment([" WHERE ", ""], [conjunction(c.where)]);
  return new Fragment([" ON CONFLICT", " DO UPDATE SET ", "", ""], [
    target,
    assignments(pairs),
    where,
  ]);
}

/**
 * The value an upsert tried to insert, in `onConflict(...).doUpdate(...)`: `excluded."col"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, excluded, sqliteDialect, table } from "@retort/orm";
 * const t = table("t", { n: column.integer() });
 * assert(compile(excluded(t.c.n), sqliteDialect).text === 'excluded."n"');
 * ```
 */
export function excluded<T>(col: Expression<T>): Expression<T> {
  if (!(col instanceof Column) && !(col instanceof ColumnRef)) {
    throw new ArgumentError("excluded(...) takes a column of the table inserted into.");
  }
  const name = col instanceof Column ? col.name : col.key;
  return new Fragment(["excluded.", ""], [new Identifier([name])]) as Expression<T>;
}

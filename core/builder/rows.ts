/**
 * Result columns: what a select or RETURNING lists, each row's keys, and how they render.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import type { Table } from "../schema/table.ts";
import { isSqlNode } from "../sql/check.ts";
import { Fragment, Identifier, type SqlSource } from "../sql/nodes.ts";
import type { ResultType } from "../types/decode.ts";
import { ColumnRef, nameOf, operand, typeOf } from "./expression.ts";

/**
 * One column of a statement's result: its key in each row, its SQL, its type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, select, table } from "@retort/orm";
 * const users = table("result_column_doc_users", { id: column.integer().primaryKey() });
 * const [first] = select(users.c.id).columns;
 * assert(first.key === "id" && first.expr === users.c.id);
 * ```
 */
export interface ResultColumn extends ResultType {
  /** The expression selected. */
  readonly expr: SqlSource<unknown>;
}

/** Renders result columns as a select list: `expr` or `expr AS "key"`. */
export function selectList(columns: readonly ResultColumn[]): Fragment {
  return new Fragment(
    ["", ...columns.map(() => "")],
    columns.map((c, i) => {
      // A column renders as its name, unless it is an expression column (its SQL).
      const natural = c.expr instanceof Column
        ? c.expr.config.expression === undefined ? c.expr.name : null
        : c.expr instanceof ColumnRef
        ? c.expr.key
        : null;
      const sep = i === 0 ? "" : ", ";
      const expr = operand(c.expr);
      return natural === c.key
        ? new Fragment([sep, ""], [expr])
        : new Fragment([sep, " AS ", ""], [expr, new Identifier([c.key])]);
    }),
  );
}

/** Checks that result keys are unique, naming the clash and the fix. */
export function checkKeys(columns: readonly ResultColumn[], what: string): void {
  const seen = new Map<string, ResultColumn>();
  for (const c of columns) {
    const prior = seen.get(c.key);
    if (prior !== undefined) {
      throw new ArgumentError(
        `${what} returns two columns under the key ${JSON.stringify(c.key)} ` +
          `(${nameOf(prior.expr)} and ${nameOf(c.expr)}); name them with a record, such as ` +
          `{ ${c.key}: a, other${c.key[0].toUpperCase()}${c.key.slice(1)}: b }.`,
      );
    }
    seen.set(c.key, c);
  }
}

/** Result columns of selectable items: columns (keyed by key) or a record of expressions. */
export function resultColumns(items: readonly unknown[], what: string): ResultColumn[] {
  if (items.length === 1 && isRecord(items[0])) {
    return Object.entries(items[0] as Record<string, unknown>).map(([key, expr]) => {
      if (!isSqlNode(expr)) {
        throw new ArgumentError(
          `${what}'s ${JSON.stringify(key)} is not SQL; use a column, a fragment or a query.`,
        );
      }
      return { key, expr: expr as SqlSource<unknown>, type: typeOf(expr) };
    });
  }
  const out = items.map((item, i): ResultColumn => {
    if (item instanceof Column) {
      if (item.table === undefined) {
        throw new ArgumentError(`${what}: item ${i + 1} is a column not bound to a table.`);
      }
      return { key: item.key, expr: item, type: item.type };
    }
    if (item instanceof ColumnRef) return { key: item.key, expr: item, type: item.type };
    throw new ArgumentError(
      `${what}: item ${i + 1} is not a column; select columns (users.c.id), a table, a model ` +
        "class, or a record of expressions such as { n: sql`count(*)` }.",
    );
  });
  checkKeys(out, what);
  return out;
}

function isRecord(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The result columns of RETURNING: every column by key, or the columns or record given. */
export function returningColumns(table: Table, items: readonly unknown[]): ResultColumn[] {
  if (items.length === 0) {
    return table.columns.map((c) => ({ key: c.key, expr: c, type: c.type }));
  }
  return resultColumns(items, "returning(...)");
}

/** A table's columns as a select lists them: by key, or by name for the ORM's entities. */
export function tableColumns(t: Table, byName: boolean): ResultColumn[] {
  return t.columns.map((c) => ({ key: byName ? c.name : c.key, expr: c, type: c.type }));
}

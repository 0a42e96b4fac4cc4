/**
 * SQL written on tables (a condition, an order) read through an alias or subquery instead:
 * each of the tables' columns replaced, the rest kept as it is.
 *
 * @module
 */
import { Column } from "../../core/schema/column.ts";
import { TypedExpression } from "../../core/builder/expression.ts";
import { ByDialect, Fragment, List, type SqlSource } from "../../core/sql/nodes.ts";

type ColumnAt = (column: Column) => SqlSource<unknown>;

/**
 * SQL written on tables (a condition, an order) with each of their columns read through
 * `at` instead: the same SQL for an alias or subquery a query reads them through. Nodes
 * that hold none of their columns are returned as they are; a query nested in it is kept
 * whole (its columns name what it reads).
 */
export function onAlias<E>(e: E, tables: readonly unknown[], at: ColumnAt): E {
  return rebind(e, tables, at) as E;
}

function rebind(v: unknown, tables: readonly unknown[], at: ColumnAt): unknown {
  if (v instanceof Column) return tables.includes(v.table) ? at(v) : v;
  if (v instanceof Fragment) {
    const values = rebindAll(v.values, tables, at);
    return values === v.values ? v : new Fragment(v.strings, values);
  }
  if (v instanceof TypedExpression) {
    const f = rebind(v.fragment, tables, at) as Fragment;
    return f === v.fragment ? v : new TypedExpression(f, v.type, v.source);
  }
  if (v instanceof List) {
    const items = rebindAll(v.items, tables, at);
    return items === v.items ? v : new List(items);
  }
  if (v instanceof ByDialect) {
    const entries = Object.entries(v.cases);
    const cases = rebindAll(entries.map(([, f]) => f), tables, at) as Fragment[];
    return cases.every((f, i) => f === entries[i][1])
      ? v
      : new ByDialect(Object.fromEntries(entries.map(([k], i) => [k, cases[i]])));
  }
  return v;
}

/** The values rebound, or the same array when none changes. */
function rebindAll(
  values: readonly unknown[],
  tables: readonly unknown[],
  at: ColumnAt,
): readonly unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const r = rebind(values[i], tables, at);
    if (r !== values[i]) (out ??= values.slice())[i] = r;
  }
  return out ?? values;
}

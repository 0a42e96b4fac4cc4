/**
 * Entities over several tables (the ORM's classes in joined-table inheritance): an UPDATE or
 * DELETE of one writes its own table only, so a WHERE on the columns of the tables above it
 * goes through the key, and a DELETE, which would leave those tables' rows, is refused.
 *
 * @module
 */
import { InvalidRequestError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { sameTable, type Table } from "../schema/table.ts";
import { Fragment, List, type SqlSource } from "../sql/nodes.ts";
import { type EntitySelection, entitySelection } from "../statement.ts";
import { select } from "./select.ts";

/** The tables an entity spans above its own: the first one's, and the inner joins to the rest. */
export interface Span {
  readonly name: string;
  readonly root: Table;
  readonly joins: EntitySelection["joins"];
}

/** What `target` spans above its own table `own`, or null for a table or a one-table entity. */
export function spanOf(target: unknown, own: Table): Span | null {
  if (typeof target !== "function") return null;
  const shape = (target as { [entitySelection]?: EntitySelection })[entitySelection];
  const root = shape?.columns[0]?.table as Table | undefined;
  if (shape === undefined || root === undefined || root === own) return null;
  const joins = shape.joins.filter((j) => j.kind === "JOIN");
  if (!joins.some((j) => j.target === own)) return null;
  return { name: (target as { name: string }).name, root, joins };
}

/** The tables of a span other than `own`. */
const above = (span: Span, own: Table): Table[] => [
  span.root,
  ...span.joins.map((j) => j.target).filter((t) => t !== own),
];

/** Whether SQL names a column of one of `tables` (not counting subqueries, which have theirs). */
function names(node: unknown, tables: readonly Table[]): boolean {
  if (node instanceof Column) {
    const t = node.table;
    return t !== undefined && tables.some((x) => sameTable(x, t));
  }
  if (node instanceof List) return node.items.some((v) => names(v, tables));
  if (node instanceof Fragment) return node.values.some((v) => names(v, tables));
  return false;
}

/**
 * The WHERE of a write of `own`, on its own columns: as it is, or, where it names a column of
 * the tables above, `(key) IN (SELECT key FROM root JOIN ... JOIN own WHERE ...)`.
 */
export function ownWhere(
  own: Table,
  span: Span | null,
  where: readonly SqlSource<unknown>[],
): readonly SqlSource<unknown>[] {
  if (span === null) return where;
  if (!where.some((w) => names(w, above(span, own)))) return where;
  const keys = own.primaryKey;
  const record: Record<string, SqlSource<unknown>> = {};
  for (let n = 0; n < keys.length; n++) {
    const k = span.root.primaryKey.find((p) => p.key === keys[n].key);
    if (k === undefined) return where;
    record[`k${n}`] = k;
  }
  let q = select(record).from(span.root);
  for (const j of span.joins) q = q.join(j.target, j.on);
  q = q.where(...where);
  const strings = ["(", ...keys.slice(1).map(() => ", "), ") IN (", ")"];
  return [new Fragment(strings, [...keys, q])];
}

/**
 * Refuses a DELETE of an entity's own table that would leave its rows in the tables above.
 */
export function refuseSpanningDelete(span: Span | null, own: Table): void {
  if (span === null) return;
  throw new InvalidRequestError(
    `delete(${span.name}) would delete rows of ${own.name} only, leaving their rows in ` +
      `${
        above(span, own).map((t) => t.name).join(", ")
      }. Delete the objects with session.delete(obj) ` +
      `and flush (it deletes the row from every table), or delete from ${span.root.name} ` +
      `with the other tables' keys declared .references(..., { onDelete: "cascade" }).`,
  );
}

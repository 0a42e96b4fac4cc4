/**
 * The one writer of INSERT, UPDATE and DELETE text, shared by the statement builder and the
 * ORM's unit of work. It places values (already checked, bound or encoded by its caller) in
 * templates cached per statement shape, so that the compile step's call-site cache serves a
 * statement run again with other values.
 *
 * @module
 */
import { DialectSql } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import type { Column } from "../schema/column.ts";
import { EMPTY, Fragment, Identifier, type SqlSource } from "../sql/nodes.ts";
import { selectList } from "./rows.ts";
import { cachedStrings } from "../sql/templates.ts";
import type { ResultColumn } from "./rows.ts";

const ids = new WeakMap<Column, Identifier>();

/** A column's unqualified name, as INSERT column lists and SET clauses write it. */
export function idOf(column: Column): Identifier {
  let id = ids.get(column);
  if (id === undefined) ids.set(column, id = new Identifier([column.name]));
  return id;
}

const template = cachedStrings;

/** `"a", "b"`: column names, unqualified. */
export function columnList(columns: readonly Column[]): Fragment {
  const strings = template(`cols:${columns.length}`, () => {
    const s = [""];
    for (let i = 1; i < columns.length; i++) s.push(", ");
    s.push("");
    return s;
  });
  return new Fragment(strings, columns.map(idOf));
}

/** `"a" = $1, "b" = $2`: assignments with unqualified column names. */
export function assignments(pairs: readonly (readonly [Column, unknown])[]): Fragment {
  const strings = template(`set:${pairs.length}`, () => {
    const s = [""];
    for (let i = 0; i < pairs.length; i++) s.push(" = ", i === pairs.length - 1 ? "" : ", ");
    return s;
  });
  const values: unknown[] = [];
  for (const [col, v] of pairs) values.push(idOf(col), v);
  return new Fragment(strings, values);
}

/** ` RETURNING list`, or nothing; a dialect without RETURNING refuses it when compiled. */
export function returningClause(columns: readonly ResultColumn[] | null): Fragment {
  if (columns === null) return EMPTY;
  const clause = new Fragment([" RETURNING ", ""], [selectList(columns)]);
  return new Fragment(["", ""], [
    new DialectSql((d) => {
      if (!d.supportsReturning) {
        throw new ArgumentError(
          `The ${d.name} dialect has no RETURNING; run the statement, then select what it wrote.`,
        );
      }
      return clause;
    }),
  ]);
}

/**
 * `INSERT INTO table (columns) VALUES (row), (row)...` then `tail` (ON CONFLICT, RETURNING);
 * `DEFAULT VALUES` for a row of no columns. Each row holds one value per column.
 */
export function insertSql(
  table: SqlSource<unknown>,
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  tail: SqlSource<unknown> = EMPTY,
): Fragment {
  const width = columns.length;
  if (width === 0) return new Fragment(["INSERT INTO ", " DEFAULT VALUES", ""], [table, tail]);
  const values: unknown[] = new Array(2 + width + rows.length * width);
  let n = 0;
  values[n++] = table;
  for (let k = 0; k < width; k++) values[n++] = idOf(columns[k]);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let k = 0; k < width; k++) values[n++] = row[k];
  }
  values[n] = tail;
  return new Fragment(insertStrings(width, rows.length), values);
}

/**
 * The same INSERT, its row values given flat: value `k` of row `r` at
 * `values[1 + width + r * width + k]` (width: the number of columns), in an array of
 * `2 + width + count * width` slots whose others this function fills. A caller writing many
 * rows so allocates one array, not one per row.
 */
export function insertSqlFlat(
  table: SqlSource<unknown>,
  columns: readonly Column[],
  count: number,
  values: unknown[],
  tail: SqlSource<unknown> = EMPTY,
): Fragment {
  const width = columns.length;
  if (width === 0) return new Fragment(["INSERT INTO ", " DEFAULT VALUES", ""], [table, tail]);
  values[0] = table;
  for (let k = 0; k < width; k++) values[1 + k] = idOf(columns[k]);
  values[1 + width + count * width] = tail;
  return new Fragment(insertStrings(width, count), values);
}

function insertStrings(width: number, count: number): readonly string[] {
  return template(`ins:${width}:${count}`, () => {
    const s = ["INSERT INTO ", " ("];
    for (let k = 1; k < width; k++) s.push(", ");
    for (let r = 0; r < count; r++) {
      s.push(r === 0 ? ") VALUES (" : "), (");
      for (let k = 1; k < width; k++) s.push(", ");
    }
    s.push(")", "");
    return s;
  });
}

/**
 * What an UPDATE or DELETE matches: a condition, or column-equals-value pairs ANDed (the
 * cache-friendly shape the unit of work uses).
 */
export type Match = SqlSource<unknown> | readonly (readonly [Column, unknown])[] | null;

type Pairs = readonly (readonly [Column, unknown])[];

/**
 * A statement of fixed head text, `head` assignments (UPDATE's SET), and a where clause: its
 * template is built once per shape; only its values are gathered per call.
 */
function statement(
  verb: "UPDATE " | "DELETE FROM ",
  table: SqlSource<unknown>,
  set: Pairs,
  match: Match,
  tail: SqlSource<unknown>,
): Fragment {
  const pairs = Array.isArray(match) ? match as Pairs : null;
  const where = pairs !== null ? `e${pairs.length}` : match === null ? "" : "w";
  const strings = template(`${verb}${set.length}:${where}`, () => {
    const t: string[] = [verb];
    set.forEach((_, i) => t.push(i === 0 ? " SET " : ", ", " = "));
    const w = pairs !== null ? pairs.length : match === null ? 0 : 1;
    for (let i = 0; i < w; i++) {
      t.push(i === 0 ? " WHERE " : " AND ");
      if (pairs !== null) t.push(" = ");
    }
    t.push("", "");
    return t;
  });
  const values: unknown[] = new Array(strings.length - 1);
  let n = 0;
  values[n++] = table;
  for (let i = 0; i < set.length; i++) {
    values[n++] = idOf(set[i][0]);
    values[n++] = set[i][1];
  }
  if (pairs !== null) {
    for (let i = 0; i < pairs.length; i++) {
      values[n++] = idOf(pairs[i][0]);
      values[n++] = pairs[i][1];
    }
  } else if (match !== null) values[n++] = match;
  values[n] = tail;
  return new Fragment(strings, values);
}

/**
 * `UPDATE table SET a = v, ... [WHERE match]` then `tail` (RETURNING): one flat template per
 * shape, so that the compile step's cache serves every row of that shape.
 */
export function updateSql(
  table: SqlSource<unknown>,
  set: Pairs,
  match: Match,
  tail: SqlSource<unknown> = EMPTY,
): Fragment {
  return statement("UPDATE ", table, set, match, tail);
}

/** `DELETE FROM table [WHERE match]` then `tail` (RETURNING). */
export function deleteSql(
  table: SqlSource<unknown>,
  match: Match,
  tail: SqlSource<unknown> = EMPTY,
): Fragment {
  return statement("DELETE FROM ", table, [], match, tail);
}

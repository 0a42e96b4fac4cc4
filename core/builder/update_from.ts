/**
 * The batched UPDATE both shipped dialects write: `UPDATE t SET a = v.x FROM (VALUES (...),
 * ...) AS v WHERE t.k = v.y`, many rows changing the same columns in one statement. A dialect
 * chooses how its VALUES list names its columns and whether each value is cast; the strings
 * are built once per shape, so that the compile step reuses the text.
 *
 * @module
 */
import type { RowsUpdate } from "../dialect.ts";
import { Fragment, Identifier, text } from "../sql/nodes.ts";
import { cachedStrings } from "../sql/templates.ts";

/**
 * How a dialect writes its VALUES list.
 *
 * @example
 * ```ts
 * import { sql } from "@retort/orm";
 * import type { ValuesShape } from "./update_from.ts";
 * const shape: ValuesShape = { name: "doc", cast: false, declareNames: false, column: (k) => sql.id(`column${k + 1}`) };
 * ```
 */
export interface ValuesShape {
  /** The shape's name, for the template cache. */
  readonly name: string;
  /** Whether each value is written `CAST(? AS type)` (a VALUES list has no column types). */
  readonly cast: boolean;
  /** Whether the alias names its columns (`AS v (c0, c1)`), or the database names them. */
  readonly declareNames: boolean;
  /** The name of the list's column `k` (0-based). */
  column(k: number): Identifier;
}

const VALUES_ROW = new Identifier(["__retort_v"]);
const casts = new Map<string, Fragment>();

/** The type of a CAST, as SQL text: one fragment per type, so that compiled texts are reused. */
function castTo(type: string): Fragment {
  let t = casts.get(type);
  if (t === undefined) {
    if (casts.size >= 1024) casts.clear();
    casts.set(type, t = text(type));
  }
  return t;
}

/**
 * One UPDATE of many rows: each row's keys then new values, joined to the table by its keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, sqliteDialect } from "@retort/orm";
 * import { updateFromValues } from "./update_from.ts";
 * const f = updateFromValues({
 *   table: sql`${sql.id("t")}`, keys: [sql.id("id")], set: [sql.id("a")], types: ["INTEGER", "TEXT"],
 *   rows: [[1, "x"], [2, "y"]],
 * }, { name: "doc", cast: false, declareNames: false, column: (k) => sql.id(`column${k + 1}`) });
 * assert.match(compile(f, sqliteDialect).text, /^UPDATE "t" SET "a" = "__retort_v"."column2" FROM \(VALUES \(\?, \?\), \(\?, \?\)\)/);
 * ```
 */
export function updateFromValues(u: RowsUpdate, shape: ValuesShape): Fragment {
  const v = VALUES_ROW;
  const nk = u.keys.length, ns = u.set.length, width = nk + ns, count = u.rows.length;
  const { cast, declareNames, column } = shape;
  const strings = cachedStrings(`upd:${shape.name}:${nk}:${ns}:${count}`, () => {
    const s: string[] = ["UPDATE ", " SET "];
    for (let k = 0; k < ns; k++) s.push(" = ", ".", k < ns - 1 ? ", " : " FROM (VALUES ");
    const open = cast ? "CAST(" : "";
    for (let r = 0; r < count; r++) {
      for (let k = 0; k < width; k++) {
        s[s.length - 1] += (k === 0 ? (r === 0 ? "(" : ", (") : ", ") + open;
        if (cast) s.push(" AS ", ")");
        else s.push("");
      }
      s[s.length - 1] += ")";
    }
    s[s.length - 1] += ") AS ";
    if (declareNames) {
      s.push(" (");
      for (let k = 0; k < width; k++) s.push(k < width - 1 ? ", " : ") WHERE ");
    } else s.push(" WHERE ");
    for (let k = 0; k < nk; k++) s.push(".", " = ", ".", k < nk - 1 ? " AND " : "");
    return s;
  });
  const types = cast ? u.types.map(castTo) : null;
  const values: unknown[] = [u.table];
  for (let k = 0; k < ns; k++) values.push(u.set[k], v, column(nk + k));
  for (let r = 0; r < count; r++) {
    const row = u.rows[r];
    for (let k = 0; k < width; k++) {
      values.push(row[k]);
      if (types !== null) values.push(types[k]);
    }
  }
  values.push(v);
  if (declareNames) { for (let k = 0; k < width; k++) values.push(column(k)); }
  for (let k = 0; k < nk; k++) values.push(u.table, u.keys[k], v, column(k));
  return new Fragment(strings, values);
}

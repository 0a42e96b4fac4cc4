/**
 * The one row decoder: turns what a driver returns into JavaScript values with each result
 * column's type, for rows keyed by column (objects) or in column order (arrays).
 *
 * @module
 */
import type { Row } from "../sql/nodes.ts";
import type { ColumnType, Converter, TypeDialect } from "./column_type.ts";

/**
 * A result column as decoding sees it: its key in each row, and its type (or null).
 *
 * @example
 * ```ts
 * import { type ResultType, types } from "@retort/orm";
 * const c: ResultType = { key: "id", type: types.integer };
 * ```
 */
export interface ResultType {
  /** The key rows have it under. */
  readonly key: string;
  /** The column type whose decoder applies, or null. */
  readonly type: ColumnType | null;
}

type Decoders = readonly (readonly [number, string, Exclude<Converter, null>])[];

const decoders = new WeakMap<readonly ResultType[], WeakMap<TypeDialect, Decoders>>();

function decodersOf(columns: readonly ResultType[], dialect: TypeDialect): Decoders {
  let byDialect = decoders.get(columns);
  if (byDialect === undefined) decoders.set(columns, byDialect = new WeakMap());
  let list = byDialect.get(dialect);
  if (list === undefined) {
    const found: [number, string, Exclude<Converter, null>][] = [];
    columns.forEach((c, i) => {
      const d = c.type?.decoder(dialect) ?? null;
      if (d !== null) found.push([i, c.key, d]);
    });
    byDialect.set(dialect, list = found);
  }
  return list;
}

/** Decodes rows in place with the columns' types and returns them (arrays by position). */
export function decodeRows<R extends Row | unknown[]>(
  rows: R[],
  columns: readonly ResultType[],
  dialect: TypeDialect,
): R[] {
  if (rows.length === 0) return rows;
  const list = decodersOf(columns, dialect);
  if (list.length === 0) return rows;
  const arrays = Array.isArray(rows[0]);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string | number, unknown>;
    for (let i = 0; i < list.length; i++) {
      const [index, key, decode] = list[i];
      const at = arrays ? index : key;
      const v = row[at];
      if (v !== null && v !== undefined) row[at] = decode(v);
    }
  }
  return rows;
}

/**
 * Loading one object by its primary key: the builder's select of the class, with a key
 * predicate in a template of its own, so that the compile step's cache serves every lookup
 * of the class after the first.
 *
 * @module
 */
import { select } from "../../core/builder/select.ts";
import type { Dialect } from "../../core/dialect.ts";
import type { Column } from "../../core/schema/column.ts";
import { entityWhere } from "../../core/statement.ts";
import { Fragment, type SqlSource } from "../../core/sql/nodes.ts";
import type { ResultType } from "../../core/types/decode.ts";
import { rowColumns } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";

/** A class's select by key, made once per class and set of columns. */
export interface KeyLookup {
  readonly base: SqlSource<unknown>;
  readonly columns: readonly ResultType[];
  readonly strings: readonly string[];
}

const lookups = new WeakMap<Mapper, Map<string, KeyLookup>>();
/** The lookup of the whole row, by mapper, with the width it was made for. */
const whole = new WeakMap<Mapper, { width: number; lookup: KeyLookup }>();

/** The select by key of a class, of the columns at `keep` (null: all). */
export function keyLookup(mapper: Mapper, keep: readonly number[] | null): KeyLookup {
  // A subclass declared since adds columns to what the select of a hierarchy lists.
  const width = rowColumns(mapper).length;
  if (keep === null) {
    const w = whole.get(mapper);
    if (w !== undefined && w.width === width) return w.lookup;
  }
  let byPlan = lookups.get(mapper);
  if (byPlan === undefined) lookups.set(mapper, byPlan = new Map());
  const plan = `${width}:${keep === null ? "" : keep.join(",")}`;
  let l = byPlan.get(plan);
  if (l === undefined) {
    const all = select(mapper.cls);
    const cols = all.columns.map((c) => c.expr as Column);
    // A load that defers columns selects the others (see `columns.ts`).
    const base = keep === null ? all : all.withOnlyColumns(...keep.map((p) => cols[p]));
    // A subclass of a single-table hierarchy selects with its discriminator's condition.
    const filtered = (mapper.cls as { [entityWhere]?: unknown })[entityWhere] !== undefined;
    const strings = ["", filtered ? " AND " : " WHERE "];
    mapper.pk.forEach((_, k) => strings.push(" = ", k < mapper.pk.length - 1 ? " AND " : ""));
    l = { base, columns: base.columns, strings: Object.freeze(strings) };
    byPlan.set(plan, l);
  }
  if (keep === null) whole.set(mapper, { width, lookup: l });
  return l;
}

/**
 * `SELECT <columns> FROM <table> WHERE pk = $1 [AND ...]` of a lookup (`keyLookup`), the key
 * encoded for the dialect; the lookup's `columns` decode its rows.
 */
export function byKey(
  l: KeyLookup,
  mapper: Mapper,
  keys: readonly unknown[],
  dialect: Dialect,
): Fragment {
  const encoders = mapper.encoders(dialect);
  const n = mapper.pk.length;
  const values: unknown[] = new Array(1 + 2 * n);
  values[0] = l.base;
  for (let k = 0; k < n; k++) {
    const i = mapper.pk[k];
    const enc = encoders[i];
    values[1 + 2 * k] = mapper.columns[i];
    values[2 + 2 * k] = enc === null ? keys[k] : enc(keys[k]);
  }
  return new Fragment(l.strings, values);
}

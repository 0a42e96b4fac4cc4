/**
 * Loading one object by its primary key: the builder's select of the class, with a key
 * predicate in a template of its own, so that the compile step's cache serves every lookup
 * of the class after the first.
 *
 * @module
 */
import { select } from "../../core/builder/select.ts";
import type { Dialect } from "../../core/dialect.ts";
import { entityWhere } from "../../core/statement.ts";
import { Fragment, type SqlSource } from "../../core/sql/nodes.ts";
import type { ResultType } from "../../core/types/decode.ts";
import { rowColumns } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";

interface KeyLookup {
  readonly base: SqlSource<unknown>;
  readonly columns: readonly ResultType[];
  readonly strings: readonly string[];
}

const lookups = new WeakMap<Mapper, KeyLookup>();

function lookupOf(mapper: Mapper): KeyLookup {
  let l = lookups.get(mapper);
  // A subclass declared since adds columns to what the select of a hierarchy lists.
  if (l === undefined || l.columns.length !== rowColumns(mapper).length) {
    const base = select(mapper.cls);
    // A subclass of a single-table hierarchy selects with its discriminator's condition.
    const filtered = (mapper.cls as { [entityWhere]?: unknown })[entityWhere] !== undefined;
    const strings = ["", filtered ? " AND " : " WHERE "];
    mapper.pk.forEach((_, k) => strings.push(" = ", k < mapper.pk.length - 1 ? " AND " : ""));
    l = { base, columns: base.columns, strings: Object.freeze(strings) };
    lookups.set(mapper, l);
  }
  return l;
}

/**
 * `SELECT <columns> FROM <table> WHERE pk = $1 [AND ...]`, the key encoded for the dialect,
 * and the result columns to decode its rows with.
 */
export function byKey(
  mapper: Mapper,
  keys: readonly unknown[],
  dialect: Dialect,
): { statement: Fragment; columns: readonly ResultType[] } {
  const l = lookupOf(mapper);
  const encoders = mapper.encoders(dialect);
  const values: unknown[] = [l.base];
  for (let k = 0; k < mapper.pk.length; k++) {
    const i = mapper.pk[k];
    const enc = encoders[i];
    values.push(mapper.columns[i], enc === null ? keys[k] : enc(keys[k]));
  }
  return { statement: new Fragment(l.strings, values), columns: l.columns };
}

/**
 * Loading one object by its primary key: the builder's select of the class, with a key
 * predicate in a template of its own, so that the compile step's cache serves every lookup
 * of the class after the first.
 *
 * @module
 */
import { select } from "../../core/builder/select.ts";
import { Fragment, type SqlSource, toSql } from "../../core/sql/nodes.ts";
import type { Executable } from "../../core/statement.ts";
import type { ResultType } from "../../core/types/decode.ts";
import { TypedParam } from "../../core/types/param.ts";
import type { Mapper } from "../mapping/mapper.ts";

interface KeyLookup {
  readonly base: SqlSource<unknown>;
  readonly columns: readonly ResultType[];
  readonly strings: readonly string[];
}

const lookups = new WeakMap<Mapper, KeyLookup>();

function lookupOf(mapper: Mapper): KeyLookup {
  let l = lookups.get(mapper);
  if (l === undefined) {
    const base = select(mapper.cls);
    const strings = ["", " WHERE "];
    mapper.pk.forEach((_, k) => strings.push(" = ", k < mapper.pk.length - 1 ? " AND " : ""));
    l = { base, columns: base.columns, strings: Object.freeze(strings) };
    lookups.set(mapper, l);
  }
  return l;
}

/** `SELECT <columns> FROM <table> WHERE pk = $1 [AND ...]`, its rows decoded. */
export function byKey(mapper: Mapper, keys: readonly unknown[]): Executable<unknown> {
  const l = lookupOf(mapper);
  const values: unknown[] = [l.base];
  mapper.pk.forEach((i, k) => {
    const col = mapper.columns[i];
    values.push(col, new TypedParam(keys[k], col.type));
  });
  const fragment = new Fragment(l.strings, values);
  return { [toSql]: () => fragment, resultTypes: l.columns };
}

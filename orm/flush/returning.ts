/**
 * What the statements of a flush share: the session's way to run them, a value encoded for
 * the dialect, and `RETURNING` clauses built once per mapper and column set.
 *
 * @module
 */
import { columnList } from "../../core/builder/write.ts";
import type { Dialect } from "../../core/dialect.ts";
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import { Fragment, type SqlSource, toSql } from "../../core/sql/nodes.ts";
import type { Executable } from "../../core/statement.ts";
import type { Converter } from "../../core/types/column_type.ts";
import type { ResultType } from "../../core/types/decode.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { readBackList } from "./read_back.ts";

/** What the statements of a flush need: a dialect, and the session's way to run SQL. */
export interface WriteContext {
  readonly dialect: Dialect;
  /** Whether parameter values must stay out of messages. */
  readonly hideParameters: boolean;
  /** Runs a statement in the session's transaction. */
  execute(statement: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult>;
}

/** A RETURNING clause and the types of its columns. */
export interface Returning {
  readonly tail: Fragment;
  readonly types: readonly ResultType[];
}

const returnings = new WeakMap<Mapper, Map<string, Returning>>();

/** ` RETURNING <columns>`, and their types, built once per mapper and column set. */
export function returning(mapper: Mapper, indexes: readonly number[]): Returning {
  let byKey = returnings.get(mapper);
  if (!byKey) returnings.set(mapper, byKey = new Map());
  const key = indexes.join(",");
  let r = byKey.get(key);
  if (r === undefined) {
    const columns = indexes.map((i) => mapper.columns[i]);
    r = {
      tail: new Fragment([" RETURNING ", ""], [
        mapper.readBack.length > 0 ? readBackList(columns) : columnList(columns),
      ]),
      types: columns.map((c) => ({ key: c.key, type: c.type })),
    };
    byKey.set(key, r);
  }
  return r;
}

/** A statement whose rows are decoded with the given types. */
export function typed(fragment: Fragment, types: readonly ResultType[]): Executable<unknown> {
  return { [toSql]: () => fragment, resultTypes: types };
}

/** A value as its column's encoder gives it to the driver (NULL and SQL as they are). */
export const encodeWith = (enc: Converter | null, v: unknown): unknown =>
  v === null || v === undefined || v instanceof Fragment || enc === null ? v : enc(v);

/** Column `i`'s value `v` encoded for the dialect (see `encodeWith`). */
export const encode = (mapper: Mapper, dialect: Dialect, i: number, v: unknown): unknown =>
  encodeWith(mapper.encoders(dialect)[i], v);

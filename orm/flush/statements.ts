/**
 * The statements a flush sends, written by Core's writer (the one the statement builder uses):
 * multi-row `INSERT ... RETURNING` for rows providing the same columns, `UPDATE` of the changed
 * columns only (many rows in one statement where the dialect can), `DELETE` by key, and the
 * rows of association tables.
 *
 * @module
 */
import { inList } from "../../core/builder/comparison.ts";
import {
  columnList,
  deleteSql,
  idOf,
  insertSql,
  insertSqlFlat,
  updateSql,
} from "../../core/builder/write.ts";
import type { Dialect } from "../../core/dialect.ts";
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import { ArgumentError, StaleDataError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { EMPTY, Fragment, type SqlSource, toSql } from "../../core/sql/nodes.ts";
import type { Executable } from "../../core/statement.ts";
import type { ResultType } from "../../core/types/decode.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { TypedParam } from "../../core/types/param.ts";
import type { Pair } from "./plan.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";
import { readBackList } from "./read_back.ts";

/** What the statements of a flush need: a dialect, and the session's way to run SQL. */
export interface WriteContext {
  readonly dialect: Dialect;
  /** Whether parameter values must stay out of messages. */
  readonly hideParameters: boolean;
  /** Runs a statement in the session's transaction. */
  execute(statement: SqlSource<unknown>, mode: QueryMode): Promise<QueryResult>;
}

interface Returning {
  readonly tail: Fragment;
  readonly types: readonly ResultType[];
}

const returnings = new WeakMap<Mapper, Map<string, Returning>>();

/** ` RETURNING <columns>`, and their types, built once per mapper and column set. */
function returning(mapper: Mapper, indexes: readonly number[]): Returning {
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
function typed(fragment: Fragment, types: readonly ResultType[]): Executable<unknown> {
  return { [toSql]: () => fragment, resultTypes: types };
}

const encode = (mapper: Mapper, dialect: Dialect, i: number, v: unknown): unknown => {
  if (v === null || v === undefined || v instanceof Fragment) return v;
  const enc = mapper.encoders(dialect)[i];
  return enc === null ? v : enc(v);
};

/** What a new row gives for a column: nothing (the database fills it), SQL, or a value. */
const NONE = 0, SQL = 1, VALUE = 2;
/** Up to this many columns, a row's signature is a number (base 3), else a string. */
const NUMERIC_SIGNATURE = 33;

/** What a signature says of column `i`: NONE, SQL or VALUE. */
function kindAt(sig: number | string, i: number): number {
  if (typeof sig === "string") return sig.charCodeAt(i) - 48;
  return Math.floor(sig / 3 ** i) % 3;
}

/**
 * Fills defaults of new rows in place; returns which columns each row provides, as a
 * signature equal for rows providing the same ones (a number: no string per row).
 */
function provided(mapper: Mapper, s: InstanceState): number | string {
  const cols = mapper.columns;
  const values = s.values;
  const numeric = cols.length <= NUMERIC_SIGNATURE;
  let code = 0;
  let sig = "";
  for (let i = 0; i < cols.length; i++) {
    let v = values[i];
    if (v === undefined) {
      const c = cols[i].config;
      if (c.default !== undefined) {
        v = c.default instanceof Fragment
          ? c.default
          : typeof c.default === "function"
          ? (c.default as () => unknown)()
          : c.default;
        if (!(v instanceof Fragment)) {
          const problem = v === null ? null : cols[i].type.check(v);
          if (problem !== null) {
            throw new ArgumentError(`The default of ${mapper.name}.${cols[i].key} ${problem}.`);
          }
          values[i] = v;
        }
      } else if (cols[i].generated || c.serverDefault !== undefined || cols[i].readOnly) {
        if (!numeric) sig += "0";
        continue;
      } else values[i] = v = null; // nullable: the check before the flush saw to it
    }
    const kind = v instanceof Fragment ? SQL : VALUE;
    if (numeric) code += kind * 3 ** i;
    else sig += String.fromCharCode(48 + kind);
  }
  return numeric ? code : sig;
}

/** Inserts new rows of one mapper: one INSERT per run of rows providing the same columns. */
export async function insertRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
): Promise<void> {
  const n = mapper.columns.length;
  const signatures = states.map((s) => provided(mapper, s));
  let start = 0;
  while (start < states.length) {
    const sig = signatures[start];
    let end = start + 1;
    while (end < states.length && signatures[end] === sig) end++;
    const given: number[] = [];
    const back: number[] = [];
    for (let i = 0; i < n; i++) {
      const kind = kindAt(sig, i);
      if (kind !== VALUE) back.push(i);
      if (kind !== NONE) given.push(i);
    }
    if (back.length > 0) {
      for (const p of [...mapper.pk].reverse()) if (!back.includes(p)) back.unshift(p);
    }
    const maxRows = given.length === 0
      ? 1
      : Math.min(rowsPerStatement(ctx.dialect, given.length), ctx.dialect.insertRows ?? Infinity);
    for (let i = start; i < end; i += maxRows) {
      await insertChunk(ctx, mapper, states.slice(i, Math.min(end, i + maxRows)), given, back);
    }
    start = end;
  }
}

async function insertChunk(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  given: readonly number[],
  back: readonly number[],
): Promise<void> {
  const cols = mapper.columns;
  const encoders = mapper.encoders(ctx.dialect);
  const width = given.length;
  // One flat array of every row's values (see insertSqlFlat), not one array per row.
  const flat: unknown[] = new Array(2 + width + states.length * width);
  let at = 1 + width;
  for (let r = 0; r < states.length; r++) {
    const values = states[r].values;
    for (let k = 0; k < width; k++) {
      const i = given[k];
      const v = values[i];
      const enc = encoders[i];
      flat[at++] = v === null || enc === null || v instanceof Fragment ? v : enc(v);
    }
  }
  const columns = given.map((i) => cols[i]);
  if (back.length === 0) {
    await ctx.execute(insertSqlFlat(mapper.table, columns, states.length, flat), "run");
    return;
  }
  const r = returning(mapper, back);
  const result = await ctx.execute(
    typed(insertSqlFlat(mapper.table, columns, states.length, flat, r.tail), r.types),
    "values",
  );
  const returned = result.rows as unknown as unknown[][];
  const pkGenerated = mapper.pk.length === 1 && states[0].values[mapper.pk[0]] === undefined;
  if (pkGenerated && returned.length > 1 && !ascending(returned)) {
    // Generated keys increase in insert order; match them to rows by sorting.
    returned.sort((x, y) => (x[0] as number) < (y[0] as number) ? -1 : 1);
  }
  const byKey = pkGenerated ? null : new Map(states.map((s) => [mapper.identity(s.values), s]));
  for (let k = 0; k < returned.length; k++) {
    const row = returned[k];
    let s: InstanceState | undefined;
    if (byKey) {
      const probe = new Array(cols.length);
      back.forEach((i, j) => (probe[i] = row[j]));
      s = byKey.get(mapper.identity(probe));
    } else s = states[k];
    if (!s) continue;
    const values = s.values;
    for (let j = 0; j < back.length; j++) values[back[j]] = row[j];
  }
}

/** Whether rows are in ascending order of their first value (RETURNING mostly is). */
function ascending(rows: readonly unknown[][]): boolean {
  for (let k = 1; k < rows.length; k++) {
    if (!((rows[k - 1][0] as number) < (rows[k][0] as number))) return false;
  }
  return true;
}

/** The key (and version) an UPDATE or DELETE of a row matches, encoded. */
function match(ctx: WriteContext, mapper: Mapper, s: InstanceState): [Column, unknown][] {
  const old = s.stored;
  const out: [Column, unknown][] = mapper.pk.map((i) => [
    mapper.columns[i],
    encode(mapper, ctx.dialect, i, old[i]),
  ]);
  if (mapper.version >= 0) out.push([mapper.columns[mapper.version], old[mapper.version]]);
  return out;
}

function keyOf(ctx: WriteContext, mapper: Mapper, s: InstanceState): string {
  return ctx.hideParameters ? "(its key hidden)" : mapper.describeKey(s.stored);
}

/**
 * Writes a persistent row's changed columns (with `onUpdate` values and the version), in one
 * UPDATE matching its key (and version). Columns set by SQL come back by RETURNING.
 */
export async function updateRow(
  ctx: WriteContext,
  mapper: Mapper,
  s: InstanceState,
  changed: readonly number[],
  computed: readonly number[],
): Promise<void> {
  const cols = mapper.columns;
  const set = changed.map((i): [Column, unknown] => [
    cols[i],
    computed.includes(i) ? cols[i].config.onUpdate : encode(mapper, ctx.dialect, i, s.values[i]),
  ]);
  const back = mapper.readBack.length > 0 ? [...computed, ...mapper.readBack] : computed;
  const r = back.length > 0 ? returning(mapper, back) : null;
  const fragment = updateSql(mapper.table, set, match(ctx, mapper, s), r?.tail ?? EMPTY);
  const result = r === null
    ? await ctx.execute(fragment, "run")
    : await ctx.execute(typed(fragment, r.types), "values");
  const count = r === null ? result.rowsAffected : result.rows.length;
  if (count === 0) {
    throw new StaleDataError(
      `UPDATE of ${mapper.name} ${keyOf(ctx, mapper, s)} matched no row: it was deleted, ` +
        (mapper.version >= 0 ? "or its version changed, " : "") +
        "by another transaction. Reload it and try again.",
    );
  }
  if (r !== null) {
    const row = (result.rows as unknown as unknown[][])[0];
    back.forEach((i, k) => (s.values[i] = row[k]));
  }
}

/** One UPDATE for many rows changing the same columns, as the dialect writes it. */
export async function updateRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  changed: readonly number[],
): Promise<void> {
  const cols = mapper.columns;
  const pk = mapper.pk;
  const keys = [...pk, ...changed];
  const statement = ctx.dialect.updateRows!({
    table: mapper.table,
    keys: pk.map((i) => idOf(cols[i])),
    set: changed.map((i) => idOf(cols[i])),
    types: keys.map((i) => cols[i].type.ddl(ctx.dialect)),
    rows: states.map((s) =>
      keys.map((i, k) => encode(mapper, ctx.dialect, i, k < pk.length ? s.stored[i] : s.values[i]))
    ),
  });
  const r = await ctx.execute(statement, "run");
  if (r.rowsAffected !== states.length) {
    throw new StaleDataError(
      `UPDATE of ${states.length} ${mapper.name} rows matched ${r.rowsAffected}: some were ` +
        "deleted by another transaction. Reload them and try again.",
    );
  }
}

/** Deletes rows of one mapper by key (and version), children first for a tree. */
export async function deleteRows(
  ctx: WriteContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  oneByOne: boolean,
): Promise<void> {
  if (mapper.pk.length === 1 && mapper.version < 0 && !oneByOne) {
    const i = mapper.pk[0];
    const pkCol = mapper.columns[i];
    const limit = rowsPerStatement(ctx.dialect);
    for (let k = 0; k < states.length; k += limit) {
      const chunk = states.slice(k, k + limit);
      const keys = chunk.map((s) => s.stored[i]);
      const r = await ctx.execute(deleteSql(mapper.table, inList(pkCol, keys as never[])), "run");
      if (r.rowsAffected !== chunk.length) {
        throw new StaleDataError(
          `DELETE of ${chunk.length} ${mapper.name} rows matched ${r.rowsAffected}: some were ` +
            "already deleted by another transaction.",
        );
      }
    }
    return;
  }
  for (const s of states) {
    const r = await ctx.execute(deleteSql(mapper.table, match(ctx, mapper, s)), "run");
    if (r.rowsAffected === 0) {
      throw new StaleDataError(
        `DELETE of ${mapper.name} ${keyOf(ctx, mapper, s)} matched no row: it was deleted or ` +
          "changed by another transaction.",
      );
    }
  }
}

/**
 * The second UPDATE of rows in a cycle: sets foreign keys left NULL once their parents have
 * keys (or, with `value` null, clears them before the rows are deleted).
 */
export async function postUpdate(
  ctx: WriteContext,
  s: InstanceState,
  columns: readonly number[],
  value?: null,
): Promise<void> {
  const mapper = s.mapper;
  const set = columns.map((i): [Column, unknown] => [
    mapper.columns[i],
    value === null ? null : encode(mapper, ctx.dialect, i, s.values[i]),
  ]);
  const pairs = mapper.pk.map((i): [Column, unknown] => [
    mapper.columns[i],
    encode(mapper, ctx.dialect, i, (value === null ? s.stored : s.values)[i]),
  ]);
  await ctx.execute(updateSql(mapper.table, set, pairs), "run");
}

/** Deletes, then inserts, association rows (none touching a deleted object is deleted twice). */
export async function writeAssociations(
  ctx: WriteContext,
  remove: ReadonlyMap<Table, ReadonlyMap<string, Pair>>,
  add: ReadonlyMap<Table, ReadonlyMap<string, Pair>>,
  deleted: ReadonlySet<InstanceState>,
): Promise<void> {
  for (const [table, pairs] of remove) {
    for (const [colA, sa, ia, colB, sb, ib] of pairs.values()) {
      if (deleted.has(sa) || deleted.has(sb)) continue;
      await ctx.execute(
        deleteSql(table, [
          [colA, new TypedParam(sa.values[ia], colA.type)],
          [colB, new TypedParam(sb.values[ib], colB.type)],
        ]),
        "run",
      );
    }
  }
  for (const [table, pairs] of add) {
    const rows = [...pairs.values()];
    if (rows.length === 0) continue;
    const [colA, , , colB] = rows[0];
    const limit = rowsPerStatement(ctx.dialect, 2);
    for (let i = 0; i < rows.length; i += limit) {
      const chunk = rows.slice(i, i + limit).map(([, sa, ia, , sb, ib]) => [
        new TypedParam(sa.values[ia], colA.type),
        new TypedParam(sb.values[ib], colB.type),
      ]);
      await ctx.execute(insertSql(table, [colA, colB], chunk), "run");
    }
  }
}

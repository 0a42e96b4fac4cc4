/**
 * The statements a flush sends, written by Core's writer (the one the statement builder uses):
 * the INSERTs (see `inserts.ts`), `UPDATE` of the changed columns only (many rows in one
 * statement where the dialect can), `DELETE` by key, and the rows of association tables.
 *
 * @module
 */
import { inList } from "../../core/builder/comparison.ts";
import { deleteSql, idOf, insertSql, updateSql } from "../../core/builder/write.ts";
import type { Dialect } from "../../core/dialect.ts";
import { StaleDataError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { EMPTY } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { TypedParam } from "../../core/types/param.ts";
import type { Pair } from "./plan.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";
import { encode, encodeWith, returning, typed, type WriteContext } from "./returning.ts";

export { insertRows } from "./inserts.ts";
export type { WriteContext } from "./returning.ts";

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
    rows: encodedRows(mapper, ctx.dialect, states, keys, pk.length),
  });
  const r = await ctx.execute(statement, "run");
  if (r.rowsAffected !== states.length) {
    throw new StaleDataError(
      `UPDATE of ${states.length} ${mapper.name} rows matched ${r.rowsAffected}: some were ` +
        "deleted by another transaction. Reload them and try again.",
    );
  }
}

/**
 * Each state's values at `indexes`, encoded: the first `stored` of them as the database holds
 * them (the key an UPDATE matches), the others as they are now.
 */
function encodedRows(
  mapper: Mapper,
  dialect: Dialect,
  states: readonly InstanceState[],
  indexes: readonly number[],
  stored: number,
): unknown[][] {
  const encoders = mapper.encoders(dialect);
  const rows: unknown[][] = new Array(states.length);
  for (let r = 0; r < states.length; r++) {
    const s = states[r];
    const row: unknown[] = new Array(indexes.length);
    for (let k = 0; k < indexes.length; k++) {
      const i = indexes[k];
      row[k] = encodeWith(encoders[i], k < stored ? s.stored[i] : s.values[i]);
    }
    rows[r] = row;
  }
  return rows;
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

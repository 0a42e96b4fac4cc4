/**
 * The INSERTs of a flush: multi-row `INSERT ... RETURNING` for runs of new rows providing the
 * same columns, written by Core's writer, with the keys and read-back columns put back into
 * the objects.
 *
 * @module
 */
import { insertSqlFlat } from "../../core/builder/write.ts";
import { ArgumentError } from "../../core/errors.ts";
import { rowsPerStatement } from "../../core/sql/count.ts";
import { Fragment } from "../../core/sql/nodes.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { encodeWith, returning, typed, type WriteContext } from "./returning.ts";

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

/** Fills the defaults of a new row in place, as its INSERT would (see `provided`). */
export function fillDefaults(mapper: Mapper, s: InstanceState): void {
  provided(mapper, s);
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
      flat[at++] = encodeWith(encoders[i], values[i]);
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

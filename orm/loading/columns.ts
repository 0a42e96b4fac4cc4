/**
 * Which columns a load selects: every column of the class's select, but those the schema
 * defers (`column.text().deferred()`) and those the query's column options leave out
 * (`defer`, `loadOnly`), always keeping the primary key, the version column, the
 * discriminator and the columns the load's relationships join on. A narrowed select's rows
 * are widened back to the class's full row, with the `DEFERRED` marker where a column was
 * left out, so that hydrating reads every row alike.
 *
 * A load with nothing deferred pays one lookup: its rows are not touched.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { Column } from "../../core/schema/column.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { DEFERRED } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { InstanceState } from "../mapping/state.ts";
import { rowColumns } from "../mapping/joined_tables.ts";
import { relationshipOf } from "../relationship/relationship.ts";
import { type ColumnChoices, splitColumnOptions } from "./column_options.ts";
import { hydrate, type LoadContext } from "./hydrate.ts";
import type { LoaderOption } from "./options.ts";

const schemaDeferred = new WeakMap<readonly Column[], boolean>();

/**
 * Whether the schema defers one of the columns a load of the mapper reads (checked once per
 * list: a joined hierarchy's reads its subclasses' tables too).
 */
function defersColumns(mapper: Mapper, cols: readonly Column[]): boolean {
  let d = schemaDeferred.get(cols);
  if (d === undefined) {
    d = false;
    for (const c of cols) {
      if (!(c instanceof Column) || !c.config.deferred) continue;
      if (c.table?.primaryKey.includes(c) || c.config.version) {
        throw new ArgumentError(
          `${mapper.name}.${c.key} is ${
            c.config.version ? "the version column" : "in the primary key"
          }, which every load reads; remove its .deferred().`,
        );
      }
      d = true;
    }
    schemaDeferred.set(cols, d);
  }
  return d;
}

const NO_COLUMNS: readonly Column[] = Object.freeze([]);

/** Whether a load keeps a column. */
function keeps(
  col: Column,
  choices: ColumnChoices | null,
  need: readonly Column[],
  discriminator: Column | null,
): boolean {
  const table = col.table!;
  if (col.config.version || table.primaryKey.includes(col)) return true;
  if (col === discriminator || need.includes(col)) return true;
  if (choices === null) return !col.config.deferred;
  const only = choices.only.get(table);
  let on = only !== undefined ? only.has(col) : !col.config.deferred;
  if (choices.defer.has(col)) on = false;
  if (choices.undefer.has(col)) on = true;
  return on;
}

/**
 * The positions in `cols` (the columns a load of `mapper` reads, in row order) that the load
 * selects, or null for all of them; `need` are columns it must read whatever the options.
 */
export function keptColumns(
  ctx: { readonly columns?: ColumnChoices | null },
  mapper: Mapper,
  cols: readonly Column[],
  need: readonly Column[] = NO_COLUMNS,
): number[] | null {
  const choices = ctx.columns ?? null;
  if (choices === null && !defersColumns(mapper, cols)) return null;
  const poly = mapper.poly;
  const discriminator = poly === null ? null : poly.root.columns[poly.on];
  const keep: number[] = [];
  for (let p = 0; p < cols.length; p++) {
    const c = cols[p];
    if (!(c instanceof Column) || c.table === undefined) keep.push(p);
    else if (keeps(c, choices, need, discriminator)) keep.push(p);
  }
  return keep.length === cols.length ? null : keep;
}

/** The columns the relationships of loader options read on the owner's side. */
export function ownColumns(mapper: Mapper, options: readonly LoaderOption[]): Column[] {
  return options.map((o) => {
    const rel = relationshipOf(mapper, o.path);
    return mapper.columns[rel.direction === "manyToOne" ? rel.fk : rel.ref];
  });
}

/** A segment of a row: the positions selected (null: all) of a class's `width` columns. */
export type Segment = readonly [keep: readonly number[] | null, width: number];

/**
 * Widens narrowed rows, in place: each segment's selected columns back to their positions
 * among the segment's columns, `DEFERRED` at the others; what follows the segments is kept.
 */
export function widenRows(rows: unknown[][], segments: readonly Segment[]): void {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const out: unknown[] = [];
    let at = 0;
    for (const [keep, width] of segments) {
      const base = out.length;
      if (keep === null) {
        for (let i = 0; i < width; i++) out.push(row[at + i]);
        at += width;
        continue;
      }
      for (let i = 0; i < width; i++) out.push(DEFERRED);
      for (let j = 0; j < keep.length; j++) out[base + keep[j]] = row[at + j];
      at += keep.length;
    }
    for (; at < row.length; at++) out.push(row[at]);
    rows[r] = out;
  }
}

/** The load context whose new objects note the columns they were loaded without. */
export function partialContext<C extends LoadContext>(ctx: C): C {
  const attach = ctx.attach;
  return {
    ...ctx,
    attach: (state: InstanceState, key: unknown) => {
      if (state.values.includes(DEFERRED)) state.partial = true;
      attach(state, key);
    },
  };
}

interface Narrowable {
  readonly columns?: readonly { readonly expr: unknown }[];
  withOnlyColumns?(...columns: Column[]): SqlSource<unknown>;
}

/** A class's select narrowed to the columns a load keeps. */
export interface Narrowed<Q> {
  /** The select to run. */
  readonly query: Q;
  /** The positions kept, or null for all. */
  readonly keep: readonly number[] | null;
  /** How many columns the class's select has. */
  readonly width: number;
  /** The context to hydrate the rows with. */
  readonly ctx: LoadContext;
}

/** Narrows a select of `mapper`'s class to the columns the load keeps. */
export function narrow<Q extends SqlSource<unknown>>(
  ctx: LoadContext,
  mapper: Mapper,
  query: Q,
  need: readonly Column[] = [],
): Narrowed<Q> {
  const q = query as unknown as Narrowable;
  const none = (ctx.columns ?? null) === null && !defersColumns(mapper, rowColumns(mapper));
  if (none || q.withOnlyColumns === undefined) return { query, keep: null, width: 0, ctx };
  const cols = q.columns?.map((c) => c.expr as Column) ?? [];
  const keep = keptColumns(ctx, mapper, cols, need);
  if (keep === null) return { query, keep, width: cols.length, ctx };
  const narrowed = q.withOnlyColumns!(...keep.map((p) => cols[p])) as unknown as Q;
  return { query: narrowed, keep, width: cols.length, ctx: partialContext(ctx) };
}

/** Hydrates the rows of a narrowed select (widened first). */
export function hydrateNarrowed(
  n: Narrowed<unknown>,
  mapper: Mapper,
  rows: unknown[][],
  populate: boolean,
): object[] {
  if (n.keep !== null) widenRows(rows, [[n.keep, n.width]]);
  return hydrate(n.ctx, mapper, rows, populate);
}

/** Runs a select of `mapper`'s class, narrowed, and hydrates its objects. */
export async function loadNarrowed(
  ctx: LoadContext,
  mapper: Mapper,
  query: SqlSource<unknown>,
  need: readonly Column[],
  populate: boolean,
): Promise<object[]> {
  const n = narrow(ctx, mapper, query, need);
  return hydrateNarrowed(n, mapper, await ctx.rows(n.query), populate);
}

/**
 * The columns of `select(Model)` for a mapper, in row order (a hierarchy's list grows with
 * the subclasses declared).
 */
export function selectColumns(mapper: Mapper): readonly Column[] {
  return rowColumns(mapper);
}

/** Whether a load under `ctx` would read a column `state` does not hold. */
export function wouldFill(ctx: LoadContext, state: InstanceState): boolean {
  if (!state.partial) return false;
  const mapper = state.mapper;
  const cols = selectColumns(mapper);
  const keep = keptColumns(ctx, mapper, cols);
  for (let p = 0; p < cols.length; p++) {
    if (keep !== null && !keep.includes(p)) continue;
    const i = mapper.indexByKey.get(cols[p].key);
    if (i !== undefined && mapper.columns[i] === cols[p] && state.values[i] === DEFERRED) {
      return true;
    }
  }
  return false;
}

/** The load context with the column options of `options`, and the other options. */
export function withColumnOptions<C extends LoadContext>(
  ctx: C,
  options: readonly unknown[],
): [C, readonly unknown[]] {
  const [choices, rest] = splitColumnOptions(options);
  return choices === null ? [ctx, options] : [{ ...ctx, columns: choices }, rest];
}

/**
 * Loading relationships in the same query: the query as a subquery, numbered to keep its
 * order, LEFT JOINed to each relationship's target along the relationship's own condition
 * (and the target class's: a single-table subclass's discriminator, its loader criteria).
 * Rows sort by the parent's order, then per relationship by its `orderBy` and the target's
 * key. Parent rows repeat once per child and are de-duplicated. A `joined` option nested in a
 * joined one is LEFT JOINed in the same query, along its parent's alias; another nested
 * option loads after it. An object whose relationship is loaded already keeps it (see
 * `keep.ts`).
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import type { Subquery } from "../../core/builder/cte.ts";
import type { Row } from "../../core/sql/nodes.ts";
import { typed } from "../../core/builder/expression.ts";
import { QueryBase } from "../../core/builder/query.ts";
import { type Select, select } from "../../core/builder/select.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { sql } from "../../core/sql/tag.ts";
import { joinedOf, rowColumns, tablesOf } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipOf } from "../relationship/relationship.ts";
import { hydrate, type LoadContext } from "./hydrate.ts";
import type { LoaderOption } from "./options.ts";
import { setLoaded } from "../relationship/sync.ts";
import { adopt, mayStore, type Overwrite } from "./keep.ts";
import { and } from "../../core/builder/logic.ts";
import { entityConditions } from "../../core/statement.ts";
import { onAlias } from "../relationship/filters.ts";
import { criteriaFor } from "./criteria.ts";
import { keptColumns, ownColumns, partialContext, type Segment, widenRows } from "./columns.ts";

/**
 * What a joined load reads a target through: an alias of its table, or, for a class of a
 * joined hierarchy, its select (its tables joined) as a subquery.
 */
function targetAlias(target: Mapper, name: string): Table | Subquery<Row> {
  if (joinedOf(target) === undefined) return target.table.as(name);
  return select(target.cls).as(name) as unknown as Subquery<Row>;
}

/**
 * What the LEFT JOIN of a relationship's target adds to its ON condition, on the alias: the
 * condition select(Class) has (a single-table subclass's discriminator; a joined class's
 * subquery has it inside) and the loader criteria; null for none.
 */
function targetConditions(
  ctx: LoadContext,
  target: Mapper,
  alias: Table | Subquery<Row>,
): SqlSource<unknown> | null {
  const own = joinedOf(target) !== undefined
    ? []
    : entityConditions(target.cls).map((e) => onAlias(e, [target.table], (c) => alias.c[c.key]));
  const extra = criteriaFor(ctx.criteria, target, alias);
  const all = extra === null ? own : [...own, extra];
  return all.length === 0 ? null : all.length === 1 ? all[0] : and(...all);
}

/**
 * The relationship's `orderBy`, on the aliases the load reads its target (and association
 * table) through.
 */
function orderOn(
  rel: Relationship,
  alias: Table | Subquery<Row>,
  assoc: Table | undefined,
): SqlSource<unknown>[] {
  const o = rel.options.orderBy?.();
  if (o === undefined) return [];
  const secondary = rel.secondary?.table;
  const tables: unknown[] = [...tablesOf(rel.targetMapper), ...(secondary ? [secondary] : [])];
  const at = (c: Column) =>
    assoc !== undefined && c.table === secondary ? assoc.c[c.key] : alias.c[c.key];
  return (Array.isArray(o) ? o : [o]).map((e) => onAlias(e, tables, at));
}

/**
 * Applies loader options to objects of one mapper: the selectin loader's `applyOptions`,
 * given by the caller (this module does not import it, which imports this one).
 */
export type ApplyOptions = (
  ctx: LoadContext,
  mapper: Mapper,
  states: readonly InstanceState[],
  options: readonly LoaderOption[],
  populate: boolean,
  reload?: boolean,
) => Promise<void>;

/** One relationship a joined load reads, nested ones after their parent's (depth first). */
interface Node {
  readonly rel: Relationship;
  readonly option: LoaderOption;
  /** The node whose target owns this relationship, or -1: the query's own objects. */
  readonly parent: number;
  readonly alias: Table | Subquery<Row>;
  readonly keep: number[] | null;
  readonly width: number;
}

function nodesOf(
  ctx: LoadContext,
  mapper: Mapper,
  options: readonly LoaderOption[],
  parent: number,
  out: Node[],
): Node[] {
  for (const option of options) {
    const rel = relationshipOf(mapper, option.path);
    const target = rel.targetMapper;
    const nested = option.nested as readonly LoaderOption[];
    const cols = rowColumns(target);
    const k = out.length;
    out.push({
      rel,
      option,
      parent,
      alias: targetAlias(target, `__retort_j${k}`),
      keep: keptColumns(ctx, target, cols, ownColumns(target, nested)),
      width: cols.length,
    });
    nodesOf(ctx, target, nested.filter((o) => o.strategy === "joined"), k, out);
  }
  return out;
}

/** What a joined load read: the query's objects and the columns carried, one per its row. */
export interface JoinedRows {
  /** The object of each row of the query, in its order (one object may come more than once). */
  readonly objects: object[];
  /** The values of the carried columns, per row of the query. */
  readonly carried: unknown[][];
}

/** Runs `query` (a select of `mapper`) with `options` loaded by LEFT JOINs. */
export async function loadJoined(
  ctx: LoadContext,
  mapper: Mapper,
  query: SqlSource<unknown>,
  options: readonly LoaderOption[],
  populate: boolean,
  need: readonly Column[],
  apply: ApplyOptions,
): Promise<object[]> {
  const { objects } = await loadJoinedRows(ctx, mapper, query, options, { populate }, need, apply);
  return [...new Set(objects)];
}

/**
 * `loadJoined`, giving each row of the query (not de-duplicated) and the values of `carry`:
 * columns of other tables the query reads (an association table's), after the mapper's.
 * Options nested in a joined option with `joined` are LEFT JOINed too, along their parent's
 * alias; the others are applied to what was loaded, with `apply`.
 */
export async function loadJoinedRows(
  ctx: LoadContext,
  mapper: Mapper,
  query: SqlSource<unknown>,
  options: readonly LoaderOption[],
  how: Overwrite,
  need: readonly Column[],
  apply: ApplyOptions,
  carry: readonly Column[] = [],
): Promise<JoinedRows> {
  if (!(query instanceof QueryBase)) {
    throw new ArgumentError("joined() loads along a select(Model) statement.");
  }
  const nodes = nodesOf(ctx, mapper, options, -1, []);
  // Deferred columns stay out of the subquery and of the joined rows (see `columns.ts`).
  // A row of select(Class) holds rowColumns: a hierarchy's columns of every table or class.
  const columns = rowColumns(mapper);
  const keep = keptColumns(ctx, mapper, columns, need);
  const own = keep === null ? columns : keep.map((i) => columns[i]);
  const carriedAs = carry.map((_, i) => `__retort_x${i}`);
  let inner = query as unknown as Select<unknown>;
  if (carry.length > 0) {
    const list: Record<string, SqlSource<unknown>> = {};
    for (const c of own) list[c.key] = c;
    carry.forEach((c, i) => (list[carriedAs[i]] = c));
    inner = inner.withOnlyColumns(list as never) as unknown as Select<unknown>;
  } else if (keep !== null) inner = inner.withOnlyColumns(...own) as unknown as Select<unknown>;
  const q = inner.as("__retort_q");
  const qc = q.c as Record<string, SqlSource<unknown>>;
  const numbered: Record<string, SqlSource<unknown>> = {
    __retort_ord: typed(sql`row_number() OVER ()`),
  };
  for (const c of own) numbered[c.key] = qc[c.key];
  for (const name of carriedAs) numbered[name] = qc[name];
  const base = select(numbered).from(q).as("__retort_base");
  const bc = base.c as Record<string, SqlSource<unknown>>;
  const baseCol = (c: Column) => bc[c.key];
  const record: Record<string, SqlSource<unknown>> = {};
  own.forEach((c, i) => (record[`b${i}`] = baseCol(c)));
  nodes.forEach((n, k) => {
    const cols = rowColumns(n.rel.targetMapper);
    (n.keep ?? cols.map((_, i) => i)).forEach((
      i,
    ) => (record[`j${k}_${i}`] = n.alias.c[cols[i].key]));
  });
  carriedAs.forEach((name, i) => (record[`x${i}`] = bc[name]));
  record.o = bc.__retort_ord;
  let statement = select(record).from(base);
  const order: SqlSource<unknown>[] = [bc.__retort_ord];
  nodes.forEach((n, k) => {
    const rel = n.rel;
    const owner = n.parent < 0 ? baseCol : (c: Column) => nodes[n.parent].alias.c[c.key];
    // Many-to-many joins the association table first, under an alias of its own.
    const assoc = rel.secondary?.table.as(`__retort_a${k}`);
    const joins = rel.joinConditions(owner, (c) => n.alias.c[c.key], (c) => assoc!.c[c.key]);
    const extra = targetConditions(ctx, rel.targetMapper, n.alias);
    for (const join of joins) {
      if (join.table === "association") statement = statement.leftJoin(assoc!, join.on);
      else {
        statement = statement.leftJoin(n.alias, extra === null ? join.on : and(join.on, extra));
      }
    }
    order.push(...orderOn(rel, n.alias, assoc));
    for (const i of rel.targetMapper.pk) order.push(n.alias.c[rel.targetMapper.columns[i].key]);
  });
  const rows = await ctx.rows(statement.orderBy(...order));
  if (keep !== null || nodes.some((n) => n.keep !== null)) {
    const segments: Segment[] = [[keep, columns.length]];
    for (const n of nodes) segments.push([n.keep, n.width]);
    widenRows(rows, segments);
    ctx = partialContext(ctx);
  }
  const parents = hydrate(ctx, mapper, rows, how.populate);
  // Each node's object per row (null where the row has none), to find its nested ones' owners.
  const at: (object | null)[][] = [];
  let offset = columns.length;
  const pending: [Mapper, object[], readonly LoaderOption[]][] = [];
  nodes.forEach((n, k) => {
    const rel = n.rel;
    const target = rel.targetMapper;
    const owners = n.parent < 0 ? parents : at[n.parent];
    const present = rows.map((row, i) => owners[i] !== null && row[offset + target.pk[0]] !== null);
    const kids = hydrate(ctx, target, rows.filter((_, i) => present[i]), how.populate, offset);
    const byOwner = new Map<object, object[]>();
    const mine: (object | null)[] = new Array(rows.length);
    let c = 0;
    rows.forEach((_, i) => {
      const o = owners[i];
      if (o === null) return void (mine[i] = null);
      let list = byOwner.get(o);
      if (list === undefined) byOwner.set(o, list = []);
      if (!present[i]) return void (mine[i] = null);
      const child = mine[i] = kids[c++];
      if (!list.includes(child)) list.push(child);
    });
    at[k] = mine;
    for (const [o, found] of byOwner) {
      const os = stateOf(o)!;
      // What is loaded already is kept (see `keep.ts`).
      if (!mayStore(rel, os, how)) continue;
      const list = rel.direction === "manyToOne" ? found : adopt(rel, os, found, how);
      setLoaded(rel, os, rel.scalar ? (list[0] ?? null) : list);
    }
    const rest = (n.option.nested as readonly LoaderOption[]).filter((o) =>
      o.strategy !== "joined"
    );
    if (rest.length > 0) pending.push([target, [...new Set(kids)], rest]);
    offset += n.width;
  });
  for (const [target, objs, nested] of pending) {
    await apply(ctx, target, objs.map((o) => stateOf(o)!), nested, how.populate, how.reload);
  }
  // One object per row of the query: the rows repeat per child, in the query's order.
  const objects: object[] = [];
  const carried: unknown[][] = [];
  const tail = rows.length > 0 ? rows[0].length - carry.length - 1 : 0;
  let last: unknown = undefined;
  for (let i = 0; i < rows.length; i++) {
    const ord = rows[i][tail + carry.length];
    if (i > 0 && ord === last) continue;
    last = ord;
    objects.push(parents[i]);
    carried.push(rows[i].slice(tail, tail + carry.length));
  }
  return { objects, carried };
}

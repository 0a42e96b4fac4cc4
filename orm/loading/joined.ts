/**
 * Loading relationships in the same query: the query as a subquery, numbered to keep its
 * order, LEFT JOINed to each relationship's target along the relationship's own condition
 * (and the target class's: a single-table subclass's discriminator, its loader criteria).
 * Rows sort by the parent's order, then per relationship by its `orderBy` and the target's
 * key. Parent rows repeat once per child and are de-duplicated.
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
import { stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipOf } from "../relationship/relationship.ts";
import { hydrate, type LoadContext } from "./hydrate.ts";
import type { LoaderOption } from "./options.ts";
import { applyOptions } from "./selectin.ts";
import { loadedOf, setLoaded } from "../relationship/sync.ts";
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

/** Runs `query` (a select of `mapper`) with `options` loaded by LEFT JOINs. */
export async function loadJoined(
  ctx: LoadContext,
  mapper: Mapper,
  query: SqlSource<unknown>,
  options: readonly LoaderOption[],
  populate: boolean,
  need: readonly Column[] = [],
): Promise<object[]> {
  if (!(query instanceof QueryBase)) {
    throw new ArgumentError("joined() loads along a select(Model) statement.");
  }
  const rels: Relationship[] = options.map((o) => relationshipOf(mapper, o.path));
  // Deferred columns stay out of the subquery and of the joined rows (see `columns.ts`).
  // A row of select(Class) holds rowColumns: a hierarchy's columns of every table or class.
  const columns = rowColumns(mapper);
  const keep = keptColumns(ctx, mapper, columns, need);
  const own = keep === null ? columns : keep.map((i) => columns[i]);
  const keeps = rels.map((rel, k) =>
    keptColumns(
      ctx,
      rel.targetMapper,
      rowColumns(rel.targetMapper),
      ownColumns(rel.targetMapper, options[k].nested as readonly LoaderOption[]),
    )
  );
  const q = (keep === null ? query : (query as Select<unknown>).withOnlyColumns(...own)).as(
    "__retort_q",
  );
  const numbered: Record<string, SqlSource<unknown>> = {
    __retort_ord: typed(sql`row_number() OVER ()`),
  };
  for (const c of own) numbered[c.key] = q.c[c.key as keyof typeof q.c];
  const base = select(numbered).from(q).as("__retort_base");
  const baseCol = (c: Column) => base.c[c.key as keyof typeof base.c];
  const record: Record<string, SqlSource<unknown>> = {};
  own.forEach((c, i) => (record[`b${i}`] = baseCol(c)));
  const aliases = rels.map((rel, k) => targetAlias(rel.targetMapper, `__retort_j${k}`));
  rels.forEach((rel, k) => {
    const cols = rowColumns(rel.targetMapper);
    (keeps[k] ?? cols.map((_, i) => i)).forEach((
      i,
    ) => (record[`j${k}_${i}`] = aliases[k].c[cols[i].key]));
  });
  let statement = select(record).from(base);
  const order: SqlSource<unknown>[] = [base.c.__retort_ord as SqlSource<unknown>];
  rels.forEach((rel, k) => {
    // Many-to-many joins the association table first, under an alias of its own.
    const assoc = rel.secondary?.table.as(`__retort_a${k}`);
    const joins = rel.joinConditions(baseCol, (c) => aliases[k].c[c.key], (c) => assoc!.c[c.key]);
    const extra = targetConditions(ctx, rel.targetMapper, aliases[k]);
    for (const join of joins) {
      if (join.table === "association") statement = statement.leftJoin(assoc!, join.on);
      else {statement = statement.leftJoin(
          aliases[k],
          extra === null ? join.on : and(join.on, extra),
        );}
    }
    order.push(...orderOn(rel, aliases[k], assoc));
    for (const i of rel.targetMapper.pk) order.push(aliases[k].c[rel.targetMapper.columns[i].key]);
  });
  const rows = await ctx.rows(statement.orderBy(...order));
  if (keep !== null || keeps.some((k) => k !== null)) {
    const segments: Segment[] = [[keep, columns.length]];
    rels.forEach((rel, k) => segments.push([keeps[k], rowColumns(rel.targetMapper).length]));
    widenRows(rows, segments);
    ctx = partialContext(ctx);
  }
  const parents = hydrate(ctx, mapper, rows, populate);
  const unique = [...new Set(parents)];
  let offset = columns.length;
  const pending: [Mapper, object[], readonly LoaderOption[]][] = [];
  rels.forEach((rel, k) => {
    const target = rel.targetMapper;
    const present = rows.map((row) => row[offset + target.pk[0]] !== null);
    const children = hydrate(ctx, target, rows.filter((_, i) => present[i]), populate, offset);
    const byParent = new Map<object, object[]>(unique.map((p) => [p, []]));
    let c = 0;
    rows.forEach((_, i) => {
      if (!present[i]) return;
      const list = byParent.get(parents[i])!;
      const child = children[c++];
      if (!list.includes(child)) list.push(child);
    });
    for (const p of unique) {
      const list = byParent.get(p)!;
      const ps = stateOf(p)!;
      if (!populate && loadedOf(rel, ps) !== undefined) continue;
      setLoaded(rel, ps, rel.scalar ? (list[0] ?? null) : list);
      if (rel.back?.scalar && rel.direction === "oneToMany") {
        for (const child of list) setLoaded(rel.back, stateOf(child)!, p);
      }
    }
    if (options[k].nested.length > 0) {
      pending.push([
        target,
        [...new Set([...byParent.values()].flat())],
        options[k].nested as readonly LoaderOption[],
      ]);
    }
    offset += rowColumns(target).length;
  });
  for (const [target, objs, nested] of pending) {
    await applyOptions(ctx, target, objs.map((o) => stateOf(o)!), nested, populate);
  }
  return unique;
}

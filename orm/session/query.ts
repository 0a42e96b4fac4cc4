/**
 * Loading objects for a session: `select(Model)` statements with their loader options, and
 * objects by primary key.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { decodeRows, type ResultType } from "../../core/types/decode.ts";
import type { Column } from "../../core/schema/column.ts";
import type { LoadContext } from "../loading/hydrate.ts";
import { hydrate, hydrateOne } from "../loading/hydrate.ts";
import {
  keptColumns,
  loadNarrowed,
  ownColumns,
  partialContext,
  selectColumns,
  widenRows,
  withColumnOptions,
} from "../loading/columns.ts";
import { byKey, type KeyLookup, keyLookup } from "../loading/by_key.ts";
import { loadJoined } from "../loading/joined.ts";
import { checkOptions, type LoaderOption } from "../loading/options.ts";
import { criteriaFor, filtered } from "../loading/criteria.ts";
import { Fragment, type SqlSource } from "../../core/sql/nodes.ts";
import { applyOptions, loadRelationship } from "../loading/selectin.ts";
import { mapperOf } from "../mapping/configure.ts";
import { isUnloaded, unloadedRead } from "../mapping/expired.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { relationshipOf } from "../relationship/relationship.ts";
import { currentOf } from "../relationship/sync.ts";
import type { SessionCore } from "./core.ts";
import type { EntityQuery } from "./types.ts";

/** The mapper of a class a query names, refusing a subclass with no mapping of its own. */
export function entityMapper(entity: unknown, what: string): Mapper {
  const mapper = mapperOf(entity);
  if (entity !== mapper.cls) {
    const name = (entity as { name?: string }).name ?? "This class";
    throw new ArgumentError(
      `${what}: ${name} is a subclass of ${mapper.name} with no mapping of its own, so its ` +
        `rows would load as ${mapper.name} objects. Use ${mapper.name}, or map ${name} with ` +
        `inheritance: give ${mapper.name}'s Model(...) { polymorphicOn, polymorphicIdentity } ` +
        `and declare class ${name} extends ${mapper.name}.subclass("<identity>", {...}).`,
    );
  }
  return mapper;
}

/** Runs a `select(Model)` and returns its objects, with their relationships loaded as asked. */
export async function loadEntities<T>(ctx: LoadContext, query: EntityQuery<T>): Promise<T[]> {
  const entity = query.entity;
  if (entity === undefined) {
    throw new ArgumentError(
      "session.all/first/one take select(Model) statements; for other statements use " +
        "session.execute().",
    );
  }
  const mapper = entityMapper(entity, "select(...)");
  let given;
  [ctx, query, given] = filtered(ctx, mapper, query, query.loadOptions ?? []);
  [ctx, given] = withColumnOptions(ctx, given);
  const options = checkOptions(mapper, given);
  const populate = query.populateExistingRows ?? false;
  const joined = options.filter((o) => o.strategy === "joined");
  const need = ownColumns(mapper, options);
  const objs = joined.length > 0
    ? await loadJoined(ctx, mapper, query, joined, populate, need, applyOptions)
    : await loadNarrowed(ctx, mapper, query, need, populate);
  const rest = options.filter((o) => o.strategy !== "joined");
  if (rest.length > 0 && objs.length > 0) {
    await applyOptions(ctx, mapper, [...new Set(objs)].map((o) => stateOf(o)!), rest, populate);
  }
  return objs as T[];
}

/** The primary-key values of `session.get(Model, key)`, checked; an ArgumentError else. */
export function keyValues(mapper: Mapper, key: unknown): unknown[] {
  const keys = mapper.pk.length === 1 ? [key] : key;
  if (!Array.isArray(keys) || keys.length !== mapper.pk.length) {
    throw new ArgumentError(
      `${mapper.name} has a composite primary key (${
        mapper.pk.map((i) => mapper.keys[i]).join(", ")
      }); pass its values as an array, in that order.`,
    );
  }
  for (let k = 0; k < keys.length; k++) {
    const i = mapper.pk[k];
    const v = keys[k];
    const problem = v === null || v === undefined
      ? "needs a value"
      : mapper.columns[i].type.check(v);
    if (problem !== null) throw new ArgumentError(`${mapper.name}.${mapper.keys[i]} ${problem}.`);
  }
  return keys;
}

const AND: readonly string[] = Object.freeze(["", " AND (", ")"]);

/**
 * Loads one object by key (the caller looked in the identity map first). `task`: the session
 * whose task this load ends, freed in the query's one reaction (not in one more after it),
 * once the object is built (its `afterLoad` listeners run while the task still holds it).
 */
export function loadByKey(
  ctx: LoadContext,
  mapper: Mapper,
  keys: readonly unknown[],
  populate: boolean,
  task?: SessionCore,
): Promise<object | null> {
  // A class with no inheritance, deferred columns or criteria, loaded with no options: its
  // select is known once (the common get), with no lookup of what the load needs.
  const plain = ctx.columns == null && ctx.criteria == null ? plainLookup(mapper, ctx) : null;
  let q: SqlSource<unknown>;
  let columns: readonly ResultType[];
  let keep: number[] | null = null;
  let cols: readonly Column[] = NO_COLUMNS;
  if (plain !== null) {
    q = byKey(plain, mapper, keys, ctx.dialect);
    columns = plain.columns;
  } else {
    cols = selectColumns(mapper);
    keep = keptColumns(ctx, mapper, cols);
    const lookup = keyLookup(mapper, keep);
    const statement = byKey(lookup, mapper, keys, ctx.dialect);
    columns = lookup.columns;
    const extra = criteriaFor(ctx.criteria, mapper, mapper.table);
    q = extra === null ? statement : new Fragment(AND, [statement, extra]);
  }
  return ctx.query(q).then((r) => {
    try {
      const rows = decodeRows(r.rows as unknown as unknown[][], columns, ctx.dialect);
      if (keep === null) {
        // One row (a key names one); every row, as any load, should a table hold the key twice.
        if (rows.length === 1) return hydrateOne(ctx, mapper, rows[0], populate);
        return hydrate(ctx, mapper, rows, populate)[0] ?? null;
      }
      widenRows(rows, [[keep, cols.length]]);
      return hydrate(partialContext(ctx), mapper, rows, populate)[0] ?? null;
    } finally {
      task?.leave();
    }
  }, task?.freeFailed);
}

const NO_COLUMNS: readonly Column[] = Object.freeze([]);

/** The whole-row select by key of a plain class (see `loadByKey`), or null. */
function plainLookup(mapper: Mapper, ctx: LoadContext): KeyLookup | null {
  const known = mapper.plainByKey as KeyLookup | null | undefined;
  if (known !== undefined) return known;
  let plain: KeyLookup | null = null;
  if (mapper.poly === null) {
    const cols = selectColumns(mapper);
    const whole = cols === mapper.columns && keptColumns(ctx, mapper, cols) === null;
    if (whole && criteriaFor(null, mapper, mapper.table) === null) plain = keyLookup(mapper, null);
  }
  mapper.plainByKey = plain;
  return plain;
}

/** The identity key of primary-key values given in key order. */
export function keyOf(mapper: Mapper, keys: readonly unknown[]): unknown {
  if (keys.length === 1) return mapper.keyParts[mapper.pk[0]](keys[0]);
  const values = new Array(mapper.columns.length);
  mapper.pk.forEach((i, k) => (values[i] = keys[k]));
  return mapper.identity(values);
}

/** `session.load(objs, name, ...nested)`: one relationship of objects of one class. */
export async function loadFor(
  c: SessionCore,
  states: readonly InstanceState[],
  relationship: string,
  nested: readonly LoaderOption[],
): Promise<void> {
  if (states.length === 0) return;
  const mapper = states[0].mapper;
  if (states.some((s) => s.mapper !== mapper)) {
    throw new ArgumentError("session.load() takes objects of one class at a time.");
  }
  const rel = relationshipOf(mapper, relationship);
  checkOptions(rel.targetMapper, nested);
  const persistent = states.filter((s) => s.status === "persistent");
  // The owner's column the load reads: its foreign key, or the key the children point at.
  const own = rel.direction === "manyToOne" ? rel.fk : rel.ref;
  for (const s of persistent) if (isUnloaded(s.values[own])) unloadedRead(s, own);
  // Loaded again where it holds no unflushed change; the rows do not overwrite the columns
  // of objects held (a query's populateExisting() does).
  await c.withAutoflush(() => loadRelationship(c.load, persistent, rel, nested, false, true));
  for (const s of states) {
    if (s.status !== "persistent") currentOf(rel, s, true);
    c.registry.holders.add(s);
  }
}

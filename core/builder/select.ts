/**
 * SELECT: an immutable builder over fragments, with joins whose ON clause follows from a
 * foreign key, subqueries, CTEs, and rows typed and decoded from the columns selected.
 *
 * @module
 */
import type { RowLock } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import type { Columns, RowOf } from "../schema/rows.ts";
import { Table } from "../schema/table.ts";
import { isSqlNode } from "../sql/check.ts";
import { Fragment, type Row, type SqlSource } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import {
  type EntityClass,
  entityConditions,
  type EntitySelection,
  entitySelection,
  entityWhere,
  isEntity,
  isJoinable,
  type Joinable,
  tableOf,
} from "../statement.ts";
import {
  checkCount,
  type Condition,
  conditionsOf,
  conjunction,
  limitClause,
  type OrderItem,
  orderItems,
} from "./clauses.ts";
import { Cte } from "./cte.ts";
import { lockClause, type LockOptions, rowLock } from "./lock.ts";
import { type FromItem, fromItem, implicitFrom, inferOn } from "./join.ts";
import { type Join, joinAlong, readOnce } from "./join.ts";
import { QueryBase, withCte } from "./query.ts";
import type { DistinctKeys, RowsOf, SelectItem } from "./row_types.ts";
import type { SelectOption } from "./loaders.ts";
import { checkKeys, type ResultColumn, resultColumns, selectList, tableColumns } from "./rows.ts";

interface SelectState {
  readonly entity: EntityClass | undefined;
  readonly columns: readonly ResultColumn[];
  readonly from: readonly SqlSource<unknown>[] | null;
  readonly joins: readonly Join[];
  readonly roots: readonly Table[];
  readonly where: readonly SqlSource<unknown>[];
  readonly groupBy: readonly SqlSource<unknown>[];
  readonly having: readonly SqlSource<unknown>[];
  readonly orderBy: readonly SqlSource<unknown>[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  readonly ctes: readonly Cte<unknown>[];
  readonly loadOptions: readonly unknown[];
  readonly populateExisting: boolean;
  readonly lock: RowLock | null;
}

/**
 * A SELECT statement. Immutable: each method returns a new select. Run it with
 * `engine.all(q)` (rows typed and decoded from the columns), nest it (`q.as("name")`,
 * `inList(col, q)`, `exists(q)`), or hand it to the ORM's session when it selects a model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, desc, eq, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const q = select(users.c.id, users.c.name).where(eq(users.c.name, "ada"))
 *   .orderBy(desc(users.c.id)).limit(10);
 * const c = compile(q, sqliteDialect);
 * assert(c.text === 'SELECT "users"."id", "users"."name" FROM "users" ' +
 *   'WHERE "users"."name" = ? ORDER BY "users"."id" DESC LIMIT ?');
 * assert(c.params.join() === "ada,10");
 * ```
 */
export class Select<R = Row> extends QueryBase<R> {
  readonly #s: SelectState;

  /** Internal: use {@linkcode select}. */
  constructor(state: SelectState) {
    super();
    this.#s = state;
  }

  /** The model class selected by `select(Model)`, which the ORM's session reads. */
  get entity(): EntityClass | undefined {
    return this.#s.entity;
  }

  /** The loader options given with `.options(...)`, which the ORM interprets. */
  get loadOptions(): readonly unknown[] {
    return this.#s.loadOptions;
  }

  /** Whether loaded rows overwrite objects already in a session (`.populateExisting()`). */
  get populateExistingRows(): boolean {
    return this.#s.populateExisting;
  }

  /** The result columns: each row's keys, with their SQL and column types. */
  get columns(): readonly ResultColumn[] {
    return this.#s.columns;
  }

  /** Internal: whether the select has ORDER BY, LIMIT or OFFSET (it nests in a union then). */
  override get isLimitedOrOrdered(): boolean {
    const s = this.#s;
    return s.orderBy.length > 0 || s.limit !== null || s.offset !== null;
  }

  #with(changes: Partial<SelectState>): Select<R> {
    return new Select<R>({ ...this.#s, ...changes });
  }

  /** What the select reads from: the explicit FROM, or the tables of its columns; roots. */
  #from(): readonly SqlSource<unknown>[] {
    const s = this.#s;
    const from = s.from ?? implicitFrom(s.columns.map((c) => c.expr), s.joins);
    return s.roots.length === 0 ? from : [...from, ...s.roots];
  }

  /** Internal: the CTEs read in FROM, JOIN, through columns, or given with `.with()`. */
  directCtes(): readonly Cte<unknown>[] {
    const s = this.#s;
    const all = [...s.ctes, ...this.#from(), ...s.joins.map((j) => j.target)];
    return all.filter((x): x is Cte<unknown> => x instanceof Cte);
  }

  /** Internal: the statement without its WITH clause. */
  body(): Fragment {
    const s = this.#s;
    if (s.columns.length === 0) {
      throw new ArgumentError("A select needs at least one column.");
    }
    const clauses: unknown[] = [
      s.distinct
        ? sql`SELECT DISTINCT ${selectList(s.columns)}`
        : sql`SELECT ${selectList(s.columns)}`,
    ];
    const from = this.#from();
    if (from.length > 0) clauses.push(sql`FROM ${sql.join(from)}`);
    for (const j of s.joins) {
      clauses.push(new Fragment([j.kind + " ", " ON ", ""], [j.target, j.on]));
    }
    if (s.where.length > 0) clauses.push(sql`WHERE ${conjunction(s.where)}`);
    if (s.groupBy.length > 0) clauses.push(sql`GROUP BY ${sql.join(s.groupBy)}`);
    if (s.having.length > 0) clauses.push(sql`HAVING ${conjunction(s.having)}`);
    if (s.orderBy.length > 0) clauses.push(sql`ORDER BY ${sql.join(s.orderBy)}`);
    const limit = limitClause(s.limit, s.offset);
    if (limit !== null) clauses.push(limit);
    const body = sql.join(clauses, sql` `);
    if (s.lock === null) return body;
    return new Fragment(["", "", ""], [body, lockClause(s.lock, s, this.#from())]);
  }

  /** Reads from these tables, subqueries, CTEs or fragments (instead of the columns' tables). */
  from(...items: FromItem[]): Select<R> {
    if (items.length === 0) throw new ArgumentError("from() needs at least one table.");
    // A class that filters its rows (a single-table subclass) filters them here too.
    const where = [...this.#s.where, ...items.flatMap(entityConditions)];
    return this.#with({ from: items.map((x) => fromItem(x, "from()")), where });
  }

  #join(
    kind: Join["kind"],
    target: FromItem | Joinable,
    on: SqlSource<unknown> | undefined,
  ): Select<R> {
    if (isJoinable(target)) return this.#with(joinAlong(target, kind, on, this.#s, this.#from()));
    const t = fromItem(target, kind === "JOIN" ? "join()" : "leftJoin()");
    readOnce(t, this.#s.from, this.#s.joins);
    const left = [...this.#from(), ...this.#s.joins.map((j) => j.target)].filter((x) => x !== t);
    let condition = on === undefined ? inferOn(left, t) : on;
    if (!isSqlNode(condition)) throw new ArgumentError("The ON condition of a join must be SQL.");
    const extra = entityConditions(target);
    if (extra.length > 0) condition = conjunction([condition, ...extra]);
    return this.#with({ joins: [...this.#s.joins, { kind, target: t, on: condition }] });
  }

  /**
   * `JOIN target ON on`. Without `on`, the condition follows from the one foreign key between
   * the target and the tables already read; none or several is an error asking for `on`.
   * A relationship joins along its own condition: `select(User).join(User.posts)`, and a
   * select that does not read its owner reads it first: `select(Post).join(User.posts)`.
   */
  join(target: FromItem | Joinable, on?: SqlSource<unknown>): Select<R> {
    return this.#join("JOIN", target, on);
  }

  /** `LEFT JOIN target ON on`, with `on` inferred as for {@linkcode Select.join}. */
  leftJoin(target: FromItem | Joinable, on?: SqlSource<unknown>): Select<R> {
    return this.#join("LEFT JOIN", target, on);
  }

  /** Adds WHERE conditions; every call's conditions are ANDed. */
  where(...conditions: Condition[]): Select<R> {
    return this.#with({ where: [...this.#s.where, ...conditionsOf(conditions, "where")] });
  }

  /** Adds GROUP BY expressions. */
  groupBy(...items: SqlSource<unknown>[]): Select<R> {
    return this.#with({ groupBy: [...this.#s.groupBy, ...orderItems(items, "groupBy")] });
  }

  /** Adds HAVING conditions, ANDed. */
  having(...conditions: Condition[]): Select<R> {
    return this.#with({ having: [...this.#s.having, ...conditionsOf(conditions, "having")] });
  }

  /** Adds ORDER BY items: expressions, `asc(col)` / `desc(col)`, or result keys. */
  orderBy(...items: OrderItem[]): Select<R> {
    return this.#with({ orderBy: [...this.#s.orderBy, ...orderItems(items, "orderBy")] });
  }

  /** At most `n` rows (null: no limit). */
  limit(n: number | null): Select<R> {
    return this.#with({ limit: checkCount(n, "limit") });
  }

  /** Skips `n` rows (null: none). */
  offset(n: number | null): Select<R> {
    return this.#with({ offset: checkCount(n, "offset") });
  }

  /** `SELECT DISTINCT` (or not, with `false`). */
  distinct(on = true): Select<R> {
    return this.#with({ distinct: on });
  }

  /** Adds CTEs to the WITH clause (CTEs read in FROM or JOIN are added by themselves). */
  with(...ctes: Cte<unknown>[]): Select<R>;
  /** Adds `name AS (query)` to the WITH clause, for SQL that names it. */
  with(name: string, query: QueryBase<unknown>): Select<R>;
  with(...args: unknown[]): Select<R> {
    const ctes = typeof args[0] === "string"
      ? [withCte(args[0], args[1] as QueryBase<unknown>)]
      : args.map((c) => {
        if (!(c instanceof Cte)) {
          throw new ArgumentError("with() takes CTEs, or a name and a query.");
        }
        return c;
      });
    return this.#with({ ctes: [...this.#s.ctes, ...ctes] });
  }

  /** The same select with only these columns, reading from the same FROM (no longer a model's). */
  withOnlyColumns<const A extends readonly SelectItem[]>(
    ...columns: A
  ): Select<RowsOf<A>["ofColumns"]> {
    const cols = resultColumns(columns, "withOnlyColumns(...)");
    const s = { ...this.#s, from: this.#from(), roots: [], entity: undefined, columns: cols };
    return new Select(s);
  }

  /**
   * Loader options for the ORM (`selectin("posts")`...), carried as they are; each names a
   * relationship of the objects the select returns.
   */
  options<S extends { readonly "~row"?: unknown }>(
    this: S,
    ...options: SelectOption<NonNullable<S["~row"]>>[]
  ): S {
    const self = this as unknown as Select<unknown>;
    return self.#with({ loadOptions: [...self.#s.loadOptions, ...options] }) as unknown as S;
  }

  /** Asks the ORM to overwrite objects already in the session with the loaded rows. */
  populateExisting(on = true): Select<R> {
    return this.#with({ populateExisting: on });
  }

  /** Locks the rows read until the transaction ends: `FOR UPDATE` (see {@linkcode LockOptions}). */
  forUpdate(options: LockOptions = {}): Select<R> {
    return this.#with({ lock: rowLock("update", options) });
  }

  /** Locks the rows read against writes by others: `FOR SHARE` (see {@linkcode LockOptions}). */
  forShare(options: LockOptions = {}): Select<R> {
    return this.#with({ lock: rowLock("share", options) });
  }
}

const EMPTY_STATE: Omit<SelectState, "columns" | "entity"> = {
  from: null,
  joins: [],
  roots: [],
  where: [],
  groupBy: [],
  having: [],
  orderBy: [],
  limit: null,
  offset: null,
  distinct: false,
  ctes: [],
  loadOptions: [],
  populateExisting: false,
  lock: null,
};

/**
 * Starts a SELECT of a table's columns (rows keyed by property key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), fullName: column.text() });
 * assert(compile(select(users), sqliteDialect).text ===
 *   'SELECT "users"."id", "users"."full_name" AS "fullName" FROM "users"');
 * ```
 */
export function select<C extends Columns>(table: Table<C>): Select<RowOf<C>>;
/**
 * Starts a SELECT of a model class (an entity): every column of its table, by column name,
 * which the ORM's session turns into objects. `select(User).entity === User`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, select } from "@retort/orm";
 * class Pet extends Model("select_doc_pets", { id: column.integer().primaryKey(), name: column.text() }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Pet]);
 * await using session = engine.session();
 * session.add(new Pet({ name: "rex" }));
 * const pets = await session.all(select(Pet)); // autoflush sends the INSERT first
 * assert(pets[0] instanceof Pet && pets[0].name === "rex");
 * ```
 */
export function select<M extends EntityClass>(entity: M): Select<InstanceType<M>>;
/**
 * Starts a SELECT of columns; rows have each column's key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), fullName: column.text() });
 * const q = select(users.c.id, users.c.fullName); // rows: { id: number; fullName: string }
 * assert(compile(q, sqliteDialect).text ===
 *   'SELECT "users"."id", "users"."full_name" AS "fullName" FROM "users"');
 * ```
 */
export function select<const A extends readonly SelectItem[]>(
  ...columns: A & NoInfer<DistinctKeys<A>>
): Select<RowsOf<A>["ofColumns"]>;
/**
 * Starts a SELECT of named expressions: `select({ id: users.c.id, n: sql\`count(*)\` })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sql, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const q = select({ userId: users.c.id, one: sql`1` });
 * assert(compile(q, sqliteDialect).text ===
 *   'SELECT "users"."id" AS "userId", 1 AS "one" FROM "users"');
 * ```
 */
export function select<const S extends Record<string, SqlSource<unknown>>>(
  record: S,
): Select<RowsOf<S>["ofRecord"]>;
export function select(...items: unknown[]): Select<unknown> {
  if (items.length === 1 && items[0] instanceof Table) {
    const columns = tableColumns(items[0], false);
    checkKeys(columns, "select(table)");
    return new Select({ ...EMPTY_STATE, entity: undefined, columns });
  }
  if (items.length === 1 && isEntity(items[0])) {
    const entity = items[0] as unknown as EntityClass;
    const shape = (entity as { [entitySelection]?: EntitySelection })[entitySelection];
    const columns = shape === undefined
      ? tableColumns(tableOf(entity), false)
      : shape.columns.map((c) => ({ key: c.key, expr: c, type: c.type }));
    const filter = (entity as { [entityWhere]?: SqlSource<unknown> })[entityWhere];
    const where = filter === undefined ? EMPTY_STATE.where : [filter];
    const joins = shape === undefined ? EMPTY_STATE.joins : shape.joins.map((j) => ({ ...j }));
    return new Select({ ...EMPTY_STATE, entity, columns, where, joins });
  }
  if (items.length === 0) {
    throw new ArgumentError("select() needs columns, a table, a model class or a record.");
  }
  if (items.some((x) => x instanceof Table || isEntity(x))) {
    throw new ArgumentError(
      "select(...) takes one table or model class alone; to add other columns, list columns " +
        "(users.c.id, posts.c.title) or use a record.",
    );
  }
  return new Select({
    ...EMPTY_STATE,
    entity: undefined,
    columns: resultColumns(items, "select(...)"),
  });
}

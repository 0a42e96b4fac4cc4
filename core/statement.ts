/**
 * What the Engine asks of a statement besides its SQL: how to split it under a dialect's
 * parameter limit, and how to decode the rows it returns. Builders implement it; the Engine
 * (`all`, `first`, `one`, `scalar`, `run`) honours it. Also: tables, entities and joinables,
 * as statements name them.
 *
 * @module
 */
import type { Dialect } from "./dialect.ts";
import { ArgumentError } from "./errors.ts";
import type { Column } from "./schema/column.ts";
import { Table } from "./schema/table.ts";
import type { Row, SqlSource } from "./sql/nodes.ts";
import type { ResultType } from "./types/decode.ts";

/**
 * A statement the Engine runs: SQL, plus optional hooks.
 *
 * - `batches(dialect)`: the statements to send in its place, in order (a large multi-row
 *   insert splits under the dialect's parameter limit). With more than one, the Engine runs
 *   them in one transaction and concatenates the rows they return.
 * - `resultTypes`: the key and column type of each result column, in order; the Engine
 *   decodes rows with them (SQLite's 0/1 into booleans, JSON text into values...), rows keyed
 *   by key or, as arrays, by position. Builders give these.
 * - `decodeRows(rows, dialect)`: a decoder of your own for rows keyed by column, in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, type Executable, type Row, sql, toSql } from "@retort/orm";
 * const upper: Executable<{ s: string }> = {
 *   [toSql]: () => sql`SELECT ${"a"} AS s`,
 *   decodeRows: (rows: Row[]) => rows.map((r) => ({ s: String(r.s).toUpperCase() })),
 * };
 * await using engine = createEngine("sqlite::memory:");
 * assert((await engine.one(upper)).s === "A");
 * ```
 */
export interface Executable<R = Row> extends SqlSource<R> {
  /** The statements to send instead of this one, for a dialect; at least one. */
  batches?(dialect: Dialect): readonly SqlSource<unknown>[];
  /** The result columns' keys and types, in order, to decode rows by. */
  readonly resultTypes?: readonly ResultType[] | null;
  /** Converts the driver's rows to JavaScript values (in place) and returns them. */
  decodeRows?(rows: Row[], dialect: Dialect): R[];
}

/**
 * An entity: a class with a static `table`, such as an ORM model class.
 *
 * @example
 * ```ts
 * import { column, type EntityClass, table } from "@retort/orm";
 * class User {
 *   static table = table("users", { id: column.integer().primaryKey() });
 * }
 * const e: EntityClass = User;
 * ```
 */
export type EntityClass =
  // deno-lint-ignore no-explicit-any
  & (abstract new (...args: any[]) => unknown)
  & { readonly table: Table };

/**
 * The symbol through which an entity adds a condition to every `select(Entity)`,
 * `update(Entity)` and `deleteFrom(Entity)`: the ORM's subclasses in single-table inheritance
 * filter on their discriminator with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, entityWhere, select, sql, sqliteDialect, table } from "@retort/orm";
 * const pets = table("entity_where_doc_pets", { id: column.integer().primaryKey() });
 * class Odd {
 *   static table = pets;
 *   static [entityWhere] = sql`${pets.c.id} % 2 = 1`;
 * }
 * assert(compile(select(Odd), sqliteDialect).text.endsWith('WHERE "entity_where_doc_pets"."id" % 2 = 1'));
 * ```
 */
export const entityWhere: unique symbol = Symbol.for("retort.entityWhere") as never;

/** The conditions an entity adds to statements on it (see `entityWhere`); none for a table. */
export function entityConditions(target: unknown): SqlSource<unknown>[] {
  if (typeof target !== "function") return [];
  const filter = (target as { [entityWhere]?: SqlSource<unknown> })[entityWhere];
  return filter === undefined ? [] : [filter];
}

/**
 * What an entity selects in place of its table's columns: the columns (in order) and the
 * tables to join for them. The ORM's classes in joined-table inheritance give it through
 * {@linkcode entitySelection}.
 *
 * @example
 * ```ts
 * import { column, type EntitySelection, eq, table } from "@retort/orm";
 * const a = table("entity_selection_type_a", { id: column.integer().primaryKey() });
 * const b = table("entity_selection_type_b", { id: column.integer().primaryKey() });
 * const both: EntitySelection = {
 *   columns: [a.c.id],
 *   joins: [{ kind: "JOIN", target: b, on: eq(b.c.id, a.c.id) }],
 * };
 * ```
 */
export interface EntitySelection {
  /** The columns `select(Entity)` lists, in order; their keys must differ. */
  readonly columns: readonly Column[];
  /** The joins after the first column's table, in order. */
  readonly joins: readonly {
    readonly kind: "JOIN" | "LEFT JOIN";
    readonly target: Table;
    readonly on: SqlSource<unknown>;
  }[];
}

/**
 * The symbol through which an entity gives what every `select(Entity)` lists and joins
 * (see {@linkcode EntitySelection}): the ORM's classes in joined-table inheritance select
 * their parents' tables and their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, entitySelection, eq, select, sqliteDialect, table } from "@retort/orm";
 * const a = table("entity_selection_doc_a", { id: column.integer().primaryKey() });
 * const b = table("entity_selection_doc_b", {
 *   id: column.integer().primaryKey(),
 *   note: column.text(),
 * });
 * class AB {
 *   static table = b;
 *   static [entitySelection] = {
 *     columns: [a.c.id, b.c.note],
 *     joins: [{ kind: "JOIN" as const, target: b, on: eq(b.c.id, a.c.id) }],
 *   };
 * }
 * assert.equal(
 *   compile(select(AB), sqliteDialect).text,
 *   'SELECT "entity_selection_doc_a"."id", "entity_selection_doc_b"."note" ' +
 *     'FROM "entity_selection_doc_a" JOIN "entity_selection_doc_b" ' +
 *     'ON "entity_selection_doc_b"."id" = "entity_selection_doc_a"."id"',
 * );
 * ```
 */
export const entitySelection: unique symbol = Symbol.for("retort.entitySelection") as never;

/**
 * A table, or an object with a static `table` (an ORM model class).
 *
 * @example
 * ```ts
 * import { column, table, type TableLike } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const items: TableLike[] = [users, { table: users }];
 * ```
 */
export type TableLike = Table | { readonly table: Table };

/**
 * The table of a {@linkcode TableLike}: the table itself, or a model class's `table`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, table, tableOf } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * assert(tableOf({ table: users }) === users);
 * ```
 */
export function tableOf(item: TableLike): Table {
  if (item instanceof Table) return item;
  const t = (item as { table?: unknown } | null | undefined)?.table;
  if (t instanceof Table) return t;
  const name = typeof item === "function" ? (item as { name?: string }).name : undefined;
  throw new ArgumentError(
    `${name ? `${name} is` : "This is"} neither a table nor a model class with a static ` +
      "table; pass table(...) or a class declared with Model(...).",
  );
}

/**
 * Whether a value is an entity: a class (function) with a static `table`, such as an ORM
 * model class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, isEntity, table } from "@retort/orm";
 * class User {
 *   static table = table("users", { id: column.integer().primaryKey() });
 * }
 * assert(isEntity(User) && !isEntity(User.table));
 * ```
 */
export function isEntity(item: unknown): item is { readonly table: Table } {
  return typeof item === "function" && (item as { table?: unknown }).table instanceof Table;
}

/**
 * The symbol through which a relationship (or anything joinable) tells a statement builder
 * how to join along it: `select(User).join(User.posts)` needs no ON clause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, select, table, toJoin, eq } from "@retort/orm";
 * const users = table("join_doc_users", { id: column.integer().primaryKey() });
 * const posts = table("join_doc_posts", { id: column.integer().primaryKey(), authorId: column.integer() });
 * const usersPosts = { [toJoin]: () => [{ target: posts, on: eq(posts.c.authorId, users.c.id) }] };
 * assert(select(users).join(usersPosts).toString !== undefined);
 * ```
 */
export const toJoin: unique symbol = Symbol.for("retort.toJoin") as never;

/**
 * Something a builder can join along: it gives the tables to join and their ON conditions,
 * in order (a many-to-many relationship gives two: the association table, then the target),
 * each condition joining its table to the one before. The first may name the table it
 * starts `from` (a relationship's owner): a select that reads none of it reads it first
 * (`select(Post).join(User.posts)` is `FROM users JOIN posts ON ...`), or, when it already
 * joins other tables and reads the last one, joins the path the other way round.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, type Joinable, select, sqliteDialect, table, toJoin } from "@retort/orm";
 * const users = table("joinable_type_users", { id: column.integer().primaryKey() });
 * const posts = table("joinable_type_posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer(),
 * });
 * const usersPosts: Joinable = {
 *   [toJoin]: () => [{ from: users, target: posts, on: eq(posts.c.authorId, users.c.id) }],
 * };
 * assert(compile(select(posts).join(usersPosts), sqliteDialect).text.endsWith(
 *   'FROM "joinable_type_users" JOIN "joinable_type_posts" ON ' +
 *     '"joinable_type_posts"."author_id" = "joinable_type_users"."id"',
 * ));
 * ```
 */
export interface Joinable {
  /** The joins, in order; the first may name the table it joins `from`. */
  [toJoin](): { target: Table; on: SqlSource<unknown>; from?: Table }[];
}

/**
 * Whether a value is {@linkcode Joinable}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, isJoinable, Model, relationship } from "@retort/orm";
 * class Shelf extends Model("joinable_doc_shelves", { id: column.integer().primaryKey() }) {
 *   static items = relationship(() => Item);
 *   declare items: Item[];
 * }
 * class Item extends Model("joinable_doc_items", {
 *   id: column.integer().primaryKey(),
 *   shelfId: column.integer().references(() => Shelf.c.id),
 * }) {}
 * assert(isJoinable(Shelf.items) && !isJoinable(Shelf.table));
 * ```
 */
export function isJoinable(v: unknown): v is Joinable {
  return typeof v === "object" && v !== null &&
    typeof (v as Partial<Joinable>)[toJoin] === "function";
}

/**
 * The row types of a set of columns: what a row holds, and what a new row needs.
 *
 * @module
 */
import type { Column } from "./column.ts";

/**
 * A table's columns, by property key.
 *
 * @example
 * ```ts
 * import { column, type Columns } from "@retort/orm";
 * const cols: Columns = { id: column.integer().primaryKey() };
 * ```
 */
export type Columns = Record<string, Column>;

/**
 * A table's columns once bound: each column's type also carries its key, which the statement
 * builder uses to type result rows (`select(users.c.id)` gives rows `{ id: number }`).
 *
 * @example
 * ```ts
 * import { type BoundColumns, column, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const c: BoundColumns<{ id: typeof users.c.id }> = users.c;
 * const key: "id" = c.id.key;
 * ```
 */
export type BoundColumns<C extends Columns> = {
  readonly [K in keyof C]: C[K] & { readonly key: K & string };
};

/**
 * The row type of a set of columns: each key with its value type.
 *
 * @example
 * ```ts
 * import { column, type RowOf } from "@retort/orm";
 * const cols = { id: column.integer(), bio: column.text().nullable() };
 * const row: RowOf<typeof cols> = { id: 1, bio: null };
 * ```
 */
export type RowOf<C> =
  & { -readonly [K in keyof C as C[K] extends RO ? never : K]: ValueOf<C[K]> }
  & { readonly [K in keyof C as C[K] extends RO ? K : never]: ValueOf<C[K]> };

/**
 * A read-only column's brand (`column.expression`, `generatedAs`).
 *
 * @internal
 */
type RO = { readonly "~readonly": true };
/**
 * A column's value type.
 *
 * @internal
 */
type ValueOf<X> = X extends Column<infer T, boolean> ? T : never;

/**
 * The keys of columns a new row may leave out.
 *
 * @internal
 */
type OptionalKeys<C> = {
  [K in keyof C]: C[K] extends RO ? never : C[K] extends Column<unknown, true> ? K : never;
}[keyof C];
/**
 * The keys of columns a new row must set.
 *
 * @internal
 */
type RequiredKeys<C> = Exclude<keyof C, OptionalKeys<C> | ReadonlyKeys<C>>;
/** The keys of read-only columns, which no new row sets. */
type ReadonlyKeys<C> = { [K in keyof C]: C[K] extends RO ? K : never }[keyof C];

/**
 * What a new row needs: required columns, and optional ones (defaults, generated keys,
 * nullable columns, foreign keys).
 *
 * @example
 * ```ts
 * import { column, type InsertOf } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), name: column.text() };
 * const row: InsertOf<typeof cols> = { name: "ada" };
 * ```
 */
export type InsertOf<C> =
  & { -readonly [K in RequiredKeys<C>]: C[K] extends Column<infer T, boolean> ? T : never }
  & { -readonly [K in OptionalKeys<C>]?: C[K] extends Column<infer T, boolean> ? T : never };

/**
 * The row types of selects: what each selected expression's value is, and the rows of a
 * list or a record of them.
 *
 * @module
 */
import type { Columns, RowTypes } from "../schema/rows.ts";
import type { Table } from "../schema/table.ts";
import type { Expression } from "./expression.ts";

/**
 * A column a select can list: a table's column or a subquery's, each with its key.
 *
 * @example
 * ```ts
 * import { column, type SelectItem, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const item: SelectItem = users.c.id;
 * ```
 */
export type SelectItem = Expression<unknown> & { readonly key: string };

/**
 * The value type of a selected expression: a column's type, a scalar subquery's single
 * value (or null), `unknown` for a plain fragment.
 *
 * @example
 * ```ts
 * import { column, table, type ValueOf } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const id: ValueOf<typeof users.c.id> = 1;
 * ```
 */
export type ValueOf<E> = E extends { readonly isQuery: true; readonly "~row"?: infer R }
  ? ScalarOf<R>
  : E extends { readonly "~type"?: infer T } ? Exclude<T, undefined>
  : unknown;

/**
 * The row type of a list of columns: each column's key with its value type.
 *
 * @example
 * ```ts
 * import { column, type RowOfColumns, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const row: RowOfColumns<[typeof users.c.id, typeof users.c.name]> = { id: 1, name: "ada" };
 * ```
 */
export type RowOfColumns<A extends readonly unknown[]> = RowsOf<A>["ofColumns"];

/**
 * The row types of a select's list `A` of columns or record `A` of expressions, each read
 * when first needed (builders name these members, so messages show the rows as flat objects).
 *
 * @example
 * ```ts
 * import { column, type RowsOf, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const row: RowsOf<[typeof users.c.id]>["ofColumns"] = { id: 1 };
 * ```
 */
export interface RowsOf<A> {
  /** The row of a list of columns: each column's key with its value type. */
  readonly ofColumns: {
    -readonly [
      E in A extends readonly unknown[] ? A[number] : never as E extends {
        readonly key: infer K extends string;
      } ? K
        : never
    ]: ValueOf<E>;
  };
  /** The row of a record of expressions: each key with its expression's value type. */
  readonly ofRecord: { -readonly [K in keyof A]: ValueOf<A[K]> };
}

/**
 * `unknown` when the columns `A` of a `select(...)` or RETURNING clause have distinct keys,
 * else an error type no list of columns is: two columns under one key would be one field of
 * the row (name them with a record instead: `select({ userId: users.c.id, postId: posts.c.id })`).
 *
 * @example
 * ```ts
 * import { column, type DistinctKeys, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const ok: DistinctKeys<[typeof users.c.id, typeof users.c.name]> = "any value";
 * ```
 */
export type DistinctKeys<A extends readonly SelectItem[]> = A extends
  readonly [...infer P extends readonly SelectItem[], infer L extends SelectItem]
  ? string extends L["key"] ? DistinctKeys<P>
  : L["key"] extends P[number]["key"]
    ? { readonly "~error": `two columns under the one key "${L["key"]}"` }
  : DistinctKeys<P>
  : unknown;

/**
 * The row type of a record of expressions: each key with its expression's value type.
 *
 * @example
 * ```ts
 * import { column, type RowOfRecord, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const row: RowOfRecord<{ userId: typeof users.c.id }> = { userId: 1 };
 * ```
 */
export type RowOfRecord<S> = RowsOf<S>["ofRecord"];

/**
 * The value of a one-column query used as a scalar: its column's type, or null (no row).
 *
 * @example
 * ```ts
 * import type { ScalarOf } from "@retort/orm";
 * const v: ScalarOf<{ n: number }> = null;
 * ```
 */
export type ScalarOf<R> = unknown extends R ? unknown : R[keyof R] | null;

/**
 * A row for `insert(table).values(...)`: required columns, and optional ones (defaults,
 * generated keys, nullable columns, foreign keys); each a value or SQL.
 *
 * @example
 * ```ts
 * import { column, type InsertRow } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), name: column.text() };
 * const row: InsertRow<typeof cols> = { name: "ada" };
 * ```
 */
export type InsertRow<C extends Columns> = RowTypes<C>["insert"];

/**
 * Assignments for `update(table).set(...)` and upserts: any columns, each a value or SQL.
 *
 * @example
 * ```ts
 * import { column, sql, type UpdateValues } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), visits: column.integer() };
 * const set: UpdateValues<typeof cols> = { visits: sql`visits + 1` };
 * ```
 */
export type UpdateValues<C extends Columns> = RowTypes<C>["update"];

/**
 * The columns of a table or of a model class's table.
 *
 * @example
 * ```ts
 * import { column, type ColumnsOf, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * type C = ColumnsOf<typeof users>; // { id: Column<number, true> }
 * ```
 */
export type ColumnsOf<T> = T extends Table<infer C> ? C
  : T extends { readonly table: Table<infer C> } ? C
  : Columns;

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
export type RowOf<C extends Columns> = RowTypes<C>["row"];

/**
 * The row types of a set of columns, computed once per set (each member is read when first
 * needed): what a row holds, what a new object and a Core insert need, what an update sets,
 * and what the primary key is.
 *
 * @example
 * ```ts
 * import { column, type RowTypes } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), name: column.text() };
 * const key: RowTypes<typeof cols>["key"] = 1;
 * ```
 */
export interface RowTypes<C extends Columns> {
  /** The keys of read-only columns, which no new row sets. */
  readonly readonly: "ro" extends C[keyof C]["~flags"]
    ? { [K in keyof C]: "ro" extends C[K]["~flags"] ? K : never }[keyof C]
    : never;
  /** The keys of the primary key's columns (`primaryKey()`). */
  readonly pk: { [K in keyof C]: "pk" extends C[K]["~flags"] ? K : never }[keyof C];
  /** The key of the primary key's column when it is the only one. */
  readonly onlyKey: {
    [K in RowTypes<C>["pk"]]: [Exclude<RowTypes<C>["pk"], K>] extends [never] ? K : never;
  }[RowTypes<C>["pk"]];
  /** The key of the generated primary key column: an integer key that is the only key. */
  readonly generated: {
    [K in RowTypes<C>["onlyKey"]]: "gen" extends C[K]["~flags"] ? K : never;
  }[RowTypes<C>["onlyKey"]];
  /** The keys of columns a Core insert must set: no default, not nullable, not generated. */
  readonly required: {
    [K in keyof C]: C[K]["~optional"] extends true ? never
      : "gen" extends C[K]["~flags"] ? K extends RowTypes<C>["generated"] ? never : K
      : K;
  }[keyof C];
  /** The keys of columns a new object must set: those, but for foreign keys. */
  readonly requiredInit: {
    [K in RowTypes<C>["required"]]: "fk" extends C[K]["~flags"] ? never : K;
  }[RowTypes<C>["required"]];
  /** The keys of columns that are not read-only. */
  readonly writable: [RowTypes<C>["readonly"]] extends [never] ? keyof C
    : Exclude<keyof C, RowTypes<C>["readonly"]>;
  /** A row: each key with its value type. */
  readonly row: [RowTypes<C>["readonly"]] extends [never]
    ? { -readonly [K in keyof C]: C[K]["~type"] }
    :
      & { -readonly [K in RowTypes<C>["writable"]]: C[K]["~type"] }
      & { readonly [K in RowTypes<C>["readonly"]]: C[K]["~type"] };
  /** The columns a new object takes: the required ones, and the others but read-only ones. */
  readonly initColumns: [RowTypes<C>["readonly"]] extends [never] ? RowTypes<C>["initWritable"]
    : RowTypes<C>["initWritable"] & { readonly [K in RowTypes<C>["readonly"]]?: never };
  /** The writable columns a new object takes: the required ones, and the others. */
  readonly initWritable: [RowTypes<C>["requiredInit"]] extends [never]
    ? { -readonly [K in RowTypes<C>["writable"]]?: C[K]["~type"] }
    :
      & { -readonly [K in RowTypes<C>["requiredInit"]]: C[K]["~type"] }
      & { -readonly [K in RowTypes<C>["writable"]]?: C[K]["~type"] };
  /**
   * What a new object takes: its columns (foreign keys may be left out), and its
   * relationships by name (`author: u`, `tags: [t]`). A relationship's class is the
   * subclass's, which no type of its base can see: the constructor checks it, and refuses a
   * name that is neither a column nor a relationship, with an ArgumentError. (The second
   * member only lets an object literal name relationships; any value with the columns, an
   * interface's too, is the first.)
   */
  readonly init:
    | RowTypes<C>["initColumns"]
    | (RowTypes<C>["initColumns"] & { readonly [relationship: string]: unknown });
  /** What a Core insert needs: the required columns, each a value or SQL of its type. */
  readonly insert: [RowTypes<C>["required"]] extends [never] ? RowTypes<C>["update"]
    : { -readonly [K in RowTypes<C>["required"]]: C[K]["~in"] } & RowTypes<C>["update"];
  /** What an update may set: any column, a value or SQL of its type. */
  readonly update: {
    -readonly [K in keyof C]?: C[K]["~in"];
  };
  /**
   * The primary key's value: the column's type for one key column, an array of the key
   * columns' types for several.
   */
  readonly key: [RowTypes<C>["pk"]] extends [never] ? unknown
    : [RowTypes<C>["onlyKey"]] extends [never] ? readonly KeyValue<C[RowTypes<C>["pk"]]["~type"]>[]
    : KeyValue<C[RowTypes<C>["pk"]]["~type"]>;
}

/**
 * A key column's value as a lookup takes it: an integer key takes a number or a bigint.
 *
 * @example
 * ```ts
 * import type { KeyValue } from "@retort/orm";
 * const k: KeyValue<bigint> = 5;
 * ```
 */
export type KeyValue<V> = V extends number | bigint ? number | bigint : V;

/**
 * What a new object needs: required columns, and optional ones (defaults, generated keys,
 * nullable columns, foreign keys); relationships by name, checked when the object is built.
 *
 * @example
 * ```ts
 * import { column, type InsertOf } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), name: column.text() };
 * const row: InsertOf<typeof cols> = { name: "ada" };
 * ```
 */
export type InsertOf<C extends Columns> = RowTypes<C>["init"];

/**
 * The types of loader options (`selectin("posts")`, `joined("author")`): what `select(...)
 * .options(...)` takes, checked against the relationships of the objects the select returns.
 * The ORM builds the options; the types are here, beside the select that carries them.
 *
 * A relationship is an attribute whose declared type holds objects of a mapped class (one,
 * one or null, or an array or collection of them); columns, methods and other attributes are
 * not. Each nested option is checked against the class its parent loads.
 *
 * @module
 */

/**
 * An object of a mapped class, as the loader types recognize it: it has `toJSON()` giving
 * its columns (every mapped object does).
 *
 * @example
 * ```ts
 * import { column, type EntityObject, Model } from "@retort/orm";
 * class Dot extends Model("entity_object_doc", { id: column.integer().primaryKey() }) {}
 * const d: EntityObject = new Dot({});
 * ```
 */
export interface EntityObject {
  /** The column values, for `JSON.stringify`. */
  toJSON(): Record<string, unknown>;
}

/**
 * The objects an attribute of type `V` holds: the element of an array or collection, or the
 * object itself without `null`.
 *
 * @example
 * ```ts
 * import type { RelatedOf } from "@retort/orm";
 * const n: RelatedOf<number[] | null> = 1;
 * ```
 */
export type RelatedOf<V> = V extends readonly (infer E)[] ? E : NonNullable<V>;

/**
 * The names of the relationships of objects of type `T`: the attributes whose type holds
 * objects of a mapped class.
 *
 * @example
 * ```ts
 * import { column, Model, relationship, type RelationshipNames } from "@retort/orm";
 * class Shelf extends Model("rel_names_doc_shelves", { id: column.integer().primaryKey() }) {
 *   static books = relationship(() => Book);
 *   declare books: Book[];
 * }
 * class Book extends Model("rel_names_doc_books", {
 *   id: column.integer().primaryKey(),
 *   shelfId: column.integer().references(() => Shelf.c.id),
 * }) {}
 * const name: RelationshipNames<Shelf> = "books";
 * ```
 */
export type RelationshipNames<T> = RelationshipsAmong<T, OtherKeys<T>>;

/**
 * The keys of `T` but for its columns (which a mapped object names in `"~columns"`).
 *
 * @internal
 */
type OtherKeys<T> = Exclude<
  keyof T,
  | (T extends { readonly "~columns"?: infer C } ? unknown extends C ? never : keyof NonNullable<C>
    : never)
  | "toJSON"
  | "~columns"
>;

/**
 * The keys among `K` whose attributes hold mapped objects.
 *
 * @internal
 */
type RelationshipsAmong<T, K extends keyof T> =
  & { [P in K]-?: T[P] extends EntityObject | readonly EntityObject[] | null ? P : never }[K]
  & string;

/**
 * A loader option: how to load the relationship `P` (`selectin`: a second batched query,
 * `joined`: a LEFT JOIN), with nested options `N` for the loaded objects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LoaderOption, selectin } from "@retort/orm";
 * const option: LoaderOption = selectin("posts", selectin("comments"));
 * assert(option.strategy === "selectin" && option.nested.length === 1);
 * ```
 */
export interface LoaderOption<P extends string = string, N = unknown> {
  /** How to load: a second batched `IN` query, or a LEFT JOIN in the same query. */
  readonly strategy: "selectin" | "joined";
  /** The relationship's name on the queried class (or the parent of a nested option). */
  readonly path: P;
  /** Options for the loaded objects. */
  readonly nested: readonly N[];
}

/**
 * The loader options that fit objects of type `T`: one of its relationships, with nested
 * options that fit the objects that relationship holds.
 *
 * @example
 * ```ts
 * import { column, type LoaderFor, Model, relationship, selectin } from "@retort/orm";
 * class Shelf extends Model("loader_for_doc_shelves", { id: column.integer().primaryKey() }) {
 *   static books = relationship(() => Book);
 *   declare books: Book[];
 * }
 * class Book extends Model("loader_for_doc_books", {
 *   id: column.integer().primaryKey(),
 *   shelfId: column.integer().references(() => Shelf.c.id),
 * }) {}
 * const option: LoaderFor<Shelf> = selectin("books");
 * ```
 */
export type LoaderFor<T> = {
  [K in RelationshipNames<T>]: LoaderOf<K, T[K]>;
}[RelationshipNames<T>];

/**
 * A loader option of the relationship `P`, an attribute of type `V`: its nested options fit
 * the objects `V` holds (read only when a nested option is checked, so cycles of classes cost
 * nothing).
 *
 * @example
 * ```ts
 * import { type LoaderOf, selectin } from "@retort/orm";
 * const option: LoaderOf<"posts", object[]> = selectin("posts");
 * ```
 */
export interface LoaderOf<P extends string, V> {
  /** How to load. */
  readonly strategy: "selectin" | "joined";
  /** The relationship's name. */
  readonly path: P;
  /** Options for the loaded objects, each fitting the objects `V` holds. */
  readonly nested: readonly LoaderFor<RelatedOf<V>>[];
}

/**
 * A query option other than a relationship loader, such as `withoutCriteria()`, named by
 * its `option`. `select(...).options(...)` takes these beside loader options.
 *
 * @example
 * ```ts
 * import { type QueryOption, withoutCriteria } from "@retort/orm";
 * const option: QueryOption = withoutCriteria();
 * ```
 */
export interface QueryOption {
  /** What the option is, such as `"withoutCriteria"`. */
  readonly option: string;
}

/**
 * What `select(...).options(...)` takes when the select returns objects of type `T`: loader
 * options of `T`'s relationships, and other query options.
 *
 * @example
 * ```ts
 * import { type SelectOption, withoutCriteria } from "@retort/orm";
 * const option: SelectOption<object> = withoutCriteria();
 * ```
 */
export type SelectOption<T> = LoaderFor<T> | QueryOption;

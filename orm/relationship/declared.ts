/**
 * What the types know of a relationship's kind, and the check that a class's declarations
 * agree with its relationships (`implements Relationships<typeof User>`).
 *
 * @module
 */
import type { Table } from "../../core/schema/table.ts";
import type { Column } from "../../core/schema/column.ts";

/**
 * A relationship's kind as its type knows it: `"many"` (a one-to-many or many-to-many: a
 * list), `"one"` (`uselist: false`: one object or null), `"many-to-one"` (one object, null
 * until set or when its foreign key is NULL), or `"either"` when only the run time knows
 * (both tables have foreign keys, and `backPopulates` names no list on the target).
 *
 * @example
 * ```ts
 * import type { RelationshipKind } from "@retort/orm";
 * const kind: RelationshipKind = "many-to-one";
 * ```
 */
export type RelationshipKind = "many" | "one" | "many-to-one" | "either";

/**
 * The kind of `relationship(() => C, options)`, from what its options say (`secondary`,
 * `uselist`), what `backPopulates` names on the target (a list there makes this
 * side a many-to-one) and whether the target's table has foreign keys (none: this side holds
 * the foreign key).
 *
 * @internal
 */
export type KindOf<C, T, U, S, B extends string> = S extends undefined ? U extends false ? "one"
  : [B] extends [never] ? TargetKind<C>
  : B extends keyof T ? T[B] extends readonly unknown[] ? "many-to-one" : TargetKind<C>
  : TargetKind<C>
  : "many";

/**
 * `"many-to-one"` when the target's table has no foreign key (so this side holds it), else
 * `"either"`.
 *
 * @internal
 */
type TargetKind<C> = "fk" extends OwnColumns<C>["~flags"] ? "either" : "many-to-one";

/**
 * The check that a mapped class declares each of its relationships with the type it holds:
 * write `implements Relationships<typeof User>` after the class's `extends Model(...)`.
 *
 * - A one-to-many or many-to-many is a list of the target: `declare posts: Post[]` (or
 *   `Collection<Post>`).
 * - A many-to-one is the target or null: `declare author: User | null`. Null is what a new
 *   object holds until it is set; over a NOT NULL foreign key `declare author: User` is
 *   accepted too, over a nullable one it is not.
 * - A one-to-one (`uselist: false`) is the target or null: `declare profile: Profile | null`.
 *
 * The kind follows from the options (`secondary`, `uselist`), from the list or single
 * object that `backPopulates` names on the target, and from which tables have foreign keys;
 * where only the run time can tell (both tables have foreign keys, and `backPopulates` names
 * no list), a list or a single object of the target is accepted. A declaration of another
 * class or of the wrong shape is a compile error naming the relationship (a relationship
 * with no `declare` is not checked: the instance type then has no such attribute).
 *
 * @example
 * ```ts
 * import { column, Model, relationship, type Relationships } from "@retort/orm";
 * class Author extends Model("declared_doc_authors", {
 *   id: column.integer().primaryKey(),
 * }) implements Relationships<typeof Author> {
 *   static books = relationship(() => Book, { backPopulates: "author" });
 *   declare books: Book[];
 * }
 * class Book extends Model("declared_doc_books", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().nullable().references(() => Author.c.id),
 * }) implements Relationships<typeof Book> {
 *   static author = relationship(() => Author, { backPopulates: "books" });
 *   declare author: Author | null;
 * }
 * ```
 */
export type Relationships<S extends abstract new (...args: never[]) => object> = {
  readonly [K in Exclude<keyof S, "prototype" | "table" | "c" | "subclass" | "~key" | symbol>]?:
    S[K] extends { readonly "~target"?: infer T; readonly "~kind": infer Kind }
      ? Kind extends "many" ? readonly T[]
      : Kind extends "one" ? NullFor<InstanceType<S>, K, T>
      : Kind extends "many-to-one"
        ? [RequiredFk<OwnColumns<S>>] extends [never] ? NullFor<InstanceType<S>, K, T>
        : T | null
      : "fk" extends OwnColumns<S>["~flags"] ? readonly T[] | T | null
      : readonly T[]
      : unknown;
};

/**
 * The columns of a mapped class's table, as one union (any column, for a class that is not
 * mapped: its flags then say nothing).
 *
 * @internal
 */
type OwnColumns<S> = S extends { readonly table: Table<infer C> } ? C[keyof C] : Column;

/**
 * `true` for each NOT NULL foreign-key column among the columns `X` (never when there is
 * none).
 *
 * @internal
 */
type RequiredFk<X> = X extends Column
  ? "fk" extends X["~flags"] ? null extends X["~type"] ? never : true : never
  : never;

/**
 * `T | null` when the declaration `I[K]` admits null, else what to declare and why.
 *
 * @internal
 */
type NullFor<I, K, T> = K extends keyof I ? null extends I[K] ? T | null
  : I[K] extends readonly unknown[] ? T | null
  : Declare<K, T | null, "may be null (its foreign key is nullable, or it is unset)">
  : T | null;

/**
 * What a declaration that does not agree is compared with: the type to declare, and why.
 *
 * @internal
 */
interface Declare<K, D, Why extends string> {
  readonly relationship: K;
  readonly declare: D;
  readonly because: Why;
}

/**
 * Relationships between mapped classes: one-to-many, many-to-one, one-to-one and
 * many-to-many, kept in sync in memory through `backPopulates`.
 *
 * Reading a relationship never queries: it returns what was loaded (by `selectin`, `joined`
 * or `session.load`), a new object's empty collection or null, a many-to-one target found in
 * the session's identity map, or it throws NotLoadedError.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { Fragment, type SqlSource } from "../../core/sql/nodes.ts";
import { type Joinable, toJoin } from "../../core/statement.ts";
import type { Mapper } from "../mapping/mapper.ts";
import {
  type BackPopulates,
  type Cascade,
  parseCascade,
  type RelationshipOptions,
  type Secondary,
} from "./options.ts";
import type { KindOf, RelationshipKind } from "./declared.ts";
import { type Keys, resolveBack, resolveForeignKey, resolveSecondary } from "./resolve.ts";
import { relatedExists, wrongFilter } from "./filters.ts";
import { aliasesOf, joinSteps } from "./joins.ts";
import { configureFor, remember, unattached } from "./configuring.ts";
import type { Condition } from "../../core/builder/clauses.ts";

/**
 * How a relationship finds the mapper of a class (given by the mapping layer).
 *
 * @internal
 */
export type MapperResolver = (cls: unknown) => Mapper;

/**
 * A column of a table as a query sees it (the table itself, or an alias of it).
 *
 * @internal
 */
export type ColumnAt = (column: Column) => SqlSource<unknown>;

const registries = new WeakMap<Mapper, Map<string, Relationship>>();
const NONE: ReadonlyMap<string, Relationship> = new Map();

/** The relationships of a mapper, by name. */
export function relationshipsOf(mapper: Mapper): ReadonlyMap<string, Relationship> {
  return registries.get(mapper) ?? NONE;
}

/** A subclass's mapper has its parent's relationships (see `mapping/inheritance.ts`). */
export function inheritRelationships(sub: Mapper, parent: Mapper): void {
  const own = registries.get(parent);
  if (own !== undefined) registries.set(sub, new Map(own));
}

/** The relationship of a mapper with a name, or an ArgumentError naming those it has. */
export function relationshipOf(mapper: Mapper, name: string): Relationship {
  const rel = relationshipsOf(mapper).get(name);
  if (!rel) {
    const known = [...relationshipsOf(mapper).keys()];
    throw new ArgumentError(
      `${mapper.name} has no relationship ${JSON.stringify(name)}; ` +
        (known.length ? `its relationships are ${known.join(", ")}.` : "it has none.") +
        ` Declare it as a static field: static ${name} = relationship(() => Target, {...}).`,
    );
  }
  return rel;
}

interface Resolved extends Keys {
  readonly target: Mapper;
  readonly cascade: Cascade;
  readonly back: Relationship | null;
}

/**
 * A relationship declaration, held in a static field of a mapped class. The instance side is
 * declared with `declare`: `declare posts: Post[]` or `declare author: User`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model, relationship } from "@retort/orm";
 * class Author extends Model("rel_doc_authors", { id: column.integer().primaryKey() }) {
 *   static books = relationship(() => Book, { backPopulates: "author" });
 *   declare books: Book[];
 * }
 * class Book extends Model("rel_doc_books", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => Author.c.id),
 * }) {
 *   static author = relationship(() => Author, { backPopulates: "books" });
 *   declare author: Author | null;
 * }
 * const a = new Author({});
 * const b = new Book({});
 * a.books.push(b);
 * assert(b.author === a);
 * ```
 */
export class Relationship<T = unknown, K extends RelationshipKind = RelationshipKind> {
  /** The target class, given lazily. */
  readonly target: () => unknown;
  /** The options as declared. */
  readonly options: RelationshipOptions<T, string>;
  /** Type-only: the target's objects. */
  declare readonly "~target"?: T;
  /** Type-only: the kind, as far as the types can tell (what `Relationships<S>` reads). */
  declare readonly "~kind": K;
  #owner: Mapper | null = null;
  #name = "";
  #mapperOf: MapperResolver | null = null;
  #resolved: Resolved | null = null;

  /** Internal: use {@linkcode relationship}. */
  constructor(target: () => unknown, options: RelationshipOptions<T, string>) {
    this.target = target;
    this.options = options;
    remember(this);
  }

  /** Internal: called when the owner's mapper is configured. */
  attach(owner: Mapper, name: string, mapperOf: MapperResolver): void {
    if (this.#owner && this.#owner.cls !== owner.cls) {
      throw new ArgumentError(
        `The relationship ${owner.name}.${name} is the same object as ` +
          `${this.#owner.name}.${this.#name}; declare each relationship with its own ` +
          "relationship(...).",
      );
    }
    this.#owner = owner;
    this.#name = name;
    this.#mapperOf = mapperOf;
    let registry = registries.get(owner);
    if (!registry) registries.set(owner, registry = new Map());
    registry.set(name, this as Relationship);
  }

  /** Internal: whether the owner's class has been configured (the relationship attached). */
  get attached(): boolean {
    return this.#owner !== null;
  }

  /** The relationship's attribute name. */
  get name(): string {
    if (this.#owner === null) this.#configure();
    return this.#name;
  }

  /**
   * The owner's mapper. A relationship used before its class is configured configures the
   * mapped classes first (as SQLAlchemy's `configure_mappers`), so that `User.posts.any()`
   * or `select(User).join(User.posts)` works in a fresh process.
   */
  get owner(): Mapper {
    const owner = this.#owner ?? this.#configure();
    if (owner === null) throw unattached(this);
    return owner;
  }

  /** `"Owner.name"`, for messages. */
  get qualifiedName(): string {
    if (this.#owner === null) this.#configure();
    return `${this.#owner?.name ?? "?"}.${this.#name}`;
  }

  /** Configures the classes the declared relationships lead to; the owner, once attached. */
  #configure(): Mapper | null {
    configureFor(this);
    return this.#owner;
  }

  #r(): Resolved {
    return this.#resolved ?? this.#resolve();
  }

  /** The target's mapper. */
  get targetMapper(): Mapper {
    return this.#r().target;
  }

  /** The kind: many-to-one, one-to-many (incl. one-to-one) or many-to-many. */
  get direction(): "manyToOne" | "oneToMany" | "manyToMany" {
    return this.#r().direction;
  }

  /** Whether the attribute holds one object (many-to-one, one-to-one), not a list. */
  get scalar(): boolean {
    return this.#r().scalar;
  }

  /** The foreign-key column index: in the owner (many-to-one) or the target (one-to-many). */
  get fk(): number {
    return this.#r().fk;
  }

  /** The referenced column index: in the target (many-to-one) or the owner (one-to-many). */
  get ref(): number {
    return this.#r().ref;
  }

  /** For many-to-many: the association table and its two foreign-key columns. */
  get secondary(): { table: Table; owner: Column; target: Column } | null {
    return this.#r().secondary;
  }

  /** The relationship on the other side, from `backPopulates`. */
  get back(): Relationship | null {
    return this.#r().back;
  }

  /** The cascades. */
  get cascade(): Readonly<Cascade> {
    return this.#r().cascade;
  }

  /** The foreign-key column, on whichever side holds it (the association's, many-to-many). */
  get foreignKeyColumn(): Column {
    const r = this.#r();
    if (r.secondary) return r.secondary.target;
    return r.direction === "manyToOne" ? this.owner.columns[r.fk] : r.target.columns[r.fk];
  }

  /** Resolves the target and the join condition (once). */
  resolve(): void {
    this.#r();
  }

  #resolve(): Resolved {
    const owner = this.owner;
    const where = `Relationship ${this.qualifiedName}`;
    let targetCls: unknown;
    try {
      targetCls = this.target();
    } catch (e) {
      throw new ArgumentError(`${where}: its target could not be read: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const mapperOf = this.#mapperOf!;
    const target = mapperOf(targetCls);
    const o = this.options;
    const cascade = parseCascade(o.cascade, where);
    const keys = o.secondary
      ? resolveSecondary(owner, target, o, where)
      : resolveForeignKey(owner, target, o, where);
    const back = o.backPopulates === undefined
      ? null
      : resolveBack(this, o.backPopulates, owner, target, relationshipsOf(target), mapperOf);
    return this.#resolved = { ...keys, target, cascade, back };
  }

  /**
   * The join condition between the owner and the target (through the association table for
   * many-to-many), with each table's columns as a query sees them: the tables themselves, or
   * aliases of them.
   */
  joinConditions(
    owner: ColumnAt,
    target: ColumnAt,
    association: ColumnAt = (c) => c,
  ): { table: "association" | "target"; on: Fragment }[] {
    const r = this.#r();
    const eq = (a: SqlSource<unknown>, b: SqlSource<unknown>) =>
      new Fragment(["", " = ", ""], [a, b]);
    const o = this.owner.columns;
    const t = r.target.columns;
    if (r.direction === "manyToOne") {
      return [{ table: "target", on: eq(target(t[r.ref]), owner(o[r.fk])) }];
    }
    if (r.direction === "oneToMany") {
      return [{ table: "target", on: eq(target(t[r.fk]), owner(o[r.ref])) }];
    }
    const sec = r.secondary!;
    return [
      { table: "association", on: eq(association(sec.owner), owner(o[r.ref])) },
      { table: "target", on: eq(target(t[r.fk]), association(sec.target)) },
    ];
  }

  /**
   * For a collection: `EXISTS` a related row (matching `condition`), for `where`:
   * `select(User).where(User.posts.any(eq(Post.c.published, true)))`.
   */
  any(condition?: Condition): Fragment {
    if (this.scalar) throw wrongFilter(this, "any");
    return relatedExists(this, condition, "any");
  }

  /**
   * For a single object: `EXISTS` the related row (matching `condition`), for `where`:
   * `select(Post).where(Post.author.has(eq(User.c.name, "ann")))`.
   */
  has(condition?: Condition): Fragment {
    if (!this.scalar) throw wrongFilter(this, "has");
    return relatedExists(this, condition, "has");
  }

  /**
   * How a builder joins along this relationship: `select(User).join(User.posts)` (the
   * association table too, for a many-to-many; each table of a joined hierarchy's target).
   * A query that does not read the owner reads it first: `select(Post).join(User.posts)` is
   * `FROM users JOIN posts ON ...`. A self-referential relationship needs an alias of its
   * target: see {@linkcode Relationship.of}.
   */
  [toJoin](): ReturnType<Joinable[typeof toJoin]> {
    return joinSteps(this as Relationship, new Map());
  }

  /**
   * This relationship joined to aliases of its target's table(s), for a self-referential
   * relationship (or to join the same target twice): the condition reads the alias, which a
   * query then filters on.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { column, compile, eq, Model, relationship, select, sqliteDialect } from "@retort/orm";
   * class Node extends Model("rel_of_doc_nodes", {
   *   id: column.integer().primaryKey(),
   *   parentId: column.integer().nullable().references((t) => t.c.id),
   *   name: column.text(),
   * }) {
   *   static children = relationship(() => Node, { direction: "one-to-many" });
   *   declare children: Node[];
   * }
   * const child = Node.table.as("child");
   * const q = select(Node).join(Node.children.of(child)).where(eq(child.c.name, "leaf"));
   * assert(compile(q, sqliteDialect).text.includes(
   *   'FROM "rel_of_doc_nodes" JOIN "rel_of_doc_nodes" AS "child" ON ' +
   *     '"child"."parent_id" = "rel_of_doc_nodes"."id"',
   * ));
   * ```
   */
  of(...aliases: Table[]): Joinable {
    const map = aliasesOf(this as Relationship, aliases);
    return { [toJoin]: () => joinSteps(this as Relationship, map) };
  }
}

/**
 * Declares a relationship in a static field of a mapped class.
 *
 * The kind follows from the foreign keys: a foreign key on this class's table to the target
 * makes a many-to-one (a single object); one on the target's table makes a one-to-many (a
 * list, or a single object with `uselist: false`); `secondary` makes a many-to-many.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model, relationship } from "@retort/orm";
 * class Parent extends Model("rel_doc_parents", { id: column.integer().primaryKey() }) {
 *   static children = relationship(() => Child, { backPopulates: "parent", cascade: "all" });
 *   declare children: Child[];
 * }
 * class Child extends Model("rel_doc_children", {
 *   id: column.integer().primaryKey(),
 *   parentId: column.integer().references(() => Parent.c.id),
 * }) {
 *   static parent = relationship(() => Parent, { backPopulates: "children" });
 *   declare parent: Parent | null;
 * }
 * const p = new Parent({});
 * const c = new Child({});
 * c.parent = p;
 * assert(p.children[0] === c);
 * ```
 */
export function relationship<
  C extends abstract new (...args: never[]) => object,
  const B extends string = never,
  const U extends boolean = true,
  S extends Secondary | undefined = undefined,
>(
  target: () => C,
  options?: RelationshipOptions<InstanceType<C>, B & BackPopulates<InstanceType<C>, B>, U, S>,
): Relationship<InstanceType<C>, KindOf<C, InstanceType<C>, U, S, B>> {
  return new Relationship(target, options ?? {});
}

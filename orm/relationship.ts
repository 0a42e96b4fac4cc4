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
import { ArgumentError, InvalidRequestError, NotLoadedError } from "../core/errors.ts";
import { Column } from "../core/schema/column.ts";
import { sameTable, Table } from "../core/schema/table.ts";
import type { Fragment, SqlSource } from "../core/sql/nodes.ts";
import { sql } from "../core/sql/tag.ts";
import { toJoin } from "../core/statement.ts";
import type { Mapper } from "./mapper.ts";
import type { EntityClass } from "../core/statement.ts";
import { mapperOf } from "./mapper.ts";
import { type InstanceState, stateOf } from "./state.ts";

/**
 * Options of {@linkcode relationship}. `T` is the target's instance type, so `backPopulates`
 * is checked against the target's keys.
 *
 * @example
 * ```ts
 * import type { RelationshipOptions } from "@retort/orm";
 * const options: RelationshipOptions<{ author: unknown }> = {
 *   backPopulates: "author",
 *   cascade: "all, delete-orphan",
 * };
 * ```
 */
export interface RelationshipOptions<T = unknown> {
  /** The relationship on the target that mirrors this one; both are kept in sync. */
  backPopulates?: Extract<keyof T, string>;
  /**
   * Cascades, comma-separated: `save-update` (the default), `delete`, `delete-orphan`,
   * `all` (save-update and delete), or `none`.
   */
  cascade?: string;
  /** How a loaded collection is ordered. */
  orderBy?: () => Column | Fragment | (Column | Fragment)[];
  /** The association table (or mapped class) of a many-to-many relationship. */
  secondary?: () => Table | EntityClass;
  /** The foreign-key column to use, when several link the two tables. */
  foreignKey?: () => Column;
  /** Leave deleting (or nulling) children to the database's ON DELETE. */
  passiveDeletes?: boolean;
  /** `false` makes a one-to-many relationship a one-to-one: a single object, not a list. */
  uselist?: boolean;
  /** For a self-referential relationship: which side this is. */
  direction?: "one-to-many" | "many-to-one";
}

/**
 * Internal: the cascades of a relationship.
 *
 * @internal
 */
interface Cascade {
  saveUpdate: boolean;
  delete: boolean;
  deleteOrphan: boolean;
}

function parseCascade(text: string | undefined, where: string): Cascade {
  const c = { saveUpdate: true, delete: false, deleteOrphan: false };
  if (text === undefined) return c;
  c.saveUpdate = false;
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    switch (part) {
      case "all":
        c.saveUpdate = c.delete = true;
        break;
      case "save-update":
        c.saveUpdate = true;
        break;
      case "delete":
        c.delete = true;
        break;
      case "delete-orphan":
        c.deleteOrphan = true;
        break;
      case "merge":
      case "refresh-expunge":
      case "expunge":
      case "none":
        break;
      default:
        throw new ArgumentError(
          `${where}: unknown cascade ${JSON.stringify(part)}; use save-update, delete, ` +
            "delete-orphan, all or none.",
        );
    }
  }
  return c;
}

/**
 * Where each relationship keeps what it loaded, beside its current value.
 *
 * @internal
 */
export interface Loaded {
  /** Current value: an array (Collection) or an object or null. */
  value: unknown;
  /** Members (or the single object) as the database holds them. */
  base: unknown;
}

/**
 * A collection relationship's list: a plain Array whose `push`, `splice`, `pop`, `shift`,
 * `unshift` and `remove` update the other side of the relationship at once. Other changes
 * (index assignment, `length = 0`, `sort`) are reconciled at flush. The instrumented methods
 * are non-enumerable own properties, so the list compares equal to a plain array.
 *
 * @example
 * ```ts
 * import type { Collection } from "@retort/orm";
 * function removeFirst<T>(c: Collection<T>): void {
 *   if (c.length > 0) c.remove(c[0]);
 * }
 * ```
 */
export interface Collection<T> extends Array<T> {
  /** Removes one item (the first equal to it), unlinking it; returns whether it was there. */
  remove(item: T): boolean;
}

const OWNER: unique symbol = Symbol("retort.owner");
const REL: unique symbol = Symbol("retort.relationship");

interface Instrumented extends Array<unknown> {
  [OWNER]: object;
  [REL]: Relationship;
}

const arrayProto = Array.prototype;
function linkAll(c: Instrumented, items: readonly unknown[]): void {
  for (const item of items) c[REL].linked(c[OWNER], item);
}
function unlinkAll(c: Instrumented, items: readonly unknown[]): void {
  for (const item of items) c[REL].unlinked(c[OWNER], item);
}

const hidden = (value: unknown): PropertyDescriptor => ({
  value,
  writable: true,
  configurable: true,
  enumerable: false,
});

const METHODS: PropertyDescriptorMap = {
  push: hidden(function (this: Instrumented, ...items: unknown[]): number {
    linkAll(this, items);
    return arrayProto.push.apply(this, items);
  }),
  unshift: hidden(function (this: Instrumented, ...items: unknown[]): number {
    linkAll(this, items);
    return arrayProto.unshift.apply(this, items);
  }),
  pop: hidden(function (this: Instrumented): unknown {
    if (this.length === 0) return undefined;
    const item = arrayProto.pop.call(this);
    unlinkAll(this, [item]);
    return item;
  }),
  shift: hidden(function (this: Instrumented): unknown {
    if (this.length === 0) return undefined;
    const item = arrayProto.shift.call(this);
    unlinkAll(this, [item]);
    return item;
  }),
  splice: hidden(function (this: Instrumented, ...args: unknown[]): unknown[] {
    const items = args.slice(2);
    linkAll(this, items);
    const removed = arrayProto.splice.apply(this, args as [number, number, ...unknown[]]);
    unlinkAll(this, removed);
    return removed;
  }),
  remove: hidden(function (this: Instrumented, item: unknown): boolean {
    const i = this.indexOf(item);
    if (i < 0) return false;
    (this as unknown as Collection<unknown>).splice(i, 1);
    return true;
  }),
};

/** Internal: a new instrumented collection of `owner`'s relationship. */
function collection(owner: object, rel: Relationship, items: readonly unknown[]): unknown[] {
  const c = items.slice() as Instrumented;
  Object.defineProperties(c, METHODS);
  Object.defineProperty(c, OWNER, hidden(owner));
  Object.defineProperty(c, REL, hidden(rel));
  return c;
}

/** Whether a column is one of a table's (aliases are the table they stand for). */
const isOn = (c: Column, t: Table): boolean => c.table !== undefined && sameTable(c.table, t);
/** Whether two columns are one column of one table. */
const sameColumn = (a: Column, b: Column): boolean =>
  a.key === b.key && a.table !== undefined && b.table !== undefined && sameTable(a.table, b.table);

const rawPush = (c: unknown[], item: unknown): void => {
  if (!c.includes(item)) Array.prototype.push.call(c, item);
};
const rawRemove = (c: unknown[], item: unknown): void => {
  const i = c.indexOf(item);
  if (i >= 0) Array.prototype.splice.call(c, i, 1);
};

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
export class Relationship<T = unknown> {
  /** The target class, given lazily. */
  readonly target: () => unknown;
  /** The options as declared. */
  readonly options: RelationshipOptions<T>;
  #owner: Mapper | null = null;
  #name = "";
  #resolved = false;
  #targetMapper: Mapper | null = null;
  #direction: "manyToOne" | "oneToMany" | "manyToMany" = "manyToOne";
  #scalar = false;
  #fk = -1;
  #ref = -1;
  #secondary: Table | null = null;
  #secOwner: Column | null = null;
  #secTarget: Column | null = null;
  #back: Relationship | null = null;
  #cascade: Cascade = { saveUpdate: true, delete: false, deleteOrphan: false };

  /** Internal: use {@linkcode relationship}. */
  constructor(target: () => unknown, options: RelationshipOptions<T>) {
    this.target = target;
    this.options = options;
  }

  /** Internal: called when the owner's mapper is configured. */
  attach(owner: Mapper, name: string): void {
    if (this.#owner && this.#owner !== owner) {
      throw new ArgumentError(
        `The relationship ${owner.name}.${name} is the same object as ` +
          `${this.#owner.name}.${this.#name}; declare each relationship with its own relationship(...).`,
      );
    }
    this.#owner = owner;
    this.#name = name;
  }

  /** The relationship's attribute name. */
  get name(): string {
    return this.#name;
  }

  /** The owner's mapper. */
  get owner(): Mapper {
    if (!this.#owner) {
      throw new InvalidRequestError(
        "This relationship is not attached to a mapped class; declare it as a static field.",
      );
    }
    return this.#owner;
  }

  /** `"Owner.name"`, for messages. */
  get qualifiedName(): string {
    return `${this.#owner?.name ?? "?"}.${this.#name}`;
  }

  /** The target's mapper. */
  get targetMapper(): Mapper {
    this.resolve();
    return this.#targetMapper!;
  }

  /** The kind: many-to-one, one-to-many (incl. one-to-one) or many-to-many. */
  get direction(): "manyToOne" | "oneToMany" | "manyToMany" {
    this.resolve();
    return this.#direction;
  }

  /** Whether the attribute holds one object (many-to-one, one-to-one), not a list. */
  get scalar(): boolean {
    this.resolve();
    return this.#scalar;
  }

  /**
   * The foreign-key column index: in the owner (many-to-one) or the target (one-to-many).
   */
  get fk(): number {
    this.resolve();
    return this.#fk;
  }

  /** The referenced column index: in the target (many-to-one) or the owner (one-to-many). */
  get ref(): number {
    this.resolve();
    return this.#ref;
  }

  /** For many-to-many: the association table and its two foreign-key columns. */
  get secondary(): { table: Table; owner: Column; target: Column } | null {
    this.resolve();
    return this.#secondary
      ? { table: this.#secondary, owner: this.#secOwner!, target: this.#secTarget! }
      : null;
  }

  /** The relationship on the other side, from `backPopulates`. */
  get back(): Relationship | null {
    this.resolve();
    return this.#back;
  }

  /** The cascades. */
  get cascade(): Readonly<Cascade> {
    this.resolve();
    return this.#cascade;
  }

  /** Resolves the target and the join condition (once). */
  resolve(): void {
    if (this.#resolved) return;
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
    const target = mapperOf(targetCls);
    this.#targetMapper = target;
    this.#cascade = parseCascade(this.options.cascade, where);
    const o = this.options;
    if (o.secondary) {
      this.#resolveSecondary(owner, target, where);
    } else {
      this.#resolveForeignKey(owner, target, where);
    }
    this.#resolved = true;
    if (o.backPopulates !== undefined) {
      const back = target.relationships.get(o.backPopulates);
      if (!back) {
        this.#resolved = false;
        throw new ArgumentError(
          `${where}: backPopulates refers to ${target.name}.${o.backPopulates}, which is not ` +
            `a relationship of ${target.name}` +
            (target.relationships.size
              ? ` (its relationships are ${[...target.relationships.keys()].join(", ")}).`
              : ". Declare it as a static field with relationship(...)."),
        );
      }
      if (back.options.backPopulates !== undefined && back.options.backPopulates !== this.#name) {
        this.#resolved = false;
        throw new ArgumentError(
          `${where}: backPopulates names ${back.qualifiedName}, but that relationship's ` +
            `backPopulates is ${JSON.stringify(back.options.backPopulates)}, not ` +
            `${JSON.stringify(this.#name)}. Make the two sides name each other.`,
        );
      }
      let backTarget: Mapper;
      try {
        backTarget = mapperOf(back.target());
      } catch (e) {
        this.#resolved = false;
        throw e;
      }
      if (backTarget !== owner) {
        this.#resolved = false;
        throw new ArgumentError(
          `${where}: backPopulates names ${back.qualifiedName}, which points at ` +
            `${backTarget.name}, not ${owner.name}.`,
        );
      }
      this.#back = back;
    }
  }

  #resolveSecondary(owner: Mapper, target: Mapper, where: string): void {
    const s = this.options.secondary!();
    const table = s instanceof Table ? s : (s as EntityClass).table;
    if (!(table instanceof Table)) {
      throw new ArgumentError(`${where}: secondary must return a table or a mapped class.`);
    }
    const fks = table.foreignKeys;
    const toOwner = fks.filter((f) => isOn(f.target, owner.table));
    const toTarget = fks.filter((f) => isOn(f.target, target.table));
    let ownerFk = toOwner[0];
    let targetFk = toTarget[0];
    if (owner === target) {
      // Self-referential many-to-many: foreignKey names the owner's column.
      const chosen = this.options.foreignKey?.();
      if (toOwner.length !== 2 || !chosen) {
        throw new ArgumentError(
          `${where}: the association table ${table.name} links ${owner.name} to itself; ` +
            "say which of its columns points at the owner with foreignKey: () => Assoc.c.x.",
        );
      }
      ownerFk = toOwner.find((f) => f.column.key === chosen.key)!;
      targetFk = toOwner.find((f) => f.column.key !== chosen.key)!;
    } else if (toOwner.length !== 1 || toTarget.length !== 1) {
      throw new ArgumentError(
        `${where}: the association table ${table.name} needs exactly one foreign key to ` +
          `${owner.table.name} and one to ${target.table.name}; it has ${toOwner.length} and ` +
          `${toTarget.length}.`,
      );
    }
    this.#direction = "manyToMany";
    this.#scalar = false;
    this.#secondary = table;
    this.#secOwner = ownerFk.column;
    this.#secTarget = targetFk.column;
    this.#ref = owner.indexByKey.get(ownerFk.target.key)!;
    this.#fk = target.indexByKey.get(targetFk.target.key)!;
  }

  #resolveForeignKey(owner: Mapper, target: Mapper, where: string): void {
    const o = this.options;
    const chosen = o.foreignKey?.();
    if (chosen !== undefined && !(chosen instanceof Column)) {
      throw new ArgumentError(
        `${where}: foreignKey must return a column, e.g. () => Post.c.authorId.`,
      );
    }
    const ownerFks = owner.table.foreignKeys.filter((f) =>
      isOn(f.target, target.table) && (!chosen || sameColumn(f.column, chosen))
    );
    const targetFks = target.table.foreignKeys.filter((f) =>
      isOn(f.target, owner.table) && (!chosen || sameColumn(f.column, chosen))
    );
    let direction: "manyToOne" | "oneToMany";
    let fk: { column: Column; target: Column };
    if (owner === target) {
      if (!o.direction) {
        throw new ArgumentError(
          `${where} links ${owner.name} to itself; say which side it is with ` +
            'direction: "many-to-one" (the parent) or "one-to-many" (the children).',
        );
      }
      if (ownerFks.length !== 1) {
        throw new ArgumentError(
          `${where}: ${owner.table.name} has ${ownerFks.length} foreign keys to itself; ` +
            "name the one to use with foreignKey: () => Model.c.parentId.",
        );
      }
      direction = o.direction === "many-to-one" ? "manyToOne" : "oneToMany";
      fk = ownerFks[0];
    } else if (ownerFks.length === 1 && targetFks.length === 0) {
      direction = "manyToOne";
      fk = ownerFks[0];
    } else if (targetFks.length === 1 && ownerFks.length === 0) {
      direction = "oneToMany";
      fk = targetFks[0];
    } else if (ownerFks.length + targetFks.length === 0) {
      throw new ArgumentError(
        `${where}: no foreign key links ${owner.table.name} and ${target.table.name}` +
          (chosen ? ` through ${chosen.table?.name}.${chosen.key}` : "") +
          "; add .references(() => Target.c.id) to a column, or use secondary for " +
          "many-to-many.",
      );
    } else {
      const names = [...ownerFks, ...targetFks].map((f) =>
        `${f.column.table?.name}.${f.column.key}`
      );
      throw new ArgumentError(
        `${where}: several foreign keys link ${owner.table.name} and ${target.table.name} ` +
          `(${names.join(", ")}); choose one with foreignKey: () => Model.c.column.`,
      );
    }
    this.#direction = direction;
    if (direction === "manyToOne") {
      this.#scalar = true;
      this.#fk = owner.indexByKey.get(fk.column.key)!;
      this.#ref = target.indexByKey.get(fk.target.key)!;
    } else {
      this.#scalar = o.uselist === false;
      this.#fk = target.indexByKey.get(fk.column.key)!;
      this.#ref = owner.indexByKey.get(fk.target.key)!;
    }
  }

  /** How a builder joins along this relationship: `select(User).join(User.posts)`. */
  [toJoin](): { target: Table; on: SqlSource<unknown> }[] {
    const owner = this.owner;
    const target = this.targetMapper;
    if (this.direction === "manyToOne") {
      return [{
        target: target.table,
        on: sql`${target.columns[this.ref]} = ${owner.columns[this.fk]}`,
      }];
    }
    if (this.direction === "oneToMany") {
      return [{
        target: target.table,
        on: sql`${target.columns[this.fk]} = ${owner.columns[this.ref]}`,
      }];
    }
    const sec = this.secondary!;
    return [
      { target: sec.table, on: sql`${sec.owner} = ${owner.columns[this.ref]}` },
      { target: target.table, on: sql`${target.columns[this.fk]} = ${sec.target}` },
    ];
  }

  /** Internal: what this relationship holds for an instance, or undefined when not loaded. */
  loaded(state: InstanceState): Loaded | undefined {
    return state.relations?.[this.#name] as Loaded | undefined;
  }

  /** Internal: stores a loaded value (from the database: the base is the same). */
  setLoaded(state: InstanceState, value: unknown): void {
    // A collection can change without its setter (index assignment): the flush must look at
    // it. A single reference changes only through the setter, which registers it then.
    if (!this.scalar) state.session?.noteRelations(state);
    const rel = (state.relations ??= {});
    if (this.scalar) rel[this.#name] = { value, base: value };
    else {
      const items = value as unknown[];
      rel[this.#name] = {
        value: collection(state.obj, this as Relationship, items),
        base: items.slice(),
      };
    }
  }

  /** Internal: the current value for an instance, initialising a new object's to empty. */
  current(state: InstanceState, initialise: boolean): Loaded | undefined {
    let l = this.loaded(state);
    if (l === undefined && initialise) {
      state.session?.noteRelations(state);
      l = this.scalar
        ? { value: null, base: null }
        : { value: collection(state.obj, this as Relationship, []), base: [] };
      (state.relations ??= {})[this.#name] = l;
    }
    return l;
  }

  /** Internal: whether an object is new (never had a row), so its relations start empty. */
  static isNew(state: InstanceState): boolean {
    return state.status === "transient" || state.status === "pending";
  }

  /** The attribute getter. */
  get(obj: object): unknown {
    const state = stateOf(obj)!;
    const l = this.current(state, Relationship.isNew(state));
    if (l !== undefined) return l.value;
    this.resolve();
    if (this.#direction === "manyToOne" && state.session) {
      // Resolve from the identity map without any I/O.
      const fkValue = state.values[this.#fk];
      if (fkValue === null || fkValue === undefined) return null;
      const found = this.#lookup(state, fkValue);
      if (found !== undefined) return found;
    }
    throw new NotLoadedError(
      `${this.qualifiedName} is not loaded, and Retort never queries on attribute access. ` +
        `Load it with select(${this.owner.name}).options(selectin("${this.#name}")) or ` +
        `await session.load(obj, "${this.#name}").`,
    );
  }

  #lookup(state: InstanceState, fkValue: unknown): object | undefined {
    const target = this.#targetMapper!;
    if (target.pk.length !== 1 || target.pk[0] !== this.#ref) return undefined;
    return (state.session as unknown as {
      lookup(m: Mapper, key: unknown): object | undefined;
    }).lookup(target, typeof fkValue === "bigint" ? Number(fkValue) : fkValue);
  }

  /** The attribute setter. */
  set(obj: object, value: unknown): void {
    const state = stateOf(obj)!;
    this.resolve();
    if (!this.#scalar) {
      if (!Array.isArray(value)) {
        throw new ArgumentError(
          `${this.qualifiedName} is a collection; assign an array of ${this.targetMapper.name}.`,
        );
      }
      const l = this.current(state, Relationship.isNew(state));
      if (l === undefined) {
        throw new NotLoadedError(
          `${this.qualifiedName} is not loaded, so it cannot be replaced: load it first with ` +
            `await session.load(obj, "${this.#name}").`,
        );
      }
      const old = l.value as unknown[];
      const next = value as unknown[];
      for (const item of next) this.#check(item);
      for (const item of old) if (!next.includes(item)) this.unlinked(obj, item);
      for (const item of next) if (!old.includes(item)) this.linked(obj, item);
      l.value = collection(obj, this as Relationship, next);
      return;
    }
    if (value !== null) this.#check(value);
    let l = this.current(state, Relationship.isNew(state));
    let old: unknown = null;
    if (l === undefined) {
      try {
        old = this.get(obj);
      } catch {
        old = undefined;
      }
      l = { value: old ?? null, base: old };
      state.session?.noteRelations(state);
      (state.relations ??= {})[this.#name] = l;
    } else old = l.value;
    if (old === value) return;
    l.value = value;
    state.session?.noteRelations(state);
    const back = this.#back;
    if (back) {
      if (old) back.#detach(old as object, obj);
      if (value) back.#attach(value as object, obj);
    }
    if (value) this.#cascadeAdd(state, value as object);
  }

  #check(item: unknown): void {
    const target = this.targetMapper;
    if (!(item instanceof (target.cls as unknown as new () => object))) {
      throw new ArgumentError(
        `${this.qualifiedName} holds ${target.name} objects; got ${
          item === null ? "null" : typeof item === "object" ? item.constructor?.name : typeof item
        }.`,
      );
    }
  }

  #cascadeAdd(state: InstanceState, item: object): void {
    if (state.session && this.#cascade.saveUpdate) state.session.cascadeAdd(item);
  }

  /** Internal: `item` was added to `owner`'s collection. */
  linked(owner: object, item: unknown): void {
    this.#check(item);
    const back = this.#back;
    if (back) back.#attach(item as object, owner);
    this.#cascadeAdd(stateOf(owner)!, item as object);
  }

  /** Internal: `item` was removed from `owner`'s collection. */
  unlinked(owner: object, item: unknown): void {
    if (this.#back) this.#back.#detach(item as object, owner);
  }

  /** Sets this side of `obj` to include `other`, without echoing back. */
  #attach(obj: object, other: object): void {
    const state = stateOf(obj);
    if (!state) return;
    const l = this.current(state, Relationship.isNew(state));
    if (this.scalar) {
      const old = l?.value;
      if (old === other) return;
      if (l) {
        l.value = other;
        state.session?.noteRelations(state);
      } else {
        state.session?.noteRelations(state);
        (state.relations ??= {})[this.#name] = { value: other, base: undefined };
      }
      // A many-to-one moving to a new parent leaves the old parent's collection.
      if (old && this.#back) this.#back.#detach(old as object, obj);
    } else if (l) {
      rawPush(l.value as unknown[], other);
    }
  }

  /** Removes `other` from this side of `obj`, without echoing back. */
  #detach(obj: object, other: object): void {
    const state = stateOf(obj);
    if (!state) return;
    const l = this.loaded(state);
    if (!l) return;
    if (this.scalar) {
      if (l.value === other) {
        l.value = null;
        state.session?.noteRelations(state);
      }
    } else rawRemove(l.value as unknown[], other);
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
export function relationship<C extends abstract new (...args: never[]) => object>(
  target: () => C,
  options: RelationshipOptions<InstanceType<C>> = {},
): Relationship<InstanceType<C>> {
  return new Relationship<InstanceType<C>>(target, options);
}

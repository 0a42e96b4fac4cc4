/**
 * Association proxies: an attribute that shows one attribute of each object of a
 * relationship (`user.tagNames` over `user.tags`, each tag's `name`), read and written
 * through the relationship, so it stays in sync with it and never queries.
 *
 * @module
 */
import { ArgumentError, InvalidRequestError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { Collection } from "./collection.ts";
import { relationshipsOf } from "./relationship.ts";

/**
 * Options of {@linkcode associationProxy}.
 *
 * @example
 * ```ts
 * import type { AssociationProxyOptions } from "@retort/orm";
 * const options: AssociationProxyOptions<string> = { creator: (name) => ({ name }) };
 * ```
 */
export interface AssociationProxyOptions<V> {
  /**
   * Makes the related object for a value written through the proxy; by default a new
   * object of the relationship's target class with the attribute set.
   */
  creator?: (value: V) => object;
}

/**
 * An association proxy declaration, held in a static field of a mapped class; the instance
 * side is declared with `declare`: `declare tagNames: string[]` (a collection relationship)
 * or `declare authorName: string | null` (a many-to-one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { associationProxy, AssociationProxy } from "@retort/orm";
 * const p = associationProxy("tags", "name");
 * assert(p instanceof AssociationProxy && p.relationship === "tags");
 * ```
 */
export class AssociationProxy<V = unknown> {
  /** The relationship the proxy reads through. */
  readonly relationship: string;
  /** The attribute of each related object it shows. */
  readonly attribute: string;
  /** The options as declared. */
  readonly options: AssociationProxyOptions<V>;

  /** Internal: use {@linkcode associationProxy}. */
  constructor(relationship: string, attribute: string, options: AssociationProxyOptions<V>) {
    this.relationship = relationship;
    this.attribute = attribute;
    this.options = options;
  }
}

/**
 * Declares an association proxy: `static tagNames = associationProxy("tags", "name")` shows
 * the `name` of each object in `tags` as a live list. Reading it reads the relationship (so
 * an unloaded one raises NotLoadedError); `push`, `splice`, `remove`, index assignment and
 * assignment of a whole list go through the relationship, making objects with `creator`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { associationProxy, column, Model, relationship, table } from "@retort/orm";
 * const links = table("proxy_doc_links", {
 *   userId: column.integer().references(() => User.c.id).primaryKey(),
 *   tagId: column.integer().references(() => Tag.c.id).primaryKey(),
 * });
 * class Tag extends Model("proxy_doc_tags", {
 *   id: column.integer().primaryKey(),
 *   name: column.text(),
 * }) {}
 * class User extends Model("proxy_doc_users", { id: column.integer().primaryKey() }) {
 *   static tags = relationship(() => Tag, { secondary: () => links });
 *   declare tags: Tag[];
 *   static tagNames = associationProxy("tags", "name", {
 *     creator: (name: string) => new Tag({ name }),
 *   });
 *   declare tagNames: string[];
 * }
 * const u = new User({});
 * u.tagNames.push("a", "b");
 * assert.deepEqual([...u.tagNames], ["a", "b"]);
 * assert(u.tags[0] instanceof Tag && u.tags[1].name === "b");
 * ```
 */
export function associationProxy<V = unknown>(
  relationship: string,
  attribute: string,
  options: AssociationProxyOptions<V> = {},
): AssociationProxy<V> {
  if (typeof relationship !== "string" || typeof attribute !== "string") {
    throw new ArgumentError(
      'associationProxy(...) takes the relationship\'s name and the attribute\'s: associationProxy("tags", "name").',
    );
  }
  return new AssociationProxy(relationship, attribute, options);
}

type Item = Record<string, unknown>;

/** Installs the association proxies declared in a mapper's class as accessors. */
export function installProxies(mapper: Mapper): void {
  const cls = mapper.cls;
  for (const name of Object.getOwnPropertyNames(cls)) {
    const proxy = (cls as unknown as Record<string, unknown>)[name];
    if (!(proxy instanceof AssociationProxy)) continue;
    const rel = relationshipsOf(mapper).get(proxy.relationship);
    if (rel === undefined) {
      throw new ArgumentError(
        `${mapper.name}.${name} proxies the relationship ${JSON.stringify(proxy.relationship)}, ` +
          `which ${mapper.name} does not have; declare it as a static relationship(...).`,
      );
    }
    if (mapper.indexByKey.has(name) || relationshipsOf(mapper).has(name)) {
      throw new ArgumentError(
        `${mapper.name}.${name} is both an association proxy and a column or relationship; ` +
          "rename one of them.",
      );
    }
    const attr = proxy.attribute;
    const target = proxy.relationship;
    const create = (value: unknown): Item => {
      if (proxy.options.creator) return proxy.options.creator(value as never) as Item;
      const Target = rel.target() as new (init: object) => Item;
      return new Target({ [attr]: value });
    };
    const views = new WeakMap<object, unknown[]>();
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Item) {
        const related = this[target]; // an unloaded relationship raises NotLoadedError
        if (rel.scalar) {
          return related === null || related === undefined ? null : (related as Item)[attr];
        }
        let view = views.get(this);
        if (view === undefined) {
          views.set(this, view = listView(this, target, attr, create, `${mapper.name}.${name}`));
        }
        return view;
      },
      set(this: Item, value: unknown) {
        if (rel.scalar) {
          const related = this[target] as Item | null;
          if (related === null || related === undefined) this[target] = create(value);
          else related[attr] = value;
          return;
        }
        if (!Array.isArray(value) && !(Symbol.iterator in Object(value))) {
          throw new ArgumentError(`${mapper.name}.${name} takes a list of values.`);
        }
        this[target] = Array.from(value as Iterable<unknown>, create);
      },
    });
  }
}

const REFUSED = new Set(["sort", "reverse", "fill", "copyWithin"]);

/** A live list of `owner[target][i][attr]`, writing through the collection. */
function listView(
  owner: Item,
  target: string,
  attr: string,
  create: (value: unknown) => Item,
  where: string,
): unknown[] {
  const items = () => owner[target] as Collection<Item>;
  const index = (key: string | symbol): number => {
    if (typeof key !== "string") return -1;
    const n = Number(key);
    return Number.isInteger(n) && n >= 0 && String(n) === key ? n : -1;
  };
  const methods: Record<string, (...args: unknown[]) => unknown> = {
    push: (...values) => items().push(...values.map(create)),
    unshift: (...values) => items().unshift(...values.map(create)),
    pop: () => (items().pop() as Item | undefined)?.[attr],
    shift: () => (items().shift() as Item | undefined)?.[attr],
    // The arguments as given, so that their number means what it means to an Array: none
    // removes nothing, a start alone removes to the end, an undefined count removes none.
    splice: (...args) => {
      const removed = (items().splice as (...a: unknown[]) => Item[])(
        ...args.slice(0, 2),
        ...args.slice(2).map(create),
      );
      return removed.map((i) => i[attr]);
    },
    remove: (value) => {
      const c = items();
      const found = c.find((i) => i[attr] === value);
      return found === undefined ? false : c.remove(found);
    },
  };
  const base: unknown[] = [];
  const sync = () => {
    const c = items();
    base.length = c.length;
    for (let i = 0; i < c.length; i++) base[i] = c[i][attr];
    return base;
  };
  return new Proxy(base, {
    get(t, key, receiver) {
      const i = index(key);
      if (i >= 0) return items()[i]?.[attr];
      if (key === "length") return items().length;
      if (typeof key === "string" && Object.hasOwn(methods, key)) return methods[key];
      if (typeof key === "string" && REFUSED.has(key)) {
        return () => {
          throw new InvalidRequestError(
            `${where} cannot be reordered in place; ${key} the relationship ${target} instead.`,
          );
        };
      }
      return Reflect.get(t, key, receiver);
    },
    set(_t, key, value) {
      const i = index(key);
      const c = items();
      if (i >= 0 && i < c.length) c[i][attr] = value;
      else if (i === c.length) c.push(create(value));
      else if (key === "length") {
        // As an Array takes a length: a whole number from 0 (or what converts to one).
        const n = typeof value === "symbol" ? NaN : Number(value);
        if (n >>> 0 !== n) {
          throw new ArgumentError(
            `${where}.length takes a whole number from 0; got ${
              describe(value, { showValue: true })
            }.`,
          );
        }
        if (n > c.length) {
          throw new InvalidRequestError(
            `${where}: the length can only be made shorter; push values to add them.`,
          );
        }
        c.splice(n);
      } else {
        throw new InvalidRequestError(
          `${where}: only existing indexes, the next one and a shorter length can be set.`,
        );
      }
      return true;
    },
    has(_t, key) {
      return Reflect.has(sync(), key);
    },
    ownKeys() {
      return Reflect.ownKeys(sync());
    },
    getOwnPropertyDescriptor(_t, key) {
      return Reflect.getOwnPropertyDescriptor(sync(), key);
    },
    deleteProperty() {
      throw new InvalidRequestError(`${where}: remove items with splice or remove.`);
    },
  });
}

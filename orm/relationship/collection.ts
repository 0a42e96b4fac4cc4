/**
 * Collections: the plain arrays a one-to-many or many-to-many relationship holds, whose
 * changing methods keep the other side of the relationship in sync at once.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import { entryOf, isLoaded } from "../mapping/relations.ts";
import { stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipsOf } from "./relationship.ts";

/**
 * A collection relationship's list: a plain Array whose `push`, `splice`, `pop`, `shift`,
 * `unshift` and `remove` update the other side of the relationship at once. Other changes
 * (index assignment, `length = 0`, `sort`) are reconciled at flush. A call given an item that
 * is not of the relationship's class throws before it links any item, so it changes nothing.
 * The instrumented methods are non-enumerable own properties, so the list compares equal to a
 * plain array.
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

/** A collection's link to its owner and relationship: one hidden property holding both. */
const LINK: unique symbol = Symbol("retort.collection");

/** What a collection tells its relationship of items added and removed. */
export interface CollectionHooks {
  /** `owner`'s collection is about to change (so that a rollback can restore it). */
  changing(owner: object): void;
  /** `item` was added to `owner`'s collection. */
  linked(owner: object, item: unknown): void;
  /** `item` was removed from `owner`'s collection. */
  unlinked(owner: object, item: unknown): void;
}

interface Link {
  readonly owner: object;
  readonly hooks: CollectionHooks;
}

interface Instrumented extends Array<unknown> {
  [LINK]: Link;
}

const arrayProto = Array.prototype;

/** The relationship whose value a collection is, or undefined when it no longer is one's. */
function relationshipFor(c: Instrumented): Relationship | undefined {
  const state = stateOf(c[LINK].owner);
  if (state === undefined) return undefined;
  for (const rel of relationshipsOf(state.mapper).values()) {
    if (rel.scalar) continue;
    const e = entryOf(state, rel.name);
    if (e !== undefined && isLoaded(e) && e.value === c) return rel;
  }
  return undefined;
}

/**
 * Throws when one of `items` is not of the relationship's class, before any is linked: the
 * items are linked one by one, so a refusal in the middle would leave the first ones linked
 * (their back-references set, cascaded into the session) while the list does not hold them.
 */
function checkAll(c: Instrumented, items: readonly unknown[]): void {
  if (items.length === 0) return;
  const rel = relationshipFor(c);
  if (rel === undefined) return;
  for (const item of items) checkItem(rel, item);
}

/** Throws when `item` is not of the relationship's class. */
export function checkItem(rel: Relationship, item: unknown): void {
  const target = rel.targetMapper;
  if (!(item instanceof (target.cls as unknown as new () => object))) {
    throw new ArgumentError(
      `${rel.qualifiedName} holds ${target.name} objects; got ${describe(item)}.`,
    );
  }
}

function linkAll(c: Instrumented, items: readonly unknown[]): void {
  const l = c[LINK];
  for (const item of items) l.hooks.linked(l.owner, item);
}
function unlinkAll(c: Instrumented, items: readonly unknown[]): void {
  const l = c[LINK];
  for (const item of items) l.hooks.unlinked(l.owner, item);
}
function changing(c: Instrumented): void {
  const l = c[LINK];
  l.hooks.changing(l.owner);
}

const hidden = (value: unknown): PropertyDescriptor => ({
  value,
  writable: true,
  configurable: true,
  enumerable: false,
});

/** The items not yet in the list, each once: a relationship holds an object once. */
function fresh(c: unknown[], items: readonly unknown[]): unknown[] {
  return items.filter((x, i) => items.indexOf(x) === i && !c.includes(x));
}

/** `splice`'s start and delete count, as Array.prototype.splice reads its arguments. */
function span(length: number, args: readonly unknown[]): [number, number] {
  const at = Math.trunc(Number(args[0])) || 0;
  const start = at < 0 ? Math.max(length + at, 0) : Math.min(at, length);
  if (args.length < 2) return [start, args.length === 0 ? 0 : length - start];
  const count = Math.trunc(Number(args[1])) || 0;
  return [start, Math.min(Math.max(count, 0), length - start)];
}

const METHODS: PropertyDescriptorMap = {
  push: hidden(function (this: Instrumented, ...items: unknown[]): number {
    checkAll(this, items);
    const added = fresh(this, items);
    linkAll(this, added);
    return arrayProto.push.apply(this, added);
  }),
  unshift: hidden(function (this: Instrumented, ...items: unknown[]): number {
    checkAll(this, items);
    const added = fresh(this, items);
    linkAll(this, added);
    return arrayProto.unshift.apply(this, added);
  }),
  pop: hidden(function (this: Instrumented): unknown {
    if (this.length === 0) return undefined;
    changing(this);
    const item = arrayProto.pop.call(this);
    if (!this.includes(item)) unlinkAll(this, [item]);
    return item;
  }),
  shift: hidden(function (this: Instrumented): unknown {
    if (this.length === 0) return undefined;
    changing(this);
    const item = arrayProto.shift.call(this);
    if (!this.includes(item)) unlinkAll(this, [item]);
    return item;
  }),
  splice: hidden(function (this: Instrumented, ...args: unknown[]): unknown[] {
    const items = args.slice(2);
    checkAll(this, items);
    const [start, count] = span(this.length, args);
    const cut = this.slice(start, start + count);
    // An item held outside the cut stays where it is; one in the cut may come back elsewhere.
    const put = items.filter((x, i) =>
      items.indexOf(x) === i && (cut.includes(x) || !this.includes(x))
    );
    changing(this);
    linkAll(this, put.filter((x) => !cut.includes(x)));
    const removed = arrayProto.splice.call(this, start, count, ...put) as unknown[];
    unlinkAll(this, removed.filter((x) => !this.includes(x)));
    return removed;
  }),
  remove: hidden(function (this: Instrumented, item: unknown): boolean {
    const i = this.indexOf(item);
    if (i < 0) return false;
    (this as unknown as Collection<unknown>).splice(i, 1);
    return true;
  }),
};

/**
 * A new instrumented collection of `owner`'s relationship: a copy of `items`, or `items`
 * itself when the caller gives it away (`owned`).
 */
export function collection(
  owner: object,
  rel: CollectionHooks,
  items: readonly unknown[],
  owned = false,
): unknown[] {
  return instrument(owned ? items as unknown[] : items.slice(), owner, rel);
}

/** The methods' descriptors as a list: one defineProperty each costs less than defineProperties. */
const METHOD_LIST: readonly (readonly [string, PropertyDescriptor])[] = Object.entries(METHODS);

/**
 * Makes a list a collection of `owner`'s relationship, in place, and returns it. Loaders store
 * plain lists (defining the methods costs more than loading the rows), and the relationship's
 * accessor makes one a collection the first time it hands it out (see `isInstrumented`).
 */
export function instrument(list: unknown[], owner: object, hooks: CollectionHooks): unknown[] {
  for (let i = 0; i < METHOD_LIST.length; i++) {
    Object.defineProperty(list, METHOD_LIST[i][0], METHOD_LIST[i][1]);
  }
  const link: Link = { owner, hooks };
  Object.defineProperty(list, LINK, hidden(link));
  return list;
}

/** Whether a list is a collection already (its methods defined). */
export function isInstrumented(list: unknown[]): boolean {
  return LINK in list;
}

/** Adds an item without telling the relationship (the other side is being synced). */
export const rawPush = (c: unknown[], item: unknown): void => {
  if (!c.includes(item)) Array.prototype.push.call(c, item);
};

/** Removes an item without telling the relationship. */
export const rawRemove = (c: unknown[], item: unknown): void => {
  const i = c.indexOf(item);
  if (i >= 0) Array.prototype.splice.call(c, i, 1);
};

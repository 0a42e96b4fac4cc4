/**
 * Class events: code that runs when an object of a mapped class is inserted, updated, deleted
 * or loaded. A class declares them as static methods (`static beforeInsert(post: Post)`), or
 * code registers them with `listen(Post, "beforeInsert", fn)`. Before-events run in the flush
 * before its statements, and what they change is written by that flush; an error thrown in any
 * of them fails the flush, with nothing of it written.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Mapper } from "./mapper.ts";

/**
 * The events of a mapped class.
 *
 * @example
 * ```ts
 * import type { ClassEvent } from "@retort/orm";
 * const e: ClassEvent = "beforeInsert";
 * ```
 */
export type ClassEvent =
  | "beforeInsert"
  | "afterInsert"
  | "beforeUpdate"
  | "afterUpdate"
  | "beforeDelete"
  | "afterDelete"
  | "afterLoad";

const EVENTS: ReadonlySet<string> = new Set([
  "beforeInsert",
  "afterInsert",
  "beforeUpdate",
  "afterUpdate",
  "beforeDelete",
  "afterDelete",
  "afterLoad",
]);

/** A listener of a class event: it gets the object. */
type Listener = (obj: never) => void;

const registered = new WeakMap<object, Map<string, Listener[]>>();

/**
 * Registers a listener of a class event; returns a function that removes it. Static methods of
 * the same name on the class run first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, listen, Model } from "@retort/orm";
 * class Note extends Model("listen_doc_notes", {
 *   id: column.integer().primaryKey(),
 *   body: column.text(),
 * }) {}
 * const seen: string[] = [];
 * const stop = listen(Note, "afterInsert", (n: Note) => seen.push(n.body));
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Note]);
 * await using session = engine.session();
 * session.add(new Note({ body: "hello" }));
 * await session.commit();
 * stop();
 * assert.deepEqual(seen, ["hello"]);
 * ```
 */
export function listen<T>(
  cls: abstract new (...args: never[]) => T,
  event: ClassEvent,
  fn: (obj: T) => void,
): () => void {
  if (!EVENTS.has(event)) {
    throw new ArgumentError(
      `listen(): ${JSON.stringify(event)} is not a class event; use one of ${
        [...EVENTS].join(", ")
      }.`,
    );
  }
  let byEvent = registered.get(cls);
  if (!byEvent) registered.set(cls, byEvent = new Map());
  const list = byEvent.get(event) ?? [];
  list.push(fn as Listener);
  byEvent.set(event, list);
  return () => {
    const i = list.indexOf(fn as Listener);
    if (i >= 0) list.splice(i, 1);
  };
}

/** The listeners of an event on a mapper's class: its static method, then registered ones. */
export function listenersOf(mapper: Mapper, event: ClassEvent): Listener[] {
  const own = (mapper.cls as unknown as Record<string, unknown>)[event];
  const out: Listener[] = typeof own === "function" ? [own.bind(mapper.cls) as Listener] : [];
  const extra = registered.get(mapper.cls)?.get(event);
  if (extra) out.push(...extra);
  // In a hierarchy, what listens on a parent class listens on its subclasses too.
  if (mapper.poly !== null) {
    for (let c = Object.getPrototypeOf(mapper.cls); c; c = Object.getPrototypeOf(c)) {
      const more = registered.get(c)?.get(event);
      if (more) out.push(...more);
    }
  }
  return out;
}

/** Runs an event's listeners for objects of one mapper. */
export function fire(mapper: Mapper, event: ClassEvent, objs: readonly object[]): void {
  const listeners = listenersOf(mapper, event);
  if (listeners.length === 0) return;
  for (let i = 0; i < objs.length; i++) for (const fn of listeners) fn(objs[i] as never);
}

/** Runs an event's listeners for objects of any mappers, class by class. */
export function fireAll(
  event: ClassEvent,
  states:
    | ReadonlySet<{ readonly mapper: Mapper; readonly obj: object }>
    | readonly { readonly mapper: Mapper; readonly obj: object }[],
): void {
  // Objects of classes without listeners are skipped: a flush with no listeners costs a
  // comparison per object.
  const byMapper = new Map<Mapper, object[] | null>();
  let last: Mapper | null = null;
  let list: object[] | null = null;
  // forEach, not for...of: no iterator result per object in code not yet optimized.
  states.forEach((s: { readonly mapper: Mapper; readonly obj: object }) => {
    if (s.mapper !== last) {
      last = s.mapper;
      let found = byMapper.get(last);
      if (found === undefined) {
        found = hasListeners(last, event) ? [] : null;
        byMapper.set(last, found);
      }
      list = found;
    }
    list?.push(s.obj);
  });
  for (const [mapper, objs] of byMapper) if (objs !== null) fire(mapper, event, objs);
}

/** Whether a class has a listener of an event (no list made). */
export function hasListeners(mapper: Mapper, event: ClassEvent): boolean {
  if (mapper.poly !== null) return listenersOf(mapper, event).length > 0;
  const own = (mapper.cls as unknown as Record<string, unknown>)[event];
  return typeof own === "function" || (registered.get(mapper.cls)?.get(event)?.length ?? 0) > 0;
}

/**
 * The one dependency sort, for DDL (tables after the tables they refer to) and for the unit
 * of work (rows after the rows they refer to).
 *
 * @module
 */

/** That `node` must come after `on`; a cycle may be broken at a `breakable` one. */
export interface Dependency<T, E = unknown> {
  /** What it depends on. */
  readonly on: T;
  /** Whether the dependency may be satisfied later (deferred) to break a cycle. */
  readonly breakable: boolean;
  /** What the caller attached (a foreign key). */
  readonly edge: E;
}

/** What {@linkcode toposort} found. */
export interface Sorted<T, E> {
  /** The nodes, each after what it depends on (but the deferred dependencies). */
  readonly order: T[];
  /** The dependencies that point forward in `order`, deferred to break cycles. */
  readonly deferred: { readonly node: T; readonly dependency: Dependency<T, E> }[];
}

/** A cycle of dependencies none of which may be deferred. */
export class CycleError<T> extends Error {
  /** The nodes of the cycle, in order, the first repeated last. */
  readonly cycle: readonly T[];
  constructor(cycle: readonly T[]) {
    super("The dependencies form a cycle.");
    this.cycle = cycle;
  }
}

/**
 * Sorts nodes so that each comes after what it depends on, keeping the given order where it
 * can. A node depending on itself is allowed. When the rest form a cycle, the first node (in
 * the given order) whose pending dependencies are all breakable goes next and those are
 * deferred; if there is none, a {@linkcode CycleError} names the cycle.
 */
export function toposort<T, E>(
  nodes: readonly T[],
  dependencies: (node: T) => readonly Dependency<T, E>[],
): Sorted<T, E> {
  const deps = new Map<T, Dependency<T, E>[]>();
  const present = new Set(nodes);
  for (const n of nodes) {
    deps.set(n, dependencies(n).filter((d) => d.on !== n && present.has(d.on)));
  }
  const done = new Set<T>();
  const order: T[] = [];
  const deferred: { node: T; dependency: Dependency<T, E> }[] = [];
  const pending = (n: T) => deps.get(n)!.filter((d) => !done.has(d.on));
  while (order.length < nodes.length) {
    let next = nodes.find((n) => !done.has(n) && pending(n).length === 0);
    if (next === undefined) {
      next = nodes.find((n) => !done.has(n) && pending(n).every((d) => d.breakable));
      if (next === undefined) {
        throw new CycleError(findCycle(nodes.filter((n) => !done.has(n)), pending));
      }
      for (const d of pending(next)) deferred.push({ node: next, dependency: d });
    }
    done.add(next);
    order.push(next);
  }
  return { order, deferred };
}

function findCycle<T, E>(remaining: readonly T[], pending: (n: T) => Dependency<T, E>[]): T[] {
  const path: T[] = [];
  let n = remaining[0];
  while (!path.includes(n)) {
    path.push(n);
    n = pending(n).find((d) => !d.breakable)?.on ?? pending(n)[0].on;
  }
  return [...path.slice(path.indexOf(n)), n];
}

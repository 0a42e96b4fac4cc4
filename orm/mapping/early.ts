/**
 * Objects made before their class is known. A class extending `Root.subclass(identity, ...)`
 * is known once it is first used (constructed, selected, named by a relationship, asked
 * `instanceof`); rows of its identity loaded before that are instances of the class
 * `subclass` returned. They are kept here, weakly, and given the class's prototype when it
 * becomes known, so that an object loaded early is `instanceof` the class, has its methods
 * and its relationships, and `session.get(Sub, key)` finds it.
 *
 * @module
 */

/** The objects of one mapper made while its class was the one `subclass` returned. */
export class EarlyObjects {
  readonly #refs: WeakRef<object>[] = [];
  /** How many refs before the next sweep of those whose object is gone. */
  #limit = 1024;

  /** Keeps an object made with the prototype of the class `subclass` returned. */
  keep(obj: object): void {
    const refs = this.#refs;
    refs.push(new WeakRef(obj));
    if (refs.length < this.#limit) return;
    let live = 0;
    for (let i = 0; i < refs.length; i++) if (refs[i].deref() !== undefined) refs[live++] = refs[i];
    refs.length = live;
    this.#limit = Math.max(1024, 2 * live);
  }

  /** Gives every object still made with `from` as its prototype the prototype `to`. */
  upgrade(from: object, to: object): void {
    for (const ref of this.#refs) {
      const obj = ref.deref();
      if (obj !== undefined && Object.getPrototypeOf(obj) === from) Object.setPrototypeOf(obj, to);
    }
    this.#refs.length = 0;
  }
}

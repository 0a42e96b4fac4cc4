/**
 * An identity map of one mapper: identity key → object. Keys that are array indexes (the
 * common integer primary key) live in the elements of a plain object, which costs about 8
 * bytes an entry where a Map costs about 46; any other key lives in a Map. It has the part of
 * Map's interface that a session uses.
 *
 * @module
 */

/** Whether a key can be an element index: an integer from 0 to 2^32 - 2. */
const isIndex = (key: unknown): key is number =>
  typeof key === "number" && key >= 0 && key <= 4294967294 && Math.floor(key) === key;

/** One mapper's identity map. */
export class IdentityMap {
  #ints: Record<number, object> = Object.create(null);
  #other: Map<unknown, object> | null = null;
  #size = 0;

  /** How many objects it holds. */
  get size(): number {
    return this.#size;
  }

  /** The object of a key. */
  get(key: unknown): object | undefined {
    if (isIndex(key)) return this.#ints[key];
    return this.#other === null ? undefined : this.#other.get(key);
  }

  /** Puts an object under a key. */
  set(key: unknown, obj: object): this {
    if (isIndex(key)) {
      if (this.#ints[key] === undefined) this.#size++;
      this.#ints[key] = obj;
    } else {
      const other = this.#other ??= new Map();
      if (!other.has(key)) this.#size++;
      other.set(key, obj);
    }
    return this;
  }

  /** Removes a key; whether it was there. */
  delete(key: unknown): boolean {
    if (isIndex(key)) {
      if (this.#ints[key] === undefined) return false;
      delete this.#ints[key];
    } else if (this.#other === null || !this.#other.delete(key)) return false;
    this.#size--;
    return true;
  }

  /** Removes everything. */
  clear(): void {
    this.#ints = Object.create(null);
    this.#other = null;
    this.#size = 0;
  }

  /** Every object it holds. */
  values(): object[] {
    const out = Object.values(this.#ints);
    if (this.#other !== null) { for (const obj of this.#other.values()) out.push(obj); }
    return out;
  }

  /** Every key and object it holds (integer keys as numbers). */
  entries(): [unknown, object][] {
    const out: [unknown, object][] = [];
    const ints = this.#ints;
    for (const k in ints) out.push([Number(k), ints[k as unknown as number]]);
    if (this.#other !== null) { for (const e of this.#other.entries()) out.push(e); }
    return out;
  }
}

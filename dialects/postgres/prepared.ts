/**
 * Which statements run as named prepared statements. postgres.js prepares every statement it
 * is asked to by name and keeps it on its connection for the connection's life, with no limit
 * and no DEALLOCATE: 1,500 `IN` lists of different lengths would leave 1,500 prepared
 * statements on one connection. It also chooses a query's connection itself, so a statement
 * prepared on one connection cannot be dropped from it safely later (a transaction that
 * meets a dropped statement fails).
 *
 * So the texts allowed a name are a set of bounded size: a text joins it the second time it
 * is run (one-off texts never take a place), and once the set is full, other texts run as
 * unnamed statements (parsed and described each time, which costs postgres.js one more round
 * trip). Every connection then holds at most that many prepared statements. A client made with `prepare: false` (the setting for
 * a transaction pooler such as PgBouncer) prepares nothing, whatever this says.
 *
 * @module
 */

/** The texts that may be prepared by name, at most `size` of them. */
export class PreparedTexts {
  readonly size: number;
  readonly #named = new Set<string>();
  /** Texts run once, not yet named: a bounded set, oldest first. */
  readonly #seen = new Set<string>();

  constructor(size: number) {
    this.size = Math.max(0, Math.floor(size));
  }

  /** Whether a text runs as a named prepared statement. */
  prepare(text: string): boolean {
    if (this.#named.has(text)) return true;
    if (this.#named.size >= this.size) return false;
    if (this.#seen.delete(text)) {
      this.#named.add(text);
      return true;
    }
    this.#seen.add(text);
    if (this.#seen.size > this.size * 4) {
      this.#seen.delete(this.#seen.values().next().value as string);
    }
    return false;
  }
}

/**
 * Template strings built once per statement shape. The compile step caches a fragment's text
 * by its strings array, so that writers that build fragments by hand (many rows, many
 * columns) reuse one array per shape: a statement run again with other values is then
 * compiled from the cache, only its parameters gathered.
 *
 * @module
 */

const templates = new Map<string, readonly string[]>();
/**
 * How many strings the cache holds in all, and its bound: with the text and identifiers the
 * compile step keeps beside a large template (see `nested.ts`), some 24 MB at most.
 */
let held = 0;
const MAX_HELD = 1_000_000;

/**
 * The strings array of a statement shape named `key`, built by `build` the first time (a
 * bounded cache: it starts over past 4,096 shapes, or past a million strings in all).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cachedStrings } from "./templates.ts";
 * const a = cachedStrings("doc:2", () => ["", ", ", ""]);
 * assert.equal(cachedStrings("doc:2", () => ["", ", ", ""]), a);
 * ```
 */
export function cachedStrings(key: string, build: () => string[]): readonly string[] {
  let t = templates.get(key);
  if (t === undefined) {
    t = Object.freeze(build());
    if (templates.size >= 4096 || held + t.length > MAX_HELD) {
      templates.clear();
      held = 0;
    }
    templates.set(key, t);
    held += t.length;
  }
  return t;
}

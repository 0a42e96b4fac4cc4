/**
 * Every string reachable from a value, for tests that look for a value left where it must not
 * be.
 *
 * @module
 */

/** Every string reachable from a value: own properties (enumerable or not) and their keys, deeply. */
export function strings(value: unknown, seen = new Set<unknown>(), out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "bigint") out.push(String(value));
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return out;
  if (seen.has(value)) return out;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string") out.push(key);
    let v: unknown;
    try {
      v = (value as Record<PropertyKey, unknown>)[key];
    } catch {
      continue;
    }
    strings(v, seen, out);
  }
  return out;
}

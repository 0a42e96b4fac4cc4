/**
 * Generated columns in SQLite's reflection: `PRAGMA table_xinfo` marks them hidden (3 stored,
 * 2 virtual) and may add `GENERATED ALWAYS` to their declared type.
 *
 * @module
 */

/** A generated column's declared type without the `GENERATED ALWAYS` SQLite may add to it. */
export function plainType(type: string): string {
  return type.replace(/\s+GENERATED\s+ALWAYS\s*$/i, "").trim();
}

/**
 * SQLite URLs: `sqlite:///:memory:` (SQLAlchemy's spelling) or `sqlite::memory:` for an
 * in-memory database, `sqlite:///relative.db` and `sqlite:////absolute/path.db` for files.
 *
 * @module
 */

/**
 * The SQLite file path a `sqlite:` URL names, `":memory:"` for an in-memory database, or
 * `null` when the URL is not a valid `sqlite:` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqlitePathOf } from "@retort/orm";
 * assert(sqlitePathOf("sqlite:///:memory:") === ":memory:");
 * assert(sqlitePathOf("sqlite:////tmp/app.db") === "/tmp/app.db");
 * assert(sqlitePathOf("sqlite:///app.db") === "app.db");
 * ```
 */
export function sqlitePathOf(url: string): string | null {
  if (url === "sqlite::memory:" || url === "sqlite://" || url === "sqlite:///:memory:") {
    return ":memory:";
  }
  if (url.startsWith("sqlite:///") && url.length > "sqlite:///".length) {
    try {
      return decodeURIComponent(url.slice("sqlite:///".length));
    } catch {
      return null; // a malformed %-escape
    }
  }
  return null;
}

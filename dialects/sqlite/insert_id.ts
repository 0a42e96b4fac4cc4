/**
 * Which statements report a `lastInsertId`. SQLite keeps one "last insert rowid" per
 * connection, and every client hands it back after any statement: an UPDATE, a DELETE or a
 * SELECT would report the id of some earlier insert. Retort reports it only for an INSERT or
 * REPLACE that inserted a row into a table with rowids: not for an insert that inserted
 * nothing (`OR IGNORE`, `DO NOTHING`, a select of no rows), not for a `WITHOUT ROWID` table
 * or a view (whose rowid SQLite leaves as it was), and for an upsert only when the rowid
 * moved (its `DO UPDATE` leaves it as it was).
 *
 * @module
 */
import { MAX_SAFE, MIN_SAFE } from "../../core/util/ints.ts";
import type { SqliteClient, Statement } from "./client.ts";

const NAME = String.raw`("(?:[^"]|"")*"|\x60(?:[^\x60]|\x60\x60)*\x60|\[[^\]]*\]|[\p{L}\p{N}_$]+)`;
const TARGET = new RegExp(
  String.raw`^\s*(?:INSERT(?:\s+OR\s+[A-Za-z]+)?|REPLACE)\s+INTO\s+${NAME}(?:\s*\.\s*${NAME})?`,
  "iu",
);
const UPSERT_UPDATE = /\bDO\s+UPDATE\b/i;

function unquote(name: string): string {
  const q = name[0];
  if (q === "[") return name.slice(1, -1);
  if (q === '"' || q === "`") return name.slice(1, -1).replaceAll(q + q, q);
  return name;
}

/**
 * The table an INSERT or REPLACE writes into, as `[schema, name]` (schema null when not
 * given), or null when the text does not start that way (a WITH clause, a comment first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { insertTarget } from "./insert_id.ts";
 * assert.deepEqual(insertTarget('INSERT OR IGNORE INTO "main"."a""b" VALUES (1)'), ["main", 'a"b']);
 * assert.deepEqual(insertTarget("REPLACE INTO t (x) VALUES (1)"), [null, "t"]);
 * ```
 */
export function insertTarget(text: string): [string | null, string] | null {
  const m = TARGET.exec(text);
  if (m === null) return null;
  return m[2] === undefined ? [null, unquote(m[1])] : [unquote(m[1]), unquote(m[2])];
}

/**
 * Whether an insert into the table of `text` leaves the connection's last insert rowid as it
 * was: a `WITHOUT ROWID` table, or a view (its INSTEAD OF trigger's inserts do not count).
 * Unknown (another shape of text, a SQLite without `pragma_table_list`): false.
 */
function leavesRowid(db: SqliteClient, text: string): boolean {
  const target = insertTarget(text);
  if (target === null) return false;
  const [schema, name] = target;
  try {
    const rows = (db.prepare("SELECT schema, type, wr FROM pragma_table_list(?)") as Statement)
      .all(name) as { schema: string; type: string; wr: number | bigint }[];
    // Unqualified, a name means the temp table first, then main's, then an attached one's.
    const found = schema === null
      ? rows.find((r) => r.schema === "temp") ?? rows.find((r) => r.schema === "main") ??
        rows[0]
      : rows.find((r) => r.schema.toLowerCase() === schema.toLowerCase());
    return found !== undefined && (found.type === "view" || Number(found.wr) === 1);
  } catch {
    return false;
  }
}

/**
 * How a prepared statement's insert id is read: `"none"` (not an insert into a rowid table),
 * `"insert"` (an insert: its rowid, when it changed rows), `"upsert"` (an insert that may
 * update instead: its rowid only when it moved).
 */
export type InsertIdKind = "none" | "insert" | "upsert";

/** How the statement `text`, of verb `verb`, reports its insert id (see {@linkcode InsertIdKind}). */
export function insertIdKind(db: SqliteClient, text: string, verb: string): InsertIdKind {
  if (verb !== "INSERT" && verb !== "REPLACE") return "none";
  if (leavesRowid(db, text)) return "none";
  return UPSERT_UPDATE.test(text) ? "upsert" : "insert";
}

/** A rowid as reported: a number when exact, else a bigint. */
export function rowid(v: number | bigint): number | bigint {
  return typeof v === "bigint" && v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

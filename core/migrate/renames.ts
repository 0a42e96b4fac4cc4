/**
 * Rename candidates: pairs of a dropped and an added table or column that may be one thing
 * renamed. The diff never acts on them by itself; the CLI asks about each on a terminal, and
 * a program passes the renames it means.
 *
 * @module
 */
import type { Renames } from "./diff.ts";
import type { SchemaSnapshot, TableSnapshot } from "./snapshot.ts";
import { findTable, tableKey } from "./snapshot.ts";
import { comparableType } from "./sql_text.ts";

/**
 * A table or column that may have been renamed.
 *
 * @example
 * ```ts
 * import type { RenameCandidate } from "@retort/orm/migrate";
 * const c: RenameCandidate = { kind: "column", table: "users", from: "name", to: "full_name" };
 * ```
 */
export interface RenameCandidate {
  /** Whether a table or a column. */
  kind: "table" | "column";
  /** For a column: its table (by its new name). */
  table?: string;
  /** The name that disappears (`schema.name` for a table outside the default schema). */
  from: string;
  /** The name that appears. */
  to: string;
}

const sameType = (a: string, b: string) => comparableType(a) === comparableType(b);

function overlap(a: TableSnapshot, b: TableSnapshot): number {
  const names = new Set(a.columns.map((c) => c.name));
  const shared = b.columns.filter((c) => names.has(c.name)).length;
  return shared / Math.max(a.columns.length, b.columns.length, 1);
}

/**
 * The renames the diff could mean, given those already decided: a dropped and an added
 * table in the same schema sharing at least half their columns, and a dropped and an added
 * column of the same type in a kept table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameCandidates } from "@retort/orm/migrate";
 * const users = (col: string) => ({
 *   name: "users",
 *   columns: [{ name: "id", type: "INTEGER", nullable: false }, {
 *     name: col,
 *     type: "TEXT",
 *     nullable: false,
 *   }],
 *   uniques: [],
 *   indexes: [],
 *   foreignKeys: [],
 *   checks: [],
 * });
 * const found = renameCandidates({ tables: [users("name")] }, { tables: [users("full_name")] });
 * assert.deepEqual(found, [{ kind: "column", table: "users", from: "name", to: "full_name" }]);
 * ```
 */
export function renameCandidates(
  from: SchemaSnapshot,
  to: SchemaSnapshot,
  renames: Renames = {},
): RenameCandidate[] {
  const out: RenameCandidate[] = [];
  const renamedFrom = new Set((renames.tables ?? []).map((r) => r.from));
  const renamedTo = new Set((renames.tables ?? []).map((r) => r.to));
  const dropped = from.tables.filter((t) => !findTable(to, t) && !renamedFrom.has(tableKey(t)));
  const added = to.tables.filter((t) => !findTable(from, t) && !renamedTo.has(t.name));
  for (const b of added) {
    for (const a of dropped) {
      if (a.schema === b.schema && overlap(a, b) >= 0.5) {
        out.push({ kind: "table", from: tableKey(a), to: b.name });
      }
    }
  }
  for (const b of to.tables) {
    const hint = (renames.tables ?? []).find((r) => r.to === b.name);
    const a = hint ? from.tables.find((t) => tableKey(t) === hint.from) : findTable(from, b);
    if (a === undefined) continue;
    const done = (renames.columns ?? []).filter((r) =>
      r.table === tableKey(a) || r.table === tableKey(b)
    );
    const goneCols = a.columns.filter((c) =>
      !b.columns.some((n) => n.name === c.name) && !done.some((r) => r.from === c.name)
    );
    const newCols = b.columns.filter((c) =>
      !a.columns.some((o) => o.name === c.name) && !done.some((r) => r.to === c.name)
    );
    for (const n of newCols) {
      for (const o of goneCols) {
        if (sameType(o.type, n.type)) {
          out.push({ kind: "column", table: tableKey(b), from: o.name, to: n.name });
        }
      }
    }
  }
  return out;
}

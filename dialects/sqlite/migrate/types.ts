/**
 * SQLite's types for migrations: which changes may lose values, which Retort column a type
 * maps back to (for `pull`), and models read as SQLite reports them once created.
 *
 * @module
 */
import type { Executor, TableLike } from "../../../core/mod.ts";
import {
  type ColumnSnapshot,
  dialectOf,
  normalizeSql,
  type SchemaSnapshot,
  sortSchema,
  stringList,
  tablesSnapshot,
} from "../../../core/migrate/mod.ts";
import { unquote } from "./parse.ts";
import { isRowid } from "./reflect.ts";

const VARCHAR = /^VARCHAR\((\d+)\)$/;
const NUMERIC = /^NUMERIC(?:\((\d+)(?:, (\d+))?\))?$/;

const norm = (t: string) =>
  t.toUpperCase().replace(/\s+/g, " ").replace(/\s*\(\s*/g, "(")
    .replace(/\s*,\s*/g, ", ").replace(/\s*\)/g, ")").trim();

/** Whether changing a column from one type to another may lose or refuse values. */
export function narrows(from: string, to: string): boolean {
  const a = norm(from);
  const b = norm(to);
  if (a === b) return false;
  const va = VARCHAR.exec(a);
  const vb = VARCHAR.exec(b);
  if (va && vb) return Number(vb[1]) < Number(va[1]);
  if (b === "TEXT" && (va || a === "UUID")) return false;
  const na = NUMERIC.exec(a);
  const nb = NUMERIC.exec(b);
  if (na && nb) {
    // A numeric keeps at most 15 significant digits on SQLite whatever its precision: only a
    // smaller scale, or fewer digits before the point, may refuse or round a stored value.
    if (nb[1] === undefined) return false;
    if (na[1] === undefined) return true;
    const [pa, sa, pb, sb] = [na[1], na[2] ?? "0", nb[1], nb[2] ?? "0"].map(Number);
    return sb < sa || pb - sb < pa - sa;
  }
  const wider: Record<string, string[]> = {
    INTEGER: ["BIGINT"],
    BOOLEAN: ["INTEGER", "BIGINT"],
    REAL: ["DOUBLE"],
    JSON: ["TEXT"],
    JSONB: ["TEXT"],
  };
  return !(wider[a]?.includes(b) ?? false);
}

const FACTORIES: Record<string, string> = {
  INTEGER: "column.integer()",
  BIGINT: "column.bigint()",
  REAL: "column.real()",
  DOUBLE: "column.double()",
  TEXT: "column.text()",
  BOOLEAN: "column.boolean()",
  DATE: "column.date()",
  TIMESTAMP: "column.timestamp()",
  TIMESTAMPTZ: "column.timestamptz()",
  JSON: "column.json()",
  JSONB: "column.jsonb()",
  UUID: "column.uuid()",
  BLOB: "column.blob()",
};

/** The Retort column factory for a column's type, or `null` when Retort has none. */
export function columnFactory(col: ColumnSnapshot): string | null {
  const t = norm(col.type);
  const v = VARCHAR.exec(t);
  if (v) return `column.varchar(${v[1]})`;
  const n = NUMERIC.exec(t);
  if (n) return `column.numeric(${[n[1], n[2]].filter((x) => x !== undefined).join(", ")})`;
  return FACTORIES[t] ?? null;
}

/**
 * Tables as SQLite reports them once created: its only generated key is the rowid
 * (`INTEGER PRIMARY KEY`), which every one-column INTEGER key is.
 */
export function snapshot(tables: readonly TableLike[], db: Executor): Promise<SchemaSnapshot> {
  const out = tablesSnapshot(tables, dialectOf(db));
  for (const t of out.tables) {
    for (const col of t.columns) {
      if (col.generated) col.type = "INTEGER";
      col.type = col.type.toUpperCase();
      if (isRowid(col, t, false) && col.generated === undefined) col.generated = "identity";
    }
  }
  return Promise.resolve(sortSchema(out));
}

/** The column and values of an enum-like check (`"genre" IN ('a', 'b')`), or `null`. */
export function enumCheck(expression: string): { column: string; values: string[] } | null {
  const m = /^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)\s+IN\s*\(([\s\S]*)\)\s*$/i.exec(
    normalizeSql(expression),
  );
  if (!m) return null;
  const values = stringList(m[2]);
  return values ? { column: unquote(m[1]), values } : null;
}

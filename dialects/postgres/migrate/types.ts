/**
 * PostgreSQL's types for migrations, in `format_type` spelling: which changes may lose or
 * refuse values, which Retort column a type maps back to (for `pull`), and enum-like checks.
 *
 * @module
 */
import { type ColumnSnapshot, normalizeSql, stringList } from "../../../core/migrate/mod.ts";

const VARCHAR = /^character varying\((\d+)\)$/;
const NUMERIC = /^numeric(?:\((\d+)(?:,\s*(\d+))?\))?$/;
const TIMESTAMP = /^timestamp(?:\((\d)\))? (with|without) time zone$/;

/** Whether changing a column from one type to another may lose or refuse values. */
export function narrows(from: string, to: string): boolean {
  const a = from.trim().toLowerCase();
  const b = to.trim().toLowerCase();
  if (a === b) return false;
  const va = VARCHAR.exec(a);
  const vb = VARCHAR.exec(b);
  if (va && vb) return Number(vb[1]) < Number(va[1]);
  if (b === "text" && (va || a === "uuid" || a === "character varying")) return false;
  const na = NUMERIC.exec(a);
  const nb = NUMERIC.exec(b);
  if (na && nb) {
    if (nb[1] === undefined) return false;
    if (na[1] === undefined) return true;
    const [pa, sa, pb, sb] = [na[1], na[2] ?? "0", nb[1], nb[2] ?? "0"].map(Number);
    return sb < sa || pb - sb < pa - sa;
  }
  const ta = TIMESTAMP.exec(a);
  const tb = TIMESTAMP.exec(b);
  // With or without a time zone, a value keeps its instant (the change converts at UTC).
  if (ta && tb) return Number(tb[1] ?? 6) < Number(ta[1] ?? 6);
  if (a === "date" && tb) return false;
  const wider: Record<string, string[]> = {
    smallint: ["integer", "bigint", "numeric"],
    integer: ["bigint", "numeric"],
    bigint: ["numeric"],
    real: ["double precision"],
    json: ["text"],
    jsonb: ["json", "text"],
  };
  return !(wider[a]?.includes(b) ?? false);
}

const FACTORIES: Record<string, string> = {
  integer: "column.integer()",
  bigint: "column.bigint()",
  real: "column.real()",
  "double precision": "column.double()",
  text: "column.text()",
  boolean: "column.boolean()",
  date: "column.date()",
  json: "column.json()",
  jsonb: "column.jsonb()",
  uuid: "column.uuid()",
  bytea: "column.blob()",
};

/** The Retort column factory for a column's type, or `null` when Retort has none. */
export function columnFactory(col: ColumnSnapshot): string | null {
  const t = col.type.trim().toLowerCase();
  const v = VARCHAR.exec(t);
  if (v) return `column.varchar(${v[1]})`;
  const n = NUMERIC.exec(t);
  if (n) return `column.numeric(${[n[1], n[2]].filter((x) => x !== undefined).join(", ")})`;
  const ts = TIMESTAMP.exec(t);
  if (ts) return ts[2] === "with" ? "column.timestamptz()" : "column.timestamp()";
  return FACTORIES[t] ?? null;
}

/**
 * What a pulled column loses or gains of its type, or `null`: Retort's timestamps are
 * `timestamp(3)`, to the millisecond.
 */
export function pullWarning(col: ColumnSnapshot): string | null {
  const ts = TIMESTAMP.exec(col.type.trim().toLowerCase());
  if (!ts || Number(ts[1] ?? 6) === 3) return null;
  const factory = ts[2] === "with" ? "timestamptz" : "timestamp";
  return `${col.type} is pulled as column.${factory}(), which is timestamp(3) ${
    ts[2]
  } time zone (milliseconds); a migration from these models would change its precision.`;
}

/**
 * The column and values of an enum-like check as PostgreSQL spells it
 * (`genre = ANY (ARRAY['a'::text, 'b'::text])`), or `null`.
 */
export function enumCheck(expression: string): { column: string; values: string[] } | null {
  const m =
    /^\(?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\)?(?:::text)? = ANY \(\(?ARRAY\[([\s\S]*)\]\)?(?:::text\[\])?\)$/
      .exec(normalizeSql(expression));
  if (!m) return null;
  const values = stringList(m[2]);
  const column = m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1];
  return values ? { column, values } : null;
}

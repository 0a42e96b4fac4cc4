/**
 * PostgreSQL reflection through pg_catalog: tables of the default schema (the first of the
 * search path) and of any schemas asked for; columns with `format_type` types, nullability,
 * defaults, identity and generated expressions; primary keys, unique, check and foreign-key
 * constraints with their names, actions and deferral; indexes that back no constraint.
 * Serial columns read as identity.
 *
 * @module
 */
import { type Executor, type ReferentialAction, sql } from "../../../core/mod.ts";
import {
  type ColumnSnapshot,
  normalizeSql,
  type ReflectOptions,
  type SchemaSnapshot,
  sortSchema,
  type TableSnapshot,
} from "../../../core/migrate/mod.ts";

const ACTIONS: Record<string, ReferentialAction | undefined> = {
  a: undefined,
  r: "restrict",
  c: "cascade",
  n: "set null",
  d: "set default",
};

interface ColumnRow {
  schema: string;
  table: string;
  attnum: number;
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  identity: string;
  stored: string;
}
interface ConstraintRow {
  schema: string;
  table: string;
  name: string;
  type: string;
  def: string;
  conkey: string | null;
  confkey: string | null;
  ref_schema: string | null;
  ref_table: string | null;
  upd: string;
  del: string;
  deferrable: boolean;
  deferred: boolean;
}
interface IndexRow {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  keys: string;
  def: string;
  special: boolean;
}

const key = (schema: string, table: string) => `${schema}\u0000${table}`;
const nums = (list: string | null): number[] =>
  list === null || list === "" ? [] : list.split(",").map(Number);

/** The schema a snapshot names: none for the default one. */
const schemaOf = (schema: string, current: string) => schema === current ? undefined : schema;

/** Reads tables of the given schemas (the default one and `options.schemas`). */
export async function reflectSchemas(
  db: Executor,
  schemas: readonly string[],
  current: string,
  options: ReflectOptions = {},
): Promise<SchemaSnapshot> {
  const list = sql.list(schemas);
  const tables = await db.all<{ schema: string; name: string }>(sql`
    SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN ${list}
    ORDER BY n.nspname, c.relname`);
  const columns = await db.all<ColumnRow>(sql`
    SELECT n.nspname AS schema, c.relname AS "table", a.attnum, a.attname AS name,
      format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
      pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity,
      a.attgenerated AS stored
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname IN ${list} AND c.relkind IN ('r', 'p') AND a.attnum > 0
      AND NOT a.attisdropped
    ORDER BY n.nspname, c.relname, a.attnum`);
  const constraints = await db.all<ConstraintRow>(sql`
    SELECT n.nspname AS schema, c.relname AS "table", k.conname AS name, k.contype AS type,
      pg_get_constraintdef(k.oid) AS def, array_to_string(k.conkey, ',') AS conkey,
      array_to_string(k.confkey, ',') AS confkey, rn.nspname AS ref_schema,
      r.relname AS ref_table, k.confupdtype AS upd, k.confdeltype AS del,
      k.condeferrable AS deferrable, k.condeferred AS deferred
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_class r ON r.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
    WHERE n.nspname IN ${list} AND k.contype IN ('p', 'u', 'f', 'c')
    ORDER BY n.nspname, c.relname, k.conname`);
  const indexes = await db.all<IndexRow>(sql`
    SELECT n.nspname AS schema, c.relname AS "table", ic.relname AS name,
      i.indisunique AS unique, array_to_string(i.indkey::int2[], ',') AS keys, pg_get_indexdef(i.indexrelid) AS def,
      (i.indpred IS NOT NULL OR i.indexprs IS NOT NULL) AS special
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ${list} AND NOT EXISTS (
      SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')
    )
    ORDER BY n.nspname, c.relname, ic.relname`);
  const byKey = new Map<string, TableSnapshot>();
  const attnames = new Map<string, Map<number, string>>();
  const out: TableSnapshot[] = [];
  for (const t of tables) {
    if (options.exclude?.includes(t.name)) continue;
    const snap: TableSnapshot = {
      name: t.name,
      ...(schemaOf(t.schema, current) ? { schema: t.schema } : {}),
      columns: [],
      uniques: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
    };
    byKey.set(key(t.schema, t.name), snap);
    attnames.set(key(t.schema, t.name), new Map());
    out.push(snap);
  }
  for (const c of columns) {
    const t = byKey.get(key(c.schema, c.table));
    if (t === undefined) continue;
    attnames.get(key(c.schema, c.table))!.set(Number(c.attnum), c.name);
    const col: ColumnSnapshot = { name: c.name, type: c.type, nullable: !c.notnull };
    if (c.identity === "d") col.generated = "identity";
    else if (c.identity === "a") col.generated = "always";
    else if (c.def !== null && /^nextval\(/.test(c.def)) col.generated = "identity";
    if (c.stored === "s") col.computed = c.def ?? "";
    else if (c.def !== null && col.generated === undefined) col.default = c.def;
    t.columns.push(col);
  }
  const refCols = async (schema: string, table: string, list: number[]) => {
    let names = attnames.get(key(schema, table));
    if (names === undefined) {
      const rows = await db.all<{ attnum: number; attname: string }>(sql`
        SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema} AND c.relname = ${table} AND a.attnum > 0`);
      names = new Map(rows.map((r) => [Number(r.attnum), r.attname]));
      attnames.set(key(schema, table), names);
    }
    return list.map((n) => names!.get(n) ?? `#${n}`);
  };
  for (const k of constraints) {
    const t = byKey.get(key(k.schema, k.table));
    if (t === undefined) continue;
    const cols = await refCols(k.schema, k.table, nums(k.conkey));
    if (k.type === "p") t.primaryKey = { name: k.name, columns: cols };
    else if (k.type === "u") t.uniques.push({ name: k.name, columns: cols });
    else if (k.type === "c") {
      const body = k.def.replace(/\s+NOT VALID$/, "").replace(/^CHECK\s*/, "");
      t.checks.push({ name: k.name, expression: normalizeSql(body) });
    } else if (k.type === "f") {
      const onDelete = ACTIONS[k.del];
      const onUpdate = ACTIONS[k.upd];
      t.foreignKeys.push({
        name: k.name,
        columns: cols,
        references: {
          name: k.ref_table!,
          ...(schemaOf(k.ref_schema!, current) ? { schema: k.ref_schema! } : {}),
          columns: await refCols(k.ref_schema!, k.ref_table!, nums(k.confkey)),
        },
        ...(onDelete ? { onDelete } : {}),
        ...(onUpdate ? { onUpdate } : {}),
        ...(k.deferrable ? { deferrable: k.deferred ? "deferred" : "immediate" } : {}),
      });
    }
  }
  for (const ix of indexes) {
    const t = byKey.get(key(ix.schema, ix.table));
    if (t === undefined) continue;
    const keys = nums(ix.keys);
    const cols = await refCols(ix.schema, ix.table, keys.filter((n) => n !== 0));
    t.indexes.push({
      name: ix.name,
      columns: cols,
      unique: ix.unique,
      ...(ix.special || keys.includes(0) ? { definition: ix.def } : {}),
    });
  }
  return sortSchema({ tables: out });
}

/** The first schema of the search path. */
export async function currentSchema(db: Executor): Promise<string> {
  return await db.scalar<string>(sql`SELECT current_schema()`);
}

/** Reads the default schema's tables, and those of `options.schemas`. */
export async function reflect(db: Executor, options: ReflectOptions = {}): Promise<SchemaSnapshot> {
  const current = await currentSchema(db);
  const schemas = [current, ...(options.schemas ?? []).filter((s) => s !== current)];
  return await reflectSchemas(db, schemas, current, options);
}

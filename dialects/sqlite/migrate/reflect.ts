/**
 * SQLite reflection through its pragmas: `table_xinfo` (columns, types, nullability,
 * defaults, primary key), `index_list` and `index_xinfo` (indexes and unique constraints),
 * `foreign_key_list` (foreign keys and their actions); CHECK constraints and AUTOINCREMENT
 * from the CREATE TABLE text.
 *
 * @module
 */
import { generatedExpression, plainType } from "./generated.ts";
import { type Executor, type ReferentialAction, sql } from "../../../core/mod.ts";
import {
  type ColumnSnapshot,
  type ForeignKeySnapshot,
  type IndexSnapshot,
  type ReflectOptions,
  type SchemaSnapshot,
  sortSchema,
  type TableSnapshot,
  type UniqueSnapshot,
} from "../../../core/migrate/mod.ts";
import { parseCreateTable } from "./parse.ts";

interface ColumnRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}
interface IndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
  key: number;
}
interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

const pragma = (name: string, arg: string) => sql`SELECT * FROM ${sql.unsafe(name)}(${arg})`;

const action = (a: string): ReferentialAction | undefined => {
  const v = a.toLowerCase();
  return v === "no action" || v === "" ? undefined : v as ReferentialAction;
};

/** The integer key that aliases the rowid: the one column of the key, declared INTEGER. */
export const isRowid = (col: ColumnSnapshot, t: TableSnapshot, withoutRowid: boolean) =>
  !withoutRowid && t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === col.name &&
  col.type === "INTEGER";

async function indexes(db: Executor, t: TableSnapshot): Promise<void> {
  const list = await db.all<IndexRow>(pragma("pragma_index_list", t.name));
  for (const ix of list.sort((a, b) => a.name.localeCompare(b.name))) {
    if (ix.origin === "pk") continue;
    const cols = (await db.all<IndexColumnRow>(pragma("pragma_index_xinfo", ix.name)))
      .filter((c) => Number(c.key) === 1)
      .sort((a, b) => a.seqno - b.seqno);
    const names = cols.map((c) => c.name ?? "");
    if (ix.origin === "u") {
      const unique: UniqueSnapshot = { columns: names };
      t.uniques.push(unique);
      continue;
    }
    const index: IndexSnapshot = { name: ix.name, columns: names, unique: Number(ix.unique) === 1 };
    if (Number(ix.partial) === 1 || cols.some((c) => c.cid < 0)) {
      const def = await db.scalar<string>(
        sql`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${ix.name}`,
      );
      index.columns = names.filter((n) => n !== "");
      index.definition = def;
    }
    t.indexes.push(index);
  }
}

async function foreignKeys(db: Executor, t: TableSnapshot): Promise<void> {
  const rows = await db.all<ForeignKeyRow>(pragma("pragma_foreign_key_list", t.name));
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  for (const group of [...byId.values()].reverse()) {
    group.sort((a, b) => a.seq - b.seq);
    const target = group[0].table;
    let to = group.map((r) => r.to);
    if (to.some((c) => c === null)) {
      // REFERENCES parent with no column list: the parent's primary key.
      const pk = (await db.all<ColumnRow>(pragma("pragma_table_info", target)))
        .filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      to = pk;
    }
    const fk: ForeignKeySnapshot = {
      columns: group.map((r) => r.from),
      references: { name: target, columns: to as string[] },
    };
    const onDelete = action(group[0].on_delete);
    const onUpdate = action(group[0].on_update);
    if (onDelete) fk.onDelete = onDelete;
    if (onUpdate) fk.onUpdate = onUpdate;
    t.foreignKeys.push(fk);
  }
}

/** Reads one table; `undefined` when there is none of that name. */
export async function reflectTable(db: Executor, name: string): Promise<TableSnapshot | undefined> {
  const text = await db.scalar<string>(
    sql`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${name}`,
  );
  if (text === null) return undefined;
  const parsed = parseCreateTable(text);
  const rows = (await db.all<ColumnRow>(pragma("pragma_table_xinfo", name)))
    .filter((c) => Number(c.hidden) === 0 || Number(c.hidden) >= 2)
    .sort((a, b) => a.cid - b.cid);
  const t: TableSnapshot = {
    name,
    columns: [],
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: parsed.checks,
  };
  const pk = rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (pk.length > 0) t.primaryKey = { columns: pk };
  for (const r of rows) {
    const hidden = Number(r.hidden) >= 2;
    const col: ColumnSnapshot = {
      name: r.name,
      type: hidden ? plainType(r.type.toUpperCase()) : r.type.toUpperCase(),
      nullable: Number(r.notnull) === 0 && r.pk === 0,
    };
    if (hidden) col.computed = generatedExpression(text, r.name);
    if (r.dflt_value !== null) col.default = r.dflt_value;
    t.columns.push(col);
  }
  for (const col of t.columns) {
    if (isRowid(col, t, parsed.withoutRowid)) {
      col.generated = parsed.autoincrement ? "autoincrement" : "identity";
    }
  }
  await indexes(db, t);
  await foreignKeys(db, t);
  return t;
}

/** Reads every table of the main database (not SQLite's own). */
export async function reflect(db: Executor, options: ReflectOptions = {}): Promise<SchemaSnapshot> {
  const names = await db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
  );
  const tables: TableSnapshot[] = [];
  for (const { name } of names) {
    if (options.exclude?.includes(name)) continue;
    tables.push((await reflectTable(db, name))!);
  }
  return sortSchema({ tables });
}

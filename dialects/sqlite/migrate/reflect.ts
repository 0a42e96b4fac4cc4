/**
 * SQLite reflection through its pragmas: `table_xinfo` (columns, types, nullability,
 * defaults, primary key), `index_list` and `index_xinfo` (indexes and unique constraints),
 * `foreign_key_list` (foreign keys and their actions); from the CREATE TABLE text, CHECK
 * constraints, AUTOINCREMENT, constraint names, collations, generated expressions, DEFERRABLE
 * foreign keys and the table's options.
 *
 * @module
 */
import { plainType } from "./generated.ts";
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
import { parseCreateTable, type ParsedTable } from "./parse.ts";

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
  desc: number;
  coll: string;
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
    // An index by columns is written again as one, in each column's own collation, ascending:
    // any other is kept as its CREATE INDEX text.
    const collation = (c: IndexColumnRow) =>
      (t.columns.find((x) => x.name === c.name)?.collation ?? "BINARY").toUpperCase();
    const plain = (c: IndexColumnRow) =>
      c.cid >= 0 && Number(c.desc) === 0 && c.coll.toUpperCase() === collation(c);
    if (Number(ix.partial) === 1 || !cols.every(plain)) {
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

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const sameCols = (a: string[], b: string[]) =>
  a.length === b.length && a.every((c, i) => same(c, b[i]));

/** Takes from the CREATE TABLE text what the pragmas do not say: names, deferrable keys. */
function adopt(t: TableSnapshot, parsed: ParsedTable): void {
  if (t.primaryKey && parsed.primaryKey?.name) t.primaryKey.name = parsed.primaryKey.name;
  const uniques = [...parsed.uniques];
  for (const u of t.uniques) {
    const i = uniques.findIndex((p) => sameCols(p.columns, u.columns));
    if (i < 0) continue;
    if (uniques[i].name) u.name = uniques[i].name;
    uniques.splice(i, 1);
  }
  const fks = [...parsed.foreignKeys];
  for (const fk of t.foreignKeys) {
    const i = fks.findIndex((p) =>
      sameCols(p.columns, fk.columns) && same(p.table, fk.references.name)
    );
    if (i < 0) continue;
    if (fks[i].name) fk.name = fks[i].name;
    if (fks[i].deferrable) fk.deferrable = fks[i].deferrable;
    fks.splice(i, 1);
  }
  if (parsed.options.length > 0) t.options = [...parsed.options];
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
    const declared = parsed.columns.find((c) => same(c.name, r.name));
    const col: ColumnSnapshot = {
      name: r.name,
      type: hidden ? plainType(r.type.toUpperCase()) : r.type.toUpperCase(),
      nullable: Number(r.notnull) === 0 && r.pk === 0,
    };
    if (hidden) col.computed = declared?.computed ?? "";
    if (Number(r.hidden) === 2) col.virtual = true;
    if (declared?.collation !== undefined) col.collation = declared.collation;
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
  adopt(t, parsed);
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

/**
 * DDL: CREATE TABLE, CREATE INDEX and DROP TABLE for a table, as fragments per dialect, and
 * the foreign-key order in which a set of tables is created and dropped.
 *
 * DDL cannot bind parameters, so values in server defaults and CHECK conditions are written
 * as literals by the compile step (`sql.literal`). A plain `default(value)` is not DDL: the
 * insert builder applies it to each new row.
 *
 * Foreign-key cycles: tables are created in dependency order. When tables refer to each other
 * in a cycle, the foreign keys that close the cycle are added after every table exists, with
 * `ALTER TABLE ... ADD CONSTRAINT` on PostgreSQL (and dropped first when dropping); SQLite
 * resolves foreign keys when rows are written, so there they stay in CREATE TABLE.
 *
 * @module
 */
import type { Dialect } from "./dialect.ts";
import { ArgumentError } from "./errors.ts";
import type { Column, ReferentialAction, Table, TableConstraint } from "./schema.ts";
import { Fragment, Identifier, sql } from "./sql.ts";
import { type TableLike, tableOf } from "./statement.ts";
import { types } from "./types.ts";

/**
 * Options of the DDL functions and of `engine.createAll` / `dropAll`.
 *
 * @example
 * ```ts
 * import type { DdlOptions } from "@retort/orm";
 * const options: DdlOptions = { checkFirst: false };
 * ```
 */
export interface DdlOptions {
  /** Write `IF NOT EXISTS` / `IF EXISTS`, so existing tables are left alone. Default true. */
  checkFirst?: boolean;
}

/** A foreign key, by its table and column. */
interface ForeignKey {
  readonly table: Table;
  readonly column: Column;
  readonly target: Column;
  readonly onDelete?: ReferentialAction;
  readonly onUpdate?: ReferentialAction;
}

const id = (...names: string[]): Identifier => new Identifier(names);
const raw = (text: string): Fragment => new Fragment([text], []);
const tableName = (t: Table): Identifier => id(...(t.schema ? [t.schema, t.name] : [t.name]));
const sameTable = (a: Table, b: Table): boolean => a.name === b.name && a.schema === b.schema;
const ACTIONS: Record<ReferentialAction, string> = {
  "cascade": "CASCADE",
  "restrict": "RESTRICT",
  "set null": "SET NULL",
  "set default": "SET DEFAULT",
  "no action": "NO ACTION",
};

function foreignKeys(table: Table): ForeignKey[] {
  return table.foreignKeys.map((fk) => ({
    table,
    column: fk.column,
    target: fk.target,
    onDelete: fk.options.onDelete,
    onUpdate: fk.options.onUpdate,
  }));
}

/**
 * Sorts tables so that each comes after the tables its foreign keys point to (a table may
 * refer to itself). Tables in a cycle keep their given order; `cyclic` lists the foreign keys
 * that point forward in the result.
 */
function order(items: readonly TableLike[]): { tables: Table[]; cyclic: ForeignKey[] } {
  const tables: Table[] = [];
  for (const item of items) {
    const t = tableOf(item);
    const same = tables.find((x) => sameTable(x, t));
    if (same === undefined) tables.push(t);
    else if (same !== t && same.owner !== t.owner) {
      const who = (x: Table) => (x.owner as { name?: string } | undefined)?.name ?? "a table";
      throw new ArgumentError(
        `Two different tables are named ${JSON.stringify(t.name)} (${who(same)} and ` +
          `${who(t)}); give one of them another name.`,
      );
    }
  }
  const deps = new Map<Table, ForeignKey[]>();
  for (const t of tables) {
    deps.set(
      t,
      foreignKeys(t).filter((fk) =>
        !sameTable(fk.target.table!, t) && tables.some((x) => sameTable(x, fk.target.table!))
      ),
    );
  }
  const done: Table[] = [];
  const cyclic: ForeignKey[] = [];
  const isDone = (t: Table): boolean => done.some((x) => sameTable(x, t));
  while (done.length < tables.length) {
    const ready = tables.find((t) =>
      !done.includes(t) && deps.get(t)!.every((fk) => isDone(fk.target.table!))
    );
    if (ready) {
      done.push(ready);
      continue;
    }
    // A cycle: take the first remaining table; its foreign keys to pending tables wait.
    const next = tables.find((t) => !done.includes(t))!;
    for (const fk of deps.get(next)!) if (!isDone(fk.target.table!)) cyclic.push(fk);
    done.push(next);
  }
  return { tables: done, cyclic };
}

/**
 * Sorts tables (or model classes) in foreign-key order: each after the tables it refers to.
 * `dropAll` uses the reverse order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, sortTables, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id),
 * });
 * assert(sortTables([posts, users])[0] === users);
 * ```
 */
export function sortTables(items: readonly TableLike[]): Table[] {
  return order(items).tables;
}

function references(fk: ForeignKey): Fragment {
  const parts: unknown[] = [tableName(fk.target.table!), id(fk.target.name)];
  let tail = ")";
  if (fk.onDelete) tail += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate) tail += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
  return new Fragment(["REFERENCES ", " (", tail], parts);
}

/**
 * A generated name cut to PostgreSQL's 63 bytes, as the server would keep it, on a character
 * boundary: slicing UTF-16 units could split a surrogate pair, or leave more than 63 bytes.
 */
function generatedName(name: string): string {
  let bytes = 0;
  let out = "";
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > 63) break;
    out += ch;
  }
  return out;
}

function fkName(fk: ForeignKey): string {
  return generatedName(`${fk.table.name}_${fk.column.name}_fkey`);
}

function columnDef(
  col: Column,
  table: Table,
  dialect: Dialect,
  inlineFk: boolean,
): Fragment {
  const c = col.config;
  const composite = table.primaryKey.length > 1;
  const isKey = !composite && table.primaryKey[0] === col;
  const generated = col.generated;
  const parts: unknown[] = [id(col.name)];
  let typeText = col.type.ddl(dialect);
  if (generated && dialect.name === "sqlite") {
    if (!isKey || (col.type !== types.integer && col.type !== types.bigint)) {
      throw new ArgumentError(
        `${table.name}.${col.key} is generated (autoincrement), but SQLite only generates an ` +
          "INTEGER PRIMARY KEY; make it the single integer primary key or drop autoincrement.",
      );
    }
    typeText = "INTEGER"; // only `INTEGER PRIMARY KEY` is an alias of the rowid
  }
  parts.push(raw(typeText));
  if (generated && dialect.name === "postgres") {
    parts.push(raw("GENERATED BY DEFAULT AS IDENTITY"));
  }
  if (isKey) {
    parts.push(
      raw(
        generated && dialect.name === "sqlite" && c.autoincrement === true
          ? "PRIMARY KEY AUTOINCREMENT"
          : "PRIMARY KEY",
      ),
    );
  }
  if (!c.nullable && !generated) parts.push(raw("NOT NULL"));
  if (c.unique && !isKey) parts.push(raw("UNIQUE"));
  if (c.serverDefault !== undefined) parts.push(sql`DEFAULT (${sql.literal(c.serverDefault)})`);
  const typeCheck = col.type.checkSql?.(sql`${id(col.name)}`, dialect);
  if (typeCheck) parts.push(sql`CHECK (${sql.literal(typeCheck)})`);
  if (c.check !== undefined) parts.push(sql`CHECK (${sql.literal(c.check)})`);
  if (inlineFk && c.references) {
    const fk = foreignKeys(table).find((f) => f.column === col)!;
    parts.push(references(fk));
  }
  return sql.join(parts, sql` `);
}

function keyList(table: Table, keys: readonly string[]): Fragment {
  return sql`(${sql.join(keys.map((k) => id(table.column(k).name)))})`;
}

function tableConstraint(table: Table, con: TableConstraint): Fragment | null {
  const named = (body: Fragment): Fragment =>
    con.name ? sql`CONSTRAINT ${id(con.name)} ${body}` : body;
  switch (con.kind) {
    case "primaryKey":
      return null; // rendered from table.primaryKey
    case "unique":
      return named(sql`UNIQUE ${keyList(table, con.columns!)}`);
    case "check":
      return named(sql`CHECK (${sql.literal(con.condition!)})`);
    case "index":
      return null;
  }
}

function createTable(
  table: Table,
  dialect: Dialect,
  checkFirst: boolean,
  deferred: readonly ForeignKey[],
): Fragment[] {
  const lines: Fragment[] = table.columns.map((col) =>
    columnDef(col, table, dialect, !deferred.some((fk) => fk.column === col))
  );
  if (table.primaryKey.length > 1) {
    lines.push(sql`PRIMARY KEY ${keyList(table, table.primaryKey.map((c) => c.key))}`);
  }
  for (const con of table.constraints) {
    const line = tableConstraint(table, con);
    if (line) lines.push(line);
  }
  const head = checkFirst ? raw("CREATE TABLE IF NOT EXISTS ") : raw("CREATE TABLE ");
  const statements = [
    sql`${head}${tableName(table)} (\n  ${sql.join(lines, sql`,\n  `)}\n)`,
  ];
  const ifNotExists = checkFirst ? raw(" IF NOT EXISTS") : sql.empty;
  for (const col of table.columns) {
    if (!col.config.index) continue;
    const name = generatedName(`ix_${table.name}_${col.name}`);
    statements.push(
      sql`CREATE INDEX${ifNotExists} ${id(name)} ON ${tableName(table)} (${id(col.name)})`,
    );
  }
  for (const con of table.constraints) {
    if (con.kind !== "index") continue;
    const kind = con.unique ? raw("CREATE UNIQUE INDEX") : raw("CREATE INDEX");
    statements.push(
      sql`${kind}${ifNotExists} ${id(con.name!)} ON ${tableName(table)} ${
        keyList(table, con.columns!)
      }`,
    );
  }
  return statements;
}

function addForeignKey(fk: ForeignKey): Fragment {
  return sql`ALTER TABLE ${tableName(fk.table)} ADD CONSTRAINT ${id(fkName(fk))} FOREIGN KEY (${
    id(fk.column.name)
  }) ${references(fk)}`;
}

function dropTable(table: Table, checkFirst: boolean): Fragment {
  return checkFirst
    ? sql`DROP TABLE IF EXISTS ${tableName(table)}`
    : sql`DROP TABLE ${tableName(table)}`;
}

/**
 * The statements that create one table: CREATE TABLE, then CREATE INDEX for its indexes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, createTableStatements, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", {
 *   id: column.integer().primaryKey(),
 *   email: column.text().unique(),
 * });
 * const [create] = createTableStatements(users, sqliteDialect);
 * assert(compile(create, sqliteDialect).text ===
 *   'CREATE TABLE IF NOT EXISTS "users" (\n  "id" INTEGER PRIMARY KEY,\n' +
 *     '  "email" TEXT NOT NULL UNIQUE\n)');
 * ```
 */
export function createTableStatements(
  item: TableLike,
  dialect: Dialect,
  options: DdlOptions = {},
): Fragment[] {
  return createTable(tableOf(item), dialect, options.checkFirst ?? true, []);
}

/**
 * The statement that drops one table (its indexes go with it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, dropTableStatements, postgresDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const [drop] = dropTableStatements(users, postgresDialect);
 * assert(compile(drop, postgresDialect).text === 'DROP TABLE IF EXISTS "users"');
 * ```
 */
export function dropTableStatements(
  item: TableLike,
  _dialect: Dialect,
  options: DdlOptions = {},
): Fragment[] {
  return [dropTable(tableOf(item), options.checkFirst ?? true)];
}

/**
 * The statements that create tables in foreign-key order, with their indexes; on PostgreSQL,
 * foreign keys that close a cycle follow as `ALTER TABLE ... ADD CONSTRAINT`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, createAllStatements, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id, { onDelete: "cascade" }),
 * });
 * const texts = createAllStatements([posts, users], sqliteDialect)
 *   .map((s) => compile(s, sqliteDialect).text);
 * assert(texts[0].includes('"users"') && texts[1].includes("ON DELETE CASCADE"));
 * ```
 */
export function createAllStatements(
  items: readonly TableLike[],
  dialect: Dialect,
  options: DdlOptions = {},
): Fragment[] {
  const { tables, cyclic } = order(items);
  const deferred = dialect.name === "postgres" ? cyclic : [];
  const checkFirst = options.checkFirst ?? true;
  const out = tables.flatMap((t) =>
    createTable(t, dialect, checkFirst, deferred.filter((fk) => fk.table === t))
  );
  for (const fk of deferred) out.push(addForeignKey(fk));
  return out;
}

/**
 * The statements that drop tables in reverse foreign-key order; on PostgreSQL, foreign keys
 * that close a cycle are dropped first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, dropAllStatements, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id),
 * });
 * const texts = dropAllStatements([users, posts], sqliteDialect)
 *   .map((s) => compile(s, sqliteDialect).text);
 * assert(texts.join("; ") === 'DROP TABLE IF EXISTS "posts"; DROP TABLE IF EXISTS "users"');
 * ```
 */
export function dropAllStatements(
  items: readonly TableLike[],
  dialect: Dialect,
  options: DdlOptions = {},
): Fragment[] {
  const { tables, cyclic } = order(items);
  const checkFirst = options.checkFirst ?? true;
  const out: Fragment[] = [];
  if (dialect.name === "postgres") {
    for (const fk of cyclic) {
      out.push(
        checkFirst
          ? sql`ALTER TABLE IF EXISTS ${tableName(fk.table)} DROP CONSTRAINT IF EXISTS ${
            id(fkName(fk))
          }`
          : sql`ALTER TABLE ${tableName(fk.table)} DROP CONSTRAINT ${id(fkName(fk))}`,
      );
    }
  }
  for (const t of tables.reverse()) out.push(dropTable(t, checkFirst));
  return out;
}

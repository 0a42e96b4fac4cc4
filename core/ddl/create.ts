/**
 * CREATE TABLE and CREATE INDEX for tables, as fragments per dialect, in foreign-key order.
 *
 * DDL cannot bind parameters, so values in server defaults and CHECK conditions are written
 * as literals by the compile step (`sql.literal`). A plain `default(value)` is not DDL: the
 * insert builder applies it to each new row.
 *
 * Foreign-key cycles: tables are created in dependency order. When tables refer to each other
 * in a cycle, a dialect that `defersCyclicForeignKeys` (PostgreSQL) adds the foreign keys that
 * close the cycle after every table exists, with `ALTER TABLE ... ADD CONSTRAINT`; otherwise
 * (SQLite, which resolves foreign keys when rows are written) they stay in CREATE TABLE.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import type { Column } from "../schema/column.ts";
import type { TableConstraint } from "../schema/constraint.ts";
import type { Table } from "../schema/table.ts";
import type { Fragment } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import { type TableLike, tableOf } from "../statement.ts";
import { type ForeignKey, foreignKeys, order } from "./order.ts";
import { fkName, id, indexName, raw, references, tableName } from "./names.ts";

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
  const typeSql = col.type.ddl(dialect);
  const key = generated
    ? dialect.generatedKey({
      table: table.name,
      column: col.key,
      kind: col.type.kind,
      typeSql,
      soleKey: isKey,
      explicit: c.autoincrement === true,
    })
    : { type: typeSql, clauses: [], primaryKey: false };
  parts.push(raw(key.type));
  for (const clause of key.clauses) parts.push(raw(clause));
  if (isKey && !key.primaryKey) parts.push(raw("PRIMARY KEY"));
  if (!c.nullable && !generated) parts.push(raw("NOT NULL"));
  if (c.unique && !isKey) parts.push(raw("UNIQUE"));
  if (c.serverDefault !== undefined) parts.push(sql`DEFAULT (${sql.literal(c.serverDefault)})`);
  if (c.generatedAs) parts.push(sql`GENERATED ALWAYS AS (${sql.literal(c.generatedAs)}) STORED`);
  const typeCheck = col.type.checkSql?.(sql`${id(col.name)}`);
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
  const lines: Fragment[] = table.columns.filter((col) => !col.config.expression).map((col) =>
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
    const name = indexName(table.name, col.name);
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
  const deferred = dialect.defersCyclicForeignKeys ? cyclic : [];
  const checkFirst = options.checkFirst ?? true;
  const out = tables.flatMap((t) =>
    createTable(t, dialect, checkFirst, deferred.filter((fk) => fk.table === t))
  );
  for (const fk of deferred) out.push(addForeignKey(fk));
  return out;
}

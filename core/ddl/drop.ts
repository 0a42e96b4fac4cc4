/**
 * DROP TABLE for tables, as fragments, in reverse foreign-key order.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import type { Table } from "../schema/table.ts";
import type { Fragment } from "../sql/nodes.ts";
import { sql } from "../sql/tag.ts";
import { type TableLike, tableOf } from "../statement.ts";
import type { DdlOptions } from "./create.ts";
import { fkName, id, tableName } from "./names.ts";
import { order } from "./order.ts";

function dropTable(table: Table, checkFirst: boolean): Fragment {
  return checkFirst
    ? sql`DROP TABLE IF EXISTS ${tableName(table)}`
    : sql`DROP TABLE ${tableName(table)}`;
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
  if (dialect.defersCyclicForeignKeys) {
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

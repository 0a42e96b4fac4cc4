/**
 * DELETE, with WHERE and RETURNING.
 *
 * @module
 */
import type { Columns, RowOf } from "../schema/rows.ts";
import type { Table } from "../schema/table.ts";
import { type Fragment, type Row, type SqlSource, toSql } from "../sql/nodes.ts";
import { entityConditions, type Executable, type TableLike, tableOf } from "../statement.ts";
import { type Condition, conditionsOf, conjunction } from "./clauses.ts";
import type { ColumnsOf, DistinctKeys, RowsOf, SelectItem } from "./row_types.ts";
import { type ResultColumn, returningColumns } from "./rows.ts";
import { deleteSql, returningClause } from "./write.ts";
import { refuseSpanningDelete, type Span, spanOf } from "./span.ts";

interface DeleteState {
  readonly table: Table;
  readonly where: readonly SqlSource<unknown>[];
  readonly returning: readonly ResultColumn[] | null;
  /** The tables above the table an entity spans (joined inheritance), or null. */
  readonly span: Span | null;
}

/**
 * A DELETE statement. Immutable: each method returns a new delete.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, deleteFrom, eq, postgresDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const q = deleteFrom(users).where(eq(users.c.id, 1)).returning(users.c.id);
 * assert(compile(q, postgresDialect).text ===
 *   'DELETE FROM "users" WHERE "users"."id" = $1 RETURNING "users"."id"');
 * ```
 */
export class Delete<C extends Columns = Columns, R = Row> implements Executable<R> {
  /** Type-only: the row type RETURNING gives. */
  declare readonly "~row"?: R;
  readonly #s: DeleteState;
  #sql: Fragment | undefined;

  /** Internal: use {@linkcode deleteFrom}. */
  constructor(state: DeleteState) {
    this.#s = state;
  }

  /** The table deleted from. */
  get table(): Table<C> {
    return this.#s.table as Table<C>;
  }

  /** Internal: the WHERE conditions (the ORM keeps its loaded objects in sync by them). */
  get conditions(): readonly SqlSource<unknown>[] {
    return this.#s.where;
  }

  /** Adds WHERE conditions, ANDed. Without any, every row is deleted. */
  where(...conditions: Condition[]): Delete<C, R> {
    return new Delete<C, R>({
      ...this.#s,
      where: [...this.#s.where, ...conditionsOf(conditions, "where")],
    });
  }

  /** `RETURNING` every column of the table, rows keyed by property key. */
  returning(): Delete<C, RowOf<C>>;
  /** `RETURNING` these columns. */
  returning<const A extends readonly SelectItem[]>(
    ...columns: A & NoInfer<DistinctKeys<A>>
  ): Delete<C, RowsOf<A>["ofColumns"]>;
  /** `RETURNING` named expressions. */
  returning<const S extends Record<string, SqlSource<unknown>>>(
    record: S,
  ): Delete<C, RowsOf<S>["ofRecord"]>;
  returning(...items: unknown[]): Delete<C, unknown> {
    return new Delete<C, unknown>({
      ...this.#s,
      returning: returningColumns(this.#s.table, items),
    });
  }

  /** Renders `DELETE FROM table [WHERE ...] [RETURNING ...]`. */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      const s = this.#s;
      refuseSpanningDelete(s.span, s.table);
      const where = s.where.length === 0 ? null : conjunction(s.where);
      this.#sql = deleteSql(s.table, where, returningClause(s.returning));
    }
    return this.#sql;
  }

  /** The RETURNING columns' keys and types, by which the Engine decodes the rows. */
  get resultTypes(): readonly ResultColumn[] | null {
    return this.#s.returning;
  }
}

/**
 * Starts a DELETE from a table or a model class's table. (Exported as `delete` too; `delete`
 * is a reserved word, so import it as `import { delete as del }` or use `deleteFrom`.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, deleteFrom, eq, insert, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([users]);
 * await engine.run(insert(users).values([{ name: "a" }, { name: "b" }]));
 * const gone = await engine.all(deleteFrom(users).where(eq(users.c.name, "a")).returning());
 * assert(gone.length === 1 && gone[0].name === "a");
 * ```
 */
export function deleteFrom<T extends TableLike>(target: T): Delete<ColumnsOf<T>> {
  const table = tableOf(target);
  return new Delete<ColumnsOf<T>>({
    table,
    where: entityConditions(target),
    returning: null,
    span: spanOf(target, table),
  });
}

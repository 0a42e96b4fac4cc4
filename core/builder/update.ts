/**
 * UPDATE: assignments checked against the columns' types, `onUpdate` values applied, WHERE
 * and RETURNING.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import type { Column } from "../schema/column.ts";
import type { Columns, RowOf, RowTypes } from "../schema/rows.ts";
import type { Table } from "../schema/table.ts";
import { type Fragment, type Row, type SqlSource, toSql } from "../sql/nodes.ts";
import { entityConditions, type Executable, type TableLike, tableOf } from "../statement.ts";
import { type Condition, conditionsOf, conjunction } from "./clauses.ts";
import { bindAssignments } from "./conflict.ts";
import { bindValue } from "./expression.ts";
import type { ColumnsOf, DistinctKeys, RowsOf, SelectItem } from "./row_types.ts";
import { type ResultColumn, returningColumns } from "./rows.ts";
import { returningClause, updateSql } from "./write.ts";
import { ownWhere, type Span, spanOf } from "./span.ts";

interface UpdateState {
  readonly table: Table;
  readonly set: ReadonlyMap<Column, unknown>;
  readonly where: readonly SqlSource<unknown>[];
  readonly returning: readonly ResultColumn[] | null;
  /** The tables above the table an entity spans (joined inheritance), or null. */
  readonly span: Span | null;
}

/**
 * An UPDATE statement. Immutable: each method returns a new update. Columns with an
 * `onUpdate` value that `set` leaves out get it (a function is called once per statement).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, eq, sqliteDialect, table, update } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const q = update(users).set({ name: "ada" }).where(eq(users.c.id, 1));
 * assert(compile(q, sqliteDialect).text ===
 *   'UPDATE "users" SET "name" = ? WHERE "users"."id" = ?');
 * ```
 */
export class Update<C extends Columns = Columns, R = Row> implements Executable<R> {
  /** Type-only: the row type RETURNING gives. */
  declare readonly "~row"?: R;
  readonly #s: UpdateState;
  #sql: Fragment | undefined;

  /** Internal: use {@linkcode update}. */
  constructor(state: UpdateState) {
    this.#s = state;
  }

  /** The table updated. */
  get table(): Table<C> {
    return this.#s.table as Table<C>;
  }

  /** Internal: the WHERE conditions (the ORM keeps its loaded objects in sync by them). */
  get conditions(): readonly SqlSource<unknown>[] {
    return this.#s.where;
  }

  /**
   * Internal: the WHERE as sent, on the table's own columns: a condition on the columns of
   * the tables above an entity's own goes through its key (see `ownWhere`).
   */
  get ownConditions(): readonly SqlSource<unknown>[] {
    return ownWhere(this.#s.table, this.#s.span, this.#s.where);
  }

  /** Internal: the SET assignments, as bound values by column. */
  get assignments(): ReadonlyMap<Column, unknown> {
    return this.#s.set;
  }

  #with(changes: Partial<UpdateState>): Update<C, R> {
    return new Update<C, R>({ ...this.#s, ...changes });
  }

  /** Sets columns (by property key) to values or SQL; values are checked now. */
  set(values: RowTypes<C>["update"]): Update<C, R> {
    const added = bindAssignments(this.#s.table, values as Record<string, unknown>, "set(...)");
    return this.#with({ set: new Map([...this.#s.set, ...added]) });
  }

  /** Adds WHERE conditions, ANDed. Without any, every row is updated. */
  where(...conditions: Condition[]): Update<C, R> {
    return this.#with({ where: [...this.#s.where, ...conditionsOf(conditions, "where")] });
  }

  /** `RETURNING` every column of the table, rows keyed by property key. */
  returning(): Update<C, RowOf<C>>;
  /** `RETURNING` these columns. */
  returning<const A extends readonly SelectItem[]>(
    ...columns: A & NoInfer<DistinctKeys<A>>
  ): Update<C, RowsOf<A>["ofColumns"]>;
  /** `RETURNING` named expressions. */
  returning<const S extends Record<string, SqlSource<unknown>>>(
    record: S,
  ): Update<C, RowsOf<S>["ofRecord"]>;
  returning(...items: unknown[]): Update<C, unknown> {
    return new Update<C, unknown>({
      ...this.#s,
      returning: returningColumns(this.#s.table, items),
    });
  }

  /** Renders `UPDATE table SET ... [WHERE ...] [RETURNING ...]`. */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      const s = this.#s;
      if (s.set.size === 0) {
        throw new ArgumentError(`update(${s.table.name}) sets nothing; call .set({...}) first.`);
      }
      const pairs: [Column, unknown][] = [];
      for (const col of s.table.columns) {
        if (s.set.has(col) && col.readOnly) {
          throw new ArgumentError(
            `${s.table.name}.${col.key} is read-only: the database gives it.`,
          );
        }
        if (s.set.has(col)) pairs.push([col, s.set.get(col)]);
        else if (col.config.onUpdate !== undefined) {
          const u = col.config.onUpdate;
          const v = typeof u === "function" ? (u as () => unknown)() : u;
          pairs.push([col, bindValue(col, v, `${s.table.name}.${col.key}`)]);
        }
      }
      const own = this.ownConditions;
      const where = own.length === 0 ? null : conjunction(own);
      this.#sql = updateSql(s.table, pairs, where, returningClause(s.returning));
    }
    return this.#sql;
  }

  /** The RETURNING columns' keys and types, by which the Engine decodes the rows. */
  get resultTypes(): readonly ResultColumn[] | null {
    return this.#s.returning;
  }
}

/**
 * Starts an UPDATE of a table or a model class's table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, eq, insert, table, update } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([users]);
 * await engine.run(insert(users).values({ name: "ada" }));
 * const r = await engine.run(update(users).set({ name: "Ada" }).where(eq(users.c.id, 1)));
 * assert(r.rowsAffected === 1);
 * ```
 */
export function update<T extends TableLike>(target: T): Update<ColumnsOf<T>> {
  const table = tableOf(target);
  return new Update<ColumnsOf<T>>({
    table,
    set: new Map(),
    where: entityConditions(target),
    returning: null,
    span: spanOf(target, table),
  });
}

/**
 * INSERT: rows checked against the columns' types before anything is sent, defaults applied,
 * values encoded per dialect by the compile step, upserts (`ON CONFLICT`), RETURNING, and
 * large inserts split under the parameter limit.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import type { Column } from "../schema/column.ts";
import type { Columns, RowOf, RowTypes } from "../schema/rows.ts";
import type { Table } from "../schema/table.ts";
import { countParams } from "../sql/count.ts";
import { Fragment, type Row, type SqlSource, toSql } from "../sql/nodes.ts";
import { type Executable, type TableLike, tableOf } from "../statement.ts";
import { isPlainObject } from "../util/describe.ts";
import { bindAssignments, checkTarget, type Conflict, conflictClause } from "./conflict.ts";
import { bindValue } from "./expression.ts";
import type { ColumnsOf, DistinctKeys, RowsOf, SelectItem } from "./row_types.ts";
import { type ResultColumn, returningColumns } from "./rows.ts";
import { insertSql, returningClause } from "./write.ts";

/** One row, bound: its columns (in table order) and their values as SQL nodes. */
interface BoundRow {
  readonly columns: readonly Column[];
  readonly values: readonly unknown[];
  /** The column keys, joined: rows with the same signature share a statement. */
  readonly signature: string;
}

interface InsertState {
  readonly table: Table;
  readonly rows: readonly BoundRow[];
  readonly returning: readonly ResultColumn[] | null;
  readonly conflict: Conflict | null;
}

/** Checks one row of `values(...)` and binds it, applying defaults. */
function bindRow(table: Table, row: unknown, index: number): BoundRow {
  if (!isPlainObject(row)) {
    throw new ArgumentError(
      `Row ${index + 1} of insert(${table.name}).values(...) is not a plain object of ` +
        "column values.",
    );
  }
  for (const key of Object.keys(row)) table.column(key); // unknown keys name the columns
  const columns: Column[] = [];
  const values: unknown[] = [];
  for (const col of table.columns) {
    let v = row[col.key];
    if (col.readOnly) {
      if (v === undefined) continue;
      throw new ArgumentError(`${table.name}.${col.key} is read-only: the database gives it.`);
    }
    if (v === undefined || (v === null && col.generated)) {
      if (col.generated) continue;
      const d = col.config.default;
      if (d === undefined) continue;
      v = typeof d === "function" ? (d as () => unknown)() : d;
    }
    columns.push(col);
    values.push(bindValue(col, v, `${table.name}.${col.key}`));
  }
  return { columns, values, signature: columns.map((c) => c.key).join("\0") };
}

/** Renders one INSERT for rows that share their columns. */
function render(s: InsertState, rows: readonly BoundRow[]): Fragment {
  const cols = rows[0].columns;
  const tail = new Fragment(["", "", ""], [
    conflictClause(s.conflict, cols),
    returningClause(s.returning),
  ]);
  return insertSql(s.table, cols, rows.map((r) => r.values), tail);
}

/** Groups consecutive rows with the same columns (one statement each, at least). */
function runs(rows: readonly BoundRow[]): BoundRow[][] {
  const out: BoundRow[][] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0].signature === row.signature && row.columns.length > 0) {
      last.push(row);
    } else out.push([row]);
  }
  return out;
}

/**
 * An INSERT statement. Immutable: each method returns a new insert. Rows are checked when
 * given to `values()`; `engine.run(q)` sends it (as several statements in one transaction
 * when it is larger than the dialect's parameter limit, or its rows set different columns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, insert, postgresDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const q = insert(users).values([{ name: "ada" }, { name: "grace" }]).returning(users.c.id);
 * const c = compile(q, postgresDialect);
 * assert(c.text ===
 *   'INSERT INTO "users" ("name") VALUES ($1), ($2) RETURNING "users"."id"');
 * ```
 */
export class Insert<C extends Columns = Columns, R = Row> implements Executable<R> {
  /** Type-only: the row type RETURNING gives. */
  declare readonly "~row"?: R;
  readonly #s: InsertState;
  #batches = new WeakMap<Dialect, Fragment[]>();
  #sql: Fragment | undefined;

  /** Internal: use {@linkcode insert}. */
  constructor(state: InsertState) {
    this.#s = state;
  }

  /** The table inserted into. */
  get table(): Table<C> {
    return this.#s.table as Table<C>;
  }

  /** How many rows the insert holds. */
  get rowCount(): number {
    return this.#s.rows.length;
  }

  /** The RETURNING columns, or null. */
  get returningColumns(): readonly ResultColumn[] | null {
    return this.#s.returning;
  }

  #with(changes: Partial<InsertState>): Insert<C, R> {
    return new Insert<C, R>({ ...this.#s, ...changes });
  }

  /**
   * Adds rows, keyed by the columns' property keys. Each value is checked against its
   * column's type now (an ArgumentError names the column); missing columns get their
   * `default`; values are encoded for the dialect when compiled.
   */
  values(rows: RowTypes<C>["insert"] | readonly RowTypes<C>["insert"][]): Insert<C, R> {
    const list = Array.isArray(rows) ? rows : [rows];
    if (list.length === 0) {
      throw new ArgumentError(`insert(${this.#s.table.name}).values(...) needs at least one row.`);
    }
    const start = this.#s.rows.length;
    const bound = list.map((row, i) => bindRow(this.#s.table, row, start + i));
    return this.#with({ rows: [...this.#s.rows, ...bound] });
  }

  /** `RETURNING` every column of the table, rows keyed by property key. */
  returning(): Insert<C, RowOf<C>>;
  /** `RETURNING` these columns. */
  returning<const A extends readonly SelectItem[]>(
    ...columns: A & NoInfer<DistinctKeys<A>>
  ): Insert<C, RowsOf<A>["ofColumns"]>;
  /** `RETURNING` named expressions. */
  returning<const S extends Record<string, SqlSource<unknown>>>(
    record: S,
  ): Insert<C, RowsOf<S>["ofRecord"]>;
  returning(...items: unknown[]): Insert<C, unknown> {
    return new Insert<C, unknown>({
      ...this.#s,
      returning: returningColumns(this.#s.table, items),
    });
  }

  /**
   * `ON CONFLICT (target)`: what to do when a row would break a unique or primary key on
   * `target` (any, for `doNothing()` without target).
   */
  onConflict(...target: Column[]): OnConflict<C, R> {
    return new OnConflict<C, R>(this, checkTarget(this.#s.table, target));
  }

  /** Internal: sets the conflict clause. */
  withConflict(conflict: Conflict): Insert<C, R> {
    return this.#with({ conflict });
  }

  /**
   * The statements this insert sends on a dialect: one per run of rows with the same
   * columns, split so that none carries more than the dialect's `maxParams` parameters.
   */
  batches(dialect: Dialect): Fragment[] {
    let out = this.#batches.get(dialect);
    if (out !== undefined) return out;
    const s = this.#s;
    if (s.rows.length === 0) {
      throw new ArgumentError(`insert(${s.table.name}) has no rows; call .values(...) first.`);
    }
    out = [];
    for (const run of runs(s.rows)) {
      const extra = countParams(conflictClause(s.conflict, run[0].columns), dialect) +
        countParams(returningClause(s.returning), dialect);
      const room = dialect.maxParams - extra;
      let batch: BoundRow[] = [];
      let used = 0;
      for (const row of run) {
        let n = 0;
        for (const v of row.values) n += countParams(v, dialect);
        if (n > room) {
          throw new ArgumentError(
            `A row of insert(${s.table.name}) needs ${n} parameters; ${dialect.name} allows ` +
              `${dialect.maxParams} in a statement.`,
          );
        }
        if (used + n > room && batch.length > 0) {
          out.push(render(s, batch));
          batch = [];
          used = 0;
        }
        batch.push(row);
        used += n;
      }
      if (batch.length > 0) out.push(render(s, batch));
    }
    this.#batches.set(dialect, out);
    return out;
  }

  /** Renders the insert as one statement (its rows must all set the same columns). */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      const s = this.#s;
      if (s.rows.length === 0) {
        throw new ArgumentError(`insert(${s.table.name}) has no rows; call .values(...) first.`);
      }
      const all = runs(s.rows);
      if (all.length > 1) {
        throw new ArgumentError(
          `insert(${s.table.name})'s rows set different columns, so it is ${all.length} ` +
            "statements: run it with engine.run/all (which sends each), or compile each of " +
            "insert.batches(dialect).",
        );
      }
      this.#sql = render(s, all[0]);
    }
    return this.#sql;
  }

  /** The RETURNING columns' keys and types, by which the Engine decodes the rows. */
  get resultTypes(): readonly ResultColumn[] | null {
    return this.#s.returning;
  }
}

/**
 * Options of `onConflict(...).doUpdate(...)`.
 *
 * @example
 * ```ts
 * import { column, type DoUpdateOptions, excluded, gt, insert, table } from "@retort/orm";
 * const stock = table("do_update_doc_stock", {
 *   sku: column.text().primaryKey(),
 *   count: column.integer(),
 * });
 * const options: DoUpdateOptions = { where: gt(excluded(stock.c.count), 0) };
 * const q = insert(stock).values({ sku: "a", count: 3 })
 *   .onConflict(stock.c.sku).doUpdate({ count: excluded(stock.c.count) }, options);
 * ```
 */
export interface DoUpdateOptions {
  /** Update only rows matching this condition (`DO UPDATE ... WHERE`). */
  where?: SqlSource<unknown>;
}

/**
 * The choice after `insert(...).onConflict(...)`: `doNothing()` or `doUpdate(set)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, excluded, insert, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), email: column.text().unique(), name: column.text() });
 * const q = insert(users).values({ email: "a@x", name: "A" })
 *   .onConflict(users.c.email).doUpdate({ name: excluded(users.c.name) });
 * assert(compile(q, sqliteDialect).text ===
 *   'INSERT INTO "users" ("email", "name") VALUES (?, ?) ' +
 *     'ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name"');
 * ```
 */
export class OnConflict<C extends Columns = Columns, R = Row> {
  readonly #insert: Insert<C, R>;
  readonly #target: readonly Column[];

  /** Internal: use `insert(...).onConflict(...)`. */
  constructor(insert: Insert<C, R>, target: readonly Column[]) {
    this.#insert = insert;
    this.#target = target;
  }

  /** `DO NOTHING`: rows that conflict are skipped. */
  doNothing(): Insert<C, R> {
    return this.#insert.withConflict({ target: this.#target, update: null, where: [] });
  }

  /**
   * `DO UPDATE SET ...`: the existing row is updated. Without `set`, every inserted column
   * (but the target) takes the value the insert tried (`excluded.col`); `excluded(col)`
   * refers to it in your own assignments.
   */
  doUpdate(set?: RowTypes<C>["update"], options: DoUpdateOptions = {}): Insert<C, R> {
    const table = this.#insert.table;
    if (this.#target.length === 0) {
      throw new ArgumentError(
        `onConflict().doUpdate(...) on ${table.name} needs the conflict target: ` +
          "onConflict(table.c.email).doUpdate(...).",
      );
    }
    const update = set === undefined
      ? "inserted" as const
      : bindAssignments(table, set as Record<string, unknown>, "doUpdate(...)");
    if (update !== "inserted" && update.size === 0) {
      throw new ArgumentError("doUpdate(...) needs at least one column to set.");
    }
    return this.#insert.withConflict({
      target: this.#target,
      update,
      where: options.where === undefined ? [] : [options.where],
    });
  }
}

/**
 * Starts an INSERT into a table or a model class's table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, insert, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([users]);
 * const rows = await engine.all(insert(users).values({ name: "ada" }).returning());
 * assert(rows[0].id === 1 && rows[0].name === "ada");
 * ```
 */
export function insert<T extends TableLike>(target: T): Insert<ColumnsOf<T>> {
  const table = tableOf(target);
  return new Insert<ColumnsOf<T>>({ table, rows: [], returning: null, conflict: null });
}

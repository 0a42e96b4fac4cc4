/**
 * Columns: a type and its options, immutable; bound to a table, a column interpolates into
 * `sql` as its quoted, table-qualified name.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, Identifier, type SqlOf, type SqlSource, toSql } from "../sql/nodes.ts";
import type { ColumnType } from "../types/column_type.ts";
import { snakeCase } from "./names.ts";

export { snakeCase };

/**
 * What a column knows of the table it belongs to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, type ColumnTable, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const t: ColumnTable = users.c.id.table!;
 * assert(t.name === "users");
 * ```
 */
export interface ColumnTable extends SqlSource<unknown> {
  /** The table's name. */
  readonly name: string;
  /** The schema (PostgreSQL) the table lives in, if not the default. */
  readonly schema: string | undefined;
  /** The alias this table is known by in a query, for self-joins. */
  readonly alias: string | undefined;
  /** The primary key's columns. */
  readonly primaryKey: readonly Column[];
  /** The columns, by key. */
  readonly c: { readonly [key: string]: Column };
}

/**
 * The table a `references((self) => ...)` callback is given: the column's own table, whose
 * columns may be of any type (they are not typed before the table is built).
 *
 * @example
 * ```ts
 * import { column, type ReferencedTable, table } from "@retort/orm";
 * const toParent = (self: ReferencedTable) => self.c.id;
 * const nodes = table("nodes", {
 *   id: column.integer().primaryKey(),
 *   parentId: column.integer().nullable().references(toParent),
 * });
 * ```
 */
export interface ReferencedTable extends ColumnTable {
  /** The columns, by key: each of the type the referring column needs. */
  readonly c: { readonly [key: string]: Column<never, boolean, never> };
}

/**
 * What a foreign key does when the row it points at is deleted or its key changes.
 *
 * @example
 * ```ts
 * import type { ReferentialAction } from "@retort/orm";
 * const action: ReferentialAction = "cascade";
 * ```
 */
export type ReferentialAction = "cascade" | "restrict" | "set null" | "set default" | "no action";

/**
 * Options of `column.references(...)`.
 *
 * @example
 * ```ts
 * import type { ReferenceOptions } from "@retort/orm";
 * const options: ReferenceOptions = { onDelete: "cascade" };
 * ```
 */
export interface ReferenceOptions {
  /** What happens to this row when the referenced row is deleted. */
  onDelete?: ReferentialAction;
  /** What happens to this row when the referenced key changes. */
  onUpdate?: ReferentialAction;
}

/**
 * A column's default: a value, a function called for each new row, or a SQL fragment
 * evaluated by the database at insert.
 *
 * @example
 * ```ts
 * import { type ColumnDefault, sql } from "@retort/orm";
 * const now: ColumnDefault<Date> = () => new Date();
 * const serverNow: ColumnDefault<Date> = sql`CURRENT_TIMESTAMP`;
 * ```
 */
export type ColumnDefault<T> = T | (() => T) | Fragment;

/**
 * Everything a column declares besides its type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column } from "@retort/orm";
 * assert(column.text().unique().config.unique === true);
 * ```
 */
export interface ColumnConfig {
  /** The column's name in the database; by default the property name in snake_case. */
  name?: string;
  /** Whether the column is (part of) the primary key. */
  primaryKey: boolean;
  /** Generated key: SQLite rowid alias or PostgreSQL identity. */
  autoincrement: boolean | "auto";
  /** Whether the column allows NULL. */
  nullable: boolean;
  /** Whether the column has a UNIQUE constraint. */
  unique: boolean;
  /** Whether the column has an index of its own. */
  index: boolean;
  /** The value a new row gets when it leaves the column out. */
  default?: ColumnDefault<unknown>;
  /** A DEFAULT clause in the DDL, evaluated by the database. */
  serverDefault?: Fragment;
  /** The value set on every UPDATE of the row. */
  onUpdate?: ColumnDefault<unknown>;
  /** The foreign key: the referenced column (given lazily) and its actions. */
  references?: { target: (self: ColumnTable) => Column; options: ReferenceOptions };
  /** A CHECK condition on the column. */
  check?: Fragment;
  /** A version counter for optimistic concurrency (ORM). */
  version: boolean;
  /** A SQL expression selected in place of a stored column. */
  expression?: (table: ColumnTable) => Fragment;
  /** A stored generated column's expression. */
  generatedAs?: Fragment;
  /** Left out of the ORM's loads until asked for (`undefer`): large text, blobs. */
  deferred?: boolean;
}

/**
 * A column only the database gives: not inserted, refused on assignment, read-only in types.
 * @example
 * ```ts
 * import { column, type ReadonlyColumn, sql } from "@retort/orm";
 * const doubled: ReadonlyColumn<number> = column.integer().generatedAs(sql`price * 2`);
 * ```
 */
export type ReadonlyColumn<T> = Column<T, true, "ro">;

/**
 * What a value of type `T` may be given as, in a write or a comparison: a bigint column takes a
 * number too (a safe integer, checked when bound), as its key does in a lookup.
 *
 * @example
 * ```ts
 * import type { Bindable } from "@retort/orm";
 * const n: Bindable<bigint | null> = 5;
 * ```
 */
export type Bindable<T> = T extends bigint ? T | number : T;

/**
 * A column: a type and its options. `T` is the value type (with `null` when nullable), and
 * `Opt` whether a new row may leave it out (a default, a generated key, nullable, or a
 * foreign key a relationship may fill).
 *
 * Columns are immutable: each option returns a new column. Declared in a table or model, a
 * column is bound to it and knows its table and property key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, table } from "@retort/orm";
 * const users = table("users", {
 *   id: column.integer().primaryKey(),
 *   displayName: column.text().nullable(),
 * });
 * assert(users.c.displayName.name === "display_name");
 * ```
 */
export class Column<T = unknown, Opt extends boolean = boolean, F extends string = string>
  implements SqlSource {
  /** The column's type. */
  readonly type: ColumnType;
  /** The column's options. */
  readonly config: Readonly<ColumnConfig>;
  /** The property key in the table's columns (set when bound to a table). */
  readonly key: string;
  /** The column's name in the database: `named(...)`, or the key in snake_case. */
  readonly name: string;
  /** The table this column belongs to, once bound. */
  readonly table: ColumnTable | undefined;
  /** Whether only the database gives the value (`column.expression`, `generatedAs`). */
  readonly readOnly: boolean;
  /** Type-only (never set at run time): the value type. */
  declare readonly "~type": T;
  /** Type-only (never set at run time): whether an insert may leave it out. */
  declare readonly "~optional": Opt;
  /**
   * Type-only (never set at run time): what the column is, for the row types of its table:
   * `"pk"` (part of the primary key), `"gen"` (an integer key, generated when it is the only
   * one), `"fk"` (a foreign key, which a relationship may fill), `"ro"` (read-only).
   */
  declare readonly "~flags": F;
  /** Type-only (never set at run time): what an insert or update may give it. */
  declare readonly "~in": Bindable<T> | SqlOf<T>;
  #sql: Fragment | undefined;

  /** Internal: use the `column.<type>()` factories. */
  constructor(type: ColumnType, config: ColumnConfig, key = "", table?: ColumnTable) {
    this.type = type;
    this.config = config;
    this.key = key;
    this.name = config.name ?? snakeCase(key);
    this.table = table;
    this.readOnly = config.expression !== undefined || config.generatedAs !== undefined;
  }

  /** Whether an insert may leave the column out. */
  get optional(): boolean {
    const c = this.config;
    return c.nullable || c.default !== undefined || c.serverDefault !== undefined ||
      this.generated || c.references !== undefined || this.readOnly;
  }

  /** Whether the database generates the value (an integer primary key, an identity). */
  get generated(): boolean {
    const c = this.config;
    return c.autoincrement === true ||
      (c.autoincrement === "auto" && c.primaryKey &&
        (this.type.kind === "integer" || this.type.kind === "bigint") &&
        (this.table === undefined || this.table.primaryKey.length <= 1));
  }

  #with(changes: Partial<ColumnConfig>): Column<never, never, never> {
    if (this.table !== undefined) {
      throw new ArgumentError(
        `Column ${this.table.name}.${this.key} is already part of a table; declare its ` +
          "options where it is defined.",
      );
    }
    return new Column(this.type, { ...this.config, ...changes }) as Column<never, never, never>;
  }

  /** Internal: binds a copy of this column to a table under a key. */
  bind(table: ColumnTable, key: string): Column<T, Opt, F> {
    return new Column(this.type, this.config, key, table);
  }

  /** Names the column in the database (the default is the key in snake_case). */
  named(name: string): Column<T, Opt, F> {
    return this.#with({ name });
  }

  /**
   * Makes the column (part of) the primary key. An integer key is generated when it is the
   * table's only key column.
   */
  primaryKey(): Column<T, Opt, F | "pk" | (T extends number | bigint ? "gen" : never)> {
    return this.#with({ primaryKey: true });
  }

  /** Makes the key generated (`true`) or not (`false`) whatever its type. */
  autoincrement(on = true): Column<T, true, F> {
    return this.#with({ autoincrement: on });
  }

  /** Same as `autoincrement()`: PostgreSQL's `GENERATED BY DEFAULT AS IDENTITY`. */
  identity(): Column<T, true, F> {
    return this.#with({ autoincrement: true });
  }

  /** Allows NULL; the value type gains `null`. */
  nullable(): Column<T | null, true, F> {
    return this.#with({ nullable: true });
  }

  /** Adds a UNIQUE constraint. */
  unique(): Column<T, Opt, F> {
    return this.#with({ unique: true });
  }

  /** Adds an index on this column. */
  index(): Column<T, Opt, F> {
    return this.#with({ index: true });
  }

  /** A default: a value, a function called per row, or a fragment the database evaluates. */
  default(value: ColumnDefault<T>): Column<T, true, F> {
    return this.#with({ default: value });
  }

  /** A DEFAULT clause in the table's DDL, evaluated by the database. */
  serverDefault(expression: Fragment): Column<T, true, F> {
    return this.#with({ serverDefault: expression });
  }

  /** A value set on every UPDATE of the row (by the ORM and the `update` builder). */
  onUpdate(value: ColumnDefault<T>): Column<T, Opt, F> {
    return this.#with({ onUpdate: value });
  }

  /**
   * A foreign key to another column, given lazily so tables may refer to each other:
   * `.references(() => User.c.id)`. A table referring to itself uses the argument, which is
   * the column's own table: `.references((self) => self.c.id)`. The target's value type is
   * this column's (a text column cannot refer to an integer key); a target typed only as
   * `Column` is not checked.
   */
  references<U>(
    target: (
      self: ReferencedTable,
    ) =>
      & Column<U, boolean, string>
      & (unknown extends U ? unknown : Column<NonNullable<T> | null, boolean, string>),
    options: ReferenceOptions = {},
  ): Column<T, Opt, F | "fk"> {
    return this.#with({
      references: { target: target as (self: ColumnTable) => Column, options },
    });
  }

  /** A CHECK constraint on this column. */
  check(condition: Fragment): Column<T, Opt, F> {
    return this.#with({ check: condition });
  }

  /** Marks an integer column as the row's version counter (optimistic concurrency). */
  version(): Column<T, true, F> {
    // A bigint column counts in bigints, as its values come back.
    const first = this.type.name === "bigint" ? 1n : 1;
    return this.#with({ version: true, default: first as never });
  }

  /** Leaves the column out of the ORM's loads unless a query asks (`undefer(...)`). */
  deferred(): Column<T, Opt, F> {
    return this.#with({ deferred: true });
  }

  /** A stored generated column, `GENERATED ALWAYS AS (expression) STORED` (SQL names). */
  generatedAs(expression: Fragment): ReadonlyColumn<T> {
    return this.#with({ generatedAs: expression }) as never;
  }

  /** Renders as the quoted, table-qualified column name (an expression column: its SQL). */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      if (this.table === undefined) {
        throw new ArgumentError(
          "This column is not part of a table yet; declare it in table(...) or Model(...).",
        );
      }
      const expression = this.config.expression;
      this.#sql = expression
        ? new Fragment(["(", ")"], [expression(this.table)])
        : new Fragment(["", ""], [
          new Identifier([this.table.alias ?? this.table.name, this.name]),
        ]);
    }
    return this.#sql;
  }
}

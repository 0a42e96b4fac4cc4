/**
 * Tables: a name, columns and constraints. A table interpolates into `sql` as its quoted
 * (schema-qualified) name; `table.c.<key>` are its columns.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { checkName } from "../sql/name.ts";
import { Fragment, Identifier, type SqlSource, toSql } from "../sql/nodes.ts";
import { Column, type ColumnTable, type ReferenceOptions } from "./column.ts";
import type { TableConstraint } from "./constraint.ts";
import type { BoundColumns, Columns } from "./rows.ts";

/**
 * A table as the database names it: its name and schema.
 *
 * @example
 * ```ts
 * import type { TableName } from "@retort/orm";
 * const t: TableName = { name: "users", schema: "public" };
 * ```
 */
export interface TableName {
  /** The table's name. */
  readonly name: string;
  /** Its schema, if not the default. */
  readonly schema: string | undefined;
}

/**
 * Whether two tables are the same table in the database: the same name in the same schema
 * (an alias is the table it stands for).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, sameTable, table } from "@retort/orm";
 * const a = table("users", { id: column.integer() }, undefined, { schema: "a" });
 * const b = table("users", { id: column.integer() }, undefined, { schema: "b" });
 * assert(!sameTable(a, b) && sameTable(a, a.as("u")));
 * ```
 */
export function sameTable(a: TableName, b: TableName): boolean {
  return a.name === b.name && a.schema === b.schema;
}

/**
 * A table: a name, columns and constraints. It interpolates into `sql` as its quoted name;
 * `table.c.<key>` are its columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, sql, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
 * const q = sql`SELECT ${users.c.name} FROM ${users} WHERE ${users.c.id} = ${1}`;
 * assert(
 *   compile(q, sqliteDialect).text === 'SELECT "users"."name" FROM "users" WHERE "users"."id" = ?',
 * );
 * ```
 */
export class Table<C extends Columns = Columns> implements SqlSource, ColumnTable {
  /** The table's name. */
  readonly name: string;
  /** The schema (PostgreSQL) the table lives in, if not the default. */
  readonly schema: string | undefined;
  /** The alias this table is known by in a query, for self-joins. */
  readonly alias: string | undefined;
  /** The columns, by key (each typed with its key, so `select(t.c.id)` rows have `id`). */
  readonly c: BoundColumns<C>;
  /** The columns, in declaration order. */
  readonly columns: readonly Column[];
  /** The primary key's columns. */
  readonly primaryKey: readonly Column[];
  /** Table-level constraints and indexes. */
  readonly constraints: readonly TableConstraint[];
  /** The object this table was declared for (an ORM model class), if any. */
  readonly owner: unknown;
  #sql: Fragment | undefined;

  /** Internal: use {@linkcode table} (or `Model(...)`). */
  constructor(
    name: string,
    columns: C,
    extras: ((c: C) => TableConstraint[]) | undefined,
    options: { schema?: string; alias?: string; owner?: unknown } = {},
  ) {
    if (typeof name !== "string" || name.length === 0) {
      throw new ArgumentError("A table needs a non-empty name.");
    }
    // Names are refused now, where they are declared, rather than when first rendered.
    for (const n of [name, options.schema, options.alias]) if (n !== undefined) checkName(n);
    this.name = name;
    this.schema = options.schema;
    this.alias = options.alias;
    this.owner = options.owner;
    const bound = {} as Record<string, Column>;
    for (const [key, col] of Object.entries(columns)) {
      if (!(col instanceof Column)) {
        throw new ArgumentError(
          `Table ${name}: ${key} is not a column; declare it with column.<type>().`,
        );
      }
      bound[key] = col.bind(this as unknown as Table, key);
    }
    this.c = bound as BoundColumns<C>;
    this.columns = Object.values(bound);
    this.constraints = extras ? extras(this.c) : [];
    for (const con of this.constraints) {
      if (con.name !== undefined) checkName(con.name);
      for (const key of con.columns ?? []) {
        if (!(key in bound)) {
          throw new ArgumentError(
            `Table ${name}: a ${con.kind} constraint names the unknown column ${key}.`,
          );
        }
      }
    }
    const composite = this.constraints.find((con) => con.kind === "primaryKey");
    this.primaryKey = composite
      ? composite.columns!.map((k) => bound[k])
      : this.columns.filter((col) => col.config.primaryKey);
    const names = new Set<string>();
    for (const col of this.columns) {
      checkName(col.name);
      if (names.has(col.name)) {
        throw new ArgumentError(
          `Table ${name}: two columns are named ${JSON.stringify(col.name)} in the database; ` +
            "rename one with .named(...).",
        );
      }
      names.add(col.name);
    }
  }

  /** The columns that are foreign keys, with what they reference. */
  get foreignKeys(): { column: Column; target: Column; options: ReferenceOptions }[] {
    return this.columns.filter((c) => c.config.references).map((c) => {
      const ref = c.config.references!;
      const target = ref.target(this as unknown as Table);
      if (!(target instanceof Column) || target.table === undefined) {
        throw new ArgumentError(
          `${this.name}.${c.key} references something that is not a table's column; ` +
            "write .references(() => Other.c.id).",
        );
      }
      return { column: c, target, options: ref.options };
    });
  }

  /** The column with a key, or an ArgumentError naming the table's columns. */
  column(key: string): Column {
    const col = (this.c as Columns)[key];
    if (!(col instanceof Column) || !Object.hasOwn(this.c, key)) {
      throw new ArgumentError(
        `Table ${this.name} has no column ${JSON.stringify(key)}; its columns are ` +
          `${Object.keys(this.c).join(", ")}.`,
      );
    }
    return col;
  }

  /** A copy of this table under an alias, for self-joins: `users.as("u2")`. */
  as(alias: string): Table<C> {
    const raw = {} as Record<string, Column>;
    for (const col of this.columns) raw[col.key] = new Column(col.type, col.config);
    return new Table(this.name, raw as C, () => [...this.constraints], {
      schema: this.schema,
      alias,
      owner: this.owner,
    });
  }

  /** Renders as the quoted (schema-qualified) name, with `AS alias` when aliased. */
  [toSql](): Fragment {
    if (this.#sql === undefined) {
      const id = new Identifier(this.schema ? [this.schema, this.name] : [this.name]);
      this.#sql = this.alias
        ? new Fragment(["", " AS ", ""], [id, new Identifier([this.alias])])
        : new Fragment(["", ""], [id]);
    }
    return this.#sql;
  }
}

/**
 * Declares a table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, table } from "@retort/orm";
 * const users = table("users", {
 *   id: column.integer().primaryKey(),
 *   email: column.text().unique(),
 * });
 * const posts = table("posts", {
 *   id: column.integer().primaryKey(),
 *   authorId: column.integer().references(() => users.c.id, { onDelete: "cascade" }),
 * });
 * assert(posts.foreignKeys[0].target === users.c.id);
 * ```
 */
export function table<C extends Columns>(
  name: string,
  columns: C,
  extras?: (c: C) => TableConstraint[],
  options?: { schema?: string },
): Table<C> {
  return new Table(name, columns, extras, options);
}

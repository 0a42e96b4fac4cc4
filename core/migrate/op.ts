/**
 * `op`: the constructors a migration file writes its steps with, as Alembic's `op` module.
 * Each checks its input and returns an operation as data.
 *
 * @module
 */
import { ArgumentError, Fragment, sql, type Transaction } from "../mod.ts";
import type {
  AddColumn,
  AlterColumn,
  ColumnChanges,
  ConstraintOperation,
  CreateIndex,
  CreateTable,
  DataStep,
  DropColumn,
  DropIndex,
  DropTable,
  RenameColumn,
  RenameTable,
  SetPrimaryKey,
  SqlStep,
} from "./operations.ts";
import type {
  CheckSnapshot,
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  TableRef,
  TableSnapshot,
  UniqueSnapshot,
} from "./snapshot.ts";

/**
 * A table as `op.createTable` takes it: the constraint lists may be left out.
 *
 * @example
 * ```ts
 * import type { TableInput } from "@retort/orm/migrate";
 * const t: TableInput = { name: "tags", columns: [{ name: "id", type: "TEXT", nullable: false }] };
 * ```
 */
export type TableInput =
  & TableRef
  & { columns: ColumnSnapshot[] }
  & Partial<Omit<TableSnapshot, "name" | "schema" | "columns">>;

/**
 * Options of hand-written SQL and data steps.
 *
 * @example
 * ```ts
 * import type { StepOptions } from "@retort/orm/migrate";
 * const options: StepOptions = { losesRows: ["sessions"], description: "expire sessions" };
 * ```
 */
export interface StepOptions {
  /** Tables whose rows the step may delete: a rehearsal accepts the loss. */
  losesRows?: string[];
  /** What the step does, for progress output. */
  description?: string;
}

/**
 * The operation constructors. A table is a name, or `{ schema, name }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { op } from "@retort/orm/migrate";
 * const add = op.addColumn("users", { name: "email", type: "TEXT", nullable: true });
 * assert.deepEqual(add.table, { name: "users" });
 * ```
 */
export interface Ops {
  /** Creates a table. */
  createTable(table: TableInput): CreateTable;
  /** Drops a table and its rows. */
  dropTable(table: string | TableRef): DropTable;
  /** Renames a table. */
  renameTable(table: string | TableRef, to: string): RenameTable;
  /** Adds a column. */
  addColumn(table: string | TableRef, column: ColumnSnapshot): AddColumn;
  /** Drops a column. */
  dropColumn(table: string | TableRef, column: string): DropColumn;
  /** Renames a column. */
  renameColumn(table: string | TableRef, column: string, to: string): RenameColumn;
  /** Changes a column's type, nullability, default or generation. */
  alterColumn(table: string | TableRef, column: string, changes: ColumnChanges): AlterColumn;
  /** Sets the primary key (no columns: removes it). */
  setPrimaryKey(table: string | TableRef, columns: string[]): SetPrimaryKey;
  /** Creates an index. */
  createIndex(
    table: string | TableRef,
    index: Pick<IndexSnapshot, "name" | "columns"> & Partial<IndexSnapshot>,
  ): CreateIndex;
  /** Drops an index by name. */
  dropIndex(table: string | TableRef, name: string): DropIndex;
  /** Adds a UNIQUE constraint. */
  addUnique(table: string | TableRef, unique: UniqueSnapshot): ConstraintOperation;
  /** Drops a UNIQUE constraint, by name or by columns. */
  dropUnique(table: string | TableRef, unique: UniqueSnapshot): ConstraintOperation;
  /** Adds a foreign key. */
  addForeignKey(table: string | TableRef, foreignKey: ForeignKeySnapshot): ConstraintOperation;
  /** Drops a foreign key, by name or by columns. */
  dropForeignKey(table: string | TableRef, foreignKey: ForeignKeySnapshot): ConstraintOperation;
  /** Adds a CHECK constraint. */
  addCheck(table: string | TableRef, check: CheckSnapshot): ConstraintOperation;
  /** Drops a CHECK constraint, by name or by expression. */
  dropCheck(table: string | TableRef, check: CheckSnapshot): ConstraintOperation;
  /**
   * Hand-written SQL: ``op.sql`UPDATE ...` `` as a tag, or `op.sql(fragment, options)`.
   * Use `sql.byDialect(...)` for SQL that differs per database.
   */
  sql(first: TemplateStringsArray | Fragment, ...rest: unknown[]): SqlStep;
  /** A data step, run on the migration's transaction. */
  run(fn: (tx: Transaction) => Promise<void>, options?: StepOptions): DataStep;
}

const text = (v: unknown, what: string): string => {
  if (typeof v !== "string" || v.length === 0) {
    throw new ArgumentError(`${what} must be a non-empty string, got ${JSON.stringify(v)}.`);
  }
  return v;
};

const ref = (table: string | TableRef): TableRef => {
  if (typeof table === "string") return { name: text(table, "A table name") };
  if (table === null || typeof table !== "object") {
    throw new ArgumentError(
      `A table is a name or { schema, name }, got ${JSON.stringify(table)}.`,
    );
  }
  const name = text(table.name, "A table name");
  return table.schema === undefined ? { name } : { schema: text(table.schema, "A schema"), name };
};

const names = (v: unknown, what: string): string[] => {
  if (!Array.isArray(v) || v.length === 0) {
    throw new ArgumentError(`${what} needs a list of column names, got ${JSON.stringify(v)}.`);
  }
  return v.map((c) => text(c, `A column name in ${what}`));
};

const column = (c: ColumnSnapshot, where: string): ColumnSnapshot => {
  if (c === null || typeof c !== "object") {
    throw new ArgumentError(`${where}: a column is { name, type, nullable }.`);
  }
  text(c.name, `${where}: a column's name`);
  text(c.type, `${where}: column ${c.name}'s type`);
  if (typeof c.nullable !== "boolean") {
    throw new ArgumentError(`${where}: column ${c.name} needs nullable: true or false.`);
  }
  return { ...c };
};

function sqlStep(first: TemplateStringsArray | Fragment, ...rest: unknown[]): SqlStep {
  if (first instanceof Fragment) {
    const options = (rest[0] ?? {}) as StepOptions;
    return {
      kind: "sql",
      sql: first,
      ...(options.losesRows ? { losesRows: options.losesRows } : {}),
    };
  }
  if (Array.isArray(first) && "raw" in first) return { kind: "sql", sql: sql(first, ...rest) };
  throw new ArgumentError(
    "op.sql takes a template (op.sql`UPDATE ...`) or a fragment (op.sql(sql`...`, options)).",
  );
}

/**
 * The operation constructors, for migration files (`up: ({ op }) => [...]`) and programs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { op } from "@retort/orm/migrate";
 * const steps = [
 *   op.addColumn("users", { name: "email", type: "TEXT", nullable: true }),
 *   op.createIndex("users", { name: "ix_users_email", columns: ["email"] }),
 *   op.sql`UPDATE users SET email = name || '@example.com'`,
 * ];
 * assert.deepEqual(steps.map((s) => s.kind), ["addColumn", "createIndex", "sql"]);
 * ```
 */
export const op: Ops = {
  createTable(table) {
    const t = ref(table);
    if (!Array.isArray(table.columns) || table.columns.length === 0) {
      throw new ArgumentError(`op.createTable(${t.name}) needs at least one column.`);
    }
    return {
      kind: "createTable",
      table: {
        ...t,
        columns: table.columns.map((c) => column(c, `op.createTable(${t.name})`)),
        ...(table.primaryKey ? { primaryKey: table.primaryKey } : {}),
        uniques: table.uniques ?? [],
        indexes: table.indexes ?? [],
        foreignKeys: table.foreignKeys ?? [],
        checks: table.checks ?? [],
        ...(table.options?.length ? { options: table.options } : {}),
      },
    };
  },
  dropTable: (table) => ({ kind: "dropTable", table: ref(table) }),
  renameTable: (table, to) => ({ kind: "renameTable", table: ref(table), to: text(to, "to") }),
  addColumn: (table, c) => ({
    kind: "addColumn",
    table: ref(table),
    column: column(c, "op.addColumn"),
  }),
  dropColumn: (table, c) => ({ kind: "dropColumn", table: ref(table), column: text(c, "column") }),
  renameColumn: (table, c, to) => ({
    kind: "renameColumn",
    table: ref(table),
    column: text(c, "column"),
    to: text(to, "to"),
  }),
  alterColumn(table, c, changes) {
    if (changes === null || typeof changes !== "object" || Object.keys(changes).length === 0) {
      throw new ArgumentError(
        `op.alterColumn(${c}) needs changes: { type, nullable, default, generated, computed }.`,
      );
    }
    return { kind: "alterColumn", table: ref(table), column: text(c, "column"), changes };
  },
  setPrimaryKey: (table, columns) => ({
    kind: "setPrimaryKey",
    table: ref(table),
    columns: columns.length === 0 ? [] : names(columns, "op.setPrimaryKey"),
  }),
  createIndex: (table, index) => ({
    kind: "createIndex",
    table: ref(table),
    index: {
      name: text(index.name, "An index name"),
      columns: index.definition ? index.columns ?? [] : names(index.columns, "op.createIndex"),
      unique: index.unique ?? false,
      ...(index.definition ? { definition: index.definition } : {}),
    },
  }),
  dropIndex: (table, name) => ({ kind: "dropIndex", table: ref(table), name: text(name, "name") }),
  addUnique: (table, unique) => ({ kind: "addUnique", table: ref(table), unique }),
  dropUnique: (table, unique) => ({ kind: "dropUnique", table: ref(table), unique }),
  addForeignKey: (table, foreignKey) => ({ kind: "addForeignKey", table: ref(table), foreignKey }),
  dropForeignKey: (table, foreignKey) => ({
    kind: "dropForeignKey",
    table: ref(table),
    foreignKey,
  }),
  addCheck: (table, check) => ({ kind: "addCheck", table: ref(table), check }),
  dropCheck: (table, check) => ({ kind: "dropCheck", table: ref(table), check }),
  sql: sqlStep,
  run(fn, options = {}) {
    if (typeof fn !== "function") {
      throw new ArgumentError("op.run takes an async function of the migration's transaction.");
    }
    return {
      kind: "run",
      run: fn,
      ...(options.description ? { description: options.description } : {}),
      ...(options.losesRows ? { losesRows: options.losesRows } : {}),
    };
  },
};

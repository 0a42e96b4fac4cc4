/**
 * Operations as data: what a migration does, one step at a time. The diff produces them,
 * migration files list them, and each dialect carries them out (SQLite rebuilding a table
 * where it cannot ALTER it).
 *
 * @module
 */
import type { Fragment, Transaction } from "../mod.ts";
import type {
  CheckSnapshot,
  ColumnSnapshot,
  ForeignKeySnapshot,
  Generated,
  IndexSnapshot,
  TableRef,
  TableSnapshot,
  UniqueSnapshot,
} from "./snapshot.ts";

/**
 * Creates a table with its constraints and indexes.
 *
 * @example
 * ```ts
 * import type { CreateTable } from "@retort/orm/migrate";
 * const kind: CreateTable["kind"] = "createTable";
 * ```
 */
export interface CreateTable {
  /** The operation. */
  kind: "createTable";
  /** The table to create. */
  table: TableSnapshot;
}

/**
 * What every operation on one table has: the table.
 *
 * @example
 * ```ts
 * import type { OnTable } from "@retort/orm/migrate";
 * const on: OnTable = { table: { schema: "audit", name: "events" } };
 * ```
 */
export interface OnTable {
  /** The table it changes. */
  table: TableRef;
}

/**
 * Drops a table and its rows: a declared loss.
 *
 * @example
 * ```ts
 * import type { DropTable } from "@retort/orm/migrate";
 * const drop: DropTable = { kind: "dropTable", table: { name: "sessions" } };
 * ```
 */
export interface DropTable extends OnTable {
  /** The operation. */
  kind: "dropTable";
}

/**
 * Renames a table.
 *
 * @example
 * ```ts
 * import type { RenameTable } from "@retort/orm/migrate";
 * const r: RenameTable = { kind: "renameTable", table: { name: "people" }, to: "users" };
 * ```
 */
export interface RenameTable extends OnTable {
  /** The operation. */
  kind: "renameTable";
  /** The new name (in the same schema). */
  to: string;
}

/**
 * Adds a column.
 *
 * @example
 * ```ts
 * import type { AddColumn } from "@retort/orm/migrate";
 * const kind: AddColumn["kind"] = "addColumn";
 * ```
 */
export interface AddColumn extends OnTable {
  /** The operation. */
  kind: "addColumn";
  /** The new column. */
  column: ColumnSnapshot;
}

/**
 * Drops a column and its values.
 *
 * @example
 * ```ts
 * import type { DropColumn } from "@retort/orm/migrate";
 * const d: DropColumn = { kind: "dropColumn", table: { name: "users" }, column: "nickname" };
 * ```
 */
export interface DropColumn extends OnTable {
  /** The operation. */
  kind: "dropColumn";
  /** The column's name. */
  column: string;
}

/**
 * Renames a column, keeping its values.
 *
 * @example
 * ```ts
 * import type { RenameColumn } from "@retort/orm/migrate";
 * const r: RenameColumn = {
 *   kind: "renameColumn",
 *   table: { name: "users" },
 *   column: "name",
 *   to: "full_name",
 * };
 * ```
 */
export interface RenameColumn extends OnTable {
  /** The operation. */
  kind: "renameColumn";
  /** The column's current name. */
  column: string;
  /** Its new name. */
  to: string;
}

/**
 * What an ALTER COLUMN changes: each field present is set (`default: null` drops the default,
 * `generated: null` makes the column an ordinary one).
 *
 * @example
 * ```ts
 * import type { ColumnChanges } from "@retort/orm/migrate";
 * const changes: ColumnChanges = { nullable: false, default: "0" };
 * ```
 */
export interface ColumnChanges {
  /** The new type. */
  type?: string;
  /** Whether it allows NULL. */
  nullable?: boolean;
  /** The new DEFAULT expression, or `null` for none. */
  default?: string | null;
  /** How the database generates it, or `null` for not at all. */
  generated?: Generated | null;
  /**
   * A generated column's new expression: the column is computed anew (PostgreSQL drops it and
   * adds it again, keeping the indexes and constraints on it; SQLite rebuilds the table). `null`
   * makes a generated column an ordinary one that keeps its values.
   */
  computed?: string | null;
  /** With `computed`: the column is VIRTUAL (SQLite's, computed when read), not STORED. */
  virtual?: boolean;
}

/**
 * Changes a column's type, nullability, default, generation or generated expression.
 *
 * @example
 * ```ts
 * import type { AlterColumn } from "@retort/orm/migrate";
 * const a: AlterColumn = {
 *   kind: "alterColumn",
 *   table: { name: "users" },
 *   column: "age",
 *   changes: { type: "BIGINT" },
 * };
 * ```
 */
export interface AlterColumn extends OnTable {
  /** The operation. */
  kind: "alterColumn";
  /** The column's name. */
  column: string;
  /** What changes. */
  changes: ColumnChanges;
}

/**
 * Sets (or, with no columns, removes) the primary key.
 *
 * @example
 * ```ts
 * import type { SetPrimaryKey } from "@retort/orm/migrate";
 * const pk: SetPrimaryKey = { kind: "setPrimaryKey", table: { name: "t" }, columns: ["a", "b"] };
 * ```
 */
export interface SetPrimaryKey extends OnTable {
  /** The operation. */
  kind: "setPrimaryKey";
  /** The key's columns; empty to remove it. */
  columns: string[];
}

/**
 * Creates an index.
 *
 * @example
 * ```ts
 * import type { CreateIndex } from "@retort/orm/migrate";
 * const kind: CreateIndex["kind"] = "createIndex";
 * ```
 */
export interface CreateIndex extends OnTable {
  /** The operation. */
  kind: "createIndex";
  /** The index. */
  index: IndexSnapshot;
}

/**
 * Drops an index.
 *
 * @example
 * ```ts
 * import type { DropIndex } from "@retort/orm/migrate";
 * const d: DropIndex = { kind: "dropIndex", table: { name: "users" }, name: "ix_users_email" };
 * ```
 */
export interface DropIndex extends OnTable {
  /** The operation. */
  kind: "dropIndex";
  /** The index's name. */
  name: string;
}

/**
 * Adds or drops a UNIQUE constraint, a foreign key or a CHECK constraint. A dropped one is
 * found by its name where given, else by its columns (or its expression).
 *
 * @example
 * ```ts
 * import type { ConstraintOperation } from "@retort/orm/migrate";
 * const u: ConstraintOperation = {
 *   kind: "addUnique",
 *   table: { name: "users" },
 *   unique: { columns: ["email"] },
 * };
 * ```
 */
export type ConstraintOperation =
  | (OnTable & { kind: "addUnique"; unique: UniqueSnapshot })
  | (OnTable & { kind: "dropUnique"; unique: UniqueSnapshot })
  | (OnTable & { kind: "addForeignKey"; foreignKey: ForeignKeySnapshot })
  | (OnTable & { kind: "dropForeignKey"; foreignKey: ForeignKeySnapshot })
  | (OnTable & { kind: "addCheck"; check: CheckSnapshot })
  | (OnTable & { kind: "dropCheck"; check: CheckSnapshot });

/**
 * Hand-written SQL. `losesRows` names the tables whose rows it may delete, so that a
 * rehearsal accepts the loss.
 *
 * @example
 * ```ts
 * import { sql } from "@retort/orm";
 * import type { SqlStep } from "@retort/orm/migrate";
 * const step: SqlStep = { kind: "sql", sql: sql`DELETE FROM sessions`, losesRows: ["sessions"] };
 * ```
 */
export interface SqlStep {
  /** The operation. */
  kind: "sql";
  /** The statement. */
  sql: Fragment;
  /** Tables whose rows this step may delete. */
  losesRows?: string[];
}

/**
 * A data step: a function run on the migration's transaction.
 *
 * @example
 * ```ts
 * import { sql } from "@retort/orm";
 * import type { DataStep } from "@retort/orm/migrate";
 * const step: DataStep = {
 *   kind: "run",
 *   description: "fill emails",
 *   run: async (tx) => {
 *     await tx.run(sql`UPDATE users SET email = name || '@example.com'`);
 *   },
 * };
 * ```
 */
export interface DataStep {
  /** The operation. */
  kind: "run";
  /** What it does, for progress output. */
  description?: string;
  /** The step. */
  run: (tx: Transaction) => Promise<void>;
  /** Tables whose rows this step may delete. */
  losesRows?: string[];
}

/**
 * Every operation a migration can hold.
 *
 * @example
 * ```ts
 * import type { Operation } from "@retort/orm/migrate";
 * const ops: Operation[] = [{ kind: "dropIndex", table: { name: "users" }, name: "ix_users_email" }];
 * ```
 */
export type Operation =
  | CreateTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumn
  | SetPrimaryKey
  | CreateIndex
  | DropIndex
  | ConstraintOperation
  | SqlStep
  | DataStep;

/**
 * Operations that change the schema (every operation but hand-written SQL and data steps).
 *
 * @example
 * ```ts
 * import type { SchemaOperation } from "@retort/orm/migrate";
 * const kind: SchemaOperation["kind"] = "addColumn";
 * ```
 */
export type SchemaOperation = Exclude<Operation, SqlStep | DataStep>;

/**
 * Whether an operation changes the schema (rather than running SQL or a data step).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSchemaOperation } from "@retort/orm/migrate";
 * assert(isSchemaOperation({ kind: "dropTable", table: { name: "t" } }));
 * ```
 */
export function isSchemaOperation(op: Operation): op is SchemaOperation {
  return op.kind !== "sql" && op.kind !== "run";
}

/**
 * The table an operation changes (`undefined` for SQL and data steps).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operationTable } from "@retort/orm/migrate";
 * assert.equal(operationTable({ kind: "dropTable", table: { name: "t" } })?.name, "t");
 * ```
 */
export function operationTable(op: Operation): TableRef | undefined {
  return isSchemaOperation(op) ? op.table : undefined;
}

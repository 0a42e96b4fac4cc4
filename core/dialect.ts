/**
 * The dialect contract: the facts and hooks Core needs about a database's SQL. Core never
 * asks which database it talks to; it asks the dialect. A dialect implements:
 *
 * - spelling: placeholders, identifier quoting and length, string and byte literals, the
 *   empty `IN` list;
 * - types: the DDL and the conversions of each column type `kind` (see `TypeDialect`);
 * - DDL: how a generated key is declared, whether foreign keys closing a cycle are added with
 *   `ALTER TABLE` afterwards;
 * - queries: LIMIT/OFFSET (OFFSET without LIMIT), LIKE with and without case, row locks
 *   (`FOR UPDATE` / `FOR SHARE`, or nothing where the database locks otherwise);
 * - transactions: BEGIN with an isolation level, what a failed COMMIT leaves behind;
 * - writes: RETURNING and ON CONFLICT support, an optional batched UPDATE of many rows, and
 *   the parameter limit.
 *
 * Drivers (running text with parameters) are separate: see `driver.ts`.
 *
 * @module
 */
import type { Fragment, Identifier, SqlSource } from "./sql/nodes.ts";
import type { TypeDialect } from "./types/column_type.ts";

/**
 * A transaction's isolation level.
 *
 * @example
 * ```ts
 * import type { IsolationLevel } from "@retort/orm";
 * const level: IsolationLevel = "serializable";
 * ```
 */
export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

/**
 * A generated key as the DDL asks a dialect to declare it.
 *
 * @example
 * ```ts
 * import type { GeneratedKey } from "@retort/orm";
 * const key: GeneratedKey = {
 *   table: "users", column: "id", kind: "integer", typeSql: "INTEGER", soleKey: true, explicit: false,
 * };
 * ```
 */
export interface GeneratedKey {
  /** The table's name, for messages. */
  readonly table: string;
  /** The column's key, for messages. */
  readonly column: string;
  /** The column type's kind. */
  readonly kind: string;
  /** The column type's DDL. */
  readonly typeSql: string;
  /** Whether the column is the table's whole primary key. */
  readonly soleKey: boolean;
  /** Whether the column asked for it (`autoincrement()` or `identity()`), not by default. */
  readonly explicit: boolean;
}

/**
 * How a dialect declares a generated key: the type text, the clauses after it, and whether
 * those include `PRIMARY KEY`.
 *
 * @example
 * ```ts
 * import type { GeneratedKeySql } from "@retort/orm";
 * const sql: GeneratedKeySql = { type: "INTEGER", clauses: ["PRIMARY KEY"], primaryKey: true };
 * ```
 */
export interface GeneratedKeySql {
  /** The type in DDL. */
  readonly type: string;
  /** Clauses after the type. */
  readonly clauses: readonly string[];
  /** Whether `clauses` already make the column the primary key. */
  readonly primaryKey: boolean;
}

/**
 * One UPDATE of many rows that change the same columns, for {@linkcode Dialect.updateRows}.
 *
 * @example
 * ```ts
 * import type { RowsUpdate } from "@retort/orm";
 * function width(u: RowsUpdate): number {
 *   return u.keys.length + u.set.length;
 * }
 * ```
 */
export interface RowsUpdate {
  /** The table, as SQL (its qualified name). */
  readonly table: SqlSource<unknown>;
  /** The key columns that find each row. */
  readonly keys: readonly Identifier[];
  /** The columns set. */
  readonly set: readonly Identifier[];
  /** The DDL type of each key, then each set column (for casts). */
  readonly types: readonly string[];
  /** Per row: the key values, then the new values (encoded for the driver). */
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * A row lock a select asks for (`.forUpdate()`, `.forShare()`), for
 * {@linkcode Dialect.rowLock} to render.
 *
 * @example
 * ```ts
 * import type { RowLock } from "@retort/orm";
 * const lock: RowLock = { mode: "update", of: [], nowait: false, skipLocked: true };
 * ```
 */
export interface RowLock {
  /** `FOR UPDATE` (exclusive) or `FOR SHARE`. */
  readonly mode: "update" | "share";
  /** The tables whose rows are locked (`OF ...`), by name or alias; empty for all. */
  readonly of: readonly Identifier[];
  /** Fail at once when a row is locked by another transaction. */
  readonly nowait: boolean;
  /** Leave out rows locked by another transaction. */
  readonly skipLocked: boolean;
}

/**
 * A dialect: the SQL flavour of a database. `sqliteDialect` and `postgresDialect` are the two
 * Retort ships; a third implements this interface and needs no change in Core or the ORM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteDialect } from "@retort/orm";
 * assert(sqliteDialect.placeholder(3) === "?");
 * ```
 */
export interface Dialect extends TypeDialect {
  /** The dialect's name, as `sql.byDialect` cases name it. */
  readonly name: string;
  /** The most bound parameters one statement may carry. */
  readonly maxParams: number;
  /**
   * The most rows the ORM writes with one multi-row INSERT (within `maxParams`): past some
   * size a statement costs the database more per row (SQLite gathers RETURNING rows in a
   * temporary table before the first is read). Unset: as many as `maxParams` allows.
   */
  readonly insertRows?: number;
  /** The longest identifier, in UTF-8 bytes, the database keeps without truncating it. */
  readonly maxIdentifierLength: number;
  /** Whether INSERT, UPDATE and DELETE may end with RETURNING. */
  readonly supportsReturning: boolean;
  /** Whether INSERT takes `ON CONFLICT ... DO NOTHING / DO UPDATE`. */
  readonly supportsOnConflict: boolean;
  /** Whether foreign keys that close a cycle of tables are added by ALTER TABLE afterwards. */
  readonly defersCyclicForeignKeys: boolean;
  /**
   * A statement that defers foreign-key checks to the end of the transaction, run before
   * dropping tables that refer to each other (where they are not dropped by ALTER TABLE).
   */
  readonly deferForeignKeysSql?: string;
  /**
   * The error codes that mean a transaction lost a race (a serialization failure, a
   * deadlock, a busy database) and may succeed if run again.
   */
  readonly retriableCodes?: readonly string[];
  /** Whether a COMMIT that fails has ended the transaction (else it is rolled back). */
  readonly failedCommitEndsTransaction: boolean;
  /** The placeholder for the parameter at a 1-based position. */
  placeholder(position: number): string;
  /** Quotes one identifier part. */
  quote(name: string): string;
  /** What an empty `IN` list compiles to, given the text just before it. */
  emptyList(before: string): { before: string; list: string };
  /**
   * What a long `IN` list of values compiles to, given the text just before it: one
   * parameter holding every value (`= ANY($1)`, `IN (SELECT +value FROM json_each(?))`), so a
   * list of any length fits the parameter limit and the text does not change with the length.
   * `param` binds a value and returns its placeholder. Null: expand the list as usual.
   */
  longList?(
    before: string,
    values: readonly unknown[],
    param: (value: unknown) => string,
  ): { before: string; list: string } | null;
  /** A string as a SQL literal (checked: no NUL). */
  stringLiteral(text: string): string;
  /** Bytes as a SQL literal. */
  bytesLiteral(bytes: Uint8Array): string;
  /** How a generated key is declared; throws ArgumentError when the dialect cannot. */
  generatedKey(key: GeneratedKey): GeneratedKeySql;
  /** `LIMIT` and `OFFSET` with bound values, or null when both are null. */
  limitOffset(limit: number | null, offset: number | null): Fragment | null;
  /** `left LIKE pattern`: with case, or without (`caseInsensitive`). */
  like(left: unknown, pattern: unknown, caseInsensitive: boolean): Fragment;
  /**
   * The row-lock clause ending a select (`FOR UPDATE OF "jobs" SKIP LOCKED`), or null where
   * the database has none and locks in another way (SQLite locks the whole database for a
   * write transaction).
   */
  rowLock(lock: RowLock): Fragment | null;
  /** The statement that begins a transaction. */
  beginSql(isolationLevel: IsolationLevel | undefined): string;
  /** One UPDATE for many rows (`UPDATE ... FROM (VALUES ...)`), where the dialect has one. */
  updateRows?(update: RowsUpdate): Fragment;
  /**
   * Loads what the dialect does for migrations (a `MigrationDialect` of
   * `@retort/orm/migrate`: reflection, DDL, locks, rehearsal copies), where it has it. It
   * loads on demand, so that programs that never migrate never load it.
   */
  migrations?(): Promise<unknown>;
}

/**
 * SQL that a dialect renders: the compile step calls `render` with the dialect it compiles
 * for. Builders use it for what differs by dialect (LIMIT/OFFSET, LIKE).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, DialectSql, sql, sqliteDialect } from "@retort/orm";
 * const q = sql`SELECT ${new DialectSql((d) => sql`${d.name}`)}`;
 * assert(compile(q, sqliteDialect).params[0] === "sqlite");
 * ```
 */
export class DialectSql {
  /** Renders the SQL for a dialect. */
  readonly render: (dialect: Dialect) => Fragment;
  /** Builds the node. */
  constructor(render: (dialect: Dialect) => Fragment) {
    this.render = render;
  }
}

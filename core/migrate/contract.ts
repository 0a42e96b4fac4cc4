/**
 * What a dialect does for migrations: read its catalogue, read models as it would create
 * them, carry out operations (SQLite rebuilding tables where it cannot ALTER them), hold the
 * lock that keeps two runs apart, and make a copy to rehearse on. The core never asks which
 * database it is talking to; it asks this contract.
 *
 * @module
 */
import type { Connection, Engine, Executor, TableLike, Transaction } from "../mod.ts";
import type { Operation, SchemaOperation } from "./operations.ts";
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from "./snapshot.ts";

/**
 * Options of reflection.
 *
 * @example
 * ```ts
 * import type { ReflectOptions } from "@retort/orm/migrate";
 * const options: ReflectOptions = { schemas: ["public", "audit"], exclude: ["retort_migrations"] };
 * ```
 */
export interface ReflectOptions {
  /**
   * PostgreSQL schemas to read besides the default one (the first of the search path, whose
   * tables have no `schema` in the snapshot).
   */
  schemas?: readonly string[];
  /** Tables to leave out, by name (in any schema). */
  exclude?: readonly string[];
}

/**
 * Where progress goes: one line per step.
 *
 * @example
 * ```ts
 * import type { Progress } from "@retort/orm/migrate";
 * const progress: Progress = (line) => console.log(line);
 * ```
 */
export type Progress = (line: string) => void;

/**
 * A connection made ready to apply migrations: it holds the lock that keeps two runs from
 * applying the same migration (PostgreSQL: an advisory lock for the session; SQLite: each
 * migration's transaction takes the database's write lock first).
 *
 * @example
 * ```ts
 * import { sql } from "@retort/orm";
 * import type { MigrationSession } from "@retort/orm/migrate";
 * async function ping(session: MigrationSession): Promise<unknown> {
 *   return await session.db.scalar(sql`SELECT 1`);
 * }
 * ```
 */
export interface MigrationSession {
  /** Runs statements between migrations (reading versions, counting rows). */
  readonly db: Executor;
  /**
   * Runs one migration in a transaction of its own, committed when `fn` returns. `ops` are
   * the migration's operations, so the dialect can prepare (SQLite turns foreign keys off for
   * a migration that rebuilds or drops a table, checks them before committing, and turns them
   * back on even on failure).
   */
  transaction<T>(ops: readonly Operation[], fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Releases the lock and the connection. */
  close(): Promise<void>;
}

/**
 * A copy of a database to rehearse migrations on, thrown away afterwards.
 *
 * @example
 * ```ts
 * import type { Rehearsal } from "@retort/orm/migrate";
 * const where = (r: Rehearsal) => r.description;
 * ```
 */
export interface Rehearsal {
  /** The session to apply migrations on the copy with. */
  readonly session: MigrationSession;
  /** What the copy is, for messages ("a copy made with VACUUM INTO", ...). */
  readonly description: string;
  /** Throws the copy away. */
  dispose(): Promise<void>;
}

/**
 * Opens an engine on a URL: how a dialect opens the copy it rehearses on.
 *
 * @example
 * ```ts
 * import { createEngine } from "@retort/orm";
 * import type { OpenEngine } from "@retort/orm/migrate";
 * const open: OpenEngine = (url) => createEngine(url);
 * ```
 */
export type OpenEngine = (url: string) => Engine;

/**
 * The migration side of a dialect.
 *
 * @example
 * ```ts
 * import type { MigrationDialect } from "@retort/orm/migrate";
 * const describe = (d: MigrationDialect) => `migrations for ${d.name}`;
 * ```
 */
export interface MigrationDialect {
  /** The dialect's name, for messages. */
  readonly name: string;
  /** Reads the database's tables, columns, keys, indexes and constraints. */
  reflect(db: Executor, options?: ReflectOptions): Promise<SchemaSnapshot>;
  /**
   * Tables (or model classes) as reflection would read them once created: the same spelling
   * of types, defaults and checks, so that `createAll` then `reflect` compares equal (through
   * `comparable`, where the dialect has it: the text a migration writes is this spelling, and
   * the server may print it once more in a spelling of its own).
   */
  snapshot(tables: readonly TableLike[], db: Executor): Promise<SchemaSnapshot>;
  /**
   * The database's snapshot (from `reflect`) with its expressions (defaults, generated
   * columns, checks) spelled as `snapshot` spells the models' ones, where the server's
   * printing of an expression it printed is not always the same text (PostgreSQL). The diff
   * compares this form; without it, reflection's text is compared as it is.
   */
  comparable?(db: Executor, schema: SchemaSnapshot): Promise<SchemaSnapshot>;
  /** Whether changing a column's type from one to the other may lose or refuse values. */
  narrows(from: string, to: string): boolean;
  /** Carries out schema operations on a migration's transaction. */
  apply(tx: Transaction, ops: readonly SchemaOperation[], progress?: Progress): Promise<void>;
  /**
   * Makes a connection ready to apply migrations, taking the lock, waiting at most
   * `lockTimeout` milliseconds for another run to release it (10 minutes when not given);
   * past that it fails with an OperationalError naming the lock (see `lockTimeoutError`).
   * A dialect whose lock is taken by each migration's first write (SQLite) waits no longer
   * than `lockTimeout` in any one statement.
   */
  open(conn: Connection, progress?: Progress, lockTimeout?: number): Promise<MigrationSession>;
  /** Makes a copy of the database to rehearse migrations on. */
  rehearsal(engine: Engine, open: OpenEngine): Promise<Rehearsal>;
  /**
   * Whether an error says another run holds the database's lock (SQLite: busy), so that
   * the migration is tried again once it is free.
   */
  isBusy(error: unknown): boolean;
  /**
   * Rows that break a constraint the database did not check when it was added (SQLite: its
   * foreign keys and CHECK constraints), one line each; empty when there are none.
   */
  violations(db: Executor): Promise<string[]>;
  /**
   * The Retort column factory a column's type maps to, as source text
   * (`column.varchar(200)`), or `null` when Retort has no such type; for `pull`.
   */
  columnFactory(column: ColumnSnapshot, table: TableSnapshot): string | null;
  /**
   * What the Retort type `columnFactory` gives changes of the column's own (PostgreSQL's
   * `timestamptz` keeps microseconds, Retort's milliseconds), as a sentence, or `null`; for
   * `pull`'s warnings.
   */
  pullWarning?(column: ColumnSnapshot): string | null;
  /**
   * The column and values of a CHECK that allows one of a fixed set of strings (how Retort
   * writes `column.enum([...])`), or `null` for any other check; for `pull`.
   */
  enumCheck(expression: string): { column: string; values: string[] } | null;
}

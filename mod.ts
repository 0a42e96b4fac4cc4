/**
 * Retort: a Deno-first ORM for TypeScript, after SQLAlchemy 2.0.
 *
 * Core: the `sql` tag builds safe, composable fragments (values always bound, identifiers
 * quoted) compiled per dialect; an Engine runs them with connections, transactions,
 * savepoints and `echo` logging. SQLite (`node:sqlite`, or a `@db/sqlite` Database) and
 * PostgreSQL (`npm:postgres`) are supported; each driver loads only when used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite:///:memory:");
 * await engine.run(sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
 * await engine.run(sql`INSERT INTO users (name) VALUES (${"ada"}), (${"grace"})`);
 * const names = await engine.all<{ name: string }>(
 *   sql`SELECT name FROM users WHERE id IN ${sql.list([1, 2])} ORDER BY id`,
 * );
 * assert(names.map((r) => r.name).join() === "ada,grace");
 * ```
 *
 * @module
 */
export * from "./core/errors.ts";
export {
  ByDialect,
  Fragment,
  Identifier,
  List,
  Literal,
  Param,
  type Row,
  sql,
  type SqlSource,
  type SqlTag,
  toSql,
  TypedParam,
} from "./core/sql.ts";
export { compile, type Compiled, isCompileCached, quoteIdentifier } from "./core/compile.ts";
export { type Dialect, postgresDialect, sqliteDialect } from "./core/dialect.ts";
export type { Driver, DriverConnection, QueryMode, QueryResult } from "./core/driver.ts";
export {
  Connection,
  createEngine,
  type EchoEntry,
  type EchoFunction,
  Engine,
  type EngineOptions,
  type EngineSource,
  Executor,
  type PostgresClient,
  type RunResult,
  type SqliteClient,
  sqlitePathOf,
  Transaction,
  type TransactionOptions,
} from "./core/engine.ts";
export {
  type ColumnType,
  type Converter,
  enumType,
  numeric,
  types,
  varchar,
} from "./core/types.ts";
export {
  type BoundColumns,
  Column,
  column,
  type ColumnConfig,
  type ColumnDefault,
  type Columns,
  constraint,
  type InsertOf,
  type ReferenceOptions,
  type ReferentialAction,
  type RowOf,
  snakeCase,
  Table,
  table,
  type TableConstraint,
} from "./core/schema.ts";
export { Model, type ModelClass, type ModelOptions } from "./orm/model.ts";
export type { MappedClass } from "./orm/mapper.ts";
export {
  type Collection,
  Relationship,
  relationship,
  type RelationshipOptions,
} from "./orm/relationship.ts";
export { joined, type LoaderOption, selectin } from "./orm/loading.ts";
export {
  type EntityQuery,
  type ExecuteResult,
  Session,
  sessionMaker,
  type SessionOptions,
  type SessionSavepoint,
} from "./orm/session.ts";
export { inspect, type InstanceInfo } from "./orm/inspect.ts";
export type { ObjectStatus } from "./orm/state.ts";
export {
  type Executable,
  isEntity,
  isJoinable,
  type Joinable,
  type TableLike,
  tableOf,
  toJoin,
} from "./core/statement.ts";
export {
  createAllStatements,
  createTableStatements,
  type DdlOptions,
  dropAllStatements,
  dropTableStatements,
  sortTables,
} from "./core/ddl.ts";
export {
  ColumnRef,
  type Condition,
  type Expression,
  type ResultColumn,
  typed,
  TypedExpression,
} from "./core/builder/expression.ts";
export {
  and,
  asc,
  between,
  desc,
  eq,
  excluded,
  exists,
  ge,
  gt,
  ilike,
  inList,
  isNotNull,
  isNull,
  le,
  like,
  lt,
  ne,
  not,
  notIn,
  or,
  type OrderOptions,
} from "./core/builder/operators.ts";
export {
  Compound,
  Cte,
  type EntityClass,
  type FromItem,
  type OrderItem,
  QueryBase,
  type RecursiveOptions,
  type RefsOf,
  type RowOfColumns,
  type RowOfRecord,
  type ScalarOf,
  Select,
  select,
  type SelectItem,
  type SetOperator,
  Subquery,
  union,
  unionAll,
  type ValueOf,
  withCte,
  withRecursive,
} from "./core/builder/select.ts";
export {
  type ColumnsOf,
  type Conflict,
  type DoUpdateOptions,
  Insert,
  insert,
  type InsertRow,
  OnConflict,
  type UpdateValues,
} from "./core/builder/insert.ts";
export { Update, update } from "./core/builder/update.ts";
export { Delete, deleteFrom, deleteFrom as delete } from "./core/builder/delete.ts";

/**
 * Retort Core, without the ORM: the `sql` tag and its compile step, schema and DDL, the
 * statement builder, the Engine's connections and transactions, and the error taxonomy.
 * Everything here imports only `core/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql } from "@retort/orm";
 * assert(typeof compile === "function" && sql`SELECT 1`.strings[0] === "SELECT 1");
 * ```
 *
 * @module
 */
export * from "./errors.ts";
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
} from "./sql.ts";
export { compile, type Compiled, isCompileCached, quoteIdentifier } from "./compile.ts";
export type { Dialect } from "./dialect.ts";
export type { Driver, DriverConnection, QueryMode, QueryResult } from "./driver.ts";
export {
  Connection,
  type EchoEntry,
  type EchoFunction,
  Engine,
  type EngineOptions,
  Executor,
  type RunResult,
  Transaction,
  type TransactionOptions,
} from "./engine.ts";
export { type ColumnType, type Converter, enumType, numeric, types, varchar } from "./types.ts";
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
} from "./schema.ts";
export {
  type Executable,
  isEntity,
  isJoinable,
  type Joinable,
  type TableLike,
  tableOf,
  toJoin,
} from "./statement.ts";
export {
  createAllStatements,
  createTableStatements,
  type DdlOptions,
  dropAllStatements,
  dropTableStatements,
  sortTables,
} from "./ddl.ts";
export {
  ColumnRef,
  type Condition,
  type Expression,
  type ResultColumn,
  typed,
  TypedExpression,
} from "./builder/expression.ts";
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
} from "./builder/operators.ts";
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
} from "./builder/select.ts";
export {
  type ColumnsOf,
  type Conflict,
  type DoUpdateOptions,
  Insert,
  insert,
  type InsertRow,
  OnConflict,
  type UpdateValues,
} from "./builder/insert.ts";
export { Update, update } from "./builder/update.ts";
export { Delete, deleteFrom, deleteFrom as delete } from "./builder/delete.ts";

/**
 * Retort Core's exports, importing only `core/`: the `sql` tag and its compile step, the
 * dialect and driver contracts, column types, schema and DDL, the statement builder, the
 * Engine's connections and transactions, and the error taxonomy. (`createEngine`, which
 * knows the databases, sits above it: see `core.ts`.)
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
  type PlainRow,
  type Row,
  type SqlOf,
  type SqlSource,
  toSql,
} from "./sql/nodes.ts";
export { sql, type SqlTag } from "./sql/tag.ts";
export { compile, type Compiled, isCompileCached, quoteIdentifier } from "./sql/compile.ts";
export {
  type Dialect,
  DialectSql,
  type GeneratedKey,
  type GeneratedKeySql,
  type IsolationLevel,
  type RowLock,
  type RowsUpdate,
} from "./dialect.ts";
export type { Driver, DriverConnection, QueryMode, QueryResult } from "./driver.ts";
export { Connection, Transaction, type TransactionOptions } from "./engine/connection.ts";
export { type EchoEntry, type EchoFunction, echoLine } from "./engine/echo.ts";
export { Engine, type EngineOptions } from "./engine/engine.ts";
export { Executor, type RunResult } from "./engine/executor.ts";
export type { StreamOptions } from "./engine/stream.ts";
export { isRetriable, type RetryOptions } from "./engine/retry.ts";
export type { ColumnType, Converter, TypeDialect } from "./types/column_type.ts";
export { enumType, numeric, types, varchar } from "./types/builtin.ts";
export { TypedParam } from "./types/param.ts";
export type { ResultType } from "./types/decode.ts";
export { column } from "./schema/factories.ts";
export {
  type Bindable,
  Column,
  type ColumnConfig,
  type ColumnDefault,
  type ColumnTable,
  type ReadonlyColumn,
  type ReferencedTable,
  type ReferenceOptions,
  type ReferentialAction,
  snakeCase,
} from "./schema/column.ts";
export type { BoundColumns, Columns, InsertOf, KeyValue, RowOf, RowTypes } from "./schema/rows.ts";
export {
  constraint,
  type PrimaryKeyConstraint,
  type TableConstraint,
} from "./schema/constraint.ts";
export { sameTable, Table, table, type TableName } from "./schema/table.ts";
export {
  type EntityClass,
  type EntitySelection,
  entitySelection,
  entityWhere,
  type Executable,
  isEntity,
  isJoinable,
  type Joinable,
  type TableLike,
  tableOf,
  toJoin,
} from "./statement.ts";
export { createAllStatements, createTableStatements, type DdlOptions } from "./ddl/create.ts";
export { dropAllStatements, dropTableStatements } from "./ddl/drop.ts";
export { sortTables } from "./ddl/order.ts";
export {
  ColumnRef,
  type Expression,
  orNull,
  typed,
  TypedExpression,
} from "./builder/expression.ts";
export type { ResultColumn } from "./builder/rows.ts";
export { type Condition, type OrderItem } from "./builder/clauses.ts";
export {
  between,
  eq,
  ge,
  gt,
  inList,
  isNotNull,
  isNull,
  le,
  lt,
  ne,
  notIn,
} from "./builder/comparison.ts";
export { and, exists, not, notExists, or } from "./builder/logic.ts";
export { fn, type Functions } from "./builder/functions.ts";
export { FunctionExpression, WindowFunction, type WindowSpec } from "./builder/window.ts";
export { ilike, like } from "./builder/text.ts";
export { asc, desc, type OrderOptions } from "./builder/order.ts";
export { type Conflict, excluded } from "./builder/conflict.ts";
export type {
  ColumnsOf,
  DistinctKeys,
  InsertRow,
  RowOfColumns,
  RowOfRecord,
  RowsOf,
  ScalarOf,
  SelectItem,
  UpdateValues,
  ValueOf,
} from "./builder/row_types.ts";
export { Cte, type NestedQuery, type RefsOf, Subquery } from "./builder/cte.ts";
export type { FromItem } from "./builder/join.ts";
export {
  Compound,
  QueryBase,
  type RecursiveOptions,
  type SetOperator,
  union,
  unionAll,
  withCte,
  withRecursive,
} from "./builder/query.ts";
export { Select, select } from "./builder/select.ts";
export type { LockOptions } from "./builder/lock.ts";
export { type DoUpdateOptions, Insert, insert, OnConflict } from "./builder/insert.ts";
export { Update, update } from "./builder/update.ts";
export { Delete, deleteFrom, deleteFrom as delete } from "./builder/delete.ts";
export type {
  EntityObject,
  LoaderFor,
  LoaderOf,
  LoaderOption,
  QueryOption,
  RelatedOf,
  RelationshipNames,
  SelectOption,
} from "./builder/loaders.ts";

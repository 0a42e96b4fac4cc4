/**
 * The column type contract: what a column's values are in TypeScript, how they are checked
 * before anything is sent, and (through the dialect) how they are spelled in DDL and converted
 * on their way to and from the driver.
 *
 * @module
 */
import type { Fragment, SqlSource } from "../sql/nodes.ts";

/**
 * A conversion function, or `null` when values pass through as they are.
 *
 * @example
 * ```ts
 * import type { Converter } from "@retort/orm";
 * const toUpper: Converter = (v) => String(v).toUpperCase();
 * ```
 */
export type Converter = ((value: unknown) => unknown) | null;

/**
 * What a column type asks of a dialect: its DDL and its conversions, found by the type's
 * `kind`. Every {@linkcode Dialect} is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteDialect, type TypeDialect, types } from "@retort/orm";
 * const d: TypeDialect = sqliteDialect;
 * assert(d.typeSql(types.text) === "TEXT");
 * ```
 */
export interface TypeDialect {
  /** The dialect's name. */
  readonly name: string;
  /** The type in DDL. */
  typeSql(type: ColumnType): string;
  /** JavaScript value → driver value, or null for none. */
  encoder(type: ColumnType): Converter;
  /** Driver value → JavaScript value, or null for none. */
  decoder(type: ColumnType): Converter;
}

/**
 * A column type. `T` is the TypeScript type of the column's values. Built-in types have a
 * `kind` that every dialect maps to its DDL and conversions; a type of your own may answer
 * `ddl`, `encoder` and `decoder` itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteDialect, types } from "@retort/orm";
 * assert(types.boolean.ddl(sqliteDialect) === "BOOLEAN");
 * assert(types.boolean.decoder(sqliteDialect)!(1) === true);
 * ```
 */
export interface ColumnType<T = unknown> {
  /** The type's name, as users spell it: "integer", "varchar(20)"... */
  readonly name: string;
  /** What dialects map: "integer", "varchar", "numeric", "enum"... */
  readonly kind: string;
  /** The most characters (`varchar`). */
  readonly length?: number;
  /** The digits in all and after the point (`numeric`). */
  readonly precision?: number;
  /** The digits after the point (`numeric`). */
  readonly scale?: number;
  /** The allowed values (`enum`). */
  readonly values?: readonly string[];
  /**
   * The type of a value compared with the column's, where it is not the column's own: the same
   * values without the column's rounding, as the database compares them (`numeric(10, 2)`:
   * `numeric`, so that `price = '1.005'` is not rounded to 1.01).
   */
  readonly compared?: ColumnType;
  /** The type in DDL. */
  ddl(dialect: TypeDialect): string;
  /** JavaScript value → driver value, or null for none. */
  encoder(dialect: TypeDialect): Converter;
  /** Driver value → JavaScript value, or null for none. */
  decoder(dialect: TypeDialect): Converter;
  /** Why a value cannot go in this column, or null when it can. */
  check(value: unknown): string | null;
  /**
   * A CHECK condition needed to enforce the type (enums), given the column as SQL; its values
   * are literals, since DDL cannot bind parameters.
   */
  checkSql?(column: SqlSource<unknown>): Fragment | null;
  /** Type-only: the value type. */
  readonly "~value"?: T;
}

/**
 * Parameters bound for a column type, which the compile step encodes for its dialect.
 *
 * @module
 */
import { Param } from "../sql/nodes.ts";
import type { ColumnType } from "./column_type.ts";

/**
 * A parameter bound for a column type: the compile step encodes its value with the type's
 * encoder for the dialect (a boolean becomes 0/1 on SQLite, a Date ISO text, JSON text...).
 * The statement builder makes these after checking the value with `type.check`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, sqliteDialect, TypedParam, types } from "@retort/orm";
 * const q = sql`SELECT ${new TypedParam(true, types.boolean)}`;
 * assert(compile(q, sqliteDialect).params[0] === 1);
 * ```
 */
export class TypedParam extends Param {
  /** The column type whose encoder applies. */
  readonly type: ColumnType;
  /** Builds a typed parameter around a value already checked with `type.check`. */
  constructor(value: unknown, type: ColumnType) {
    super(value);
    this.type = type;
  }
}

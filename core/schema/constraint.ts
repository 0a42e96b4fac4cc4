/**
 * Table-level constraints and indexes: composite primary keys, unique constraints, indexes
 * and CHECK constraints.
 *
 * @module
 */
import type { Fragment } from "../sql/nodes.ts";
import type { Column } from "./column.ts";

/**
 * A table-level constraint or index, from `primaryKey(...)`, `unique(...)`, `index(...)` or
 * `check(...)`.
 *
 * @example
 * ```ts
 * import type { TableConstraint } from "@retort/orm";
 * const c: TableConstraint = { kind: "unique", columns: ["a", "b"] };
 * ```
 */
export interface TableConstraint {
  /** The kind of constraint. */
  kind: "primaryKey" | "unique" | "index" | "check";
  /** The column keys it covers (not for checks). */
  columns?: string[];
  /** The constraint's or index's name. */
  name?: string;
  /** The condition, for a check. */
  condition?: Fragment;
  /** Whether an index is unique. */
  unique?: boolean;
}

/**
 * A composite primary key from `constraint.primaryKey(...)`; its type keeps the key's columns
 * in order, so a mapped class's key is typed from them (`session.get(Pair, [1, 2])`).
 *
 * @example
 * ```ts
 * import { column, constraint, type PrimaryKeyConstraint } from "@retort/orm";
 * const a = column.integer();
 * const b = column.text();
 * const pk: PrimaryKeyConstraint<readonly [typeof a, typeof b]> = constraint.primaryKey(a, b);
 * ```
 */
export interface PrimaryKeyConstraint<A extends readonly Column[] = readonly Column[]>
  extends TableConstraint {
  /** Type-only: the key's columns, in order. */
  readonly "~key"?: A;
}

/**
 * Table-level constraint helpers, used in `table(name, columns, (c) => [...])`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, constraint, table } from "@retort/orm";
 * const tags = table("post_tags", {
 *   postId: column.integer(),
 *   tagId: column.integer(),
 * }, (c) => [constraint.primaryKey(c.postId, c.tagId)]);
 * assert(tags.primaryKey.length === 2);
 * ```
 */
export const constraint: {
  /** A composite primary key. */
  primaryKey<const A extends readonly Column[]>(...columns: A): PrimaryKeyConstraint<A>;
  /** A composite unique constraint. */
  unique(...columns: Column[]): TableConstraint;
  /** An index over columns (named, optionally unique). */
  index(name: string, columns: Column[], options?: { unique?: boolean }): TableConstraint;
  /** A table CHECK constraint. */
  check(name: string, condition: Fragment): TableConstraint;
} = {
  primaryKey: (...columns) => ({ kind: "primaryKey", columns: columns.map((c) => c.key) }),
  unique: (...columns) => ({ kind: "unique", columns: columns.map((c) => c.key) }),
  index: (name, columns, options = {}) => ({
    kind: "index",
    name,
    columns: columns.map((c) => c.key),
    unique: options.unique ?? false,
  }),
  check: (name, condition) => ({ kind: "check", name, condition }),
};

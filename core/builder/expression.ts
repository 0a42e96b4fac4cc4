/**
 * Typed expressions: columns, subquery columns and typed fragments, and how a value compared
 * with or stored in one is checked and bound.
 *
 * @module
 */
import { ArgumentError, RetortError } from "../errors.ts";
import { Column } from "../schema/column.ts";
import { checkParam, isSqlNode } from "../sql/check.ts";
import { Fragment, Identifier, Param, type SqlSource, toSql } from "../sql/nodes.ts";
import { types } from "../types/builtin.ts";
import type { ColumnType } from "../types/column_type.ts";
import { TypedParam } from "../types/param.ts";

/**
 * A SQL expression whose value has the TypeScript type `T`: a column, a subquery's column,
 * a {@linkcode typed} fragment. Operators check values against it; selects type rows by it.
 *
 * @example
 * ```ts
 * import { column, type Expression, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const id: Expression<number> = users.c.id;
 * ```
 */
export interface Expression<T = unknown> extends SqlSource<unknown> {
  /** Type-only: the value type (never set at run time). */
  readonly "~type"?: T;
}

/**
 * A column of a subquery or CTE: `sub.c.total`. It renders as `"sub"."total"` and carries
 * the column type of what it selects, so outer selects decode it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, compile, select, sqliteDialect, table } from "@retort/orm";
 * const users = table("users", { id: column.integer().primaryKey() });
 * const sub = select(users.c.id).as("u");
 * assert(compile(sub.c.id, sqliteDialect).text === '"u"."id"');
 * ```
 */
export class ColumnRef<T = unknown, K extends string = string> implements Expression<T> {
  /** The key rows are returned under. */
  readonly key: K;
  /** The column type of the value, or null when unknown. */
  readonly type: ColumnType | null;
  /** The subquery's or CTE's name. */
  readonly alias: string;
  /** The subquery or CTE it belongs to (what a select using it reads FROM). */
  readonly source: SqlSource;
  /** Type-only: the value type. */
  declare readonly "~type"?: T;
  #sql: Fragment;

  /** Internal: use `subquery.c.<key>`. */
  constructor(key: K, type: ColumnType | null, alias: string, source: SqlSource) {
    this.key = key;
    this.type = type;
    this.alias = alias;
    this.source = source;
    this.#sql = new Fragment(["", ""], [new Identifier([alias, key])]);
  }

  /** Renders as the qualified name. */
  [toSql](): Fragment {
    return this.#sql;
  }
}

/**
 * A fragment with a value type, and optionally a column type whose decoder applies when a
 * select returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TypedExpression, sql, types } from "@retort/orm";
 * const e = new TypedExpression<boolean>(sql`1 = 1`, types.boolean);
 * assert(e.type === types.boolean);
 * ```
 */
export class TypedExpression<T = unknown> implements Expression<T> {
  /** The SQL. */
  readonly fragment: Fragment;
  /** The column type of the value (for checking and decoding), or null. */
  readonly type: ColumnType | null;
  /** What a select of it alone reads FROM (a function of a column: the column's table). */
  readonly source: SqlSource<unknown> | undefined;
  /** Type-only: the value type. */
  declare readonly "~type"?: T;

  /** Builds a typed expression. Prefer {@linkcode typed}. */
  constructor(fragment: Fragment, type: ColumnType | null = null, source?: SqlSource<unknown>) {
    this.fragment = fragment;
    this.type = type;
    this.source = source;
  }

  /** Renders as the fragment. */
  [toSql](): Fragment {
    return this.fragment;
  }
}

/**
 * Gives a fragment a value type (and optionally a column type, whose decoder applies to
 * what a select returns): `typed<number>(sql\`count(*)\`)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, select, sql, typed, types } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const q = select({ yes: typed(sql`1 = 1`, types.boolean) });
 * const row = await engine.one(q);
 * assert(row.yes === true);
 * ```
 */
export function typed<T>(fragment: Fragment, type: ColumnType<T>): TypedExpression<T>;
/**
 * Gives a fragment a value type only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, select, sql, typed } from "@retort/orm";
 * await using engine = createEngine("sqlite::memory:");
 * const row = await engine.one(select({ n: typed<number>(sql`6 * 7`) }));
 * const n: number = row.n;
 * assert(n === 42);
 * ```
 */
export function typed<T = unknown>(fragment: Fragment): TypedExpression<T>;
export function typed<T>(fragment: Fragment, type?: ColumnType<T>): TypedExpression<T> {
  if (!(fragment instanceof Fragment)) {
    throw new ArgumentError("typed(...) takes a fragment: typed(sql`count(*)`, types.integer).");
  }
  return new TypedExpression<T>(fragment, type ?? null);
}

/** The column type of an expression, when it has one. */
export function typeOf(e: unknown): ColumnType | null {
  if (e instanceof Column) return e.type;
  if (e instanceof ColumnRef || e instanceof TypedExpression) return e.type;
  if (isQuery(e)) {
    const cols = (e as { columns?: readonly { type: ColumnType | null }[] }).columns;
    if (cols?.length === 1) return cols[0].type;
  }
  return null;
}

/** The table or subquery the first column among `items` belongs to, if any. */
export function sourceOf(items: readonly unknown[]): SqlSource<unknown> | undefined {
  for (const e of items) {
    if (e instanceof Column && e.table !== undefined) return e.table;
    if (e instanceof ColumnRef || e instanceof TypedExpression) {
      if (e.source !== undefined) return e.source;
    }
  }
  return undefined;
}

/** How an expression is named in errors: `users.email`. */
export function nameOf(e: unknown): string {
  if (e instanceof Column) return `${e.table?.alias ?? e.table?.name ?? "?"}.${e.key}`;
  if (e instanceof ColumnRef) return `${e.alias}.${e.key}`;
  return "The value";
}

/**
 * An expression typed as possibly NULL, decoded as before: a column of the table a `leftJoin`
 * joins, which is NULL where no row matched (a row type cannot tell which table a column
 * came from, so the join leaves it typed as declared).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, orNull, select, sql, table } from "@retort/orm";
 * const users = table("or_null_doc_users", { id: column.integer().primaryKey() });
 * const posts = table("or_null_doc_posts", {
 *   id: column.integer().primaryKey(),
 *   title: column.text(),
 *   authorId: column.integer().references(() => users.c.id),
 * });
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([users, posts]);
 * await engine.run(sql`INSERT INTO or_null_doc_users (id) VALUES (1)`);
 * const q = select({ id: users.c.id, title: orNull(posts.c.title) }).from(users).leftJoin(posts);
 * const [row] = await engine.all(q);
 * const title: string | null = row.title;
 * assert.equal(title, null);
 * ```
 */
export function orNull<T>(expression: Expression<T>): TypedExpression<T | null> {
  const e = checkLeft(expression, "orNull");
  return new TypedExpression<T | null>(new Fragment(["", ""], [e]), typeOf(e), sourceOf([e]));
}

/** A statement usable as a value: rendered in parentheses by the builder. */
export interface Query extends SqlSource<unknown> {
  /** Marks statements (selects, unions) that need parentheses as expressions. */
  readonly isQuery: true;
}

/** Whether a value is a query (a select or a union), which nests in parentheses. */
export function isQuery(v: unknown): v is Query {
  return typeof v === "object" && v !== null && (v as Partial<Query>).isQuery === true;
}

/**
 * Precedence marks: what a fragment the builder made is, so that using it needs parentheses or
 * not. An `atom` never does (`TRUE`, `EXISTS (...)`); a `condition` (a comparison, `NOT`) does
 * as the operand of another operator, not inside AND/OR; `and` and `or` lists do but inside
 * their own kind.
 */
export const precedence: WeakMap<object, "atom" | "condition" | "and" | "or"> = new WeakMap();

/**
 * An operand as SQL: a query in parentheses, and a condition or AND/OR list the builder made
 * (`(a = 1) IN (...)`, `x = (a AND b)`); anything else as it renders.
 */
export function operand(v: SqlSource<unknown>): unknown {
  if (isQuery(v)) return new Fragment(["(", ")"], [v]);
  const mark = precedence.get(v);
  return mark !== undefined && mark !== "atom" ? new Fragment(["(", ")"], [v]) : v;
}

const JSON_TYPES: ReadonlySet<ColumnType> = new Set([types.json, types.jsonb]);

/**
 * Binds a value compared with or stored in `target`: SQL nests (a query in parentheses); a
 * value is checked with the target's column type and bound as a typed parameter, which the
 * compile step encodes for its dialect.
 */
export function bindValue(
  target: unknown,
  value: unknown,
  where?: string,
  compared = false,
): unknown {
  try {
    return bindChecked(target, value, where, compared);
  } catch (error) {
    if (error instanceof RetortError) throw error;
    // A revoked Proxy, or one whose traps throw, cannot even be looked at.
    throw new ArgumentError(
      `${where ?? nameOf(target)} could not be inspected (${
        (error as Error)?.message ?? error
      }); ` +
        "bind a plain value, not a Proxy or an object whose properties throw.",
      { cause: error },
    );
  }
}

/** `bindValue` for a value compared with `target`: bound with the type it compares as. */
export function bindCompared(target: unknown, value: unknown, where?: string): unknown {
  return bindValue(target, value, where, true);
}

function bindChecked(
  target: unknown,
  value: unknown,
  where: string | undefined,
  compared: boolean,
): unknown {
  if (
    typeof value === "object" && value !== null && isSqlNode(value) && !(value instanceof Param)
  ) {
    return operand(value as SqlSource<unknown>);
  }
  if (value instanceof Param) return value;
  const own = typeOf(target);
  // A value compared with a column is bound as the database compares it, not as it stores it.
  const type = compared ? own?.compared ?? own : own;
  const label = where ?? nameOf(target);
  if (value === undefined) {
    throw new ArgumentError(`${label} is undefined; pass null for SQL NULL.`);
  }
  if (type === null) return new Param(checkParam(value, label));
  if (value === null) return new Param(null);
  const problem = type.check(value);
  if (problem !== null) throw new ArgumentError(`${label} ${problem}.`);
  if (typeof value === "string" && !JSON_TYPES.has(type) && !value.isWellFormed()) {
    checkParam(value, label); // throws, naming the lone surrogate
  }
  return new TypedParam(value, type);
}

/** Checks the left side of an operator: a column or SQL expression. */
export function checkLeft(left: unknown, op: string): SqlSource<unknown> {
  if (typeof left !== "object" || left === null) {
    throw new ArgumentError(
      `${op}(...) takes a column or SQL expression on the left, not ${typeof left}; ` +
        `write ${op}(users.c.id, 1).`,
    );
  }
  return left as SqlSource<unknown>;
}

/**
 * What the statement builder shares: typed expressions, column references of subqueries,
 * binding a value for a column (checked, then encoded by the compile step), and decoding the
 * rows a statement returns.
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import { ArgumentError, RetortError } from "../errors.ts";
import { Column, type Table } from "../schema.ts";
import {
  ByDialect,
  checkParam,
  Fragment,
  Identifier,
  isSqlNode,
  List,
  Param,
  type Row,
  type SqlSource,
  toSql,
  TypedParam,
} from "../sql.ts";
import { type ColumnType, type Converter, types } from "../types.ts";

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
  /** Type-only: the value type. */
  declare readonly "~type"?: T;

  /** Builds a typed expression. Prefer {@linkcode typed}. */
  constructor(fragment: Fragment, type: ColumnType | null = null) {
    this.fragment = fragment;
    this.type = type;
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
    const cols = (e as { columns?: readonly ResultColumn[] }).columns;
    if (cols?.length === 1) return cols[0].type;
  }
  return null;
}

/** How an expression is named in errors: `users.email`. */
export function nameOf(e: unknown): string {
  if (e instanceof Column) return `${e.table?.alias ?? e.table?.name ?? "?"}.${e.key}`;
  if (e instanceof ColumnRef) return `${e.alias}.${e.key}`;
  return "The value";
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

/** An operand as SQL: a query in parentheses, anything else as it renders. */
export function operand(v: SqlSource<unknown>): unknown {
  return isQuery(v) ? new Fragment(["(", ")"], [v]) : v;
}

const JSON_TYPES: ReadonlySet<ColumnType> = new Set([types.json, types.jsonb]);

/**
 * Binds a value compared with or stored in `target`: SQL nests (a query in parentheses); a
 * value is checked with the target's column type and bound as a typed parameter, which the
 * compile step encodes for its dialect.
 */
export function bindValue(target: unknown, value: unknown, where?: string): unknown {
  try {
    return bindChecked(target, value, where);
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

function bindChecked(target: unknown, value: unknown, where?: string): unknown {
  if (
    typeof value === "object" && value !== null && isSqlNode(value) && !(value instanceof Param)
  ) {
    return operand(value as SqlSource<unknown>);
  }
  if (value instanceof Param) return value;
  const type = typeOf(target);
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

/** How many parameters a bound value adds to a statement. */
export function countParams(v: unknown, depth = 0): number {
  if (depth > 256) return 0;
  if (typeof v !== "object" || v === null || v instanceof Param || v instanceof Date) return 1;
  if (v instanceof Uint8Array || Array.isArray(v)) return 1;
  if (v instanceof Fragment) {
    let n = 0;
    for (const x of v.values) n += countParams(x, depth + 1);
    return n;
  }
  if (v instanceof Identifier) return 0;
  if (v instanceof List) {
    let n = 0;
    for (const x of v.items) n += countParams(x, depth + 1);
    return n;
  }
  if (v instanceof ByDialect) {
    return Math.max(countParams(v.sqlite, depth + 1), countParams(v.postgres, depth + 1));
  }
  if (typeof (v as Partial<SqlSource>)[toSql] === "function") {
    return countParams((v as SqlSource<unknown>)[toSql](), depth + 1);
  }
  return 0; // a Literal
}

/**
 * One column of a statement's result: its key in each row, its SQL, its type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, select, table } from "@retort/orm";
 * const users = table("result_column_doc_users", { id: column.integer().primaryKey() });
 * const [first] = select(users.c.id).columns;
 * assert(first.key === "id" && first.expr === users.c.id);
 * ```
 */
export interface ResultColumn {
  /** The key rows have it under. */
  readonly key: string;
  /** The expression selected. */
  readonly expr: SqlSource<unknown>;
  /** The column type whose decoder applies, or null. */
  readonly type: ColumnType | null;
}

/** Renders result columns as a select list: `expr` or `expr AS "key"`. */
export function selectList(columns: readonly ResultColumn[]): Fragment {
  return new Fragment(
    ["", ...columns.map(() => "")],
    columns.map((c, i) => {
      const natural = c.expr instanceof Column
        ? c.expr.name
        : c.expr instanceof ColumnRef
        ? c.expr.key
        : null;
      const sep = i === 0 ? "" : ", ";
      const expr = operand(c.expr);
      return natural === c.key
        ? new Fragment([sep, ""], [expr])
        : new Fragment([sep, " AS ", ""], [expr, new Identifier([c.key])]);
    }),
  );
}

/** Checks that result keys are unique, naming the clash and the fix. */
export function checkKeys(columns: readonly ResultColumn[], what: string): void {
  const seen = new Map<string, ResultColumn>();
  for (const c of columns) {
    const prior = seen.get(c.key);
    if (prior !== undefined) {
      throw new ArgumentError(
        `${what} returns two columns under the key ${JSON.stringify(c.key)} ` +
          `(${nameOf(prior.expr)} and ${nameOf(c.expr)}); name them with a record, such as ` +
          `{ ${c.key}: a, other${c.key[0].toUpperCase()}${c.key.slice(1)}: b }.`,
      );
    }
    seen.set(c.key, c);
  }
}

/** Result columns of selectable items: columns (keyed by key) or a record of expressions. */
export function resultColumns(items: readonly unknown[], what: string): ResultColumn[] {
  if (items.length === 1 && isRecord(items[0])) {
    return Object.entries(items[0] as Record<string, unknown>).map(([key, expr]) => {
      if (!isSqlNode(expr)) {
        throw new ArgumentError(
          `${what}'s ${JSON.stringify(key)} is not SQL; use a column, a fragment or a query.`,
        );
      }
      return { key, expr: expr as SqlSource<unknown>, type: typeOf(expr) };
    });
  }
  const out = items.map((item, i): ResultColumn => {
    if (item instanceof Column) {
      if (item.table === undefined) {
        throw new ArgumentError(`${what}: item ${i + 1} is a column not bound to a table.`);
      }
      return { key: item.key, expr: item, type: item.type };
    }
    if (item instanceof ColumnRef) return { key: item.key, expr: item, type: item.type };
    throw new ArgumentError(
      `${what}: item ${i + 1} is not a column; select columns (users.c.id), a table, a model ` +
        "class, or a record of expressions such as { n: sql`count(*)` }.",
    );
  });
  checkKeys(out, what);
  return out;
}

function isRecord(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Decodes rows for result columns: builds the list of decoders once per dialect and skips
 * the work when no column needs one.
 */
export class RowDecoder {
  readonly #columns: readonly ResultColumn[];
  readonly #byDialect = new Map<string, readonly [string, Exclude<Converter, null>][]>();

  constructor(columns: readonly ResultColumn[]) {
    this.#columns = columns;
  }

  /** Decodes rows in place and returns them. */
  decode(rows: Row[], dialect: Dialect): Row[] {
    let list = this.#byDialect.get(dialect.name);
    if (list === undefined) {
      const found: [string, Exclude<Converter, null>][] = [];
      for (const c of this.#columns) {
        const d = c.type?.decoder(dialect) ?? null;
        if (d !== null) found.push([c.key, d]);
      }
      list = found;
      this.#byDialect.set(dialect.name, list);
    }
    if (list.length === 0) return rows;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < list.length; i++) {
        const [key, decode] = list[i];
        const v = row[key];
        if (v !== null && v !== undefined) row[key] = decode(v);
      }
    }
    return rows;
  }
}

/** `a AND b AND c`, each part in parentheses unless it needs none. */
export function conjunction(parts: readonly SqlSource<unknown>[]): Fragment {
  return combine(parts, " AND ", "and");
}

/** Precedence marks: what a fragment is, so combining it needs parentheses or not. */
export const precedence: WeakMap<object, "atom" | "and" | "or"> = new WeakMap();

/** Joins conditions with AND or OR, parenthesising parts that would bind differently. */
export function combine(
  parts: readonly SqlSource<unknown>[],
  separator: " AND " | " OR ",
  kind: "and" | "or",
): Fragment {
  if (parts.length === 1) {
    const only = parts[0];
    return only instanceof Fragment ? only : new Fragment(["", ""], [only]);
  }
  const strings: string[] = [""];
  const values: unknown[] = [];
  parts.forEach((p, i) => {
    const mark = precedence.get(p);
    const bare = mark === "atom" || mark === kind;
    if (i > 0) strings[strings.length - 1] += separator;
    strings[strings.length - 1] += bare ? "" : "(";
    values.push(operand(p));
    strings.push(bare ? "" : ")");
  });
  const f = new Fragment(strings, values);
  precedence.set(f, kind);
  return f;
}

/** Marks a fragment as needing no parentheses inside AND/OR. */
export function atom(f: Fragment): Fragment {
  precedence.set(f, "atom");
  return f;
}

/**
 * A condition for `where`/`having`: SQL, or `undefined`/`null`/`false` to skip (for optional
 * filters).
 *
 * @example
 * ```ts
 * import { type Condition, sql } from "@retort/orm";
 * const onlyActive = true;
 * const c: Condition = onlyActive ? sql`active` : undefined;
 * ```
 */
export type Condition = SqlSource<unknown> | undefined | null | false;

/** The SQL conditions among `parts`, skipping `undefined`, `null` and `false`. */
export function conditionsOf(parts: readonly Condition[], what: string): SqlSource<unknown>[] {
  const out: SqlSource<unknown>[] = [];
  parts.forEach((p, i) => {
    if (p === undefined || p === null || p === false) return;
    if (!isSqlNode(p)) throw new ArgumentError(`${what}'s condition ${i + 1} is not SQL.`);
    out.push(p);
  });
  return out;
}

/** The result columns of RETURNING: every column by key, or the columns or record given. */
export function returningColumns(table: Table, items: readonly unknown[]): ResultColumn[] {
  if (items.length === 0) {
    return table.columns.map((c) => ({ key: c.key, expr: c, type: c.type }));
  }
  return resultColumns(items, "returning(...)");
}

/** ` RETURNING list`, or nothing. */
export function returningClause(columns: readonly ResultColumn[] | null): Fragment {
  return columns === null
    ? new Fragment([""], [])
    : new Fragment([" RETURNING ", ""], [selectList(columns)]);
}

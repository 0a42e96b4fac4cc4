/**
 * The one compile step: a fragment and a dialect in, `{ text, params }` out. Nothing else in
 * Retort builds SQL text or numbers placeholders.
 *
 * @module
 */
import { type Dialect, DialectSql } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import { checkLiteral, isSqlNode } from "./check.ts";
import {
  bound,
  cacheableNodes,
  cachedNested,
  gatherParams,
  NESTED_CACHE_MIN,
  rememberNested,
} from "./nested.ts";
import {
  ByDialect,
  Fragment,
  Identifier,
  List,
  Literal,
  Param,
  type SqlSource,
  toSql,
} from "./nodes.ts";

/**
 * A compiled statement: SQL text with placeholders and the parameters in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, type Compiled, sql, sqliteDialect } from "@retort/orm";
 * const c: Compiled = compile(sql`SELECT ${1}, ${"a"}`, sqliteDialect);
 * assert(c.text === "SELECT ?, ?" && c.params.length === 2);
 * ```
 */
export interface Compiled {
  /** The SQL text, with the dialect's placeholders. */
  readonly text: string;
  /** The parameters, in placeholder order, encoded for the dialect. */
  readonly params: unknown[];
}

/** What the call-site cache keeps for one template and dialect. */
interface Shape {
  readonly text: string;
  /** Per value position: the nested node it held, or null for a parameter. */
  readonly nodes: readonly (object | null)[];
  /** How many parameters it binds: the nulls of `nodes`. */
  readonly count: number;
}

const cache = new WeakMap<readonly string[], WeakMap<Dialect, Shape>>();
const quoted = new WeakMap<Dialect, WeakMap<Identifier, string>>();
/** Past this depth, the fragments on the path are remembered, to find one containing itself. */
const WATCH_DEPTH = 64;
/**
 * A list of more values than this share of the dialect's parameter limit goes as one
 * parameter, where the dialect can (shorter lists are faster expanded).
 */
const LONG_LIST_SHARE = 4;
const SKIP = Symbol("skip");

const selfContaining = (): ArgumentError =>
  new ArgumentError(
    "SQL contains itself: a fragment nests deeper than any end, so it has no text.",
  );

class Compiler {
  readonly dialect: Dialect;
  text = "";
  params: unknown[] = [];
  nestedParams = false;
  /** Whether parameters are written as literals (inside `sql.literal(fragment)`). */
  inline = false;
  /** The fragments on the current path, once it is deep. */
  path: Set<object> | null = null;

  constructor(dialect: Dialect) {
    this.dialect = dialect;
  }

  fragment(f: Fragment, depth: number): void {
    if (depth > 0 && !this.inline && f.values.length >= NESTED_CACHE_MIN) {
      // A large nested fragment (sql.values' rows): its text from the cache (see nested.ts).
      const before = this.params.length;
      const cached = cachedNested(f, this.dialect, this.params);
      if (cached !== null) {
        this.text += cached;
        if (this.params.length > before) this.nestedParams = true;
        return;
      }
      const nodes = cacheableNodes(f);
      if (nodes !== null) {
        const offset = this.params.length;
        const start = this.text.length;
        this.walk(f, depth);
        rememberNested(f, nodes, this.dialect, offset, this.text.slice(start));
        return;
      }
    }
    this.walk(f, depth);
  }

  walk(f: Fragment, depth: number): void {
    const watch = depth > WATCH_DEPTH;
    if (watch) {
      this.path ??= new Set();
      if (this.path.has(f)) throw selfContaining();
      this.path.add(f);
    }
    const { strings, values } = f;
    this.text += strings[0];
    for (let i = 0; i < values.length; i++) {
      this.value(values[i], depth);
      this.text += strings[i + 1];
    }
    if (watch) this.path!.delete(f);
  }

  param(v: unknown, depth: number): void {
    if (depth > 0) this.nestedParams = true;
    if (this.inline) {
      this.text += renderLiteral(bound(v, this.dialect), this.dialect);
      return;
    }
    this.params.push(bound(v, this.dialect));
    this.text += this.dialect.placeholder(this.params.length);
  }

  value(v: unknown, depth: number): void {
    if (
      (typeof v !== "object" && typeof v !== "function") || v === null || v instanceof Param ||
      v instanceof Date || v instanceof Uint8Array || Array.isArray(v)
    ) {
      this.param(v, depth);
    } else if (v instanceof Fragment) {
      this.fragment(v, depth + 1);
    } else if (v instanceof Identifier) {
      this.text += quoteIdentifier(v, this.dialect);
    } else if (v instanceof List) {
      this.list(v, depth);
    } else if (v instanceof Literal) {
      if (isSqlNode(v.value)) {
        const outer = this.inline;
        this.inline = true;
        this.value(v.value, depth + 1);
        this.inline = outer;
      } else this.text += renderLiteral(v.value, this.dialect);
    } else if (v instanceof ByDialect) {
      const chosen = v.caseFor(this.dialect.name);
      if (chosen === undefined) {
        throw new ArgumentError(
          `sql.byDialect has no case for the ${this.dialect.name} dialect (its cases are ` +
            `${Object.keys(v.cases).join(", ")}); add one, or an \`otherwise\` case.`,
        );
      }
      this.fragment(chosen, depth + 1);
    } else if (v instanceof DialectSql) {
      this.fragment(v.render(this.dialect), depth + 1);
    } else if (typeof (v as Partial<SqlSource>)[toSql] === "function") {
      if (depth > WATCH_DEPTH) {
        // Each render may build a new fragment: remember the object that renders too.
        this.path ??= new Set();
        if (this.path.has(v)) throw selfContaining();
        this.path.add(v);
        this.fragment(rendered(v as SqlSource<unknown>), depth + 1);
        this.path.delete(v);
      } else this.fragment(rendered(v as SqlSource<unknown>), depth + 1);
    } else {
      this.param(v, depth);
    }
  }

  list(l: List, depth: number): void {
    if (l.items.length === 0) {
      const { before, list } = this.dialect.emptyList(this.text);
      this.text = before + list;
      return;
    }
    const long = this.dialect.maxParams / LONG_LIST_SHARE;
    if (l.items.length > long && this.dialect.longList && !this.inline) {
      const values = l.items.map((v) =>
        v !== null && !(v instanceof Param) && isSqlNode(v) ? SKIP : bound(v, this.dialect)
      );
      if (!values.includes(SKIP)) {
        if (depth > 0) this.nestedParams = true;
        const param = (value: unknown) => {
          this.params.push(value);
          return this.dialect.placeholder(this.params.length);
        };
        const one = this.dialect.longList(this.text, values, param);
        if (one !== null) {
          this.text = one.before + one.list;
          return;
        }
      }
    }
    this.text += "(";
    l.items.forEach((item, i) => {
      if (i > 0) this.text += ", ";
      this.value(item, depth + 1);
    });
    this.text += ")";
  }
}

/**
 * Writes a value as a SQL literal: the one place Retort turns a value into SQL text. Strings
 * and bytes are spelled by the dialect; NUL is refused.
 */
function renderLiteral(value: unknown, dialect: Dialect): string {
  const v = checkLiteral(value, "A value written as a SQL literal");
  if (v === null || v === undefined) return "NULL";
  switch (typeof v) {
    case "boolean":
      return v ? "TRUE" : "FALSE";
    case "number":
    case "bigint":
      // A negative number is parenthesised so that `x -${-1}` cannot become a `--` comment.
      return v < 0 ? `(${v})` : Object.is(v, -0) ? "0" : String(v);
    case "string":
      return dialect.stringLiteral(v);
  }
  if (v instanceof Date) return dialect.stringLiteral(v.toISOString());
  return dialect.bytesLiteral(v as Uint8Array);
}

/**
 * Quotes an identifier for a dialect, checking the dialect's length limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postgresDialect, quoteIdentifier, sql } from "@retort/orm";
 * assert(quoteIdentifier(sql.id('a"b'), postgresDialect) === '"a""b"');
 * ```
 */
export function quoteIdentifier(id: Identifier, dialect: Dialect): string {
  let byDialect = quoted.get(dialect);
  if (!byDialect) quoted.set(dialect, byDialect = new WeakMap());
  let text = byDialect.get(id);
  if (text === undefined) {
    for (const name of id.names) {
      if (name.length * 3 > dialect.maxIdentifierLength) {
        const bytes = new TextEncoder().encode(name).length;
        if (bytes > dialect.maxIdentifierLength) {
          throw new ArgumentError(
            `The identifier ${JSON.stringify(name.slice(0, 80))} is ${bytes} bytes long; ` +
              `${dialect.name} keeps at most ${dialect.maxIdentifierLength} and would ` +
              "silently truncate it. Choose a shorter name.",
          );
        }
      }
    }
    text = id.names.map((n) => dialect.quote(n)).join(".");
    byDialect.set(id, text);
  }
  return text;
}

/**
 * The parameters of a fragment whose template was compiled before, in one pass; null when
 * its nested SQL differs from the cached shape's (then it is compiled anew).
 */
function cachedParams(
  shape: Shape,
  values: readonly unknown[],
  dialect: Dialect,
): unknown[] | null {
  // Sized once: an array grown by push reserves room for 17 values at its first.
  const params: unknown[] = new Array(shape.count);
  return gatherParams(shape.nodes, values, dialect, params, 0) < 0 ? null : params;
}

/**
 * Compiles a fragment (or anything that renders as one) for a dialect.
 *
 * The text is cached per template call site and dialect: when a template is compiled again
 * with the same nested SQL (the same tables, columns and fragments) and only its parameter
 * values differ, the text is reused and only the parameters are collected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, postgresDialect, sql, sqliteDialect } from "@retort/orm";
 * const q = sql`SELECT * FROM ${sql.id("users")} WHERE id IN ${sql.list([1, 2])}`;
 * assert(compile(q, sqliteDialect).text === 'SELECT * FROM "users" WHERE id IN (?, ?)');
 * assert(compile(q, postgresDialect).text === 'SELECT * FROM "users" WHERE id IN ($1, $2)');
 * ```
 */
export function compile(source: SqlSource<unknown>, dialect: Dialect): Compiled {
  const fragment = source instanceof Fragment ? source : toFragment(source);
  const { strings, values } = fragment;
  let byDialect = cache.get(strings);
  const shape = byDialect?.get(dialect);
  if (shape !== undefined) {
    const params = cachedParams(shape, values, dialect);
    if (params !== null) return { text: shape.text, params };
  }
  const c = new Compiler(dialect);
  try {
    c.fragment(fragment, 0);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ArgumentError(
      "SQL nests too deeply to compile (the call stack ran out); build long AND/OR chains " +
        "with one and(...) or or(...) call of many conditions.",
      { cause: error },
    );
  }
  if (c.params.length > dialect.maxParams) {
    throw new ArgumentError(
      `This statement has ${c.params.length} parameters; ${dialect.name} allows ` +
        `${dialect.maxParams} in one statement. Split it, or pass long lists to sql.list or ` +
        "inList, which bind them as one parameter.",
    );
  }
  if (!c.nestedParams && !values.some((v) => v instanceof List)) {
    const nodes = values.map((v) =>
      v !== null && !(v instanceof Param) && isSqlNode(v) ? v as object : null
    );
    if (!byDialect) cache.set(strings, byDialect = new WeakMap());
    const count = nodes.reduce((n: number, node) => node === null ? n + 1 : n, 0);
    byDialect.set(dialect, { text: c.text, nodes, count });
  }
  return { text: c.text, params: c.params };
}

function toFragment(source: SqlSource<unknown>): Fragment {
  if (typeof source !== "object" || source === null || typeof source[toSql] !== "function") {
    throw new ArgumentError(
      "A statement must be built with the sql tag or a statement builder; " +
        "for trusted raw text use sql.unsafe(text).",
    );
  }
  return rendered(source);
}

/** What an object renders as: its `[toSql]()`, which must be a fragment. */
function rendered(source: SqlSource<unknown>): Fragment {
  const f = source[toSql]();
  if (!(f instanceof Fragment)) {
    throw new ArgumentError(
      `An object interpolated as SQL rendered as ${typeof f}, not a fragment: its [toSql]() ` +
        "must return one built with the sql tag. Bind plain values, not objects imitating SQL.",
    );
  }
  return f;
}

/**
 * Tells whether the compile cache holds the text of a fragment's template for a dialect, for
 * tests and benchmarks. (The cache is weak: unreachable templates are dropped.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, isCompileCached, sql, sqliteDialect } from "@retort/orm";
 * const q = sql`SELECT ${1}`;
 * compile(q, sqliteDialect);
 * assert(isCompileCached(q, sqliteDialect));
 * ```
 */
export function isCompileCached(fragment: Fragment, dialect: Dialect): boolean {
  return cache.get(fragment.strings)?.has(dialect) ?? false;
}

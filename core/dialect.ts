/**
 * The SQL flavour of a database: how identifiers are quoted, how placeholders are written,
 * what the database can do. Drivers (running text with parameters) are separate.
 *
 * @module
 */

/**
 * A dialect: the few facts the compile step and the schema need about a database's SQL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteDialect } from "@retort/orm";
 * assert(sqliteDialect.placeholder(3) === "?");
 * ```
 */
export interface Dialect {
  /** The dialect's name. */
  readonly name: "sqlite" | "postgres";
  /** The most bound parameters one statement may carry. */
  readonly maxParams: number;
  /** The longest identifier, in UTF-8 bytes, the database keeps without truncating it. */
  readonly maxIdentifierLength: number;
  /** The placeholder for the parameter at a 1-based position. */
  placeholder(position: number): string;
  /** Quotes one identifier part. */
  quote(name: string): string;
  /** What an empty `IN` list compiles to, given the text just before it. */
  emptyList(before: string): { before: string; list: string };
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const IN_BEFORE = /\b(NOT\s+)?IN\s*$/i;

/**
 * SQLite's flavour: `?` placeholders, double-quoted identifiers, 32,766 parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, sql, sqliteDialect } from "@retort/orm";
 * assert(compile(sql`SELECT ${1}`, sqliteDialect).text === "SELECT ?");
 * ```
 */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  maxParams: 32766,
  maxIdentifierLength: Infinity,
  placeholder: () => "?",
  quote,
  emptyList: (before) => ({ before, list: "()" }),
};

/**
 * PostgreSQL's flavour: `$n` placeholders, double-quoted identifiers of at most 63 bytes,
 * 65,533 parameters (the protocol allows 65,535; postgres.js refuses 65,534 or more). An empty
 * `IN` list becomes `= ANY('{}')`, which needs no element type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compile, postgresDialect, sql } from "@retort/orm";
 * assert(compile(sql`SELECT ${1}`, postgresDialect).text === "SELECT $1");
 * ```
 */
export const postgresDialect: Dialect = {
  name: "postgres",
  maxParams: 65533,
  maxIdentifierLength: 63,
  placeholder: (n) => "$" + n,
  quote,
  emptyList(before) {
    const m = IN_BEFORE.exec(before);
    if (!m) return { before, list: "(SELECT NULL WHERE FALSE)" };
    const head = before.slice(0, m.index);
    return m[1] ? { before: head + "<> ALL(", list: "'{}')" } : {
      before: head + "= ANY(",
      list: "'{}')",
    };
  },
};

/**
 * SQLite's dialect: `?` placeholders, double-quoted identifiers, 32,766 parameters, integer
 * primary keys as rowid aliases, foreign keys resolved when rows are written.
 *
 * @module
 */
import type { Dialect, GeneratedKey, GeneratedKeySql } from "../../core/dialect.ts";
import { ArgumentError } from "../../core/errors.ts";
import { Fragment } from "../../core/sql/nodes.ts";
import { decoder, encoder, typeSql } from "./codec.ts";

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function generatedKey(key: GeneratedKey): GeneratedKeySql {
  if (!key.soleKey || (key.kind !== "integer" && key.kind !== "bigint")) {
    throw new ArgumentError(
      `${key.table}.${key.column} is generated (autoincrement), but SQLite only generates an ` +
        "INTEGER PRIMARY KEY; make it the single integer primary key or drop autoincrement.",
    );
  }
  // Only `INTEGER PRIMARY KEY` is an alias of the rowid.
  return {
    type: "INTEGER",
    clauses: [key.explicit ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY"],
    primaryKey: true,
  };
}

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
  supportsReturning: true,
  supportsOnConflict: true,
  defersCyclicForeignKeys: false,
  deferForeignKeysSql: "PRAGMA defer_foreign_keys = ON",
  failedCommitEndsTransaction: false,
  placeholder: () => "?",
  quote: (name) => `"${name.replaceAll('"', '""')}"`,
  emptyList: (before) => ({ before, list: "()" }),
  stringLiteral: (text) => `'${text.replaceAll("'", "''")}'`,
  bytesLiteral: (bytes) => `X'${hex(bytes)}'`,
  typeSql,
  encoder,
  decoder,
  generatedKey,
  limitOffset(limit, offset) {
    if (limit !== null && offset !== null) {
      return new Fragment(["LIMIT ", " OFFSET ", ""], [limit, offset]);
    }
    if (limit !== null) return new Fragment(["LIMIT ", ""], [limit]);
    if (offset !== null) return new Fragment(["LIMIT -1 OFFSET ", ""], [offset]);
    return null;
  },
  like: (left, pattern, caseInsensitive) =>
    caseInsensitive
      ? new Fragment(["lower(", ") LIKE lower(", ")"], [left, pattern])
      : new Fragment(["", " LIKE ", ""], [left, pattern]),
  beginSql: () => "BEGIN",
  migrations: () => import("./migrate/mod.ts").then((m) => m.sqliteMigrations),
};

/**
 * SQLite's dialect: `?` placeholders, double-quoted identifiers, 32,766 parameters, integer
 * primary keys as rowid aliases, foreign keys resolved when rows are written.
 *
 * @module
 */
import type { Dialect, GeneratedKey, GeneratedKeySql } from "../../core/dialect.ts";
import { updateFromValues, type ValuesShape } from "../../core/builder/update_from.ts";
import { ArgumentError } from "../../core/errors.ts";
import { Fragment, Identifier } from "../../core/sql/nodes.ts";
import { dateRangeProblem } from "../../core/types/dates.ts";
import { INT64_MAX, INT64_MIN } from "../../core/util/ints.ts";
import { decoder, encoder, typeSql } from "./codec.ts";

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Values as a JSON array for json_each, each of the storage class it would be bound as (see
 * `encode` in `connection.ts`): a safe integer, a boolean or a bigint an INTEGER; any other
 * number a REAL (`2 ** 60` is written `1152921504606847000.0`, and -0 `-0.0`); a string TEXT; a
 * Date its ISO 8601 text. Null when one is not bound as such a value (bytes, arrays, NaN, a
 * bigint beyond 64 bits, text holding NUL): the list is then expanded as parameters, and the
 * driver binds or refuses each value as usual.
 */
function jsonList(values: readonly unknown[]): string | null {
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let part: string;
    if (v === null) part = "null";
    else if (typeof v === "boolean") part = v ? "1" : "0";
    else if (typeof v === "bigint") {
      if (v < INT64_MIN || v > INT64_MAX) return null;
      part = String(v);
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) return null;
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) part = String(v);
      else {
        part = JSON.stringify(v);
        if (Object.is(v, -0)) part = "-0.0";
        else if (/^-?\d+$/.test(part)) part += ".0";
      }
    } else if (typeof v === "string") {
      if (v.includes("\0")) return null;
      part = JSON.stringify(v);
    } else if (v instanceof Date) {
      const problem = dateRangeProblem(v.getTime());
      if (problem !== null) throw new ArgumentError(`A Date parameter: ${problem}.`);
      part = JSON.stringify(v.toISOString());
    } else return null;
    parts[i] = part;
  }
  return `[${parts.join(",")}]`;
}

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

const valuesColumns: Identifier[] = [];
/**
 * `UPDATE t SET a = v.column3 FROM (VALUES (?, ?, ?), ...) AS v WHERE t.k1 = v.column1 AND
 * ...` (SQLite 3.33 and later): many rows changing the same columns in one statement. SQLite
 * names the columns of a VALUES list itself (`column1`, `column2`...); the target columns'
 * affinity applies on assignment and comparison, as it does to a bound value.
 */
const VALUES: ValuesShape = {
  name: "sqlite",
  cast: false,
  declareNames: false,
  column: (k) => valuesColumns[k] ??= new Identifier([`column${k + 1}`]),
};

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
  insertRows: 500,
  maxIdentifierLength: Infinity,
  supportsReturning: true,
  supportsOnConflict: true,
  defersCyclicForeignKeys: false,
  deferForeignKeysSql: "PRAGMA defer_foreign_keys = ON",
  failedCommitEndsTransaction: false,
  retriableCodes: ["SQLITE_BUSY"],
  placeholder: () => "?",
  quote: (name) => `"${name.replaceAll('"', '""')}"`,
  emptyList: (before) => ({ before, list: "()" }),
  // `+value`: json_each's value column has BLOB affinity, which would keep the left side's
  // affinity from applying (10 would not match '10' in a TEXT column); an expression has none,
  // so the values compare as bound parameters do.
  longList(before, values, param) {
    const text = jsonList(values);
    return text === null
      ? null
      : { before, list: `(SELECT +value FROM json_each(${param(text)}))` };
  },
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
  // SQLite has no row locks: a write transaction locks the whole database, so a select's
  // FOR UPDATE / FOR SHARE asks for nothing more.
  rowLock: () => null,
  beginSql: () => "BEGIN",
  updateRows: (u) => updateFromValues(u, VALUES),
  migrations: () => import("./migrate/mod.ts").then((m) => m.sqliteMigrations),
};

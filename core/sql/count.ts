/**
 * How many parameters SQL carries once compiled for a dialect, to split statements under the
 * dialect's limit.
 *
 * @module
 */
import { type Dialect, DialectSql } from "../dialect.ts";
import { ByDialect, Fragment, Identifier, List, Param, type SqlSource, toSql } from "./nodes.ts";

/** How many parameters a value adds to a statement compiled for `dialect`. */
export function countParams(v: unknown, dialect: Dialect, depth = 0): number {
  if (depth > 256) return 0;
  if (typeof v !== "object" || v === null || v instanceof Param || v instanceof Date) return 1;
  if (v instanceof Uint8Array || Array.isArray(v)) return 1;
  if (v instanceof Fragment) {
    let n = 0;
    for (const x of v.values) n += countParams(x, dialect, depth + 1);
    return n;
  }
  if (v instanceof Identifier) return 0;
  if (v instanceof List) {
    let n = 0;
    for (const x of v.items) n += countParams(x, dialect, depth + 1);
    return n;
  }
  if (v instanceof ByDialect) {
    const chosen = v.caseFor(dialect.name);
    return chosen === undefined ? 0 : countParams(chosen, dialect, depth + 1);
  }
  if (v instanceof DialectSql) return countParams(v.render(dialect), dialect, depth + 1);
  if (typeof (v as Partial<SqlSource>)[toSql] === "function") {
    return countParams((v as SqlSource<unknown>)[toSql](), dialect, depth + 1);
  }
  return 0; // a Literal
}

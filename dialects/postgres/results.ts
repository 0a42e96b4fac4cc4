/**
 * What the postgres.js driver sends and gets back: its parameters as postgres.js is given
 * them, and postgres.js's results as Retort's, with the counts and arrays both drivers agree
 * on.
 *
 * @module
 */
import type { QueryMode, QueryResult } from "../../core/driver.ts";
import type { Row } from "../../core/sql/nodes.ts";
import { arrayParams } from "./array_params.ts";
import type { Field, Lookup, OwnArrays } from "./own_arrays.ts";
import { dateParams } from "./datetime.ts";

/** A postgres.js result: its rows, with its command tag and columns. */
export interface PgResult extends Array<Row> {
  count: number | null;
  command: string;
  /** Each column's name, type oid, and the parser postgres.js read it with (if any). */
  columns?: { name: string; type?: number; parser?: unknown }[];
}

/**
 * The commands whose count is of rows written (PostgreSQL's command tag: `INSERT 0 3`,
 * `UPDATE 2`, `COPY 5`). Another's count (`SELECT 4`, also for `CREATE TABLE AS` and for a
 * SELECT whose WITH writes) is of rows returned: `run()` reports 0 for it, as SQLite does and
 * as PGlite counts (see `rowsAffected` in core/driver.ts).
 */
const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]);

/** A postgres.js result as Retort's, in a mode. */
export function toResult(r: PgResult, mode: QueryMode): QueryResult {
  if (mode === "run") return { rows: [], rowsAffected: WRITES.has(r.command) ? r.count ?? 0 : 0 };
  const rows: Row[] = new Array(r.length);
  for (let i = 0; i < r.length; i++) rows[i] = r[i];
  if (mode === "values") {
    return { rows, rowsAffected: rows.length, columns: (r.columns ?? []).map((c) => c.name) };
  }
  return { rows, rowsAffected: rows.length };
}

/**
 * Reads, in place, the result's columns of array types postgres.js did not learn (a type
 * made after the client connected, or any of the database's own on a client created with
 * `fetch_types: false`), which it gives as text, and of arrays of domains, whose elements it
 * gives as text: each such type is looked up once (see `OwnArrays`), on the connection the
 * result came from.
 */
export async function readOwnArrays(
  r: PgResult,
  mode: QueryMode,
  arrays: OwnArrays,
  lookup: Lookup,
): Promise<void> {
  if (!holdsUnread(r, mode, arrays)) return;
  await arrays.decode(r, fieldsOf(r.columns!), mode === "values", lookup);
}

/** postgres.js's columns as the fields `OwnArrays` reads. */
const fieldsOf = (columns: NonNullable<PgResult["columns"]>): Field[] =>
  columns.map((c) => ({ name: c.name, dataTypeID: c.type ?? 0, parser: c.parser }));

/**
 * Whether a result holds a column postgres.js did not read whole (see `OwnArrays.unread`):
 * asked before `readOwnArrays`, so that a result without one takes no await.
 */
export function holdsUnread(r: PgResult, mode: QueryMode, arrays: OwnArrays): boolean {
  const columns = r.columns;
  if (mode === "run" || r.length === 0 || columns === undefined) return false;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    if (arrays.unread({ name: c.name, dataTypeID: c.type ?? 0, parser: c.parser })) return true;
  }
  return false;
}

/**
 * The parameters as postgres.js is given them. A Date goes as ISO 8601 text of no declared
 * type (see `dateParams` in `datetime.ts`): postgres.js would declare it a `timestamptz`, which
 * the server converts to a `timestamp` or a `date` in the session's TimeZone. An array is
 * declared unknown (type 0) too: postgres.js declares it with its first element's type (a
 * `boolean[]` as `boolean`), which PostgreSQL then refuses; left to the server, its type is
 * told and postgres.js encodes it for that type, or, for a type it did not learn (an enum's
 * array made after it connected), sends the array's own text (see `array_params.ts`).
 */
export function paramsFor(
  target: { typed?(value: unknown, type: number): unknown },
  params: readonly unknown[],
): unknown[] {
  return arrayParams(dateParams(params), target) as unknown[];
}

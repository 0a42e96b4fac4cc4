/**
 * `session.scalar` and `session.scalars`, with SQLAlchemy 2.0's meaning: the first column of
 * the first row (or null), and the first column of every row; for a `select(Model)` the
 * objects.
 *
 * @module
 */
import type { SqlSource } from "../../core/sql/nodes.ts";
import type { SessionCore } from "./core.ts";
import { loadEntities } from "./query.ts";
import type { EntityQuery } from "./types.ts";

/**
 * What one row of `session.scalars(statement)` is: the object for a `select(Model)`; the
 * column's type for a select of one column; for a select of several, any of their types
 * (TypeScript cannot tell which column is first, so select one); `unknown` for SQL that does
 * not say what it returns (a `sql` fragment).
 *
 * @example
 * ```ts
 * import type { SessionScalar } from "@retort/orm";
 * const n: SessionScalar<{ id: number }> = 1;
 * const either: SessionScalar<{ id: number; name: string }> = "ada";
 * ```
 */
export type SessionScalar<R> = unknown extends R ? unknown
  : "~columns" extends keyof R ? R
  : R[keyof R];

/** `session.scalars`: the first column of every row, or the objects of a `select(Model)`. */
export function scalarsIn<R>(c: SessionCore, statement: SqlSource<R>): Promise<SessionScalar<R>[]> {
  return c.run("run a query", "a query", () =>
    c.withAutoflush(async () => {
      const q = statement as unknown as EntityQuery<R>;
      if (q.entity !== undefined) return await loadEntities(c.load, q) as SessionScalar<R>[];
      const rows = await c.load.rows(statement);
      const out = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = rows[i][0];
      return out;
    }));
}

/** `session.scalar`: the first column of the first row, or null when there is no row. */
export async function scalarIn<R>(
  c: SessionCore,
  statement: SqlSource<R>,
): Promise<SessionScalar<R> | null> {
  return (await scalarsIn(c, statement))[0] ?? null;
}

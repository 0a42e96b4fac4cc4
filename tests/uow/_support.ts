/**
 * What the unit-of-work suite shares: an engine with the tables made, and reads of the
 * database through a session (its own transaction) or through the engine (committed data).
 */
import type { EchoEntry, Engine, EngineOptions, Fragment, Session, TableLike } from "../../mod.ts";
import type { Scope } from "../_db.ts";

/** An engine of the scope with the tables of `models` created. */
export async function ready(
  s: Scope,
  models: readonly TableLike[],
  options?: EngineOptions,
): Promise<Engine> {
  const engine = s.open(options);
  await engine.createAll(models);
  return engine;
}

/** An engine whose statements (text and parameters) are kept in `log`. */
export async function logged(
  s: Scope,
  models: readonly TableLike[],
): Promise<{ engine: Engine; log: EchoEntry[] }> {
  const log: EchoEntry[] = [];
  const engine = await ready(s, models, { echo: (e) => log.push(e) });
  log.splice(0);
  return { engine, log };
}

/** The statements of a log that read or write data (not BEGIN, COMMIT, SAVEPOINT ...). */
export const dataStatements = (log: readonly EchoEntry[]): EchoEntry[] =>
  log.filter((e) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(e.text));

/** The rows of a query, through a session (its transaction) or an engine. */
export async function rowsOf<R = Record<string, unknown>>(
  on: Session | Engine,
  query: Fragment,
): Promise<R[]> {
  if ("execute" in on && "add" in on) {
    return (await (on as Session).execute<R>(query)).rows;
  }
  return await (on as Engine).all<R>(query);
}

/** The first column of each row, as strings, sorted. */
export async function column(on: Session | Engine, query: Fragment): Promise<string[]> {
  const rows = await rowsOf(on, query);
  return rows.map((r) => String(Object.values(r as object)[0])).sort();
}

/** A count, as a number. */
export async function count(on: Session | Engine, query: Fragment): Promise<number> {
  const rows = await rowsOf(on, query);
  return Number(Object.values(rows[0] as object)[0]);
}

/** The message of an error, for matching. */
export const messageOf = (e: unknown): string => e instanceof Error ? e.message : String(e);

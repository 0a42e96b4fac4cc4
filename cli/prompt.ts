/**
 * Asks about renames on a terminal: for each dropped and added table or column that may be
 * one thing renamed, "Was users.name renamed to full_name? [y/N]". Off a terminal nothing is
 * asked, and only the `--rename` options count.
 *
 * @module
 */
import type { Engine, TableLike } from "../mod.ts";
import type { Renames } from "../core/migrate/mod.ts";
import * as migrate from "../migrate.ts";
import { interactive, questions } from "./runtime.ts";

/** The renames given, and those confirmed on a terminal. */
export async function askRenames(
  engine: Engine,
  models: readonly TableLike[],
  renames: Renames,
): Promise<Renames> {
  if (!interactive()) return renames;
  const out: Required<Renames> = {
    tables: [...(renames.tables ?? [])],
    columns: [...(renames.columns ?? [])],
  };
  const database = await migrate.reflect(engine);
  const wanted = await migrate.snapshot(engine, models);
  let terminal: ReturnType<typeof questions> | undefined; // opened for the first question
  try {
    for (const c of migrate.renameCandidates(database, wanted, out)) {
      const taken = c.kind === "table"
        ? out.tables.some((r) => r.from === c.from || r.to === c.to)
        : out.columns.some((r) => r.table === c.table && (r.from === c.from || r.to === c.to));
      if (taken) continue;
      const what = c.kind === "table"
        ? `table ${c.from} renamed to ${c.to}`
        : `column ${c.table}.${c.from} renamed to ${c.to}`;
      if (!(await (terminal ??= questions()).confirm(`Was ${what}?`))) continue;
      if (c.kind === "table") out.tables.push({ from: c.from, to: c.to });
      else out.columns.push({ table: c.table!, from: c.from, to: c.to });
    }
  } finally {
    terminal?.close();
  }
  return out;
}

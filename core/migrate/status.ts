/**
 * Status: which migrations are applied, pending, edited since applied, or applied without a
 * file; and whether the history has two heads.
 *
 * @module
 */
import { type Engine, type Executor, ProgrammingError } from "../mod.ts";
import { loadHistory } from "./history.ts";
import type { MigrateOptions } from "./runner.ts";
import { compareApplied } from "./runner.ts";
import { type AppliedMigration, readApplied, VERSION_TABLE } from "./versions.ts";

/**
 * One migration's state.
 *
 * @example
 * ```ts
 * import type { MigrationState } from "@retort/orm/migrate";
 * const s: MigrationState = { id: "001_init", state: "applied", appliedAt: "2026-12-01T15:30:00Z" };
 * ```
 */
export interface MigrationState {
  /** The migration's id. */
  id: string;
  /**
   * `applied`; `pending`; `edited` (applied, but its file changed since); `missing`
   * (applied, but no file has its id).
   */
  state: "applied" | "pending" | "edited" | "missing";
  /** When it was applied. */
  appliedAt?: string;
}

/**
 * The status of a database's migrations.
 *
 * @example
 * ```ts
 * import type { StatusReport } from "@retort/orm/migrate";
 * const ok = (s: StatusReport) => s.pending.length === 0 && s.problems.length === 0;
 * ```
 */
export interface StatusReport {
  /** Every migration, in history order; applied ones without a file come last. */
  migrations: MigrationState[];
  /** The last applied migration, or `null`. */
  current: string | null;
  /** The pending migrations, in order. */
  pending: string[];
  /** The heads of the history (one, when it is a line). */
  heads: string[];
  /** What is wrong: two heads, edited or missing files. */
  problems: string[];
  /** The report as text, a line per migration. */
  text: string;
}

async function appliedOrNone(db: Executor, table: string): Promise<AppliedMigration[]> {
  try {
    return await readApplied(db, table);
  } catch (error) {
    if (error instanceof ProgrammingError) return []; // no version table yet
    throw error;
  }
}

/** The status of the migrations against a database; reads only. */
export async function status(engine: Engine, options: MigrateOptions): Promise<StatusReport> {
  const history = await loadHistory(options.migrations);
  const applied = await appliedOrNone(engine, options.versionTable ?? VERSION_TABLE);
  const byId = new Map(applied.map((a) => [a.id, a]));
  const { edited, missing } = compareApplied(history, applied);
  const editedIds = new Set(edited.map((m) => m.id));
  const migrations: MigrationState[] = history.migrations.map((m) => {
    const a = byId.get(m.id);
    if (a === undefined) return { id: m.id, state: "pending" };
    return { id: m.id, state: editedIds.has(m.id) ? "edited" : "applied", appliedAt: a.appliedAt };
  });
  for (const id of missing) {
    migrations.push({ id, state: "missing", appliedAt: byId.get(id)!.appliedAt });
  }
  const problems = [...history.problems];
  for (const m of edited) {
    problems.push(
      `${m.location} was edited after it was applied: restore it, or accept the edit with ` +
        "up --accept-edited.",
    );
  }
  for (const id of missing) {
    problems.push(`${id} is applied, but there is no file for it: restore it.`);
  }
  const pending = migrations.filter((m) => m.state === "pending").map((m) => m.id);
  const mark = { applied: "[x]", pending: "[ ]", edited: "[!]", missing: "[?]" } as const;
  const lines = migrations.map((m) =>
    `${mark[m.state]} ${m.id}${m.state === "pending" ? "" : `  ${m.state} ${m.appliedAt}`}`
  );
  if (lines.length === 0) {
    lines.push("No migrations yet: create one with `retort generate <name>`.");
  }
  lines.push(
    pending.length === 0
      ? "Up to date."
      : `${pending.length} pending: run \`retort up\` to apply ${
        pending.length === 1 ? "it" : "them"
      }.`,
  );
  lines.push(...problems.map((p) => `Problem: ${p}`));
  return {
    migrations,
    current: applied.at(-1)?.id ?? null,
    pending,
    heads: [...history.heads],
    problems,
    text: lines.join("\n"),
  };
}

/**
 * Rehearsal: the pending migrations run on a copy of the database first (SQLite: a copy of
 * the file; PostgreSQL: a transaction that is rolled back), with the rows of every table
 * counted before and after each migration and the constraints checked. A migration that
 * loses rows it did not declare (a dropped table, a step with `losesRows`), breaks a
 * constraint or fails is reported, and the real database is never touched.
 *
 * @module
 */
import { type Engine, type Executor, sql, type TableLike } from "../mod.ts";
import { driftOf, modelDiff, type SchemaDrift } from "./compare.ts";
import type { MigrationDialect, OpenEngine } from "./contract.ts";
import { loadHistory } from "./history.ts";
import { operationsOf } from "./migration.ts";
import type { Operation } from "./operations.ts";
import { migrationDialect } from "./resolve.ts";
import { compareApplied, type MigrateOptions, pendingOf, runMigration } from "./runner.ts";
import type { TableRef } from "./snapshot.ts";
import { tableKey } from "./snapshot.ts";
import { ensureVersionTable, readApplied, VERSION_TABLE } from "./versions.ts";

/**
 * Options of `check` (the rehearsal).
 *
 * @example
 * ```ts
 * import { memorySource, type RehearseOptions } from "@retort/orm/migrate";
 * const options: RehearseOptions = { migrations: memorySource([]) };
 * ```
 */
export interface RehearseOptions extends MigrateOptions {
  /** The last migration to rehearse; all pending ones by default. */
  target?: string;
  /** Models to compare with the copy after the migrations: drift is reported too. */
  models?: readonly TableLike[];
  /** Opens an engine on a URL (for SQLite's copy); `createEngine` by default. */
  open?: OpenEngine;
}

/**
 * The rows of one table before and after a migration.
 *
 * @example
 * ```ts
 * import type { TableCount } from "@retort/orm/migrate";
 * const c: TableCount = { table: "users", before: 10, after: 10 };
 * ```
 */
export interface TableCount {
  /** The table (its name after the migration). */
  table: string;
  /** Rows before (`null`: the table is new). */
  before: number | null;
  /** Rows after (`null`: the table was dropped). */
  after: number | null;
}

/**
 * What rehearsing one migration showed.
 *
 * @example
 * ```ts
 * import type { RehearsedMigration } from "@retort/orm/migrate";
 * const fine = (m: RehearsedMigration) => m.error === undefined && m.lost.length === 0;
 * ```
 */
export interface RehearsedMigration {
  /** The migration's id. */
  id: string;
  /** Rows per table, before and after. */
  tables: TableCount[];
  /** Tables that lost rows the migration did not declare, with how many. */
  lost: string[];
  /** Rows that break a constraint after the migration. */
  violations: string[];
  /** Why it failed, if it did. */
  error?: string;
}

/**
 * The rehearsal's report.
 *
 * @example
 * ```ts
 * import type { RehearsalReport } from "@retort/orm/migrate";
 * const summary = (r: RehearsalReport) => r.ok ? "safe to apply" : r.text;
 * ```
 */
export interface RehearsalReport {
  /** Whether every pending migration ran cleanly and lost nothing undeclared. */
  ok: boolean;
  /** Each migration rehearsed, in order (up to the first that failed). */
  migrations: RehearsedMigration[];
  /** Drift between the models and the copy after the migrations, when models were given. */
  drift?: SchemaDrift;
  /** The report as text. */
  text: string;
}

async function counts(
  dialect: MigrationDialect,
  db: Executor,
  exclude: string[],
): Promise<Map<string, number>> {
  const schema = await dialect.reflect(db, { exclude });
  const out = new Map<string, number>();
  for (const t of schema.tables) {
    const name = t.schema === undefined ? sql.id(t.name) : sql.id(t.schema, t.name);
    out.set(tableKey(t), Number(await db.scalar(sql`SELECT count(*) FROM ${name}`)));
  }
  return out;
}

function compare(
  ops: readonly Operation[],
  before: Map<string, number>,
  after: Map<string, number>,
): { tables: TableCount[]; lost: string[] } {
  const renamed = new Map<string, string>();
  const declared = new Set<string>();
  for (const op of ops) {
    if (op.kind === "renameTable") {
      const to: TableRef = { ...op.table, name: op.to };
      renamed.set(tableKey(op.table), tableKey(to));
    } else if (op.kind === "dropTable") declared.add(tableKey(op.table));
    else if ((op.kind === "sql" || op.kind === "run") && op.losesRows) {
      for (const t of op.losesRows) declared.add(t);
    }
  }
  const tables: TableCount[] = [];
  const lost: string[] = [];
  for (const [key, n] of before) {
    const now = renamed.get(key) ?? key;
    const m = after.get(now) ?? null;
    tables.push({ table: now, before: n, after: m });
    const gone = m === null ? n : n - m;
    if (gone > 0 && !declared.has(key) && !declared.has(now)) {
      lost.push(`${now} lost ${gone} of ${n} rows`);
    }
  }
  for (const [key, m] of after) {
    if (!tables.some((t) => t.table === key)) tables.push({ table: key, before: null, after: m });
  }
  return { tables, lost };
}

function report(migrations: RehearsedMigration[], where: string, drift?: SchemaDrift) {
  const ok = migrations.every((m) => !m.error && m.lost.length === 0 && !m.violations.length) &&
    (drift?.ok ?? true);
  const lines = [`Rehearsal on ${where}:`];
  if (migrations.length === 0) lines.push("  Nothing pending.");
  for (const m of migrations) {
    const mark = m.error || m.lost.length || m.violations.length ? "FAILED" : "ok";
    lines.push(`  ${m.id}: ${mark}`);
    for (const t of m.tables) {
      const show = (n: number | null) => n === null ? "-" : String(n);
      lines.push(`    ${t.table}: ${show(t.before)} → ${show(t.after)} rows`);
    }
    for (const l of m.lost) lines.push(`    lost rows: ${l} (not declared by the migration)`);
    for (const v of m.violations) lines.push(`    violation: ${v}`);
    if (m.error) lines.push(`    error: ${m.error}`);
  }
  if (drift && !drift.ok) lines.push(drift.text.replace(/^/gm, "  "));
  lines.push(
    ok
      ? "Every pending migration ran in the rehearsal without losing a row or breaking a constraint."
      : "Stopped before the real database was touched: fix the migration above, or declare " +
        "the loss (op.dropTable, or losesRows on the step that deletes rows).",
  );
  return { ok, migrations, drift, text: lines.join("\n") };
}

/** Runs the pending migrations on a copy of the database and reports what they did. */
export async function rehearse(
  engine: Engine,
  options: RehearseOptions & { open: OpenEngine },
): Promise<RehearsalReport> {
  const dialect = await migrationDialect(engine, options);
  const table = options.versionTable ?? VERSION_TABLE;
  const history = await loadHistory(options.migrations);
  const rehearsal = await dialect.rehearsal(engine, options.open);
  const session = rehearsal.session;
  try {
    await ensureVersionTable(session.db, table);
    const applied = await readApplied(session.db, table);
    const { edited } = compareApplied(history, applied);
    const state = { dialect, history, applied, table };
    const pending = history.problems.length ? [] : pendingOf(history, applied, options.target);
    const results: RehearsedMigration[] = [];
    let before = await counts(dialect, session.db, [table]);
    for (const m of pending) {
      const r: RehearsedMigration = { id: m.id, tables: [], lost: [], violations: [] };
      results.push(r);
      try {
        await runMigration(session, state, m, "up");
      } catch (error) {
        r.error = (error as Error).message;
        break;
      }
      const after = await counts(dialect, session.db, [table]);
      Object.assign(r, compare(operationsOf(m.migration, m.id, "up"), before, after));
      r.violations = await dialect.violations(session.db);
      before = after;
      if (r.lost.length || r.violations.length) break;
    }
    const drift = options.models && results.every((r) => !r.error)
      ? driftOf((await modelDiff(session.db, dialect, options.models, options)).changes)
      : undefined;
    const out = report(results, rehearsal.description, drift);
    for (const p of history.problems) out.text += `\nProblem: ${p}`;
    for (const m of edited) out.text += `\nProblem: ${m.location} was edited after it was applied.`;
    return { ...out, ok: out.ok && !history.problems.length && !edited.length };
  } finally {
    await rehearsal.dispose();
  }
}

/**
 * Applying migrations: `up` to a target, `down` by a number of steps. Each migration runs in
 * a transaction of its own with its version row, under the dialect's lock, and is skipped if
 * another run applied it meanwhile. An applied migration whose file was edited stops the run.
 *
 * @module
 */
import { type Engine, InvalidRequestError, RetortError } from "../mod.ts";
import { LOCK_TIMEOUT, lockTimeoutError, lockTimeoutOf, MigrationError } from "./errors.ts";
import type { MigrationDialect, MigrationSession, Progress } from "./contract.ts";
import { type History, type LoadedMigration, loadHistory } from "./history.ts";
import { type MigrationSource, operationsOf } from "./migration.ts";
import type { Operation } from "./operations.ts";
import { type DialectOption, migrationDialect } from "./resolve.ts";
import { runOperations } from "./steps.ts";
import {
  type AppliedMigration,
  ensureVersionTable,
  isApplied,
  lockStatement,
  readApplied,
  recordApplied,
  removeApplied,
  updateChecksum,
  VERSION_TABLE,
} from "./versions.ts";

/**
 * Options shared by the functions that read or apply migrations.
 *
 * @example
 * ```ts
 * import { memorySource, type MigrateOptions } from "@retort/orm/migrate";
 * const options: MigrateOptions = { migrations: memorySource([]), progress: console.log };
 * ```
 */
export interface MigrateOptions extends DialectOption {
  /** Where the migrations are. */
  migrations: MigrationSource;
  /** The version table's name; `retort_migrations` by default. */
  versionTable?: string;
  /** Where progress lines go. */
  progress?: Progress;
  /**
   * How long to wait for another run's lock, in milliseconds (0: do not wait); 10 minutes
   * by default. Past it the run fails with an OperationalError that names the lock, having
   * applied nothing more.
   */
  lockTimeout?: number;
}

/**
 * Options of {@linkcode up}.
 *
 * @example
 * ```ts
 * import { memorySource, type UpOptions } from "@retort/orm/migrate";
 * const options: UpOptions = { migrations: memorySource([]), target: "20261201T1530_add_email" };
 * ```
 */
export interface UpOptions extends MigrateOptions {
  /**
   * The last migration to apply: its id, or the start of one id (an exact id wins over the
   * longer ids it begins); all pending ones by default.
   */
  target?: string;
  /** Record the new checksums of applied migrations whose files were edited, and go on. */
  acceptEdited?: boolean;
}

/**
 * Options of {@linkcode down}.
 *
 * @example
 * ```ts
 * import { type DownOptions, memorySource } from "@retort/orm/migrate";
 * const options: DownOptions = { migrations: memorySource([]), steps: 2 };
 * ```
 */
export interface DownOptions extends MigrateOptions {
  /** How many applied migrations to revert, the last first; 1 by default. */
  steps?: number;
}

/**
 * What `up` or `down` did.
 *
 * @example
 * ```ts
 * import type { RunResult } from "@retort/orm/migrate";
 * const done: RunResult = { applied: ["001_init"], skipped: [] };
 * ```
 */
export interface RunResult {
  /** The migrations applied (or reverted), in order. */
  applied: string[];
  /** Those another run applied (or reverted) first. */
  skipped: string[];
}

/** Everything a run needs, read under the lock. */
export interface RunState {
  dialect: MigrationDialect;
  history: History;
  applied: AppliedMigration[];
  table: string;
  /** How long to wait for another run's lock, in milliseconds (10 minutes by default). */
  lockTimeout?: number;
}

/** Loads the history and refuses one with two heads or a missing parent. */
export async function linearHistory(source: MigrationSource): Promise<History> {
  const history = await loadHistory(source);
  if (history.problems.length > 0) {
    throw new InvalidRequestError(
      `The migrations in ${source.location ?? "the source"} are not one line: ` +
        history.problems.join(" "),
    );
  }
  return history;
}

/** Which applied migrations were edited, and which are applied but have no file. */
export function compareApplied(
  history: History,
  applied: readonly AppliedMigration[],
): { edited: LoadedMigration[]; missing: string[] } {
  const byId = new Map(history.migrations.map((m) => [m.id, m]));
  const edited = applied.flatMap((a) => {
    const m = byId.get(a.id);
    return m && m.checksum !== a.checksum ? [m] : [];
  });
  return { edited, missing: applied.filter((a) => !byId.has(a.id)).map((a) => a.id) };
}

/** The pending migrations up to a target, in order. */
export function pendingOf(
  history: History,
  applied: readonly AppliedMigration[],
  target?: string,
): LoadedMigration[] {
  const done = new Set(applied.map((a) => a.id));
  const pending = history.migrations.filter((m) => !done.has(m.id));
  if (target === undefined) return pending;
  // An exact id wins over the ids it is the start of (`..._add` before `..._add_email`).
  const exact = history.migrations.filter((m) => m.id === target);
  const matches = exact.length > 0
    ? exact
    : history.migrations.filter((m) => m.id.startsWith(target));
  if (matches.length !== 1) {
    throw new InvalidRequestError(
      matches.length === 0
        ? `No migration is named ${target}; run status to see their ids.`
        : `${target} names ${matches.length} migrations (${
          matches.map((m) => m.id).join(", ")
        }); give more of the id.`,
    );
  }
  const end = history.migrations.indexOf(matches[0]);
  return pending.filter((m) => history.migrations.indexOf(m) <= end);
}

async function withSession<T>(
  engine: Engine,
  options: MigrateOptions,
  fn: (session: MigrationSession, state: RunState) => Promise<T>,
): Promise<T> {
  const dialect = await migrationDialect(engine, options);
  const history = await linearHistory(options.migrations);
  const table = options.versionTable ?? VERSION_TABLE;
  const lockTimeout = lockTimeoutOf(options.lockTimeout);
  await using conn = await engine.connect();
  const session = await dialect.open(conn, options.progress, lockTimeout);
  try {
    const state: RunState = { dialect, history, applied: [], table, lockTimeout };
    await waitForLock(state, Date.now() + lockTimeout, options.progress, LOCK, async () => {
      try {
        await ensureVersionTable(session.db, table);
        state.applied = await readApplied(session.db, table);
      } catch (error) {
        if (dialect.isBusy(error)) throw new LockBusy("busy", { cause: error });
        throw error;
      }
    });
    return await fn(session, state);
  } finally {
    await session.close();
  }
}

/**
 * Runs one migration, up or down, in its own transaction: the lock first, then a check that
 * no other run did it meanwhile, its operations, and its version row.
 */
export async function runMigration(
  session: MigrationSession,
  state: RunState,
  m: LoadedMigration,
  direction: "up" | "down",
  progress?: Progress,
): Promise<boolean> {
  const ops = operationsOf(m.migration, m.id, direction);
  const deadline = Date.now() + (state.lockTimeout ?? LOCK_TIMEOUT);
  const what = `the database's write lock (to ${direction === "up" ? "apply" : "revert"} ${m.id})`;
  return await waitForLock(state, deadline, progress, what, async () => {
    try {
      return await attempt(session, state, m, ops, direction, progress);
    } catch (error) {
      if (error instanceof LockBusy || error instanceof MigrationError) throw error;
      if (!(error instanceof RetortError)) throw error;
      throw new MigrationError(m.id, 0, "its checks before COMMIT", error);
    }
  });
}

/** What a run waits for before it reads the version table (SQLite: the write lock). */
const LOCK = "the database's write lock (to read the version table)";

/** The database was busy: another run (or connection) holds its write lock. */
class LockBusy extends Error {}

/**
 * Runs `fn`, again while it finds the database's lock held (`LockBusy`) and `deadline` is
 * not past; then fails with the lock timeout error, naming `lock`.
 */
async function waitForLock<T>(
  state: RunState,
  deadline: number,
  progress: Progress | undefined,
  lock: string,
  fn: () => Promise<T>,
): Promise<T> {
  for (let waited = false;; waited = true) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof LockBusy)) throw error;
      if (Date.now() >= deadline) {
        const code = (error.cause as { code?: unknown })?.code;
        throw lockTimeoutError(lock, state.lockTimeout ?? LOCK_TIMEOUT, {
          cause: error.cause,
          code: typeof code === "string" ? code : undefined,
        });
      }
      if (!waited) progress?.("Waiting for another migration run to finish...");
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - Date.now())));
    }
  }
}

async function attempt(
  session: MigrationSession,
  state: RunState,
  m: LoadedMigration,
  ops: readonly Operation[],
  direction: "up" | "down",
  progress?: Progress,
): Promise<boolean> {
  return await session.transaction(ops, async (tx) => {
    try {
      await tx.run(lockStatement(state.table));
    } catch (error) {
      if (state.dialect.isBusy(error)) throw new LockBusy("busy", { cause: error });
      throw error;
    }
    const applied = await isApplied(tx, state.table, m.id);
    if (applied !== (direction === "down")) return false;
    progress?.(`${direction === "up" ? "Applying" : "Reverting"} ${m.id}`);
    await runOperations(tx, state.dialect, ops, m.id, progress);
    if (direction === "up") await recordApplied(tx, state.table, m.id, m.checksum);
    else await removeApplied(tx, state.table, m.id);
    return true;
  });
}

function refuseEdited(history: History, applied: readonly AppliedMigration[]): void {
  const { edited, missing } = compareApplied(history, applied);
  if (missing.length > 0) {
    throw new InvalidRequestError(
      `The database has ${missing.join(", ")} applied, but no migration file has that id; ` +
        "restore the file from version control before migrating.",
    );
  }
  if (edited.length > 0) {
    throw new InvalidRequestError(
      `${edited.map((m) => m.location).join(", ")} changed after being applied (the ` +
        "checksum differs). Restore the applied version from version control and put new " +
        "changes in a new migration; or, if the edit changes nothing the database has, accept " +
        "it with --accept-edited (acceptEdited: true).",
    );
  }
}

/**
 * Applies the pending migrations (up to `target`), each in its own transaction.
 */
export async function up(engine: Engine, options: UpOptions): Promise<RunResult> {
  return await withSession(engine, options, async (session, state) => {
    if (options.acceptEdited) {
      for (const m of compareApplied(state.history, state.applied).edited) {
        await updateChecksum(session.db, state.table, m.id, m.checksum);
      }
      state.applied = await readApplied(session.db, state.table);
    }
    refuseEdited(state.history, state.applied);
    const result: RunResult = { applied: [], skipped: [] };
    const pending = pendingOf(state.history, state.applied, options.target);
    if (pending.length === 0) options.progress?.("Nothing to apply: the database is up to date.");
    for (const m of pending) {
      const ran = await runMigration(session, state, m, "up", options.progress);
      (ran ? result.applied : result.skipped).push(m.id);
    }
    return result;
  });
}

/**
 * Reverts the last `steps` applied migrations (1 by default), the last first.
 */
export async function down(engine: Engine, options: DownOptions): Promise<RunResult> {
  const steps = options.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new InvalidRequestError(`down takes a number of migrations of at least 1, got ${steps}.`);
  }
  return await withSession(engine, options, async (session, state) => {
    refuseEdited(state.history, state.applied);
    const byId = new Map(state.history.migrations.map((m) => [m.id, m]));
    const last = state.applied.slice(-steps).reverse();
    const result: RunResult = { applied: [], skipped: [] };
    if (last.length === 0) options.progress?.("Nothing to revert: no migration is applied.");
    for (const a of last) {
      const ran = await runMigration(session, state, byId.get(a.id)!, "down", options.progress);
      (ran ? result.applied : result.skipped).push(a.id);
    }
    return result;
  });
}

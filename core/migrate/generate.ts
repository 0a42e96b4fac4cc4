/**
 * `generate`: compares the models with the database (which must have every migration
 * applied) and writes a timestamped migration file whose `up` makes the database match the
 * models and whose `down` undoes it. Destructive changes are written only when allowed.
 *
 * @module
 */
import {
  ArgumentError,
  type Engine,
  InvalidRequestError,
  ProgrammingError,
  type TableLike,
} from "../mod.ts";
import { assess, type CompareOptions, modelDiff } from "./compare.ts";
import { diffSchemas, invertRenames } from "./diff.ts";
import type { Change } from "./diff_table.ts";
import { describeOperation } from "./describe.ts";
import { migrationText } from "./render_file.ts";
import { migrationDialect } from "./resolve.ts";
import { linearHistory, type MigrateOptions, pendingOf } from "./runner.ts";
import { readApplied, VERSION_TABLE } from "./versions.ts";

/**
 * Options of `generate`.
 *
 * @example
 * ```ts
 * import { type GenerateOptions, memorySource } from "@retort/orm/migrate";
 * const options: GenerateOptions = { name: "add_email", migrations: memorySource([]) };
 * ```
 */
export interface GenerateOptions extends MigrateOptions, CompareOptions {
  /** The migration's name: letters, digits and underscores (`add_email`). */
  name: string;
  /** Write destructive changes too (dropped tables and columns, narrowed types...). */
  allowDestructive?: boolean;
  /** Write the file even when the models match the database (for hand-written steps). */
  empty?: boolean;
  /** The time in the id; now by default. */
  now?: Date;
  /** Where the file imports the `Migration` type from. */
  importFrom?: string;
}

/**
 * What `generate` did.
 *
 * @example
 * ```ts
 * import type { GenerateResult } from "@retort/orm/migrate";
 * const where = (g: GenerateResult) => g.path ?? "nothing written";
 * ```
 */
export interface GenerateResult {
  /** The new migration's id, or `null` when nothing was written. */
  id: string | null;
  /** Where it was written. */
  path: string | null;
  /** The changes in its `up`. */
  changes: Change[];
  /** The file's text. */
  text: string | null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The id of a new migration: UTC `YYYYMMDDTHHMM_name`, with seconds when taken. */
export function migrationId(name: string, now: Date, taken: readonly string[]): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new ArgumentError(
      `A migration name is letters, digits and underscores (add_email); got ${
        JSON.stringify(name)
      }.`,
    );
  }
  const day = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const minute = `${day}T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}`;
  const second = `${minute}${pad(now.getUTCSeconds())}`;
  const clash = (stamp: string) => taken.some((id) => id.startsWith(stamp + "_"));
  if (!clash(minute)) return `${minute}_${name}`;
  if (!clash(second)) return `${second}_${name}`;
  throw new InvalidRequestError(`A migration was generated this second already; wait a second.`);
}

/** Generates a migration file from the difference between the models and the database. */
export async function generate(
  engine: Engine,
  models: readonly TableLike[],
  options: GenerateOptions,
): Promise<GenerateResult> {
  const source = options.migrations;
  if (source.write === undefined) {
    throw new ArgumentError("generate needs a migration source that can write files.");
  }
  const dialect = await migrationDialect(engine, options);
  const history = await linearHistory(source);
  const table = options.versionTable ?? VERSION_TABLE;
  const applied = await readApplied(engine, table).catch((error) => {
    if (error instanceof ProgrammingError) return [];
    throw error;
  });
  const pending = pendingOf(history, applied);
  if (pending.length > 0) {
    throw new InvalidRequestError(
      `${pending.map((m) => m.id).join(", ")} ${pending.length === 1 ? "is" : "are"} not ` +
        "applied yet, so the database does not show what the migrations make of it. Apply " +
        "them first (retort up), then generate.",
    );
  }
  const { database, models: wanted, changes } = await modelDiff(engine, dialect, models, options);
  const up = await assess(engine, changes);
  if (up.length === 0 && !options.empty) {
    options.progress?.("The database matches the models: there is nothing to generate.");
    return { id: null, path: null, changes: [], text: null };
  }
  const destructive = up.filter((c) => c.destructive);
  if (destructive.length > 0 && !options.allowDestructive) {
    throw new InvalidRequestError(
      "The migration would lose data:\n" +
        destructive.map((c) => `  - ${describeOperation(c.op)}: ${c.destructive}`).join("\n") +
        "\nIf a column or table was renamed, say so (--rename old=new) and nothing is lost. " +
        "Otherwise, to write these changes anyway, pass --allow-destructive " +
        "(allowDestructive: true); a column added NOT NULL with no server default still fails " +
        "on a table with rows.",
    );
  }
  const down = diffSchemas(wanted, database, {
    renames: invertRenames(options.renames ?? {}),
    narrows: (a, b) => dialect.narrows(a, b),
  });
  const id = migrationId(
    options.name,
    options.now ?? new Date(),
    history.migrations.map((m) => m.id),
  );
  const text = migrationText({
    id,
    parent: history.migrations.at(-1)?.id ?? null,
    up,
    down,
    importFrom: options.importFrom,
  });
  const path = await source.write(id, text);
  options.progress?.(`Wrote ${path} (${up.length} change${up.length === 1 ? "" : "s"}).`);
  return { id, path, changes: up, text };
}

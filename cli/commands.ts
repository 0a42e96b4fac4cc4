/**
 * The CLI's commands, each a thin layer over `@retort/orm/migrate`: read the configuration,
 * open the engine, call the library, print what it did.
 *
 * @module
 */
import { stat, writeFile } from "node:fs/promises";
import { ArgumentError, type Engine } from "../mod.ts";
import * as migrate from "../migrate.ts";
import { migrationId, type Renames } from "../core/migrate/mod.ts";
import { type Args, flag, UsageError, value, values } from "./args.ts";
import { type LoadedConfig, loadModels, migrationsDir, openEngine } from "./config.ts";
import { askRenames } from "./prompt.ts";
import { denoFmt } from "./runtime.ts";

/** What a command is given. */
export interface Context {
  args: Args;
  config: LoadedConfig;
  /** Prints a line of output (standard output). */
  out(line: string): void;
  /** Prints a line of notes (standard error). */
  note(line: string): void;
}

/** A command: it returns the exit code. */
export type Command = (ctx: Context) => Promise<number>;

/** `--rename old=new`: a table (`people=users`) or a column (`users.name=full_name`). */
export function parseRenames(specs: readonly string[]): Renames {
  const renames: Required<Renames> = { tables: [], columns: [] };
  for (const spec of specs) {
    const m = /^([^=]+)=([^=]+)$/.exec(spec);
    if (!m) {
      throw new UsageError(
        `--rename takes old=new (people=users, or users.name=full_name), got ${spec}.`,
      );
    }
    const [, from, to] = m;
    const dot = from.lastIndexOf(".");
    if (to.includes(".")) {
      renames.tables.push({ from, to: to.slice(to.lastIndexOf(".") + 1) });
    } else if (dot > 0) {
      renames.columns.push({ table: from.slice(0, dot), from: from.slice(dot + 1), to });
    } else renames.tables.push({ from, to });
  }
  return renames;
}

async function withEngine(ctx: Context, fn: (engine: Engine) => Promise<number>): Promise<number> {
  await using engine = openEngine(ctx.config, value(ctx.args, "url"));
  return await fn(engine);
}

const options = (ctx: Context) => ({
  migrations: migrate.directorySource(migrationsDir(ctx.config)),
  versionTable: ctx.config.versionTable,
  exclude: ctx.config.exclude,
  progress: (line: string) => ctx.out(line),
});

/** Runs a check of the arguments; the ArgumentError it raises is a usage error. */
function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ArgumentError && !(error instanceof UsageError)) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

const generate: Command = (ctx) => {
  const name = ctx.args.positional[0] ?? "";
  usage(() => migrationId(name, new Date(), []));
  const given = parseRenames(values(ctx.args, "rename"));
  return withEngine(ctx, async (engine) => {
    const models = await loadModels(ctx.config);
    let renames = given;
    if (!flag(ctx.args, "no-prompt")) renames = await askRenames(engine, models, renames);
    const result = await migrate.generate(engine, models, {
      ...options(ctx),
      name,
      renames,
      allowDestructive: flag(ctx.args, "allow-destructive"),
      empty: flag(ctx.args, "empty"),
      importFrom: ctx.config.importFrom,
    });
    for (const c of result.changes) ctx.out(`  ${migrate.describeOperation(c.op)}`);
    return 0;
  });
};

/** Checks that `up`'s target names one migration file, as the runner will. */
async function checkTarget(ctx: Context, target: string | undefined): Promise<void> {
  if (target === undefined) return;
  const ids = (await options(ctx).migrations.list()).map((f) => f.id);
  // An exact id wins over the ids it is the start of, as the runner reads a target.
  const matches = ids.includes(target) ? [target] : ids.filter((id) => id.startsWith(target));
  if (matches.length === 0) {
    throw new UsageError(`No migration is named ${target}; run status to see their ids.`);
  }
  if (matches.length > 1) {
    throw new UsageError(
      `${target} names ${matches.length} migrations (${matches.join(", ")}); give more of the id.`,
    );
  }
}

const up: Command = async (ctx) => {
  const target = ctx.args.positional[0];
  await checkTarget(ctx, target);
  return await withEngine(ctx, async (engine) => {
    const result = await migrate.up(engine, {
      ...options(ctx),
      target,
      check: flag(ctx.args, "check"),
      acceptEdited: flag(ctx.args, "accept-edited"),
    });
    const n = result.applied.length;
    if (n > 0) ctx.out(`Applied ${n} migration${n === 1 ? "" : "s"}.`);
    for (const id of result.skipped) ctx.out(`${id} was applied by another run meanwhile.`);
    return 0;
  });
};

const down: Command = (ctx) => {
  const arg = ctx.args.positional[0];
  const steps = arg === undefined ? 1 : /^\d+$/.test(arg) ? Number(arg) : NaN;
  if (!Number.isSafeInteger(steps) || steps < 1) {
    throw new UsageError(`down takes a number of migrations (1 or more), got ${arg}.`);
  }
  return withEngine(ctx, async (engine) => {
    const result = await migrate.down(engine, { ...options(ctx), steps });
    const n = result.applied.length;
    if (n > 0) ctx.out(`Reverted ${n} migration${n === 1 ? "" : "s"}.`);
    return 0;
  });
};

const status: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const report = await migrate.status(engine, options(ctx));
    ctx.out(report.text);
    return report.problems.length > 0 ? 1 : 0;
  });

const check: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const models = ctx.config.models ? await loadModels(ctx.config) : undefined;
    const report = await migrate.check(engine, { ...options(ctx), models, progress: undefined });
    ctx.out(report.text);
    return report.ok ? 0 : 1;
  });

const push: Command = (ctx) => {
  const renames = parseRenames(values(ctx.args, "rename"));
  return withEngine(ctx, async (engine) => {
    const models = await loadModels(ctx.config);
    const changes = await migrate.push(engine, models, {
      ...options(ctx),
      renames,
      force: flag(ctx.args, "force"),
    });
    if (changes.length > 0) {
      ctx.out(`Pushed ${changes.length} change${changes.length === 1 ? "" : "s"}.`);
    }
    return 0;
  });
};

/** Checks, before the work, that `--out` names a file in a folder that exists. */
async function checkOut(ctx: Context): Promise<void> {
  const out = value(ctx.args, "out");
  if (out === undefined) return;
  const folder = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) || "/" : ".";
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    throw new UsageError(`--out ${out}: there is no folder ${folder}; create it first.`);
  }
  if ((await stat(out).catch(() => null))?.isDirectory()) {
    throw new UsageError(`--out ${out} is a folder; give a file name.`);
  }
}

async function write(ctx: Context, text: string, format: boolean): Promise<void> {
  const out = value(ctx.args, "out");
  if (out === undefined) {
    ctx.out(text.replace(/\n$/, ""));
    return;
  }
  try {
    await writeFile(out, text, "utf8");
  } catch (error) {
    throw new ArgumentError(`Cannot write --out ${out}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (format) await denoFmt(out);
  ctx.note(`Wrote ${out}.`);
}

const pull: Command = async (ctx) => {
  await checkOut(ctx);
  return await withEngine(ctx, async (engine) => {
    const result = await migrate.pull(engine, {
      exclude: [ctx.config.versionTable ?? "retort_migrations", ...(ctx.config.exclude ?? [])],
    });
    for (const w of result.warnings) ctx.note(`warning: ${w}`);
    await write(ctx, result.source, true);
    return 0;
  });
};

const diagram: Command = async (ctx) => {
  await checkOut(ctx);
  await write(ctx, migrate.diagram(await loadModels(ctx.config)), false);
  return 0;
};

/** The commands, by name. */
export const COMMANDS: Record<string, Command> = {
  generate,
  up,
  down,
  status,
  check,
  push,
  pull,
  diagram,
};

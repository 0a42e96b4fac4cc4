/**
 * The CLI's commands, each a thin layer over `@retort/orm/migrate`: read the configuration,
 * open the engine, call the library, print what it did.
 *
 * @module
 */
import { ArgumentError, type Engine } from "../mod.ts";
import * as migrate from "../migrate.ts";
import type { Renames } from "../core/migrate/mod.ts";
import { type Args, flag, value, values } from "./args.ts";
import { type LoadedConfig, loadModels, migrationsDir, openEngine } from "./config.ts";
import { askRenames } from "./prompt.ts";

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
      throw new ArgumentError(
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

const generate: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const name = ctx.args.positional[0];
    if (!name) throw new ArgumentError("generate needs a name: retort generate add_email");
    const models = await loadModels(ctx.config);
    let renames = parseRenames(values(ctx.args, "rename"));
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

const up: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const result = await migrate.up(engine, {
      ...options(ctx),
      target: ctx.args.positional[0],
      check: flag(ctx.args, "check"),
      acceptEdited: flag(ctx.args, "accept-edited"),
    });
    const n = result.applied.length;
    if (n > 0) ctx.out(`Applied ${n} migration${n === 1 ? "" : "s"}.`);
    for (const id of result.skipped) ctx.out(`${id} was applied by another run meanwhile.`);
    return 0;
  });

const down: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const arg = ctx.args.positional[0];
    const steps = arg === undefined ? 1 : Number(arg);
    if (!Number.isInteger(steps) || steps < 1) {
      throw new ArgumentError(`down takes a number of migrations (1 or more), got ${arg}.`);
    }
    const result = await migrate.down(engine, { ...options(ctx), steps });
    const n = result.applied.length;
    if (n > 0) ctx.out(`Reverted ${n} migration${n === 1 ? "" : "s"}.`);
    return 0;
  });

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

const push: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const models = await loadModels(ctx.config);
    const changes = await migrate.push(engine, models, {
      ...options(ctx),
      renames: parseRenames(values(ctx.args, "rename")),
      force: flag(ctx.args, "force"),
    });
    if (changes.length > 0) {
      ctx.out(`Pushed ${changes.length} change${changes.length === 1 ? "" : "s"}.`);
    }
    return 0;
  });

async function write(ctx: Context, text: string, format: boolean): Promise<void> {
  const out = value(ctx.args, "out");
  if (out === undefined) {
    ctx.out(text.replace(/\n$/, ""));
    return;
  }
  await Deno.writeTextFile(out, text);
  if (format) {
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", out], stderr: "null" })
      .output().catch(() => {});
  }
  ctx.note(`Wrote ${out}.`);
}

const pull: Command = (ctx) =>
  withEngine(ctx, async (engine) => {
    const result = await migrate.pull(engine, {
      exclude: [ctx.config.versionTable ?? "retort_migrations", ...(ctx.config.exclude ?? [])],
    });
    for (const w of result.warnings) ctx.note(`warning: ${w}`);
    await write(ctx, result.source, true);
    return 0;
  });

const diagram: Command = async (ctx) => {
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

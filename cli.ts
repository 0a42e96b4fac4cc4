/**
 * The `retort` command line: `generate`, `up`, `down`, `status`, `check`, `push`, `pull` and
 * `diagram`, configured by `retort.config.ts`. Run it as
 * `deno run -A jsr:@retort/orm/cli <command>` (in this repository: `deno task retort`); from
 * the npm package, as `npx retort <command>` on Node.js and `bun run --bun retort <command>`
 * on Bun. The same functions are a library: `@retort/orm/migrate`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@retort/orm/cli";
 * const lines: string[] = [];
 * assert.equal(await main(["--help"], { out: (l) => lines.push(l) }), 0);
 * assert.match(lines.join("\n"), /Usage: retort <command>/);
 * ```
 *
 * @module
 */
import { RetortError } from "./mod.ts";
import { checkPositionals, commandIndex, parseArgs, UsageError, value } from "./cli/args.ts";
import { COMMANDS } from "./cli/commands.ts";
import { loadConfig } from "./cli/config.ts";
import { HELP, MAIN_HELP } from "./cli/help.ts";
import { runIfMain } from "./cli/runtime.ts";
import { COMMON_OPTIONS, optionsOf } from "./cli/spec.ts";

export type { RetortConfig } from "./cli/config.ts";

/**
 * Where the CLI writes: standard output and standard error by default.
 *
 * @example
 * ```ts
 * import type { CliOutput } from "@retort/orm/cli";
 * const quiet: CliOutput = { out: () => {}, note: () => {} };
 * ```
 */
export interface CliOutput {
  /** Output lines. */
  out?: (line: string) => void;
  /** Notes, warnings and errors. */
  note?: (line: string) => void;
}

/**
 * Runs the CLI with arguments; returns the exit code:
 *
 * - 0: done.
 * - 1: the work failed: the database, a migration, the configuration file's content (an
 *   unknown field, a field of the wrong type, a models module that does not load), or
 *   `status` and `check` found a problem.
 * - 2: misused: the command line is wrong (an unknown command or option, a missing, extra
 *   or bad argument such as `down abc` or `generate 'bad name'`, an unknown `up` target, an
 *   option without its value, no file at `--config`, a `--url` no engine takes). Nothing was
 *   done.
 *
 * Each command takes only the options its help lists: `up --dry-run` is refused, not run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@retort/orm/cli";
 * const notes: string[] = [];
 * assert.equal(await main(["frobnicate"], { note: (l) => notes.push(l) }), 2);
 * assert.match(notes[0], /unknown command frobnicate/);
 * assert.equal(await main(["up", "--dry-run"], { note: (l) => notes.push(l) }), 2);
 * assert.match(notes[1], /unknown option --dry-run for "up"/);
 * ```
 */
export async function main(argv: readonly string[], output: CliOutput = {}): Promise<number> {
  const out = output.out ?? ((line: string) => console.log(line));
  const note = output.note ?? ((line: string) => console.error(line));
  const wantsHelp = (args: readonly string[]) =>
    args.slice(0, args.includes("--") ? args.indexOf("--") : undefined)
      .some((a) => a === "--help" || a === "-h");
  const at = commandIndex(argv);
  const name = at < 0 ? undefined : argv[at];
  const rest = at < 0 ? [] : [...argv.slice(0, at), ...argv.slice(at + 1)];
  const unknown = (command: string) => {
    note(
      `error: unknown command ${command}; the commands are ${Object.keys(COMMANDS).join(", ")}.`,
    );
    return 2;
  };
  if (name === undefined) {
    const help = wantsHelp(argv);
    if (!help) {
      const given = argv.length > 0 ? ` (given: ${argv.join(" ")})` : "";
      note(`error: no command${given}; the commands are ${Object.keys(COMMANDS).join(", ")}.\n`);
    }
    (help ? out : note)(MAIN_HELP);
    return help ? 0 : 2;
  }
  if (name === "help") {
    try {
      const words = parseArgs(rest, "help", COMMON_OPTIONS.filter((o) => o.name === "help"))
        .positional;
      if (words.length > 1) throw new UsageError(`help takes one command (retort help up).`);
      if (words.length === 1 && HELP[words[0]] === undefined) return unknown(words[0]);
      out(words.length === 0 ? MAIN_HELP : HELP[words[0]]);
      return 0;
    } catch (error) {
      note(`error: ${(error as Error).message}`);
      return 2;
    }
  }
  const command = COMMANDS[name];
  if (command === undefined) return unknown(name);
  if (wantsHelp(rest)) {
    out(HELP[name]);
    return 0;
  }
  try {
    const args = parseArgs(rest, name, optionsOf(name));
    checkPositionals(name, args.positional);
    const config = await loadConfig(value(args, "config"));
    return await command({ args, config, out, note });
  } catch (error) {
    if (error instanceof RetortError) {
      note(`error: ${error.message}`);
      const cause = error.cause as Error | undefined;
      if (
        !(error instanceof UsageError) && cause?.message && !error.message.includes(cause.message)
      ) {
        note(`  cause: ${cause.message}`);
      }
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

// Run as a program (`deno run -A cli.ts`, `node esm/cli.js`, the package's `retort` command):
// the process's arguments, and main's exit code.
await runIfMain(import.meta, main);

/**
 * The `retort` command line: `generate`, `up`, `down`, `status`, `check`, `push`, `pull` and
 * `diagram`, configured by `retort.config.ts`. Run it as
 * `deno run -A jsr:@retort/orm/cli <command>` (in this repository: `deno task retort`).
 * The same functions are a library: `@retort/orm/migrate`.
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
import { parseArgs, value } from "./cli/args.ts";
import { COMMANDS } from "./cli/commands.ts";
import { loadConfig } from "./cli/config.ts";
import { HELP, MAIN_HELP } from "./cli/help.ts";

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

const VALUED = ["config", "url", "rename", "out"];

/**
 * Runs the CLI with arguments; returns the exit code (0 done, 1 failed, 2 misused).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@retort/orm/cli";
 * const notes: string[] = [];
 * assert.equal(await main(["frobnicate"], { note: (l) => notes.push(l) }), 2);
 * assert.match(notes[0], /unknown command frobnicate/);
 * ```
 */
export async function main(argv: readonly string[], output: CliOutput = {}): Promise<number> {
  const out = output.out ?? ((line: string) => console.log(line));
  const note = output.note ?? ((line: string) => console.error(line));
  let args;
  try {
    args = parseArgs(argv, VALUED);
  } catch (error) {
    note(`error: ${(error as Error).message}`);
    return 2;
  }
  const [name, ...rest] = args.positional;
  if (name === undefined || name === "help") {
    (name === undefined && !args.options.has("help") ? note : out)(MAIN_HELP);
    return name === undefined && !args.options.has("help") ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    note(`error: unknown command ${name}; the commands are ${Object.keys(COMMANDS).join(", ")}.`);
    return 2;
  }
  if (args.options.has("help")) {
    out(HELP[name]);
    return 0;
  }
  try {
    const config = await loadConfig(value(args, "config"));
    return await command({ args: { ...args, positional: rest }, config, out, note });
  } catch (error) {
    if (error instanceof RetortError) {
      note(`error: ${error.message}`);
      const cause = error.cause as Error | undefined;
      if (cause?.message && !error.message.includes(cause.message)) {
        note(`  cause: ${cause.message}`);
      }
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

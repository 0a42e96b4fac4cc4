/**
 * The CLI's argument parser: positionals, `--flag`, `--key value`, `--key=value`, repeatable
 * options, `-h`, and `--` (the end of the options). It takes only what the command declares
 * (cli/spec.ts): an unknown option or an extra argument is a {@linkcode UsageError}.
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";
import { type OptionSpec, SPECS } from "./spec.ts";

/**
 * The command line is wrong: an unknown option, a missing or extra argument, a bad value.
 * The CLI exits with 2 for it (1 is for work that failed).
 */
export class UsageError extends ArgumentError {}

/** Parsed arguments. */
export interface Args {
  /** The words that are not options, in order. */
  positional: string[];
  /** Options by name: `true` for a flag, the values for an option that takes one. */
  options: Map<string, string[] | true>;
}

/** Whether a word is an option (`--x`, `-h`), not a value or a negative number. */
const isOption = (arg: string) => arg.startsWith("--") || /^-[^\d]/.test(arg);

/** The edit distance of two short words. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The closest of some names to a word, when one is close enough to be a typo of it. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const limit = word.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let score = limit + 1;
  for (const name of names) {
    const d = distance(word, name);
    if (d < score) [best, score] = [name, d];
  }
  return best;
}

function unknownOption(arg: string, command: string, options: readonly OptionSpec[]): UsageError {
  const name = arg.replace(/^-+/, "").replace(/=.*$/, "");
  const guess = closest(name, options.map((o) => o.name));
  return new UsageError(
    `unknown option ${arg.replace(/=.*$/, "")} for "${command}"${
      guess ? ` (did you mean --${guess}?)` : ""
    }; its options are ${
      options.map((o) => `--${o.name}`).join(", ")
    }. See retort ${command} --help.`,
  );
}

/** The index of the command's name in the arguments (the first word that is not an option). */
export function commandIndex(argv: readonly string[]): number {
  const valued = new Set(
    Object.values(SPECS).flatMap((s) => s.options).filter((o) => o.value).map((o) => o.name),
  );
  valued.add("config").add("url");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (!isOption(arg)) return i;
    if (!arg.includes("=") && valued.has(arg.slice(2))) i++;
  }
  return -1;
}

/** Parses a command's arguments (without its name) against the options it takes. */
export function parseArgs(
  argv: readonly string[],
  command: string,
  options: readonly OptionSpec[],
): Args {
  const positional: string[] = [];
  const parsed = new Map<string, string[] | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!isOption(arg)) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const spec = arg.startsWith("--")
      ? options.find((o) => o.name === arg.slice(2, eq < 0 ? undefined : eq))
      : options.find((o) => o.short !== undefined && `-${o.short}` === arg);
    if (spec === undefined) throw unknownOption(arg, command, options);
    const name = `--${spec.name}`;
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`${name} takes no value; got ${arg}.`);
      parsed.set(spec.name, true);
      continue;
    }
    const next = argv[i + 1];
    const value = eq >= 0
      ? arg.slice(eq + 1)
      : next !== undefined && !isOption(next)
      ? argv[++i]
      : undefined;
    if (!value) throw new UsageError(`${name} needs a value: ${name} <${spec.value}>.`);
    const list = parsed.get(spec.name);
    parsed.set(spec.name, spec.repeatable && Array.isArray(list) ? [...list, value] : [value]);
  }
  return { positional, options: parsed };
}

/** Checks the positional arguments against the command's: none missing, none extra. */
export function checkPositionals(command: string, positional: readonly string[]): void {
  const args = SPECS[command].args;
  const missing = args.find((a, i) => a.required && positional[i] === undefined);
  if (missing) {
    throw new UsageError(missing.missing ?? `${command} needs <${missing.name}>.`);
  }
  if (positional.length <= args.length) return;
  const extra = positional.slice(args.length).join(" ");
  throw new UsageError(
    args.length === 0
      ? `"${command}" takes no arguments; got ${extra}. See retort ${command} --help.`
      : `"${command}" takes at most ${args.length} argument${args.length === 1 ? "" : "s"} (${
        args.map((a) => a.name).join(", ")
      }); got ${positional.join(" ")}. See retort ${command} --help.`,
  );
}

/** The last value of an option, if given. */
export function value(args: Args, name: string): string | undefined {
  const v = args.options.get(name);
  return Array.isArray(v) ? v.at(-1) : undefined;
}

/** Every value of a repeatable option. */
export function values(args: Args, name: string): string[] {
  const v = args.options.get(name);
  return Array.isArray(v) ? v : [];
}

/** Whether a flag was given. */
export function flag(args: Args, name: string): boolean {
  return args.options.get(name) === true;
}

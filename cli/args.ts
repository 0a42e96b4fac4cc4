/**
 * A small argument parser for the CLI: positionals, `--flag`, `--key value`, `--key=value`,
 * repeatable options, and `-h`.
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";

/** Parsed arguments. */
export interface Args {
  /** The words that are not options, in order. */
  positional: string[];
  /** Options by name: `true` for a flag, the values for an option that takes one. */
  options: Map<string, string[] | true>;
}

/** Parses arguments; `valued` names the options that take a value. */
export function parseArgs(argv: readonly string[], valued: readonly string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string[] | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      options.set("help", true);
      continue;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!valued.includes(name)) {
      if (eq >= 0) throw new ArgumentError(`--${name} takes no value.`);
      options.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ArgumentError(`--${name} needs a value.`);
    const list = options.get(name);
    options.set(name, Array.isArray(list) ? [...list, value] : [value]);
  }
  return { positional, options };
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

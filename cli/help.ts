/**
 * The CLI's help: one text for the tool and one per command, written from the commands'
 * table (cli/spec.ts), so that the help lists exactly what the parser accepts.
 *
 * @module
 */
import { argumentsOf, COMMON_OPTIONS, optionsOf, type OptionSpec, SPECS } from "./spec.ts";

const label = (o: OptionSpec) =>
  `--${o.name}${o.value ? ` <${o.value}>` : ""}${o.short ? `, -${o.short}` : ""}`;

/** Two columns: the labels, padded, and the texts, their further lines indented under them. */
function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, text]) =>
    `  ${l.padEnd(width)}${text.split("\n").join(`\n  ${" ".repeat(width)}`)}`
  ).join("\n");
}

const optionList = (options: readonly OptionSpec[]) =>
  columns(options.map((o) => [label(o), o.help]));

/** The exit codes, as the tool's help lists them. */
export const EXIT_CODES = `Exit status:
  0  done
  1  the work failed: the database, a migration, the configuration file's content (a field
     of the wrong type, a models module that does not load), or status and check found a
     problem
  2  the command line is wrong: an unknown command or option, a missing, extra or bad
     argument (down abc, generate 'bad name', --rename oops, an unknown up target), an
     option without its value, no file at --config`;

/** The help of the tool. */
export const MAIN_HELP = `retort: migrations for Retort (@retort/orm), on SQLite and PostgreSQL.

Usage: retort <command> [options]
  (in this repository: deno task retort <command>;
   with Deno: deno run -A jsr:@retort/orm/cli <command>;
   from the npm package: npx retort <command>, or on Bun: bun run --bun retort <command>)

Commands:
${
  columns(
    Object.entries(SPECS).map(([name, s]) => [`${name} ${argumentsOf(name)}`.trim(), s.summary]),
  )
}

Options for every command (diagram takes no --url):
${optionList(COMMON_OPTIONS)}

retort.config.ts:
  import type { RetortConfig } from "@retort/orm/cli";
  export default {
    env: "DATABASE_URL",        // or url: "sqlite:///app.db" (relative to this file's folder)
    models: "./models.ts",      // the module exporting your Model classes
    migrations: "./migrations", // where migration files go
  } satisfies RetortConfig;
  Its paths (models, migrations, a relative sqlite:/// url) are relative to its folder; a
  --url or $DATABASE_URL is relative to the working directory.

${EXIT_CODES}

Run "retort <command> --help" for a command's options.`;

function commandHelp(name: string): string {
  const spec = SPECS[name];
  const args = argumentsOf(name);
  return `Usage: retort ${name}${args ? ` ${args}` : ""} [options]

${spec.description}

Options:
${optionList(optionsOf(name))}

Exit status: 0 done, 1 the work failed, 2 the command line is wrong (retort --help says more).`;
}

/** The help of each command. */
export const HELP: Record<string, string> = Object.fromEntries(
  Object.keys(SPECS).map((name) => [name, commandHelp(name)]),
);

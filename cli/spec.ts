/**
 * What each command takes, declared once: its arguments and its options. The parser refuses
 * what a command does not declare, and the help is written from the same table, so the two
 * always agree.
 *
 * @module
 */

/** An option of a command: a flag (`--force`), or one that takes a value (`--out <file>`). */
export interface OptionSpec {
  /** The name, without the dashes. */
  name: string;
  /** What the value is, for the help (`file`); absent for a flag. */
  value?: string;
  /** Whether it may be given more than once (each value counts). */
  repeatable?: boolean;
  /** A short spelling (`h` for `-h`). */
  short?: string;
  /** The help, one line or several. */
  help: string;
}

/** A positional argument of a command. */
export interface ArgumentSpec {
  /** The name, for the usage line (`name`, shown `<name>` or `[name]`). */
  name: string;
  /** Whether the command needs it. */
  required?: boolean;
  /** The error when a required argument is missing. */
  missing?: string;
}

/** A command: the line in the tool's help, its arguments, what it does, its options. */
export interface CommandSpec {
  /** The line in the tool's help. */
  summary: string;
  /** Its positional arguments, in order. */
  args: ArgumentSpec[];
  /** What it does, for its help. */
  description: string;
  /** Its own options (the common ones are added). */
  options: OptionSpec[];
  /** Whether it opens the database (and so takes `--url`). */
  database: boolean;
}

/** `--config`, `--url` and `--help`. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: "config", value: "file", help: "The configuration (default: ./retort.config.ts)" },
  {
    name: "url",
    value: "url",
    help: "The database URL (default: the config's url, or $DATABASE_URL)",
  },
  { name: "help", short: "h", help: "This help" },
];

const rename = (help: string): OptionSpec => ({
  name: "rename",
  value: "old=new",
  repeatable: true,
  help,
});
const out: OptionSpec = {
  name: "out",
  value: "file",
  help: "Write to this file instead of printing",
};

/** The commands, by name, in the order the help lists them. */
export const SPECS: Record<string, CommandSpec> = {
  generate: {
    summary: "Write a migration for what the models change in the database",
    args: [{
      name: "name",
      required: true,
      missing: "generate needs a name: retort generate add_email.",
    }],
    database: true,
    description:
      `Compares the models with the database (which must have every migration applied) and writes
migrations/<timestamp>_<name>.ts, whose up makes the database match the models and whose
down undoes it. Review it, and add data steps (op.run, op.sql) where rows need filling. The
name is letters, digits and underscores.`,
    options: [
      rename(`A table (people=users) or column (users.name=full_name) that was
renamed; repeatable. Renames are never guessed: without one, a
disappearing column is dropped. On a terminal, retort asks.`),
      {
        name: "allow-destructive",
        help: `Write changes that lose data (dropped tables and columns, narrowed
types, NOT NULL on columns holding NULLs)`,
      },
      { name: "empty", help: "Write the file even when nothing changed (for hand-written steps)" },
      { name: "no-prompt", help: "Never ask about renames" },
    ],
  },
  up: {
    summary: "Apply pending migrations (--check: rehearse them on a copy first)",
    args: [{ name: "target" }],
    database: true,
    description:
      `Applies the pending migrations, up to and including target (an id or its start), each in a
transaction of its own, under a lock so that two runs never apply one migration twice.`,
    options: [
      {
        name: "check",
        help: `Rehearse on a copy first; apply only if no row is lost and no constraint
is broken`,
      },
      {
        name: "accept-edited",
        help: "Record the new checksum of applied migrations whose files changed",
      },
    ],
  },
  down: {
    summary: "Revert the last n applied migrations (default 1)",
    args: [{ name: "n" }],
    database: true,
    description: `Reverts the last n applied migrations (default 1), the last first, each in its own
transaction, running their down steps.`,
    options: [],
  },
  status: {
    summary: "List applied, pending and edited migrations",
    args: [],
    database: true,
    description:
      `Lists the migrations: [x] applied, [ ] pending, [!] edited after it was applied, [?] applied
but without a file; and reports two heads (parallel branches) if there are. Exits with 1 when
there is a problem.`,
    options: [],
  },
  check: {
    summary: "Rehearse pending migrations on a copy; report rows, violations, drift",
    args: [],
    database: true,
    description:
      `Rehearses the pending migrations on a copy of the database (SQLite: a copy of the file;
PostgreSQL: a transaction that is rolled back), and reports per table the rows before and
after, rows lost that a migration did not declare, and broken constraints. With models
configured, also reports what would still differ between the models and the database.
Nothing is changed. Exits with 1 when there is a problem.`,
    options: [],
  },
  push: {
    summary: "Make the database match the models directly, without files (development)",
    args: [],
    database: true,
    description:
      `Makes the database match the models at once, without migration files and without recording
a version (for development). Refuses changes that lose data unless forced.`,
    options: [
      rename("A renamed table or column, as for generate; repeatable"),
      { name: "force", help: "Apply changes that lose data too" },
    ],
  },
  pull: {
    summary: "Write Model classes for the database's tables",
    args: [],
    database: true,
    description:
      `Writes Model classes for the database's tables, with relationships inferred from the foreign
keys, to standard output or a file (formatted with deno fmt when run on Deno).`,
    options: [out],
  },
  diagram: {
    summary: "Print a Mermaid ER diagram of the models",
    args: [],
    database: false,
    description:
      "Prints a Mermaid ER diagram of the models: tables, columns, keys and relationships.",
    options: [out],
  },
};

/** Every option a command takes: its own, then the common ones. */
export function optionsOf(command: string): OptionSpec[] {
  const spec = SPECS[command];
  return [
    ...spec.options,
    ...COMMON_OPTIONS.filter((o) => spec.database || o.name !== "url"),
  ];
}

/** The usage line's arguments: `<name>` for a required one, `[target]` for an optional one. */
export function argumentsOf(command: string): string {
  return SPECS[command].args.map((a) => a.required ? `<${a.name}>` : `[${a.name}]`).join(" ");
}

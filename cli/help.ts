/**
 * The CLI's help: one text for the tool and one per command.
 *
 * @module
 */

const COMMON = `Options for every command:
  --config <file>  The configuration (default: ./retort.config.ts)
  --url <url>      The database URL (default: the config's url, or $DATABASE_URL)
  --help, -h       This help`;

/** The help of the tool. */
export const MAIN_HELP = `retort: migrations for Retort (@retort/orm), on SQLite and PostgreSQL.

Usage: retort <command> [options]
  (in this repository: deno task retort <command>;
   elsewhere: deno run -A jsr:@retort/orm/cli <command>)

Commands:
  generate <name>  Write a migration for what the models change in the database
  up [target]      Apply pending migrations (--check: rehearse them on a copy first)
  down [n]         Revert the last n applied migrations (default 1)
  status           List applied, pending and edited migrations
  check            Rehearse pending migrations on a copy; report rows, violations, drift
  push             Make the database match the models directly, without files (development)
  pull             Write Model classes for the database's tables
  diagram          Print a Mermaid ER diagram of the models

${COMMON}

retort.config.ts:
  import type { RetortConfig } from "@retort/orm/cli";
  export default {
    env: "DATABASE_URL",        // or url: "sqlite:///app.db"
    models: "./models.ts",      // the module exporting your Model classes
    migrations: "./migrations", // where migration files go
  } satisfies RetortConfig;

Run "retort <command> --help" for a command's options.`;

/** The help of each command. */
export const HELP: Record<string, string> = {
  generate: `Usage: retort generate <name> [options]

Compares the models with the database (which must have every migration applied) and writes
migrations/<timestamp>_<name>.ts, whose up makes the database match the models and whose
down undoes it. Review it, and add data steps (op.run, op.sql) where rows need filling.

Options:
  --rename <old=new>    A table (people=users) or column (users.name=full_name) that was
                        renamed; repeatable. Renames are never guessed: without one, a
                        disappearing column is dropped. On a terminal, retort asks.
  --allow-destructive   Write changes that lose data (dropped tables and columns, narrowed
                        types, NOT NULL on columns holding NULLs)
  --empty               Write the file even when nothing changed (for hand-written steps)
  --no-prompt           Never ask about renames

${COMMON}`,
  up: `Usage: retort up [target] [options]

Applies the pending migrations, up to and including target (an id or its start), each in a
transaction of its own, under a lock so that two runs never apply one migration twice.

Options:
  --check          Rehearse on a copy first; apply only if no row is lost and no constraint
                   is broken
  --accept-edited  Record the new checksum of applied migrations whose files changed

${COMMON}`,
  down: `Usage: retort down [n] [options]

Reverts the last n applied migrations (default 1), the last first, each in its own
transaction, running their down steps.

${COMMON}`,
  status: `Usage: retort status [options]

Lists the migrations: [x] applied, [ ] pending, [!] edited after it was applied, [?] applied
but without a file; and reports two heads (parallel branches) if there are. Exits with 1 when
there is a problem.

${COMMON}`,
  check: `Usage: retort check [options]

Rehearses the pending migrations on a copy of the database (SQLite: a copy of the file;
PostgreSQL: a transaction that is rolled back), and reports per table the rows before and
after, rows lost that a migration did not declare, and broken constraints. With models
configured, also reports what would still differ between the models and the database.
Nothing is changed. Exits with 1 when there is a problem.

${COMMON}`,
  push: `Usage: retort push [options]

Makes the database match the models at once, without migration files and without recording
a version (for development). Refuses changes that lose data unless forced.

Options:
  --rename <old=new>  A renamed table or column, as for generate; repeatable
  --force             Apply changes that lose data too

${COMMON}`,
  pull: `Usage: retort pull [options]

Writes Model classes for the database's tables, with relationships inferred from the foreign
keys, to standard output or a file (formatted with deno fmt).

Options:
  --out <file>     Write to this file instead of printing

${COMMON}`,
  diagram: `Usage: retort diagram [options]

Prints a Mermaid ER diagram of the models: tables, columns, keys and relationships.

Options:
  --out <file>     Write to this file instead of printing

${COMMON}`,
};

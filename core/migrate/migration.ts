/**
 * Migrations and where they come from: a migration is a parent and `up` and `down` lists of
 * operations; a source lists migration files (a folder, or migrations held in memory).
 *
 * @module
 */
import { ArgumentError, sql, type SqlTag } from "../mod.ts";
import { op, type Ops } from "./op.ts";
import type { Operation } from "./operations.ts";

/**
 * What `up` and `down` are given: the operation constructors and the `sql` tag.
 *
 * @example
 * ```ts
 * import type { Migration } from "@retort/orm/migrate";
 * const m: Migration = {
 *   parent: null,
 *   up: ({ op, sql }) => [op.sql(sql`CREATE TABLE t (x INTEGER)`)],
 *   down: ({ op }) => [op.dropTable("t")],
 * };
 * ```
 */
export interface MigrationTools {
  /** The operation constructors. */
  op: Ops;
  /** The `sql` tag, for hand-written steps. */
  sql: SqlTag;
}

/**
 * A migration, as a migration file's default export. `parent` is the id of the migration it
 * follows (`null` for the first); `up` and `down` return its operations.
 *
 * @example
 * ```ts
 * import type { Migration } from "@retort/orm/migrate";
 * const addEmail = {
 *   parent: "20261130T0900_init",
 *   up: ({ op }) => [op.addColumn("users", { name: "email", type: "TEXT", nullable: true })],
 *   down: ({ op }) => [op.dropColumn("users", "email")],
 * } satisfies Migration;
 * console.assert(addEmail.parent !== null);
 * ```
 */
export interface Migration {
  /** The id of the migration this one follows, or `null` for the first. */
  parent: string | null;
  /** A line saying what it does. */
  description?: string;
  /** The operations that apply it. */
  up(tools: MigrationTools): Operation[];
  /** The operations that revert it; absent when it cannot be reverted. */
  down?(tools: MigrationTools): Operation[];
}

/**
 * One migration file: its id (the file name without `.ts`), its text (for the checksum) and
 * a way to load it.
 *
 * @example
 * ```ts
 * import type { MigrationFile } from "@retort/orm/migrate";
 * const file: MigrationFile = {
 *   id: "20261201T1530_add_email",
 *   text: "export default { parent: null, up: () => [] };",
 *   load: () => Promise.resolve({ parent: null, up: () => [] }),
 * };
 * ```
 */
export interface MigrationFile {
  /** The migration's id. */
  readonly id: string;
  /** The file's text. */
  readonly text: string;
  /** Where it is, for messages (a path). */
  readonly location?: string;
  /** Loads the migration. */
  load(): Promise<unknown>;
}

/**
 * Where migrations come from, and where `generate` writes new ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "@retort/orm/migrate";
 * const source = memorySource([]);
 * assert.deepEqual(await source.list(), []);
 * ```
 */
export interface MigrationSource {
  /** The migration files, in any order. */
  list(): Promise<MigrationFile[]>;
  /** Writes a new migration file; returns where it went. */
  write?(id: string, text: string): Promise<string>;
  /** Where the migrations live, for messages. */
  readonly location?: string;
}

/**
 * A source of migrations held in memory, for tests and programs that define migrations in
 * code. `write` keeps generated files' text (they cannot be loaded back).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "@retort/orm/migrate";
 * const source = memorySource([
 *   { id: "001_init", migration: { parent: null, up: ({ op }) => [op.dropTable("old")] } },
 * ]);
 * const [file] = await source.list();
 * assert.equal(file.id, "001_init");
 * ```
 */
export function memorySource(
  entries: { id: string; migration: Migration; text?: string }[],
): MigrationSource & { written: Map<string, string> } {
  const written = new Map<string, string>();
  return {
    location: "memory",
    written,
    list: () =>
      Promise.resolve(entries.map((e) => ({
        id: e.id,
        text: e.text ?? describeInMemory(e.migration),
        load: () => Promise.resolve(e.migration),
      }))),
    write(id, text) {
      written.set(id, text);
      return Promise.resolve(`memory:${id}`);
    },
  };
}

function describeInMemory(m: Migration): string {
  return `${m.parent}\n${m.up.toString()}\n${m.down?.toString() ?? ""}`;
}

/** The tools handed to `up` and `down`. */
export const tools: MigrationTools = { op, sql };

/**
 * Checks a loaded module's default export and returns it as a migration.
 *
 * @internal
 */
export function asMigration(value: unknown, file: MigrationFile): Migration {
  const m = (value as { default?: unknown } | null)?.default ?? value;
  const where = file.location ?? file.id;
  const fail = (why: string) =>
    new ArgumentError(
      `${where}: ${why}. A migration file ends with ` +
        "`export default { parent, up, down } satisfies Migration`.",
    );
  if (m === undefined) throw fail("it has no default export");
  if (m === null || typeof m !== "object") throw fail("its default export is not a migration");
  const { parent, up, down } = m as Record<string, unknown>;
  if (typeof up !== "function") throw fail("its default export has no up function");
  if (down !== undefined && typeof down !== "function") throw fail("its down is not a function");
  if (parent !== null && typeof parent !== "string") {
    throw fail("its parent must be the id of the migration it follows, or null");
  }
  return m as Migration;
}

/**
 * The operations of one direction of a migration, checked.
 *
 * @internal
 */
export function operationsOf(m: Migration, id: string, direction: "up" | "down"): Operation[] {
  const fn = direction === "up" ? m.up : m.down;
  if (fn === undefined) {
    throw new ArgumentError(
      `Migration ${id} has no down, so it cannot be reverted; write its down, or restore ` +
        "the database from a backup.",
    );
  }
  const ops = fn.call(m, tools);
  if (!Array.isArray(ops)) {
    throw new ArgumentError(`Migration ${id}: ${direction} must return a list of operations.`);
  }
  for (const o of ops) {
    if (o === null || typeof o !== "object" || typeof (o as Operation).kind !== "string") {
      throw new ArgumentError(
        `Migration ${id}: ${direction} returned ${JSON.stringify(o)}, which is not an ` +
          "operation; build steps with op.*.",
      );
    }
  }
  return ops;
}

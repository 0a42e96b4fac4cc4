/**
 * The history: migrations ordered by their parents, from the first to the head. Two
 * migrations with the same parent are two heads (parallel branches), reported as Alembic
 * reports them; so is a parent that no file has.
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";
import { asMigration, type Migration, type MigrationSource } from "./migration.ts";

/**
 * A migration loaded from its file, with the checksum of the file's text.
 *
 * @example
 * ```ts
 * import type { LoadedMigration } from "@retort/orm/migrate";
 * const kinds = (m: LoadedMigration) => m.id + " " + m.checksum.slice(0, 8);
 * ```
 */
export interface LoadedMigration {
  /** Its id: the file name without `.ts`. */
  readonly id: string;
  /** SHA-256 of the file's text (line endings normalised), in hex. */
  readonly checksum: string;
  /** The migration. */
  readonly migration: Migration;
  /** Where it is, for messages. */
  readonly location: string;
}

/**
 * The ordered history, and what is wrong with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadHistory, memorySource } from "@retort/orm/migrate";
 * const history = await loadHistory(memorySource([
 *   { id: "001_a", migration: { parent: null, up: () => [] } },
 *   { id: "002_b", migration: { parent: "001_a", up: () => [] } },
 * ]));
 * assert.deepEqual(history.migrations.map((m) => m.id), ["001_a", "002_b"]);
 * assert.deepEqual(history.heads, ["002_b"]);
 * ```
 */
export interface History {
  /** The migrations, each after its parent (branches side by side, by id). */
  readonly migrations: readonly LoadedMigration[];
  /** The migrations no other follows: one, unless branches were merged without a fix. */
  readonly heads: readonly string[];
  /** Problems: two heads, a missing parent, a cycle. Empty when the history is linear. */
  readonly problems: readonly string[];
}

/**
 * SHA-256 of a migration file's text, with CRLF line endings read as LF.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksum } from "@retort/orm/migrate";
 * assert.equal(await checksum("a\r\nb"), await checksum("a\nb"));
 * ```
 */
export async function checksum(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text.replaceAll("\r\n", "\n"));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Loads every migration of a source and orders them by parent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadHistory, memorySource } from "@retort/orm/migrate";
 * const history = await loadHistory(memorySource([
 *   { id: "001_a", migration: { parent: null, up: () => [] } },
 *   { id: "002_b", migration: { parent: "001_a", up: () => [] } },
 *   { id: "002_c", migration: { parent: "001_a", up: () => [] } },
 * ]));
 * assert.deepEqual(history.heads, ["002_b", "002_c"]);
 * assert.match(history.problems[0], /two heads/);
 * ```
 */
export async function loadHistory(source: MigrationSource): Promise<History> {
  const files = await source.list();
  const loaded: LoadedMigration[] = [];
  const seen = new Set<string>();
  for (const file of [...files].sort((a, b) => a.id.localeCompare(b.id))) {
    if (seen.has(file.id)) {
      throw new ArgumentError(`Two migrations have the id ${file.id}; rename one of the files.`);
    }
    seen.add(file.id);
    loaded.push({
      id: file.id,
      checksum: await checksum(file.text),
      migration: asMigration(await file.load(), file),
      location: file.location ?? file.id,
    });
  }
  return order(loaded);
}

function order(loaded: LoadedMigration[]): History {
  const byId = new Map(loaded.map((m) => [m.id, m]));
  const children = new Map<string | null, LoadedMigration[]>();
  const problems: string[] = [];
  for (const m of loaded) {
    const parent = m.migration.parent;
    if (parent !== null && !byId.has(parent)) {
      problems.push(
        `${m.id} follows ${parent}, which is not among the migrations; restore ${parent} or ` +
          "set the parent of " + m.id + " to an existing migration.",
      );
    }
    const list = children.get(parent) ?? [];
    list.push(m);
    children.set(parent, list);
  }
  const out: LoadedMigration[] = [];
  const visit = (parent: string | null) => {
    for (const child of children.get(parent) ?? []) {
      if (out.includes(child)) continue;
      out.push(child);
      visit(child.id);
    }
  };
  visit(null);
  for (const m of loaded) {
    if (!out.includes(m) && byId.has(m.migration.parent ?? "")) {
      problems.push(`${m.id} is part of a cycle of parents; fix the parent of one of them.`);
    }
  }
  for (const m of loaded) if (!out.includes(m)) out.push(m);
  const heads = loaded.filter((m) => !(children.get(m.id)?.length)).map((m) => m.id);
  const roots = children.get(null) ?? [];
  if (roots.length > 1) {
    problems.push(
      `${roots.map((r) => r.id).join(" and ")} all have no parent; only the first migration ` +
        "has none. Set the parent of the others.",
    );
  }
  for (const [parent, list] of children) {
    if (parent !== null && list.length > 1) {
      const [first, ...rest] = list.map((m) => m.id);
      problems.push(
        `There are two heads: ${list.map((m) => m.id).join(" and ")} all follow ${parent} ` +
          `(parallel branches). Set the parent of ${rest.join(", ")} to ${first} (or to the ` +
          "last migration of that branch) so that the history is one line again.",
      );
    }
  }
  return { migrations: out, heads, problems };
}

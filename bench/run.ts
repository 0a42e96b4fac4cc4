/**
 * The benchmark driver: `deno task bench` (that is, `deno run -A bench/run.ts`).
 *
 * Every cell (workload × database × contestant) runs in this one process. For each workload
 * and database, the contestants take turns round-robin (the starting contestant rotates each
 * round) so that noise spreads evenly: warm-up rounds first, then the timed ones. Before each
 * run the tables are reset and seeded outside the timed section; after it, the result is
 * checked, and a failed check aborts that cell loudly.
 *
 * Flags:
 *   --smoke          about 20 rows, 1 run, no warm-up; exit 1 if any check fails (for CI)
 *   --write-md       write bench/RESULTS.md
 *   --reps N         timed runs per cell (default 5; short cells get up to 4 × N, to fill
 *                    about 200 ms, when there is a warm-up to measure them by)
 *   --warmup N       warm-up runs per cell (default 1)
 *   --db LIST        sqlite,postgres (default both; PostgreSQL is skipped when unreachable
 *                    unless RETORT_REQUIRE_POSTGRES=1 or --db names it)
 *   --only LIST      workloads, e.g. W1,W3
 *   --contestants L  e.g. raw,retort-core (raw is always kept as the baseline)
 *   --no-startup     skip the startup figure
 *   --no-memory      skip the memory figure (heap bytes per loaded user, bench/memory.ts)
 *   --out FILE       where to write the JSON (default bench/results.json; smoke writes none)
 *
 * PostgreSQL is reached at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * the run works in a schema of its own, dropped at the end.
 *
 * @module
 */
import postgres from "postgres";
import { parseArgs } from "node:util";
import type { Contestant, DbKind, Handle, Target } from "./contestant.ts";
import { contestants as allContestants } from "./contestants/mod.ts";
import {
  type CellResult,
  consoleTables,
  environment,
  markdown,
  median,
  type Results,
  startupText,
} from "./report.ts";
import { measureStartup } from "./startup.ts";
import { measureMemory, memoryText } from "./memory.ts";
import { CheckError, FULL, schema, SMOKE, type Workload, WORKLOADS } from "./workloads.ts";

/** Each contestant's timed runs of a short workload add up to about this much. */
const TIMED_BUDGET_MS = 200;
const PG_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    smoke: { type: "boolean", default: false },
    "write-md": { type: "boolean", default: false },
    reps: { type: "string" },
    warmup: { type: "string" },
    db: { type: "string" },
    only: { type: "string" },
    contestants: { type: "string" },
    "no-startup": { type: "boolean", default: false },
    "no-memory": { type: "boolean", default: false },
    out: { type: "string" },
  },
});

const smoke = flags.smoke;
const scale = smoke ? SMOKE : FULL;
const reps = Number(flags.reps ?? (smoke ? 1 : 5));
const warmup = Number(flags.warmup ?? (smoke ? 0 : 1));
const list = (s: string | undefined) => s?.split(",").map((x) => x.trim()).filter(Boolean);
const askedDbs = list(flags.db) as DbKind[] | undefined;
const only = list(flags.only);
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id));
const picked = list(flags.contestants);
const contestants = (await allContestants()).filter((c) =>
  !picked || c.name === "raw" || picked.includes(c.name)
);

function log(message: string): void {
  console.log(message);
}

/** Whether PostgreSQL answers at PG_URL. */
async function postgresUp(): Promise<boolean> {
  const url = new URL(PG_URL);
  try {
    const conn = await Deno.connect({
      hostname: url.hostname || "127.0.0.1",
      port: Number(url.port || 5432),
    });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

async function databases(): Promise<DbKind[]> {
  const wanted = askedDbs ?? ["sqlite", "postgres"];
  if (!wanted.includes("postgres") || await postgresUp()) return wanted;
  const required = askedDbs !== undefined || Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";
  if (required) throw new Error(`PostgreSQL is not reachable at ${PG_URL}.`);
  console.warn(`PostgreSQL is not reachable at ${PG_URL}: running SQLite only.`);
  return wanted.filter((d) => d !== "postgres");
}

function describeError(error: unknown): string {
  if (error instanceof CheckError) return `check failed: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * How many timed runs a workload gets: at least `reps`, and more (up to four times as many)
 * when its runs are short, so that a short cell's median rests on enough samples.
 */
function timedRuns(typicalMs: number): number {
  const fit = Math.ceil(TIMED_BUDGET_MS / Math.max(typicalMs, 0.001));
  return Math.max(reps, Math.min(4 * reps, fit));
}

/** Runs one workload on one database, round-robin over the open handles. */
async function runWorkload(
  workload: Workload,
  db: DbKind,
  handles: Map<Contestant, Handle | Error>,
): Promise<CellResult[]> {
  const entries = [...handles.entries()];
  const cells = entries.map(([c, h]): CellResult => ({
    workload: workload.id,
    title: workload.title(scale),
    db,
    contestant: c.name,
    samples: [],
    median: null,
    ratio: null,
    error: h instanceof Error ? `open failed: ${describeError(h)}` : undefined,
  }));
  let rounds = warmup + reps;
  const warmups: number[] = []; // their median sets how many timed runs fit the budget
  for (let round = 0; round < rounds; round++) {
    if (round === warmup && warmups.length > 0) rounds = warmup + timedRuns(median(warmups));
    for (let k = 0; k < entries.length; k++) {
      const i = (k + round) % entries.length;
      const [, handle] = entries[i];
      const cell = cells[i];
      if (cell.error !== undefined || handle instanceof Error) continue;
      try {
        const timed = await workload.setup(handle, db, scale);
        await new Promise((resolve) => setTimeout(resolve, 0)); // let pending I/O settle
        const start = performance.now();
        const result = await timed.run();
        const elapsed = performance.now() - start;
        await timed.check(result);
        if (round >= warmup) cell.samples.push(elapsed);
        else warmups.push(elapsed);
      } catch (error) {
        cell.error = describeError(error);
        console.error(
          `\n!!! ${db} ${workload.id} ${cell.contestant}: ${cell.error}\n` +
            (error instanceof Error && !(error instanceof CheckError) ? `${error.stack}\n` : ""),
        );
      }
    }
  }
  const raw = cells.find((c) => c.contestant === "raw");
  for (const c of cells) {
    if (c.error === undefined && c.samples.length > 0) c.median = median(c.samples);
  }
  for (const c of cells) {
    if (c.median !== null && raw?.median) c.ratio = c.median / raw.median;
  }
  log(
    `${db.padEnd(8)} ${workload.id.padEnd(4)} ` +
      cells.map((c) =>
        `${c.contestant} ${
          c.error ? "FAILED" : `${c.median?.toFixed(2)} ms` +
            (c.ratio !== null && c.contestant !== "raw" ? ` (${c.ratio.toFixed(2)}×)` : "")
        }`
      ).join(" | "),
  );
  return cells;
}

async function openAll(target: Target): Promise<Map<Contestant, Handle | Error>> {
  const handles = new Map<Contestant, Handle | Error>();
  for (const c of contestants) {
    try {
      const handle = await c.open(target);
      await handle.exec(schema(target.db));
      handles.set(c, handle);
    } catch (error) {
      console.error(`\n!!! ${target.db} ${c.name}: cannot open: ${describeError(error)}\n`);
      handles.set(c, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return handles;
}

async function runDatabase(db: DbKind, target: Target): Promise<CellResult[]> {
  const handles = await openAll(target);
  const cells: CellResult[] = [];
  try {
    for (const w of workloads) cells.push(...await runWorkload(w, db, handles));
  } finally {
    for (const h of handles.values()) if (!(h instanceof Error)) await h.close();
  }
  return cells;
}

async function main(): Promise<number> {
  const env = await environment(contestants.flatMap((c) => c.packages));
  const dbs = await databases();
  log(
    `Retort benchmark (${smoke ? "smoke" : "full"}): ${workloads.map((w) => w.id).join(", ")} ` +
      `on ${dbs.join(", ")}; ${contestants.map((c) => c.name).join(", ")}; ` +
      `${warmup} warm-up + ${reps} timed runs per cell.`,
  );
  const cells: CellResult[] = [];
  for (const db of dbs) {
    if (db === "sqlite") {
      cells.push(...await runDatabase("sqlite", { db: "sqlite" }));
      continue;
    }
    const admin = postgres(PG_URL, { onnotice: () => {}, max: 1 });
    const schemaName = `retort_bench_${Deno.pid}`;
    try {
      env.postgres = String((await admin`SHOW server_version`)[0].server_version);
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
      await admin.unsafe(`CREATE SCHEMA ${schemaName}`);
      const url = new URL(PG_URL);
      url.searchParams.set("search_path", schemaName);
      cells.push(...await runDatabase("postgres", { db: "postgres", url: url.href }));
    } finally {
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
      await admin.end({ timeout: 5 });
    }
  }
  const startup = flags["no-startup"] ? null : await measureStartup(smoke ? 1 : 7);
  const memory = flags["no-memory"]
    ? null
    : await measureMemory(dbs, contestants.map((c) => c.name), PG_URL, smoke ? 100 : 10_000);
  const results: Results = {
    environment: env,
    settings: { mode: smoke ? "smoke" : "full", scale, warmup, repetitions: reps },
    contestants: contestants.map((c) => ({
      name: c.name,
      notes: c.notes as Record<string, string>,
    })),
    cells,
    startup,
    memory,
  };
  log(consoleTables(results));
  if (startup) log(startupText(startup));
  if (memory) log(memoryText(memory));
  const out = flags.out ?? (smoke ? undefined : new URL("./results.json", import.meta.url));
  if (out !== undefined) await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
  if (flags["write-md"]) {
    const md = new URL("./RESULTS.md", import.meta.url);
    await Deno.writeTextFile(md, markdown(results));
    // Lay the tables out as `deno fmt --check` (in `deno task ok`) expects.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", md.pathname] }).output();
  }
  const failed: { db: string; workload: string; contestant: string }[] = [
    ...cells.filter((c) => c.error !== undefined),
    ...(memory?.cells ?? []).filter((c) => c.bytesPerRow === null)
      .map((c) => ({ ...c, workload: "memory" })),
  ];
  if (failed.length > 0) {
    console.error(
      `\n${failed.length} cell(s) FAILED: ` +
        failed.map((c) => `${c.db} ${c.workload} ${c.contestant}`).join(", "),
    );
    return 1;
  }
  log(`\nAll ${cells.length} cells passed their checks.`);
  return 0;
}

Deno.exit(await main());

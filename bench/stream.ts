/**
 * The streaming figure: peak heap while streaming 1,000,000 rows, on each database, with
 * `engine.stream` (Core rows) and `session.stream(..., { expunge: true })` (ORM objects),
 * against `engine.all` (everything in memory at once) for contrast. Peak heap is sampled
 * every 10,000 rows and reported at 100k, 300k and 1M rows, after a forced GC before each
 * run: a stream's peak stays flat as the count grows, all()'s grows with it.
 *
 * Run: `deno run -A --v8-flags=--expose-gc --config bench/deno.json bench/stream.ts
 * [--rows 1000000] [--db sqlite,postgres] [--chunk 1000] [--no-all]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { column, createEngine, type Engine, type Fragment, Model, select, sql } from "../mod.ts";

const args = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    db: { type: "string", default: "sqlite,postgres" },
    chunk: { type: "string", default: "1000" },
    "no-all": { type: "boolean", default: false },
  },
});
const TOTAL = Number(args.values.rows);
const CHUNK = Number(args.values.chunk);
const MARKS = [100_000, 300_000, 1_000_000].filter((m) => m <= TOTAL);
if (!MARKS.includes(TOTAL)) MARKS.push(TOTAL);
const PG_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn("Run with --v8-flags=--expose-gc for comparable figures.");

class Reading extends Model("retort_stream_bench", {
  id: column.integer().primaryKey(),
  sensor: column.text(),
  value: column.integer(),
}) {}

async function seedRows(engine: Engine, n: number): Promise<void> {
  await engine.dropAll([Reading]);
  await engine.createAll([Reading]);
  const rows = engine.dialect.name === "postgres"
    ? sql`SELECT g, 'sensor-' || (g % 97), g % 1000 FROM generate_series(1, ${n}) AS g`
    : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${n})
          SELECT g, 'sensor-' || (g % 97), g % 1000 FROM s`;
  await engine.run(sql`INSERT INTO retort_stream_bench (id, sensor, value) ${rows}`);
}

/** Megabytes, one decimal; a heap that shrank below the start reads 0.0, not -0.0. */
const mb = (bytes: number) => (Math.max(0, bytes) / 1048576).toFixed(1);

/**
 * Runs `fn`, which calls `tick(count)` as rows go by. At each mark: the heap in use above the
 * start after a forced GC (what the loop keeps alive), and the highest heap seen so far
 * sampled every 10,000 rows without a GC (garbage included).
 */
async function measure(
  fn: (tick: (count: number) => void) => Promise<number>,
): Promise<{ kept: Map<number, number>; peaks: Map<number, number>; ms: number }> {
  gc?.();
  const base = Deno.memoryUsage().heapUsed;
  let peak = 0;
  const kept = new Map<number, number>();
  const peaks = new Map<number, number>();
  let next = 0;
  let paused = 0;
  const tick = (count: number) => {
    if (count % 10_000 === 0) peak = Math.max(peak, Deno.memoryUsage().heapUsed - base);
    if (count === MARKS[next]) {
      const t = performance.now();
      gc?.();
      kept.set(count, Deno.memoryUsage().heapUsed - base);
      peaks.set(count, peak);
      next++;
      paused += performance.now() - t;
    }
  };
  const start = performance.now();
  const n = await fn(tick);
  if (n !== TOTAL) throw new Error(`expected ${TOTAL} rows, got ${n}`);
  return { kept, peaks, ms: performance.now() - start - paused };
}

/** For contrast: what `engine.all` keeps for the first `mark` rows, after a forced GC. */
async function keptByAll(engine: Engine, q: Fragment, mark: number): Promise<number> {
  gc?.();
  const base = Deno.memoryUsage().heapUsed;
  const rows = await engine.all(sql`${q} LIMIT ${mark}`);
  gc?.();
  const kept = Deno.memoryUsage().heapUsed - base;
  if (rows.length !== mark) throw new Error(`expected ${mark} rows, got ${rows.length}`);
  return kept;
}

interface Result {
  db: string;
  how: string;
  kept: Map<number, number>;
  peaks: Map<number, number>;
  ms: number;
}
const results: Result[] = [];
for (const db of String(args.values.db).split(",")) {
  const engine = createEngine(db === "postgres" ? PG_URL : "sqlite::memory:");
  await seedRows(engine, TOTAL);
  const q = sql`SELECT id, sensor, value FROM retort_stream_bench ORDER BY id`;
  results.push({
    db,
    how: "engine.stream",
    ...await measure(async (tick) => {
      let n = 0;
      let sum = 0;
      for await (const r of engine.stream<{ value: number }>(q, { chunkSize: CHUNK })) {
        sum += r.value;
        tick(++n);
      }
      return sum >= 0 ? n : -1;
    }),
  });
  results.push({
    db,
    how: "session.stream, expunge",
    ...await measure(async (tick) => {
      await using session = engine.session();
      let n = 0;
      const query = select(Reading).orderBy(Reading.c.id);
      for await (const r of session.stream(query, { chunkSize: CHUNK, expunge: true })) {
        if (r.value < 0) throw new Error("bad row");
        tick(++n);
      }
      return n;
    }),
  });
  if (!args.values["no-all"]) {
    const kept = new Map<number, number>();
    for (const mark of MARKS) kept.set(mark, await keptByAll(engine, q, mark));
    results.push({ db, how: "engine.all (contrast)", kept, peaks: new Map(), ms: NaN });
  }
  await engine.dropAll([Reading]);
  await engine.dispose();
}

const marks = MARKS.map((m) => m.toLocaleString("en"));
console.log(
  `| database | how | ${marks.map((m) => `kept at ${m}`).join(" | ")} | ` +
    `${marks.map((m) => `peak to ${m}`).join(" | ")} | ms, all rows |`,
);
console.log(`| --- | --- | ${[...MARKS, ...MARKS].map(() => "---:").join(" | ")} | ---: |`);
const cell = (m: Map<number, number>, k: number) => (m.has(k) ? `${mb(m.get(k)!)} MB` : "-");
for (const r of results) {
  const kept = MARKS.map((m) => cell(r.kept, m));
  const peaks = MARKS.map((m) => cell(r.peaks, m));
  const ms = Number.isNaN(r.ms) ? "-" : r.ms.toFixed(0);
  console.log(`| ${r.db} | ${r.how} | ${kept.join(" | ")} | ${peaks.join(" | ")} | ${ms} |`);
}

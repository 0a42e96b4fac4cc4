/**
 * A job queue on PostgreSQL: several workers claim jobs at once with
 * `select(Job).forUpdate({ skipLocked: true }).limit(n)`, each in a session (a transaction)
 * of its own. A worker's claim locks the rows it reads; the others' claims skip those rows
 * rather than wait for them, so each job is claimed exactly once, without blocking.
 *
 * Run it with `deno run -A examples/job_queue.ts`. The URL comes from `DATABASE_URL`, by
 * default `postgres://postgres@127.0.0.1:5432/test`. It creates (and drops again) its own
 * table, `queue_jobs`.
 */
import { column, createEngine, eq, Model, OperationalError, select, sql } from "../mod.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const WORKERS = 4;
const JOBS = 60;
const BATCH = 3;

class Job extends Model("queue_jobs", {
  id: column.integer().primaryKey(),
  payload: column.text(),
  status: column.text().default("pending"),
  worker: column.text().nullable(),
  attempts: column.integer().default(0),
}) {}

await using engine = createEngine(url, { poolSize: WORKERS + 1 });
try {
  await engine.scalar(sql`SELECT 1`);
} catch (e) {
  if (!(e instanceof OperationalError)) throw e;
  console.error(`Cannot reach PostgreSQL at ${url}: ${e.message}`);
  Deno.exit(1);
}
await engine.dropAll([Job]);
await engine.createAll([Job]);
{
  await using session = engine.session();
  for (let i = 1; i <= JOBS; i++) session.add(new Job({ payload: `job ${i}` }));
  await session.commit();
}
console.log(`queued ${JOBS} jobs; ${WORKERS} workers claim up to ${BATCH} at a time`);

/** The next batch of pending jobs that no other worker holds. */
const claim = select(Job).where(eq(Job.c.status, "pending")).orderBy(Job.c.id).limit(BATCH)
  .forUpdate({ skipLocked: true });

/** One worker: claims a batch, works on it while holding the rows' locks, commits; again. */
async function worker(name: string): Promise<number> {
  let done = 0;
  for (;;) {
    await using session = engine.session();
    const jobs = await session.all(claim);
    if (jobs.length === 0) return done;
    for (const job of jobs) {
      job.status = "done";
      job.worker = name;
      job.attempts += 1;
    }
    // The work itself: while this transaction is open, the other workers skip these rows.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await session.commit();
    done += jobs.length;
  }
}

const names = Array.from({ length: WORKERS }, (_, i) => `worker-${i + 1}`);
const counts = await Promise.all(names.map(worker));
names.forEach((n, i) => console.log(`${n} did ${counts[i]} jobs`));

const total = counts.reduce((a, b) => a + b, 0);
const rows = await engine.all(select(Job.c.status, Job.c.attempts, Job.c.worker));
const once = rows.every((r) => r.status === "done" && r.attempts === 1 && r.worker !== null);
const busy = counts.filter((c) => c > 0).length;
console.log(`claimed ${total} of ${JOBS} jobs; each exactly once: ${once && total === JOBS}`);
console.log(`workers that got jobs: ${busy} of ${WORKERS}`);
await engine.dropAll([Job]);
if (!once || total !== JOBS) Deno.exit(1);

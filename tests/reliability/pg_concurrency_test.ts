/**
 * Concurrency on PostgreSQL: 50 concurrent sessions read, modify and write 100 rows that have
 * a version column, one to three rows a transaction, in random order. No update is lost (the
 * final sum equals the increments of the transactions that committed, and each row's version
 * counts its committed updates), conflicts surface as StaleDataError or as a serialization or
 * deadlock error, and the server's connection count returns to its baseline afterwards.
 */
import assert from "node:assert/strict";
import { column, Model, OperationalError, select, sql, StaleDataError } from "../../mod.ts";
import { pgConnections, relTest, rngFor, scale, SOAK } from "./_support.ts";

const WORKERS = 50;
const ROWS = 100;
/** Transactions per worker in CI; a soak run goes on for a time instead. */
const PER_WORKER = 20;
const SOAK_MS = 120_000;

class Counter extends Model("rel_cc_counters", {
  id: column.integer().primaryKey(),
  n: column.integer(),
  version: column.integer().version(),
}) {}

relTest("concurrency: 50 sessions on 100 versioned rows lose no update", async (db) => {
  const rng = rngFor("concurrency");
  const admin = db.admin();
  const baseline = await pgConnections(admin, db.app);
  const dbBaseline = await admin.scalar<number>(
    sql`SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const poolSize = 20;
  const engine = db.open({ poolSize });
  await engine.createAll([Counter]);
  {
    await using session = engine.session();
    for (let id = 1; id <= ROWS; id++) session.add(new Counter({ id, n: 0 }));
    await session.commit();
  }
  const stats = { commits: 0, increments: 0, stale: 0, serialization: 0, deadlock: 0 };
  const perRow = new Array<number>(ROWS + 1).fill(0);
  let peak = 0;
  const deadline = performance.now() + SOAK_MS;
  const worker = async (w: number) => {
    for (let i = 0; SOAK ? performance.now() < deadline : i < PER_WORKER; i++) {
      const count = 1 + rng.int(3);
      const ids = new Set<number>();
      while (ids.size < count) ids.add(1 + rng.int(ROWS));
      await using session = engine.session();
      try {
        for (const id of ids) {
          const c = (await session.get(Counter, id))!;
          c.n += 1;
          if (rng.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, rng.int(3)));
        }
        await session.commit();
        stats.commits++;
        stats.increments += ids.size;
        for (const id of ids) perRow[id]++;
      } catch (error) {
        if (error instanceof StaleDataError) stats.stale++;
        else if (error instanceof OperationalError && error.code === "40001") stats.serialization++;
        else if (error instanceof OperationalError && error.code === "40P01") stats.deadlock++;
        else throw new Error(`worker ${w}: unexpected ${error}`, { cause: error });
        await session.rollback();
      }
      if (i % 5 === 0) peak = Math.max(peak, engine.checkedOut);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  const during = await pgConnections(admin, db.app);

  {
    await using session = engine.session();
    const rows = await session.all(select(Counter).orderBy(Counter.c.id));
    const sum = rows.reduce((s, r) => s + r.n, 0);
    assert.equal(
      sum,
      stats.increments,
      "lost updates: the sum differs from the committed increments",
    );
    for (const r of rows) {
      assert.equal(r.n, perRow[r.id], `row ${r.id}: ${r.n}, committed ${perRow[r.id]}`);
      assert.equal(r.version, 1 + r.n, `row ${r.id}: version ${r.version} after ${r.n} updates`);
    }
  }
  assert.ok(stats.commits > 0);
  assert.ok(during <= poolSize, `${during} connections for a pool of ${poolSize}`);
  await engine.dispose();
  const after = await pgConnections(admin, db.app);
  assert.equal(after, baseline, `${after} connections left, baseline ${baseline}`);
  const dbAfter = await admin.scalar<number>(
    sql`SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()`,
  );
  console.log(
    `  ${WORKERS} workers: ${stats.commits} commits (${stats.increments} increments), ` +
      `${stats.stale} StaleDataError, ${stats.serialization} serialization and ` +
      `${stats.deadlock} deadlock errors; 0 lost updates; connections: ${during} during ` +
      `(pool ${poolSize}), ${after} after (baseline ${baseline}); database-wide ` +
      `${dbBaseline} before, ${dbAfter} after`,
  );
}, { on: ["postgres"] });

relTest("concurrency: serializable sessions lose no update either", async (db) => {
  const rng = rngFor("concurrency, serializable");
  const engine = db.open({ poolSize: 10 });
  await engine.createAll([Counter]);
  await engine.run(
    sql`INSERT INTO ${Counter} (id, n, version) SELECT g, 0, 1 FROM generate_series(1, 10) g`,
  );
  let commits = 0;
  let conflicts = 0;
  const worker = async () => {
    for (let i = 0; i < scale(10, 100); i++) {
      const id = 1 + rng.int(10);
      // A raw read-modify-write without a version check: SERIALIZABLE must refuse the loser.
      try {
        await engine.transaction(async (tx) => {
          const n = await tx.scalar<number>(sql`SELECT n FROM ${Counter} WHERE id = ${id}`);
          await tx.run(sql`UPDATE ${Counter} SET n = ${n + 1} WHERE id = ${id}`);
        }, { isolationLevel: "serializable" });
        commits++;
      } catch (error) {
        assert.ok(error instanceof OperationalError, `${error}`);
        assert.ok(["40001", "40P01"].includes(error.code!), error.code);
        conflicts++;
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  const sum = Number(await engine.scalar(sql`SELECT sum(n) FROM ${Counter}`));
  assert.equal(sum, commits, "lost updates under SERIALIZABLE");
  console.log(`  serializable: ${commits} commits, ${conflicts} serialization failures, 0 lost`);
}, { on: ["postgres"] });

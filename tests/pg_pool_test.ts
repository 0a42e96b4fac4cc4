/**
 * The PostgreSQL pool never waits for ever, and keeps its prepared statements bounded:
 *
 * - a checkout that finds every connection held (by transactions never settled, sessions never
 *   closed) fails after `acquireTimeout` with an OperationalError naming the pool's size and
 *   how many connections are held; so does a statement on the pool meanwhile; once a
 *   connection is given back, work goes on, and no connection is left to nobody;
 * - statement texts beyond the cache run as unnamed statements, so 1,500 `IN` lists of
 *   different lengths do not leave 1,500 prepared statements on a connection;
 * - `prepare=false` (for a transaction pooler such as PgBouncer) prepares nothing at all.
 */
import assert from "node:assert/strict";
import { createEngine, OperationalError, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

const held = (size: number, n: number) => (e: unknown) =>
  e instanceof OperationalError && e.code === "POOL_TIMEOUT" &&
  e.message.includes(`the pool has ${size} connections and ${n} are held`);

dbTest("pool: a checkout waits at most acquireTimeout, then fails naming the pool", async (db) => {
  const engine = db.engine({ poolSize: 2, acquireTimeout: 200 });
  const first = await engine.connect();
  const second = await engine.connect();
  await first.run(sql`BEGIN`); // a transaction left open, as an abandoned session leaves it
  await second.scalar(sql`SELECT 1`);
  await assert.rejects(engine.scalar(sql`SELECT ${1}::int`), held(2, 2));
  await assert.rejects(engine.scalar(sql`SELECT 1`), held(2, 2));
  await assert.rejects(engine.connect(), held(2, 2));
  await assert.rejects(engine.transaction((tx) => tx.scalar(sql`SELECT 1`)), held(2, 2));
  {
    await using session = engine.session();
    await assert.rejects(session.execute(sql`SELECT 1`), held(2, 2));
  }
  await second.close();
  // The checkouts that timed out were given back their connection when it came: both
  // connections serve again, one after the other and at once.
  assert.equal(await engine.scalar(sql`SELECT ${2}::int`), 2);
  const both = await Promise.all([
    engine.transaction((tx) => tx.scalar<number>(sql`SELECT ${3}::int`)),
    engine.scalar<number>(sql`SELECT ${4}::int`),
  ]);
  assert.deepEqual(both, [3, 4]);
  await first.run(sql`ROLLBACK`);
  await first.close();
  const again = await Promise.all([engine.connect(), engine.connect()]);
  for (const c of again) await c.close();
}, { on: ["postgres"] });

dbTest("pool: a statement that reached a connection is never cut short", async (db) => {
  const engine = db.engine({ poolSize: 1, acquireTimeout: 100 });
  assert.equal(await engine.scalar(sql`SELECT ${1}::int FROM pg_sleep(0.3)`), 1);
  await engine.transaction(async (tx) => {
    assert.equal(await tx.scalar(sql`SELECT ${2}::int FROM pg_sleep(0.3)`), 2);
  });
}, { on: ["postgres"] });

/** Prepared statements on the one connection of an engine whose pool has one. */
const preparedCount = (engine: ReturnType<typeof createEngine>) =>
  engine.scalar<number>(sql`SELECT count(*)::int FROM pg_prepared_statements`);

dbTest("pool: prepared statements per connection stay bounded", async (db) => {
  const engine = db.engine({ poolSize: 1 });
  // Each length once, then the first 400 again (a second run is what earns a name).
  for (const last of [1500, 400]) {
    for (let n = 1; n <= last; n++) {
      const ids = Array.from({ length: n }, (_, i) => i);
      const q = sql`SELECT count(*)::int FROM generate_series(1, 3) AS g WHERE g IN ${
        sql.list(ids)
      }`;
      assert.equal(await engine.scalar(q), Math.min(n - 1, 3));
    }
  }
  const count = await preparedCount(engine);
  assert(count > 0 && count <= 256, `${count} prepared statements on one connection`);
  // A transaction's statements, on a reserved connection, obey the same bound.
  await engine.transaction(async (tx) => {
    for (let n = 1; n <= 300; n++) {
      await tx.all(sql`SELECT ${n}::int AS n, ${"x".repeat(n)}::text AS s`);
      await tx.all(sql`SELECT ${n}::int AS n, ${"x".repeat(n)}::text AS s`);
    }
  });
  assert((await preparedCount(engine)) <= 256);
}, { on: ["postgres"] });

dbTest("pool: prepare=false in the URL prepares nothing, for transaction poolers", async (db) => {
  const url = `${db.url}${db.url.includes("?") ? "&" : "?"}prepare=false`;
  await using engine = createEngine(url, { poolSize: 1 });
  for (let i = 0; i < 3; i++) assert.equal(await engine.scalar(sql`SELECT ${i}::int`), i);
  await engine.transaction(async (tx) => {
    for (let i = 0; i < 3; i++) assert.equal(await tx.scalar(sql`SELECT ${i}::int`), i);
  });
  assert.equal(await preparedCount(engine), 0);
}, { on: ["postgres"] });

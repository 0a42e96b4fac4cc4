/**
 * Retries: a transaction that loses a race (a serialization failure on PostgreSQL, a busy
 * database on SQLite) runs again, a bounded number of times; the last error says how many.
 */
import assert from "node:assert/strict";
import { column, createEngine, Model, OperationalError, sql } from "../mod.ts";
import { dbTest, scopedTest } from "./_db.ts";

class Counter extends Model("retry_counters", {
  id: column.integer().primaryKey(),
  n: column.integer(),
}) {}

scopedTest(
  "engine.transaction retries a serialization failure and gives the count",
  async ({ open }) => {
    const engine = open({ poolSize: 4 });
    await engine.createAll([Counter]);
    await engine.run(sql`INSERT INTO ${Counter} (id, n) VALUES (1, 0)`);
    let attempts = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const begun = new Promise<void>((r) => (started = r));
    const slow = engine.transaction(async (tx) => {
      attempts++;
      const n = await tx.scalar<number>(sql`SELECT n FROM ${Counter} WHERE id = 1`);
      if (attempts === 1) {
        started();
        await held; // another transaction commits a write to the row meanwhile
      }
      await tx.run(sql`UPDATE ${Counter} SET n = ${n + 1} WHERE id = 1`);
    }, { isolationLevel: "serializable", retry: 5 });
    await begun;
    await engine.transaction(async (tx) => {
      await tx.run(sql`UPDATE ${Counter} SET n = n + 1 WHERE id = 1`);
    });
    release();
    await slow;
    assert.equal(attempts, 2);
    assert.equal(await engine.scalar(sql`SELECT n FROM ${Counter} WHERE id = 1`), 2);
  },
  { on: ["postgres"] },
);

dbTest(
  "a busy SQLite database is retried, and the last error says how many attempts",
  async (db) => {
    const first = db.engine({ busyTimeout: 50 });
    const second = createEngine(db.url, { busyTimeout: 50 });
    try {
      await first.createAll([Counter]);
      await first.run(sql`INSERT INTO ${Counter} (id, n) VALUES (1, 0)`);
      // One connection holds the write lock for a while; the other's transaction retries.
      const holder = await first.connect();
      const tx = await holder.begin();
      await tx.run(sql`UPDATE ${Counter} SET n = n + 1 WHERE id = 1`);
      let attempts = 0;
      const waiting = second.transaction(async (t) => {
        attempts++;
        await t.run(sql`UPDATE ${Counter} SET n = n + 10 WHERE id = 1`);
      }, { retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 40 } });
      await new Promise((r) => setTimeout(r, 150));
      await tx.commit();
      await holder.close();
      await waiting;
      assert.ok(attempts >= 2, `attempts: ${attempts}`);
      assert.equal(await first.scalar(sql`SELECT n FROM ${Counter} WHERE id = 1`), 11);
      // Held for good: the retries run out, and say so.
      const stuck = await first.connect();
      const t2 = await stuck.begin();
      await t2.run(sql`UPDATE ${Counter} SET n = 0 WHERE id = 1`);
      await assert.rejects(
        second.transaction(async (t) => {
          await t.run(sql`UPDATE ${Counter} SET n = 5 WHERE id = 1`);
        }, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }),
        (e: unknown) => e instanceof OperationalError && /after 3 attempts/.test(e.message),
      );
      await stuck.close();
    } finally {
      await second.dispose();
    }
  },
  { on: ["sqlite-file"] },
);

scopedTest("session.transaction retries too, running the callback again", async ({ open }) => {
  const engine = open({ poolSize: 4 });
  await engine.createAll([Counter]);
  {
    await using s = engine.session();
    s.add(new Counter({ id: 1, n: 0 }));
    await s.commit();
  }
  let attempts = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const begun = new Promise<void>((r) => (started = r));
  await using session = engine.session();
  const slow = session.transaction(async (s) => {
    attempts++;
    await s.run(sql`SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`);
    const c = (await s.get(Counter, 1, { populateExisting: true }))!;
    if (attempts === 1) {
      started();
      await held;
    }
    c.n += 1;
  }, { retry: 5 });
  await begun;
  await engine.run(sql`UPDATE ${Counter} SET n = n + 1 WHERE id = 1`);
  release();
  await slow;
  assert.equal(attempts, 2);
  assert.equal(await engine.scalar(sql`SELECT n FROM ${Counter} WHERE id = 1`), 2);
}, { on: ["postgres"] });

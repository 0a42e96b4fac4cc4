/**
 * Connection loss on PostgreSQL: `pg_terminate_backend`, from a separate admin connection,
 * kills the session's backend at a random moment of committing a 10,000-row flush. Each time
 * the table holds 0 or 10,000 of the trial's rows, a failed commit leaves the session
 * demanding a rollback (PendingRollbackError) and usable after it, and the engine's next
 * operation succeeds. The pool keeps no more connections than its size.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  Model,
  OperationalError,
  PendingRollbackError,
  RetortError,
  sql,
} from "../../mod.ts";
import { pgConnections, relTest, rngFor, scale } from "./_support.ts";

const ROWS = 10_000;
const TRIALS = scale(24, 300);

class Reading extends Model("rel_cl_readings", {
  id: column.integer().primaryKey(),
  trial: column.integer().index(),
  payload: column.text(),
}) {}

interface Outcome {
  error: unknown;
  ms: number;
}

/** One trial: a 10,000-row commit, and (unless `delay` is null) a kill after `delay` ms. */
async function trial(
  engine: Engine,
  admin: Engine,
  n: number,
  delay: number | null,
): Promise<Outcome> {
  await using session = engine.session();
  const { rows } = await session.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
  const pid = rows[0].pid;
  for (let i = 0; i < ROWS; i++) {
    session.add(new Reading({ trial: n, payload: `reading ${i} of trial ${n}` }));
  }
  const start = performance.now();
  const killer = delay === null ? null : (async () => {
    await new Promise((resolve) => setTimeout(resolve, delay));
    // With a timeout, pg_terminate_backend returns once the backend has exited.
    await admin.run(sql`SELECT pg_terminate_backend(${pid}, 5000)`);
  })();
  let error: unknown = null;
  try {
    await session.commit();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - start;
  await killer;
  if (error !== null) {
    assert.ok(error instanceof OperationalError, `the lost connection surfaced as ${error}`);
    // The session demands a rollback, then works again.
    await assert.rejects(session.commit(), PendingRollbackError);
    await assert.rejects(session.execute(sql`SELECT 1`), PendingRollbackError);
    await session.rollback();
    assert.equal(session.identityCount, 0);
    const { rows } = await session.execute<{ one: number }>(sql`SELECT 1 AS one`);
    assert.equal(rows[0].one, 1);
  }
  return { error, ms };
}

relTest("connection loss: a backend killed in mid-commit leaves 0 or 10,000 rows", async (db) => {
  const rng = rngFor("connection loss");
  const poolSize = 3;
  const engine = db.open({ poolSize });
  const admin = db.admin();
  await engine.createAll([Reading]);
  const count = async (n: number) =>
    Number(
      await engine.scalar(sql`SELECT count(*) FROM ${Reading} WHERE ${Reading.c.trial} = ${n}`),
    );

  // Two commits without a kill tell how long one takes here.
  const warm = [await trial(engine, admin, -1, null), await trial(engine, admin, -2, null)];
  const window = Math.min(...warm.map((o) => o.ms));
  const seen = { killedInCommit: 0, committedFirst: 0 };
  for (let n = 1; n <= TRIALS; n++) {
    // Mostly while the commit runs, sometimes just after it.
    const delay = rng.next() * window * 1.5;
    const { error } = await trial(engine, admin, n, delay);
    // The engine's next operation succeeds, and sees all of the trial's rows or none.
    const rows = await count(n);
    if (error !== null) {
      assert.ok(rows === 0 || rows === ROWS, `trial ${n} left ${rows} rows`);
      seen.killedInCommit++;
    } else {
      assert.equal(rows, ROWS, `trial ${n} committed, yet holds ${rows} rows`);
      seen.committedFirst++;
    }
  }
  assert.ok(seen.killedInCommit > 0, "no kill landed while a commit ran");
  // A fresh session and a transaction work.
  {
    await using session = engine.session();
    session.add(new Reading({ trial: 0, payload: "after" }));
    await session.commit();
  }
  assert.equal(await count(0), 1);
  const open = await pgConnections(admin, db.app);
  assert.ok(open <= poolSize, `${open} connections for a pool of ${poolSize}`);
  await engine.dispose();
  assert.equal(await pgConnections(admin, db.app), 0, "connections left after dispose");
  assert.ok(new OperationalError("x") instanceof RetortError);
  console.log(
    `  ${TRIALS} trials of ${ROWS} rows (commit ≈ ${window.toFixed(0)} ms): ` +
      `${seen.killedInCommit} killed in mid-commit, ${seen.committedFirst} committed first; ` +
      `${open} connections open before dispose, 0 after`,
  );
}, { on: ["postgres"] });

relTest(
  "connection loss: a connection killed between statements fails the next one, typed",
  async (db) => {
    const engine = db.open({ poolSize: 2 });
    const admin = db.admin();
    await engine.createAll([Reading]);
    const trials = scale(20, 200);
    for (let n = 1; n <= trials; n++) {
      {
        await using conn = await engine.connect();
        await using tx = await conn.begin();
        const pid = await tx.scalar<number>(sql`SELECT pg_backend_pid()`);
        await tx.run(sql`INSERT INTO ${Reading} (trial, payload) VALUES (${-n}, ${"x"})`);
        await admin.run(sql`SELECT pg_terminate_backend(${pid}, 5000)`);
        if (n % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        // Sent on a lost connection: an OperationalError, never a hang or a crash.
        await assert.rejects(
          tx.run(sql`INSERT INTO ${Reading} (trial, payload) VALUES (${-n}, ${"y"})`),
          OperationalError,
        );
      } // disposing rolls back what it can and gives the connection up
      assert.equal(
        Number(await engine.scalar(sql`SELECT count(*) FROM ${Reading} WHERE trial = ${-n}`)),
        0,
      );
    }
    assert.ok((await pgConnections(admin, db.app)) <= 2);
    console.log(`  ${trials} connections killed between statements, each failed typed`);
  },
  { on: ["postgres"] },
);

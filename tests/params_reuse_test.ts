/**
 * A driver may bind a statement's parameters from an array it reuses (SQLite's does, for up
 * to eight values): each statement must still bind its own values, whatever ran before it,
 * failed or not, and an error must name the values as they were given.
 */
import assert from "node:assert/strict";
import { DatabaseSync, type SQLOutputValue } from "node:sqlite";
import { createEngine, DatabaseError, sql, type Transaction } from "../mod.ts";
import { dbTest } from "./_db.ts";

dbTest("statements with as many parameters bind each their own values", async (db) => {
  const engine = db.engine();
  await engine.run(sql`DROP TABLE IF EXISTS params_reuse`);
  await engine.run(
    sql`CREATE TABLE params_reuse (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, t TEXT)`,
  );
  try {
    await engine.transaction(async (tx) => {
      for (let i = 1; i <= 20; i++) {
        // Two parameters each, of other types in turn: integers (encoded) and text (not).
        await tx.run(sql`INSERT INTO params_reuse (id, n, t) VALUES (${i}, ${i * 10}, ${`t${i}`})`);
        const [a, b] = await tx.all<{ a: number; b: string | null }>(
          sql`SELECT CAST(${i * 3} AS INTEGER) AS a, CAST(${`s${i}`} AS TEXT) AS b
              UNION ALL SELECT CAST(${-i} AS INTEGER), CAST(${null} AS TEXT)`,
        );
        assert.deepEqual([a, b], [{ a: i * 3, b: `s${i}` }, { a: -i, b: null }]);
      }
    });
    const rows = await engine.all<{ id: number; n: number; t: string }>(
      sql`SELECT id, n, t FROM params_reuse ORDER BY id`,
    );
    assert.equal(rows.length, 20);
    rows.forEach((r, k) => assert.deepEqual(r, { id: k + 1, n: (k + 1) * 10, t: `t${k + 1}` }));
  } finally {
    await engine.run(sql`DROP TABLE params_reuse`);
  }
});

dbTest(
  "a failed statement names its values as given, and the next binds its own",
  async (db) => {
    const engine = db.engine();
    await engine.run(sql`DROP TABLE IF EXISTS params_reuse_fail`);
    await engine.run(sql`CREATE TABLE params_reuse_fail (id INTEGER PRIMARY KEY, n INTEGER)`);
    try {
      await engine.run(sql`INSERT INTO params_reuse_fail (id, n) VALUES (${1}, ${7})`);
      const error = await engine.run(sql`INSERT INTO params_reuse_fail (id, n) VALUES (${1}, ${8})`)
        .then(() => null, (e) => e);
      assert(error instanceof DatabaseError, `expected a DatabaseError, got ${error}`);
      // The values as the caller gave them: numbers, not the driver's encoded integers.
      assert.deepEqual(error.params, [1, 8]);
      await engine.run(sql`INSERT INTO params_reuse_fail (id, n) VALUES (${2}, ${9})`);
      assert.deepEqual(
        await engine.all(sql`SELECT id, n FROM params_reuse_fail ORDER BY id`),
        [{ id: 1, n: 7 }, { id: 2, n: 9 }],
      );
    } finally {
      await engine.run(sql`DROP TABLE params_reuse_fail`);
    }
  },
);

dbTest("an integer beyond 2^53 read back after an encoded parameter", async (db) => {
  const engine = db.engine();
  const big = 2n ** 60n + 1n;
  for (let i = 0; i < 3; i++) {
    const v = await engine.scalar(sql`SELECT CAST(${big} AS BIGINT) + CAST(${i} AS BIGINT)`);
    assert.equal(BigInt(v as bigint | string), big + BigInt(i));
    assert.equal(
      Number(await engine.scalar(sql`SELECT CAST(${i} AS INTEGER) + CAST(${1} AS INTEGER)`)),
      i + 1,
    );
  }
});

dbTest("a run statement's result holds no rows", async (db) => {
  const engine = db.engine();
  const r = await engine.execute(sql`SELECT 1 WHERE 1 = 0`, "run");
  assert.deepEqual(r.rows, []);
  const again = await engine.execute(sql`SELECT 1 WHERE 1 = 0`, "run");
  assert.equal(again.rows.length, 0);
});

Deno.test("a statement run inside another on SQLite (by a SQL function) leaves it its values", async () => {
  // PostgreSQL runs one statement at a time on a connection; SQLite runs a SQL function's
  // statements inside the statement that calls it, on the same connection.
  const db = new DatabaseSync(":memory:");
  let tx: Transaction | null = null;
  const inner: Promise<unknown>[] = [];
  db.function("poke", (x: SQLOutputValue) => {
    if (tx !== null) inner.push(tx.run(sql`SELECT ${7}, ${8}`));
    return x;
  });
  await using engine = createEngine(db);
  await engine.run(sql`CREATE TABLE t (a INTEGER, b INTEGER)`);
  await engine.run(sql`INSERT INTO t VALUES (9007199254740993, 1), (2, 2)`);
  await engine.transaction(async (t) => {
    tx = t;
    // Two encoded parameters, and an integer past 2^53 read again as a bigint (a second run
    // of the same arguments, after the function's statements ran).
    const rows = await t.all<{ a: bigint | number; p: number }>(
      sql`SELECT a, poke(b) AS p FROM t WHERE b >= ${1} AND b <= ${2} ORDER BY b`,
    );
    tx = null;
    assert.deepEqual(rows.map((r) => [BigInt(r.a), r.p]), [[9007199254740993n, 1], [2n, 2]]);
  });
  assert(inner.length > 0, "the function ran statements");
  await Promise.all(inner);
  db.close();
});

/**
 * Transaction control written as SQL: refused where it cannot be honoured (the Engine's pooled
 * statements, a transaction object's, a session's), run on a connection of one's own, whose
 * transaction begun by SQL is rolled back when the connection is given back.
 */
import assert from "node:assert/strict";
import { ArgumentError, column, insert, InvalidRequestError, sql, table } from "../mod.ts";
import { controlOf } from "../core/engine/control.ts";
import { dbTest } from "./_db.ts";

const count = async (e: { scalar(q: ReturnType<typeof sql>): Promise<unknown> }) =>
  Number(await e.scalar(sql`SELECT count(*) FROM tc_rows`));

dbTest(
  "BEGIN, COMMIT and SAVEPOINT as SQL are refused where nothing can follow them",
  async (db) => {
    const engine = db.engine();
    await engine.run(sql`CREATE TABLE tc_rows (id INTEGER PRIMARY KEY)`);
    const refused = (e: unknown) => e instanceof ArgumentError && /written as SQL/.test(e.message);
    for (
      const q of [
        sql`BEGIN`,
        sql`  /* x */ begin transaction`,
        sql`START TRANSACTION`,
        sql`COMMIT`,
        sql`${sql`ROLLBACK`}`,
        sql`SAVEPOINT a`,
      ]
    ) {
      await assert.rejects(engine.run(q), refused);
    }
    // Nothing was left open: a statement after commits on its own.
    await engine.run(sql`INSERT INTO tc_rows (id) VALUES (1)`);
    assert.equal(await count(engine), 1);

    await engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO tc_rows (id) VALUES (2)`);
      await assert.rejects(tx.run(sql`COMMIT`), refused);
      await assert.rejects(tx.run(sql`RELEASE SAVEPOINT x`), refused);
      assert.equal(tx.isActive, true);
      await tx.rollback();
    });
    assert.equal(await count(engine), 1, "the transaction's rollback undid its row");

    {
      await using session = engine.session();
      await session.execute(sql`INSERT INTO tc_rows (id) VALUES (3)`);
      await assert.rejects(session.execute(sql`COMMIT`), refused);
      await session.rollback();
    }
    assert.equal(await count(engine), 1);
    // Statements that only look alike run.
    assert.equal(Number(await engine.scalar(sql`SELECT 1 AS begin`)), 1);
  },
);

dbTest("a connection of one's own runs BEGIN as SQL, and is given back rolled back", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE tc_rows (id INTEGER PRIMARY KEY)`);
  {
    await using conn = await engine.connect();
    await conn.run(sql`BEGIN`);
    await conn.run(sql`INSERT INTO tc_rows (id) VALUES (1)`);
    await assert.rejects(conn.begin(), InvalidRequestError);
    await conn.run(sql`COMMIT`);
    await conn.run(sql`BEGIN`);
    await conn.run(sql`INSERT INTO tc_rows (id) VALUES (2)`);
    // Given back with the second transaction open: it is rolled back, not left to the pool.
  }
  assert.equal(await count(engine), 1);
  await engine.run(sql`INSERT INTO tc_rows (id) VALUES (3)`);
  assert.equal(await count(engine), 2, "the next statement commits on its own");
  {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    await assert.rejects(conn.run(sql`COMMIT`), ArgumentError);
    await tx.commit();
  }
});

Deno.test("transaction control is read through comments, semicolons and nested fragments", () => {
  const cases: [ReturnType<typeof sql>, string | null][] = [
    [sql`;BEGIN`, "begin"],
    [sql`/* c */ ${sql.unsafe("BEGIN")}`, "begin"],
    [sql`\n  -- note\n  commit`, "end"],
    [sql`ROLLBACK TO SAVEPOINT a`, "inside"],
    [sql`ROLLBACK TRANSACTION TO a`, "inside"],
    [sql`COMMIT AND CHAIN`, "inside"],
    [sql`COMMIT PREPARED 'x'`, null],
    [sql`ROLLBACK PREPARED 'x'`, null],
    [sql`START TRANSACTION ISOLATION LEVEL SERIALIZABLE`, "begin"],
    [sql`END`, "end"],
    [sql`SELECT 'BEGIN'`, null],
    [sql`ANALYZE`, null],
    [sql`CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END`, null],
    [sql`DO $$ BEGIN PERFORM 1; END $$`, null],
    [sql`${"BEGIN"}`, null], // a value, not SQL
  ];
  for (const [q, want] of cases) assert.equal(controlOf(q), want, q.strings.join("?"));
});

dbTest("transaction control cannot be streamed, nor left open by a savepoint", async (db) => {
  const engine = db.engine({ poolSize: 1 });
  await engine.run(sql`CREATE TABLE tc_rows (id INTEGER PRIMARY KEY)`);
  const refused = (e: unknown) => e instanceof ArgumentError && /written as SQL/.test(e.message);
  await assert.rejects(async () => {
    for await (const _ of engine.stream(sql`BEGIN`)) assert.fail("a row of BEGIN");
  }, refused);
  await assert.rejects(
    engine.transaction(async (tx) => {
      for await (const _ of tx.stream(sql`COMMIT`)) assert.fail("a row of COMMIT");
    }),
    refused,
  );
  {
    await using conn = await engine.connect();
    await conn.run(sql`BEGIN`);
    await conn.run(sql`SAVEPOINT a`);
    await conn.run(sql`INSERT INTO tc_rows (id) VALUES (1)`);
    await conn.run(sql`ROLLBACK TO SAVEPOINT a`); // still in the transaction begun by SQL
    await conn.run(sql`INSERT INTO tc_rows (id) VALUES (2)`);
    // Statements after run inside the transaction SQL began.
    await conn.run(sql`INSERT INTO tc_rows (id) VALUES (3)`);
  }
  assert.equal(await count(engine), 0, "given back rolled back");
  if (db.dialect === "sqlite") {
    // On SQLite a SAVEPOINT outside a transaction begins one.
    {
      await using conn = await engine.connect();
      await conn.run(sql`SAVEPOINT b`);
      await conn.run(sql`INSERT INTO tc_rows (id) VALUES (4)`);
    }
    assert.equal(await count(engine), 0);
  }
  await engine.run(sql`INSERT INTO tc_rows (id) VALUES (5)`);
  assert.equal(await count(engine), 1, "the pool's connection commits on its own again");
});

const items = table("tc_items", {
  id: column.integer().primaryKey(),
  note: column.text().nullable(),
});

dbTest("a batched statement runs inside the transaction SQL began", async (db) => {
  const engine = db.engine();
  await engine.createAll([items]);
  {
    await using conn = await engine.connect();
    await conn.run(sql`BEGIN`);
    // Rows of different columns: the insert goes as two statements.
    await conn.run(insert(items).values([{ id: 1 }, { id: 2, note: "n" }]));
    await conn.run(sql`ROLLBACK`);
    await conn.run(insert(items).values([{ id: 3 }, { id: 4, note: "n" }]));
  }
  const ids = await engine.all<{ id: number }>(sql`SELECT id FROM tc_items ORDER BY id`);
  assert.deepEqual(ids.map((r) => Number(r.id)), [3, 4]);
});

/**
 * A SQLite statement is a read or a write by what it is: the verb of its main statement, after
 * comments and the whole list of common table expressions, not a search of its text. A CTE
 * named `deleted` or a string holding "delete" leaves a query a read; a `WITH ... DELETE` is
 * a write.
 */
import assert from "node:assert/strict";
import { sql } from "../mod.ts";
import { statementKind } from "../dialects/sqlite/statement_kind.ts";
import { dbTest } from "./_db.ts";

Deno.test("statement kind: the main statement's verb, past comments and CTEs", () => {
  const cases: [string, string, boolean, boolean][] = [
    // text, verb, read only, writes
    ["SELECT 1", "SELECT", true, false],
    ["  -- delete everything\n /* update */ select 'delete'", "SELECT", true, false],
    ["WITH deleted AS (SELECT 'delete' AS x) SELECT x FROM deleted", "SELECT", true, false],
    [
      `WITH RECURSIVE "update"(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "update" WHERE n < 3),
         [insert] AS MATERIALIZED (SELECT ')' AS p, (SELECT '(' ) AS q),
         \`del)ete\` AS NOT MATERIALIZED (SELECT 'it''s ) insert' /* ) */ -- )
         ) SELECT * FROM "update"`,
      "SELECT",
      true,
      false,
    ],
    ["WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)", "DELETE", false, true],
    ["with x as (select 1) insert into t select * from x returning *", "INSERT", false, true],
    ["WITH x AS (SELECT 1) UPDATE t SET a = 1", "UPDATE", false, true],
    ["REPLACE INTO t VALUES (1)", "REPLACE", false, true],
    ["VALUES (1), (2)", "VALUES", true, false],
    ["EXPLAIN QUERY PLAN DELETE FROM t", "EXPLAIN", true, false],
    ["PRAGMA foreign_keys", "PRAGMA", true, false],
    ["PRAGMA table_info('t')", "PRAGMA", true, false],
    ["PRAGMA main.user_version = 3", "PRAGMA", false, false],
    ["CREATE TABLE deleted (x)", "CREATE", false, false],
    ["BEGIN", "BEGIN", false, false],
  ];
  for (const [text, verb, readOnly, writes] of cases) {
    assert.deepEqual(statementKind(text), { verb, readOnly, writes }, text);
  }
});

dbTest(
  "statement kind: a CTE named for a write reads beside another connection's write",
  async (db) => {
    const engine = db.engine({ busyTimeout: 300 });
    await engine.run(sql`CREATE TABLE kinds (id INTEGER PRIMARY KEY)`);
    await engine.run(sql`INSERT INTO kinds VALUES (1), (2), (3)`);
    await using tx = await engine.connect();
    await tx.run(sql`BEGIN`);
    await tx.run(sql`INSERT INTO kinds VALUES (4)`);
    // Another connection of the pool reads while the transaction holds the one writer; a read
    // classed as a write would wait for it and fail with "database is locked".
    const read = sql`WITH deleted AS (SELECT 'delete' AS why) SELECT count(*) FROM kinds, deleted`;
    assert.equal(await engine.scalar(read), 3);
    await tx.run(sql`COMMIT`);
  },
  { on: ["sqlite-file"] },
);

dbTest("statement kind: a WITH ... SELECT run for its count changes no rows", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE kinds (id INTEGER PRIMARY KEY)`);
  const inserted = await engine.run(sql`INSERT INTO kinds VALUES (1), (2), (3)`);
  assert.equal(inserted.rowsAffected, 3);
  const read = await engine.run(sql`WITH x AS (SELECT 1) SELECT * FROM x`);
  assert.equal(read.rowsAffected, 0);
  const deleted = await engine.run(
    sql`WITH gone AS (SELECT 2 AS id UNION SELECT 3) DELETE FROM kinds WHERE id IN gone`,
  );
  assert.equal(deleted.rowsAffected, 2);
}, { on: ["sqlite", "sqlite-file"] });

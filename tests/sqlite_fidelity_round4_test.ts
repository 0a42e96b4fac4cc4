/**
 * SQLite says what it did, as PostgreSQL does, on both databases:
 *
 * - a text of several statements is refused before any of them runs (SQLite ran the first
 *   alone and dropped the rest without a word, or failed on a parameter count), while one
 *   statement with trailing semicolons, whitespace and comments runs, and so does a
 *   `CREATE TRIGGER` whose body holds several;
 * - every integer beyond ±(2^53 - 1) comes back a bigint on every path, -2^63 too (node:sqlite
 *   read it as a number), and so does an insert's rowid beyond 2^53;
 * - `lastInsertId` is reported only for a statement that inserted a row (SQLite handed back
 *   the connection's last insert id after an UPDATE, a DELETE or a SELECT);
 * - text that holds no statement is refused before it is sent, with an ArgumentError.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  createEngine,
  type Engine,
  insert,
  ProgrammingError,
  sql,
  type SqlSource,
  table,
} from "../mod.ts";
import { firstStatementEnd, isBlankSql } from "../dialects/sqlite/statement_text.ts";
import { insertTarget } from "../dialects/sqlite/insert_id.ts";
import { type DbKind, dbTest, statementLog } from "./_db.ts";

const SEVERAL = {
  name: "ProgrammingError",
  message: "The SQL text holds more than one statement; send one statement per call (in a " +
    "transaction to make them atomic).",
};
const NONE = {
  name: "ArgumentError",
  message: "The SQL text holds no statement (only whitespace, comments or semicolons); pass the " +
    "statement to run.",
};
const MULTI_ON = { on: ["sqlite", "sqlite-file", "postgres"] as DbKind[] };

async function freshTable(engine: Engine, name: string, columns = "x INTEGER"): Promise<void> {
  await engine.run(sql`DROP TABLE IF EXISTS ${sql.id(name)}`);
  await engine.run(sql`CREATE TABLE ${sql.id(name)} (${sql.unsafe(columns)})`);
}

async function drain(engine: Engine, q: SqlSource<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const row of engine.stream(q)) out.push(row);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Several statements in one text

dbTest("a text of several statements is refused before any of them runs", async (db) => {
  const engine = db.engine();
  await freshTable(engine, "fxd_multi");
  const texts = [
    sql`INSERT INTO fxd_multi VALUES (1); INSERT INTO fxd_multi VALUES (2)`,
    sql`INSERT INTO fxd_multi VALUES (${1}); INSERT INTO fxd_multi VALUES (${2})`,
    sql`INSERT INTO fxd_multi VALUES (1);;INSERT INTO fxd_multi VALUES (2);`,
    sql`INSERT INTO fxd_multi VALUES (1); -- first\nDELETE FROM fxd_multi`,
    sql`INSERT INTO fxd_multi VALUES (';'); /* ; */ INSERT INTO fxd_multi VALUES (2)`,
  ];
  for (const q of texts) {
    await assert.rejects(engine.run(q), SEVERAL);
    await assert.rejects(engine.all(q), SEVERAL);
  }
  await assert.rejects(engine.all(sql`SELECT 1 AS a; SELECT 2 AS b`), SEVERAL);
  await assert.rejects(engine.scalar(sql`SELECT ${1} AS a; SELECT ${2} AS b`), SEVERAL);
  await assert.rejects(drain(engine, sql`SELECT 1 AS a; DELETE FROM fxd_multi`), SEVERAL);
  await assert.rejects(
    engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO fxd_multi VALUES (7)`);
      await tx.run(sql`INSERT INTO fxd_multi VALUES (8); INSERT INTO fxd_multi VALUES (9)`);
    }),
    SEVERAL,
  );
  assert.deepEqual(await engine.all(sql`SELECT x FROM fxd_multi`), [], "a statement ran");
  const e = await engine.run(sql`SELECT ${5} AS a; SELECT 2`).catch((err) => err);
  assert(e instanceof ProgrammingError && e.sql!.includes("SELECT 2"));
}, MULTI_ON);

dbTest("one statement with trailing semicolons, whitespace and comments runs", async (db) => {
  const engine = db.engine();
  await freshTable(engine, "fxd_one", `x INTEGER, "a;b" TEXT`);
  await engine.run(sql`INSERT INTO fxd_one (x) VALUES (1);`);
  await engine.run(sql`INSERT INTO fxd_one (x) VALUES (${2}) ; ;  \n`);
  await engine.run(sql`INSERT INTO fxd_one (x) VALUES (3); -- done; really\n`);
  await engine.run(sql`INSERT INTO fxd_one (x) VALUES (4) /* a; b */;/* c */`);
  await engine.run(sql`INSERT INTO fxd_one (x, "a;b") VALUES (5, 'x; DELETE FROM fxd_one')`);
  await engine.run(sql`-- a comment; first\nINSERT INTO fxd_one (x) VALUES (6)`);
  assert.deepEqual(
    (await engine.all(sql`SELECT x FROM fxd_one ORDER BY x;`)).map((r) => r.x),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(
    await engine.scalar(sql`SELECT "a;b" FROM fxd_one WHERE x = 5; `),
    "x; DELETE FROM fxd_one",
  );
  assert.deepEqual(await drain(engine, sql`SELECT x FROM fxd_one WHERE x < ${2};  -- end`), [{
    x: 1,
  }]);
}, MULTI_ON);

dbTest(
  "SQLite: a CREATE TRIGGER whose body holds several statements is one statement",
  async (db) => {
    const engine = db.engine();
    await freshTable(engine, "fxd_trig_src");
    await freshTable(engine, "fxd_trig_log", "x INTEGER, note TEXT");
    await engine.run(sql`
    CREATE TRIGGER fxd_trig AFTER INSERT ON fxd_trig_src
    BEGIN
      INSERT INTO fxd_trig_log VALUES (new.x, 'one; two');
      INSERT INTO fxd_trig_log VALUES (new.x * 10, CASE WHEN new.x > 1 THEN 'big' END);
    END;
  `);
    await engine.run(sql`INSERT INTO fxd_trig_src VALUES (${2})`);
    assert.deepEqual(await engine.all(sql`SELECT x, note FROM fxd_trig_log ORDER BY x`), [
      { x: 2, note: "one; two" },
      { x: 20, note: "big" },
    ]);
    // A trigger followed by another statement is two.
    await assert.rejects(
      engine.run(sql`CREATE TEMP TRIGGER fxd_trig2 AFTER DELETE ON fxd_trig_src BEGIN
      DELETE FROM fxd_trig_log; END; DELETE FROM fxd_trig_src`),
      SEVERAL,
    );
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM fxd_trig_src`), 1);
  },
  { on: ["sqlite"] },
);

Deno.test("SQLite's statement reader ends the first statement where SQLite does", () => {
  const cases: [string, string][] = [
    ["SELECT 1", ""],
    ["SELECT 1; SELECT 2", " SELECT 2"],
    ["SELECT ';' ; x", " x"],
    [`SELECT "a;b", [c;d], \`e;f\`; x`, " x"],
    ["SELECT 'it''s; here'; x", " x"],
    ["SELECT 1 -- c; d\n; x", " x"],
    ["SELECT /* ; */ 1; x", " x"],
    [";; SELECT 1; x", " x"],
    ["CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END; x", " x"],
    ["CREATE TEMPORARY TRIGGER t AFTER INSERT ON a BEGIN SELECT CASE WHEN 1 THEN 2 END; END", ""],
    ["create temp trigger t after insert on a begin select 1; end ; x", " x"],
    ["CREATE TABLE trigger_log (x); x", " x"],
    ["EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; x", " x"],
    ["SELECT 'unterminated; x", ""],
  ];
  for (const [text, tail] of cases) {
    assert.equal(text.slice(firstStatementEnd(text)), tail, text);
  }
  for (const blank of ["", " \t\n", ";", " ; ; ", "-- c", "/* c */", "/* open", "-- a\n/* b */;"]) {
    assert(isBlankSql(blank), JSON.stringify(blank));
  }
  for (const text of ["x", " ; SELECT 1", "-- c\nSELECT 1", "/**/1"]) {
    assert(!isBlankSql(text), JSON.stringify(text));
  }
});

// ---------------------------------------------------------------------------------------------
// Integers beyond 2^53

const BIG = [-(2n ** 63n), -(2n ** 63n) + 1n, 2n ** 63n - 1n, -(2n ** 53n), 2n ** 53n];
const SAFE = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, -1];

dbTest("every integer beyond ±(2^53 - 1) comes back a bigint on every path", async (db) => {
  const engine = db.engine();
  await freshTable(engine, "fxd_big", "id INTEGER PRIMARY KEY, v BIGINT");
  const all = [...BIG, ...SAFE];
  let id = 0;
  for (const v of all) await engine.run(sql`INSERT INTO fxd_big VALUES (${++id}, ${v})`);
  const expected: unknown[] = all;
  const q = sql`SELECT v FROM fxd_big ORDER BY id`;
  assert.deepEqual((await engine.all(q)).map((r) => r.v), expected);
  assert.deepEqual(
    (await engine.execute(q, "values")).rows.map((r) => (r as unknown as unknown[])[0]),
    expected,
  );
  assert.deepEqual((await drain(engine, q)).map((r) => (r as { v: unknown }).v), expected);
  for (const v of BIG) {
    assert.equal(await engine.scalar(sql`SELECT v FROM fxd_big WHERE v = ${v}`), v);
    assert.equal((await engine.one(sql`SELECT id, v FROM fxd_big WHERE v = ${v}`)).v, v);
  }
  // Literal text, no table: -2^63 is the one node:sqlite read as a number.
  const min = db.dialect === "sqlite"
    ? sql`SELECT -9223372036854775808 AS v`
    : sql`SELECT (-9223372036854775808)::bigint AS v`;
  assert.equal(await engine.scalar(min), -(2n ** 63n));
  assert.deepEqual(await engine.all(min), [{ v: -(2n ** 63n) }]);
  // A REAL of the same value stays a number.
  const real = db.dialect === "sqlite"
    ? sql`SELECT -9223372036854775808.0 AS v, -9223372036854775808 AS w`
    : sql`SELECT (-9223372036854775808.0)::float8 AS v, (-9223372036854775808)::bigint AS w`;
  assert.deepEqual(await engine.one(real), { v: -(2 ** 63), w: -(2n ** 63n) });
  // In a transaction, and through the builder with a bigint column.
  const t = table("fxd_big_b", { id: column.integer().primaryKey(), v: column.bigint() });
  await engine.createAll([t]);
  await engine.transaction(async (tx) => {
    await tx.run(insert(t).values(BIG.map((v, i) => ({ id: i + 1, v }))));
    assert.deepEqual(
      (await tx.all(sql`SELECT v FROM fxd_big_b ORDER BY id`)).map((r) => r.v),
      BIG,
    );
  });
});

dbTest("SQLite: an insert's rowid beyond 2^53 is exact", async (db) => {
  const engine = db.engine();
  await freshTable(engine, "fxd_rowid", "id INTEGER PRIMARY KEY, v INTEGER");
  const r = await engine.run(sql`INSERT INTO fxd_rowid VALUES (${2n ** 63n - 2n}, 1)`);
  assert.equal(r.lastInsertId, 2n ** 63n - 2n);
  assert.equal(
    (await engine.run(sql`INSERT INTO fxd_rowid (v) VALUES (2)`)).lastInsertId,
    2n ** 63n - 1n,
  );
  assert.equal(
    (await engine.run(sql`INSERT INTO fxd_rowid VALUES (${2 ** 53 - 1}, 3)`)).lastInsertId,
    2 ** 53 - 1,
  );
}, { on: ["sqlite", "sqlite-file"] });

// ---------------------------------------------------------------------------------------------
// lastInsertId

dbTest("lastInsertId is reported only for a statement that inserted a row", async (db) => {
  const engine = db.engine();
  const sqlite = db.dialect === "sqlite";
  const key = sqlite
    ? "id INTEGER PRIMARY KEY"
    : "id INTEGER GENERATED BY DEFAULT AS IDENTITY (START WITH 100) PRIMARY KEY";
  await freshTable(engine, "fxd_ids", `${key}, k TEXT UNIQUE, v INTEGER`);
  const id = (n: number) => sqlite ? n : undefined;
  const ran = async (q: SqlSource<unknown>) => {
    const r = await engine.run(q);
    return [r.rowsAffected, r.lastInsertId];
  };
  assert.deepEqual(await ran(sql`INSERT INTO fxd_ids (id, k, v) VALUES (3, 'a', 1)`), [1, id(3)]);
  assert.deepEqual(await ran(sql`INSERT INTO fxd_ids (id, k, v) VALUES (4, 'b', 1), (5, 'c', 1)`), [
    2,
    id(5),
  ]);
  // Every other statement: nothing, not the id of the insert before.
  assert.deepEqual(await ran(sql`UPDATE fxd_ids SET v = 2 WHERE id = 3`), [1, undefined]);
  assert.deepEqual(await ran(sql`DELETE FROM fxd_ids WHERE id = 4`), [1, undefined]);
  assert.equal((await engine.run(sql`SELECT * FROM fxd_ids`)).lastInsertId, undefined);
  assert.deepEqual(await ran(sql`UPDATE fxd_ids SET v = 0 WHERE id = 99`), [0, undefined]);
  // An insert that inserted nothing.
  assert.deepEqual(
    await ran(sql`INSERT INTO fxd_ids (k, v) VALUES ('a', 9) ON CONFLICT (k) DO NOTHING`),
    [0, undefined],
  );
  assert.deepEqual(
    await ran(sql`INSERT INTO fxd_ids (k, v) SELECT k, v FROM fxd_ids WHERE id = 99`),
    [0, undefined],
  );
  // An upsert: its id when it inserted, none when it updated.
  const upsert = (k: string) =>
    sql`INSERT INTO fxd_ids (k, v) VALUES (${k}, 7) ON CONFLICT (k) DO UPDATE SET v = excluded.v`;
  assert.deepEqual(await ran(upsert("a")), [1, undefined]);
  assert.deepEqual(await ran(upsert("d")), [1, id(6)]);
  assert.deepEqual(await ran(upsert("d")), [1, undefined]);
  // In a transaction, and with a WITH clause.
  await engine.transaction(async (tx) => {
    const r = await tx.run(sql`INSERT INTO fxd_ids (id, k) VALUES (${10}, 'e')`);
    assert.equal(r.lastInsertId, id(10));
    assert.equal((await tx.run(sql`DELETE FROM fxd_ids WHERE id = 10`)).lastInsertId, undefined);
  });
  const withed = await engine.run(
    sql`WITH n(x) AS (SELECT 11) INSERT INTO fxd_ids (id, k) SELECT x, 'f' FROM n`,
  );
  assert.equal(withed.lastInsertId, id(11));
});

dbTest(
  "SQLite: no lastInsertId for a WITHOUT ROWID table, a view, or INSERT OR IGNORE",
  async (db) => {
    const engine = db.engine();
    await freshTable(engine, "fxd_rid", "id INTEGER PRIMARY KEY, k TEXT UNIQUE");
    await engine.run(sql`DROP TABLE IF EXISTS fxd_norowid`);
    await engine.run(sql`CREATE TABLE fxd_norowid (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID`);
    await engine.run(sql`DROP VIEW IF EXISTS fxd_view`);
    await engine.run(sql`CREATE VIEW fxd_view AS SELECT id, k FROM fxd_rid`);
    await engine.run(sql`CREATE TRIGGER fxd_view_ins INSTEAD OF INSERT ON fxd_view
    BEGIN INSERT INTO fxd_rid (k) VALUES (new.k); END`);
    assert.equal((await engine.run(sql`INSERT INTO fxd_rid (k) VALUES ('a')`)).lastInsertId, 1);
    const noRowid = await engine.run(sql`INSERT INTO "main"."fxd_norowid" VALUES ('x', 1)`);
    assert.deepEqual([noRowid.rowsAffected, noRowid.lastInsertId], [1, undefined]);
    assert.equal(
      (await engine.run(sql`INSERT INTO fxd_view (k) VALUES ('b')`)).lastInsertId,
      undefined,
    );
    assert.equal(
      (await engine.run(sql`INSERT OR IGNORE INTO fxd_rid (k) VALUES ('a')`)).lastInsertId,
      undefined,
    );
    assert.equal(
      (await engine.run(sql`INSERT OR REPLACE INTO fxd_rid (k) VALUES ('a')`)).lastInsertId,
      3,
    );
    assert.equal((await engine.run(sql`REPLACE INTO fxd_rid (k) VALUES ('z')`)).lastInsertId, 4);
    assert.deepEqual(insertTarget('INSERT OR IGNORE INTO "m"."a""b" (x) VALUES (1)'), ["m", 'a"b']);
    assert.deepEqual(insertTarget("insert into [x y] values (1)"), [null, "x y"]);
    assert.equal(insertTarget("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a"), null);
  },
  { on: ["sqlite", "sqlite-file"] },
);

// ---------------------------------------------------------------------------------------------
// Empty text

dbTest("text that holds no statement is refused before it is sent", async (db) => {
  const log = statementLog();
  const plain = db.engine();
  const echoed = db.engine({ echo: log.echo });
  const hidden = db.engine({ hideParameters: true });
  const blanks = [
    sql``,
    sql`   `,
    sql`\n\t`,
    sql`-- nothing`,
    sql`/* nothing */`,
    sql`;`,
    sql` ; ;`,
  ];
  for (const engine of [plain, echoed, hidden]) {
    for (const q of blanks) {
      await assert.rejects(engine.run(q), NONE);
      await assert.rejects(engine.all(q), NONE);
      await assert.rejects(engine.scalar(q), NONE);
      await assert.rejects(engine.execute(q, "values"), NONE);
    }
    await assert.rejects(engine.run(sql.unsafe("")), ArgumentError);
    await assert.rejects(engine.transaction((tx) => tx.run(sql` `)), NONE);
    const conn = await engine.connect();
    try {
      await assert.rejects(conn.run(sql`-- c`), NONE);
      assert.equal(await conn.scalar(sql`SELECT 1 AS one`), 1); // the connection still works
    } finally {
      await conn.close();
    }
  }
  assert(log.texts.includes("SELECT 1 AS one"));
  for (const text of log.texts) assert.match(text, /^[A-Z]/, "a blank text was sent");
});

dbTest("a stream of text that holds no statement is refused", async (db) => {
  const engine = db.engine();
  for (const q of [sql``, sql`  `, sql`-- c`, sql`;`]) await assert.rejects(drain(engine, q), NONE);
  await engine.transaction(async (tx) => {
    for await (const _ of tx.stream(sql`-- nothing`)) assert.fail("a row of nothing");
  }).then(
    () => assert.fail("a blank stream in a transaction ran"),
    (e) => assert.match(e.message, /holds no statement/),
  );
});

Deno.test("SQLite: SQL text holding a NUL is refused, not cut short", async () => {
  await using engine = createEngine("sqlite::memory:");
  await assert.rejects(engine.all(sql.unsafe("SELECT 1\0; DROP TABLE x")), {
    name: "ArgumentError",
    message: /NUL/,
  });
  await assert.rejects(engine.all(sql.unsafe("\0SELECT 1")), {
    name: "ArgumentError",
    message: /NUL/,
  });
});

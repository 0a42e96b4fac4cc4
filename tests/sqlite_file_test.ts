/**
 * SQLite on disk: WAL, the busy timeout, one writer at a time within an engine, file URLs,
 * and (opt-in) a `@db/sqlite` Database passed to createEngine.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import {
  createEngine,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  sql,
  sqlitePathOf,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const FILE = { on: ["sqlite-file" as const] };

dbTest(
  "a file database uses WAL, enforces foreign keys, and keeps its busy timeout",
  async (db) => {
    const engine = db.engine({ busyTimeout: 1234 });
    assert.equal(await engine.scalar(sql`PRAGMA journal_mode`), "wal");
    assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
    assert.equal(await engine.scalar(sql`PRAGMA busy_timeout`), 1234);
    assert.equal(engine.poolSize, 4);
    await engine.transaction(async (tx) => {
      assert.equal(await tx.scalar(sql`PRAGMA foreign_keys`), 1);
      assert.equal(await tx.scalar(sql`PRAGMA journal_mode`), "wal");
    });
  },
  FILE,
);

dbTest("data written by one engine is there for the next", async (db) => {
  const first = createEngine(db.url);
  await first.run(sql`CREATE TABLE kept (id INTEGER PRIMARY KEY, v TEXT)`);
  await first.run(sql`INSERT INTO kept (id, v) VALUES (${1}, ${"saved"})`);
  await first.dispose();
  const second = db.engine();
  assert.deepEqual(await second.all(sql`SELECT * FROM kept`), [{ id: 1, v: "saved" }]);
}, FILE);

dbTest("a second engine on the file gets OperationalError while the first writes", async (db) => {
  const first = db.engine();
  const second = db.engine({ busyTimeout: 50 });
  await first.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`);
  await first.run(sql`INSERT INTO t (id, v) VALUES (${1}, ${"committed"})`);
  assert.equal(await second.scalar(sql`SELECT count(*) AS n FROM t`), 1);
  {
    await using conn = await first.connect();
    await using tx = await conn.begin();
    await tx.run(sql`INSERT INTO t (id, v) VALUES (${2}, ${"pending"})`);
    await assert.rejects(
      second.run(sql`INSERT INTO t (id, v) VALUES (${3}, ${"blocked"})`),
      (e) => {
        assert.ok(e instanceof OperationalError);
        assert.equal(e.code, "SQLITE_BUSY");
        assert.match(e.message, /locked/);
        assert.ok(e.sql?.startsWith("INSERT INTO t"));
        return true;
      },
    );
    // WAL: the reader is not blocked, and sees only what was committed.
    assert.deepEqual(await second.all(sql`SELECT v FROM t ORDER BY id`), [{ v: "committed" }]);
    await tx.commit();
  }
  await second.run(sql`INSERT INTO t (id, v) VALUES (${3}, ${"after"})`);
  assert.deepEqual(await first.all(sql`SELECT v FROM t ORDER BY id`), [
    { v: "committed" },
    { v: "pending" },
    { v: "after" },
  ]);
}, FILE);

dbTest("transactions of one file engine take turns instead of failing", async (db) => {
  const engine = db.engine({ busyTimeout: 30_000 });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
  await Promise.all([1, 2, 3, 4].map((i) =>
    engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO t (id) VALUES (${i})`);
      await pause();
      await tx.run(sql`INSERT INTO t (id) VALUES (${i + 10})`);
    })
  ));
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM t`), 8);

  // An autocommit write waits for the open transaction; reads go on meanwhile.
  const conn = await engine.connect();
  const tx = await conn.begin();
  await tx.run(sql`INSERT INTO t (id) VALUES (${100})`);
  let written = false;
  const waiting = engine.run(sql`INSERT INTO t (id) VALUES (${101})`).then(() => written = true);
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM t`), 8);
  await pause();
  assert.equal(written, false);
  await tx.commit();
  await conn.close();
  await waiting;
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM t`), 10);
}, FILE);

dbTest("a write waiting on this engine's transaction times out without blocking", async (db) => {
  const engine = db.engine({ busyTimeout: 100 });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  await using conn = await engine.connect();
  await using tx = await conn.begin();
  await tx.run(sql`INSERT INTO t (id) VALUES (${1})`);
  let ticked = false;
  setTimeout(() => ticked = true, 0);
  await assert.rejects(
    engine.run(sql`INSERT INTO t (id) VALUES (${2})`),
    (e) => e instanceof OperationalError && e.code === "SQLITE_BUSY",
  );
  // The wait let other tasks run: the event loop was not stuck in SQLite's busy handler.
  assert.equal(ticked, true);
  await assert.rejects(engine.transaction(() => Promise.resolve()), OperationalError);
  await tx.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM t`), 1);
}, FILE);

Deno.test("file URLs: relative, absolute, and percent-encoded paths", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "retort-url-" });
  try {
    const rel = relative(Deno.cwd(), join(dir, "rel.db"));
    assert.ok(!rel.startsWith("/"));
    assert.equal(sqlitePathOf(`sqlite:///${rel}`), rel);
    {
      await using engine = createEngine(`sqlite:///${rel}`);
      await engine.run(sql`CREATE TABLE t (v TEXT)`);
      await engine.run(sql`INSERT INTO t (v) VALUES (${"relative"})`);
    }
    assert.ok(Deno.statSync(join(dir, "rel.db")).isFile);

    const absolute = `sqlite:///${join(dir, "rel.db")}`;
    assert.ok(absolute.startsWith("sqlite:////"));
    {
      await using engine = createEngine(absolute);
      assert.equal(await engine.scalar(sql`SELECT v FROM t`), "relative");
    }

    {
      await using engine = createEngine(`sqlite:///${dir}/my%20data.db`);
      await engine.run(sql`CREATE TABLE t (v TEXT)`);
    }
    assert.ok(Deno.statSync(join(dir, "my data.db")).isFile);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a file URL whose directory does not exist fails on first use", async () => {
  await using engine = createEngine("sqlite:////nonexistent-dir-for-retort/x.db");
  await assert.rejects(engine.all(sql`SELECT 1`), Error);
});

// ---------------------------------------------------------------------------------------------
// @db/sqlite, opt-in: DB_SQLITE_MODULE=jsr:@db/sqlite@0.13 deno test -A tests/

const DB_SQLITE_MODULE = Deno.env.get("DB_SQLITE_MODULE");
if (!DB_SQLITE_MODULE) {
  console.warn(
    "Skipping the @db/sqlite test: set DB_SQLITE_MODULE (e.g. jsr:@db/sqlite@0.13) to run it.",
  );
}

Deno.test({
  name: "@db/sqlite: a Database passed to createEngine round-trips values",
  ignore: !DB_SQLITE_MODULE,
  fn: async () => {
    const name = DB_SQLITE_MODULE!;
    const { Database } = await import(name);
    const client = new Database(":memory:");
    const engine = createEngine(client);
    try {
      assert.equal(engine.dialect.name, "sqlite");
      assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
      await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB,
        flag BOOLEAN, n INTEGER)`);
      const r = await engine.run(
        sql`INSERT INTO t ${
          sql.values([{ id: 7, name: "it's 😀", data: new Uint8Array([0, 255]), flag: true, n: 5 }])
        }`,
      );
      assert.equal(r.rowsAffected, 1);
      assert.equal(Number(r.lastInsertId), 7);
      const row = await engine.one(sql`SELECT * FROM t WHERE name = ${"it's 😀"}`);
      assert.equal(row.id, 7);
      assert.equal(row.name, "it's 😀");
      assert.deepEqual(new Uint8Array(row.data as Uint8Array), new Uint8Array([0, 255]));
      assert.equal(row.flag, 1);
      assert.equal(row.n, 5);
      assert.equal(await engine.scalar(sql`SELECT 'n-' || ${5} AS v`), "n-5");
      await assert.rejects(
        engine.run(sql`INSERT INTO t (id, name) VALUES (${8}, ${"it's 😀"})`),
        IntegrityError,
      );
      await assert.rejects(engine.all(sql`SELECT * FROM missing`), ProgrammingError);
      await assert.rejects(
        engine.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO t (id, name) VALUES (${9}, ${"rolled back"})`);
          throw new Error("undo");
        }),
        /undo/,
      );
      assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM t`), 1);
    } finally {
      await engine.dispose();
    }
  },
});

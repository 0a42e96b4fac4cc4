/**
 * The Engine: all/first/one/scalar/run, transactions and savepoints, `await using`, echo,
 * engine URLs and clients passed in, disposal, and the PostgreSQL pool.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import {
  ArgumentError,
  compile,
  Connection,
  createEngine,
  DatabaseError,
  type EchoEntry,
  type Engine,
  type Executor,
  IntegrityError,
  InvalidRequestError,
  MultipleResultsFound,
  NoResultFound,
  OperationalError,
  type PostgresClient,
  ProgrammingError,
  sql,
  Transaction,
} from "../mod.ts";
import { sqliteDriver } from "../dialects/sqlite/mod.ts";
import { dbTest, PG_URL, scopedTest } from "./_db.ts";

interface Person {
  id: number;
  name: string;
  age: number | null;
}

async function people(engine: Engine): Promise<void> {
  await engine.run(sql`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    age INTEGER)`);
  await engine.run(sql`INSERT INTO people ${
    sql.values([
      { id: 1, name: "ada", age: 36 },
      { id: 2, name: "grace", age: 45 },
      { id: 3, name: "linus", age: null },
    ])
  }`);
}

const ids = async (x: Executor, table = "t"): Promise<number[]> =>
  (await x.all<{ id: number }>(sql`SELECT id FROM ${sql.id(table)} ORDER BY id`)).map((r) => r.id);
const insert = (x: Executor, id: number) => x.run(sql`INSERT INTO t (id) VALUES (${id})`);

// ---------------------------------------------------------------------------------------------
// Running statements

scopedTest("all, first, one and scalar return typed rows", async ({ open }) => {
  const engine = open();
  await people(engine);
  const rows = await engine.all<Person>(sql`SELECT id, name, age FROM people ORDER BY id`);
  const names: string[] = rows.map((r) => r.name);
  assert.deepEqual(names, ["ada", "grace", "linus"]);
  assert.deepEqual(rows[2], { id: 3, name: "linus", age: null });

  const first: Person | null = await engine.first<Person>(
    sql`SELECT id, name, age FROM people WHERE age > ${40}`,
  );
  assert.deepEqual(first, { id: 2, name: "grace", age: 45 });
  assert.equal(await engine.first(sql`SELECT id FROM people WHERE id = ${99}`), null);

  const one: Person = await engine.one<Person>(sql`SELECT * FROM people WHERE id = ${1}`);
  assert.equal(one.name, "ada");
  await assert.rejects(
    engine.one(sql`SELECT * FROM people WHERE id = ${99}`),
    (e) => e instanceof NoResultFound && /no row/.test(e.message),
  );
  await assert.rejects(
    engine.one(sql`SELECT * FROM people WHERE id > ${1}`),
    (e) => e instanceof MultipleResultsFound && /2 rows.*first\(\) or all\(\)/.test(e.message),
  );

  const count = await engine.scalar<number>(sql`SELECT count(*) AS n FROM people`);
  assert.equal(count, 3);
  assert.equal(await engine.scalar(sql`SELECT name FROM people WHERE id = ${2}`), "grace");
  assert.equal(await engine.scalar(sql`SELECT name FROM people WHERE id = ${99}`), null);
});

scopedTest("run reports rows affected, and the last insert id on SQLite", async ({ db, open }) => {
  const engine = open();
  await people(engine);
  const inserted = await engine.run(
    sql`INSERT INTO people (id, name, age) VALUES (${10}, ${"margaret"}, ${33})`,
  );
  assert.equal(inserted.rowsAffected, 1);
  if (db.dialect === "sqlite") assert.equal(inserted.lastInsertId, 10);
  else assert.equal(inserted.lastInsertId, undefined);
  assert.equal(
    (await engine.run(sql`UPDATE people SET age = age + 1 WHERE age IS NOT NULL`)).rowsAffected,
    3,
  );
  assert.equal((await engine.run(sql`DELETE FROM people WHERE id = ${99}`)).rowsAffected, 0);
  assert.equal((await engine.run(sql`DELETE FROM people WHERE id >= ${3}`)).rowsAffected, 2);
  assert.deepEqual(await engine.all(sql`SELECT age FROM people ORDER BY id`), [
    { age: 37 },
    { age: 46 },
  ]);
});

scopedTest("the engine, a connection and a transaction run statements alike", async ({ open }) => {
  const engine = open();
  await people(engine);
  const oldest = (x: Executor) => x.scalar(sql`SELECT max(age) AS m FROM people`);
  assert.equal(await oldest(engine), 45);
  {
    await using conn = await engine.connect();
    assert.ok(conn instanceof Connection);
    assert.equal(await oldest(conn), 45);
    await using tx = await conn.begin();
    assert.ok(tx instanceof Transaction);
    assert.equal(await oldest(tx), 45);
    await tx.run(sql`UPDATE people SET age = ${99} WHERE id = ${1}`);
    assert.equal(await oldest(tx), 99);
    await tx.commit();
  }
  assert.equal(await oldest(engine), 99);
});

// ---------------------------------------------------------------------------------------------
// Transactions

scopedTest("engine.transaction commits, or rolls back and rethrows", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  const value = await engine.transaction(async (tx) => {
    await insert(tx, 1);
    await insert(tx, 2);
    return "done";
  });
  assert.equal(value, "done");
  assert.deepEqual(await ids(engine), [1, 2]);

  const failure = new Error("changed my mind");
  await assert.rejects(
    engine.transaction(async (tx) => {
      await insert(tx, 3);
      assert.deepEqual(await ids(tx), [1, 2, 3]);
      throw failure;
    }),
    (e) => e === failure,
  );
  assert.deepEqual(await ids(engine), [1, 2]);
  // A database error inside rolls back the earlier statements too.
  await assert.rejects(
    engine.transaction(async (tx) => {
      await insert(tx, 4);
      await insert(tx, 1);
    }),
    IntegrityError,
  );
  assert.deepEqual(await ids(engine), [1, 2]);
  assert.equal(engine.checkedOut, 0);
});

scopedTest("await using a transaction rolls back unless committed", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    await insert(tx, 1);
    assert.equal(conn.transactionInProgress, tx);
  }
  assert.deepEqual(await ids(engine), []);
  {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    await insert(tx, 2);
    await tx.commit();
    assert.equal(tx.isActive, false);
    assert.equal(conn.transactionInProgress, null);
  }
  assert.deepEqual(await ids(engine), [2]);

  // An exception leaving the block rolls back and releases the connection.
  await assert.rejects(async () => {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    await insert(tx, 3);
    throw new Error("boom");
  }, /boom/);
  assert.equal(engine.checkedOut, 0);
  assert.deepEqual(await ids(engine), [2]);

  // Closing a connection rolls back its open transaction.
  const conn = await engine.connect();
  const tx = await conn.begin();
  await insert(tx, 4);
  await conn.close();
  assert.equal(tx.isActive, false);
  assert.deepEqual(await ids(engine), [2]);
});

scopedTest("savepoints nest three deep and more, each commits or rolls back", async ({ open }) => {
  const sent: string[] = [];
  const engine = open({ echo: (e) => sent.push(e.text) });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    await insert(tx, 0);
    const sp1 = await tx.begin();
    await insert(sp1, 1);
    const sp2 = await sp1.beginNested();
    await insert(sp2, 2);
    const sp3 = await sp2.begin();
    await insert(sp3, 3);
    const sp4 = await sp3.begin();
    await insert(sp4, 4);
    assert.equal(sp4.parent, sp3);
    assert.equal(tx.savepoint, null);
    assert.equal(new Set([sp1, sp2, sp3, sp4].map((s) => s.savepoint)).size, 4);
    await sp4.commit();
    assert.deepEqual(await ids(tx), [0, 1, 2, 3, 4]);
    await sp3.rollback(); // undoes 3, and 4 released into it
    assert.deepEqual(await ids(tx), [0, 1, 2]);
    assert.equal(sp3.isActive, false);
    await sp2.commit();
    {
      await using sp5 = await sp1.begin();
      await insert(sp5, 5);
    } // disposed without commit
    await assert.rejects(
      sp1.transaction(async (s) => {
        await insert(s, 6);
        throw new Error("not 6");
      }),
      /not 6/,
    );
    assert.equal(
      await sp1.transaction(async (s) => {
        await insert(s, 7);
        return "seven";
      }),
      "seven",
    );
    await sp1.commit();
    assert.deepEqual(await ids(tx), [0, 1, 2, 7]);
    await tx.commit();
  }
  assert.deepEqual(await ids(engine), [0, 1, 2, 7]);
  assert.ok(sent.some((t) => /^SAVEPOINT retort_sp_\d+$/.test(t)));
  assert.ok(sent.some((t) => /^RELEASE SAVEPOINT retort_sp_\d+$/.test(t)));
  assert.ok(sent.some((t) => /^ROLLBACK TO SAVEPOINT retort_sp_\d+$/.test(t)));

  // Rolling the transaction back undoes its released savepoints and ends them all.
  {
    await using conn = await engine.connect();
    await using tx = await conn.begin();
    const a = await tx.begin();
    await insert(a, 8);
    const b = await a.begin();
    await insert(b, 9);
    const c = await b.begin();
    await tx.rollback();
    assert.deepEqual([a.isActive, b.isActive, c.isActive], [false, false, false]);
    await assert.rejects(c.run(sql`SELECT 1`), InvalidRequestError);
  }
  assert.deepEqual(await ids(engine), [0, 1, 2, 7]);
});

scopedTest("a finished transaction refuses work with InvalidRequestError", async ({ open }) => {
  const sent: string[] = [];
  const engine = open({ echo: (e) => sent.push(e.text) });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  await using conn = await engine.connect();
  const tx = await conn.begin();
  await assert.rejects(conn.begin(), /already in a transaction/);
  const sp = await tx.begin();
  await tx.commit();
  sent.length = 0;
  for (const target of [tx, sp]) {
    await assert.rejects(insert(target, 1), InvalidRequestError);
    await assert.rejects(target.all(sql`SELECT 1`), /already committed or rolled back/);
    await assert.rejects(target.commit(), InvalidRequestError);
    await assert.rejects(target.begin(), InvalidRequestError);
    await target.rollback(); // a no-op
  }
  assert.deepEqual(sent, [], "nothing was sent for a finished transaction");
  const next = await conn.begin(); // the connection can begin again
  await insert(next, 1);
  await next.rollback();
  await assert.rejects(next.run(sql`SELECT 1`), InvalidRequestError);
  assert.deepEqual(await ids(conn), []);
});

scopedTest("isolation levels: set on PostgreSQL, checked everywhere", async ({ db, open }) => {
  const sent: string[] = [];
  const engine = open({ echo: (e) => sent.push(e.text) });
  const level = await engine.transaction(
    (tx) => tx.scalar<string>(sql`SELECT 1 AS one`).then(() => tx),
    { isolationLevel: "serializable" },
  );
  assert.equal(level.isActive, false);
  if (db.dialect === "postgres") {
    assert.ok(sent.includes("BEGIN ISOLATION LEVEL SERIALIZABLE"));
    const shown = await engine.transaction(
      (tx) => tx.scalar<string>(sql`SHOW transaction_isolation`),
      { isolationLevel: "repeatable read" },
    );
    assert.equal(shown, "repeatable read");
  } else {
    assert.ok(sent.includes("BEGIN"));
  }
  sent.length = 0;
  await assert.rejects(
    engine.transaction(() => Promise.resolve(), { isolationLevel: "chaos" as never }),
    (e) => e instanceof ArgumentError && /Unknown isolation level/.test(e.message),
  );
  assert.deepEqual(sent, []);
  assert.equal(engine.checkedOut, 0);
});

scopedTest("await using a connection releases it", async ({ open }) => {
  const engine = open();
  let kept: Connection;
  {
    await using conn = await engine.connect();
    assert.equal(engine.checkedOut, 1);
    assert.equal(conn.closed, false);
    kept = conn;
  }
  assert.equal(engine.checkedOut, 0);
  assert.equal(kept.closed, true);
  await assert.rejects(kept.all(sql`SELECT 1 AS one`), InvalidRequestError);
  await assert.rejects(kept.begin(), InvalidRequestError);
  await kept.close(); // closing twice is harmless
  // The connection went back to the pool: the engine can take one again.
  await using again = await engine.connect();
  assert.equal(await again.scalar(sql`SELECT 1 AS one`), 1);
});

dbTest("await using an engine disposes it; a disposed engine refuses work", async (db) => {
  let kept: Engine;
  {
    await using engine = createEngine(db.url);
    assert.equal(await engine.scalar(sql`SELECT 1 AS one`), 1);
    assert.equal(engine.disposed, false);
    kept = engine;
  }
  assert.equal(kept.disposed, true);
  await assert.rejects(kept.all(sql`SELECT 1 AS one`), InvalidRequestError);
  await assert.rejects(kept.run(sql`SELECT 1 AS one`), /disposed.*createEngine/);
  await assert.rejects(kept.connect(), InvalidRequestError);
  await assert.rejects(kept.transaction(() => Promise.resolve()), InvalidRequestError);
  await assert.rejects(kept.driver(), InvalidRequestError);
  await kept.dispose(); // disposing twice is harmless

  // Disposing closes the connections still checked out.
  const engine = createEngine(db.url);
  const conn = await engine.connect();
  const tx = await conn.begin();
  await engine.dispose();
  assert.equal(conn.closed, true);
  assert.equal(tx.isActive, false);
  await assert.rejects(conn.all(sql`SELECT 1 AS one`), InvalidRequestError);
});

// ---------------------------------------------------------------------------------------------
// echo

async function captureLog(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

scopedTest("echo: true prints each statement, its parameters and its time", async ({ open }) => {
  const engine = open({ echo: true });
  const when = new Date("2020-01-02T03:04:05.000Z");
  const lines = await captureLog(async () => {
    await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, d TEXT)`);
    await engine.run(sql`INSERT INTO t (id, name, d) VALUES (${1}, ${"ada"}, ${"x"})`);
    await engine.all(sql`SELECT * FROM t WHERE id = ${1} AND name <> ${"O'Brien"}`);
    await engine.all(sql`SELECT ${sql.unsafe("1")} AS k WHERE ${5n} > ${0} OR ${when} IS NULL
      OR ${new Uint8Array(3)} IS NULL`).catch(() => {});
    await assert.rejects(engine.all(sql`SELECT * FROM missing WHERE id = ${7}`));
  });
  const text = lines.join("\n");
  const c = compile(sql`x = ${1}`, engine.dialect).text;
  const p = (n: number) => c === "x = ?" ? "?" : `$${n}`;
  assert.ok(text.includes(`[retort] CREATE TABLE t`), text);
  assert.ok(
    text.includes(`[retort] INSERT INTO t (id, name, d) VALUES (${p(1)}, ${p(2)}, ${p(3)})`),
  );
  assert.ok(text.includes(`${p(3)}) [1, "ada", "x"] (`), text);
  assert.match(text, /<> (\?|\$2) \[1, "O'Brien"\] \(\d+\.\d{3} ms, 1 row\)/);
  // One line per statement.
  assert.equal(lines.join("\n").split("\n").length, 5, text);
  assert.match(text, /\[5n, 0, 2020-01-02T03:04:05\.000Z, <3 bytes>\]/);
  assert.match(text, /\[7\] \(\d+\.\d{3} ms, failed: .*missing/);
});

scopedTest("an echo function receives text, parameters, time and outcome", async ({ open }) => {
  const entries: EchoEntry[] = [];
  const engine = open({ echo: (e) => entries.push(e) });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  entries.length = 0;
  await engine.transaction(async (tx) => {
    await insert(tx, 1);
    await insert(tx, 2);
    await tx.all(sql`SELECT id FROM t WHERE id > ${0}`);
  });
  const texts = entries.map((e) => e.text);
  assert.equal(texts[0], "BEGIN");
  assert.equal(texts.at(-1), "COMMIT");
  assert.equal(texts.length, 5);
  const [, first, , select] = entries;
  assert.deepEqual(first.params, [1]);
  assert.equal(first.rows, 1);
  assert.deepEqual(select.params, [0]);
  assert.equal(select.rows, 2);
  for (const e of entries) {
    assert.equal(typeof e.ms, "number");
    assert.ok(Number.isFinite(e.ms) && e.ms >= 0);
    assert.equal(e.error, undefined);
  }
  await assert.rejects(insert(engine, 1), IntegrityError);
  const failed = entries.at(-1)!;
  assert.ok(failed.error instanceof IntegrityError);
  assert.deepEqual(failed.params, [1]);
  assert.equal(failed.rows, undefined);
});

scopedTest("hideParameters keeps parameters out of echo and errors", async ({ open }) => {
  const secret = "hunter2-secret";
  const entries: EchoEntry[] = [];
  const engine = open({ echo: (e) => entries.push(e), hideParameters: true });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, password TEXT UNIQUE)`);
  await engine.run(sql`INSERT INTO t (id, password) VALUES (${1}, ${secret})`);
  assert.equal(await engine.scalar(sql`SELECT id FROM t WHERE password = ${secret}`), 1);
  const error = await engine.run(sql`INSERT INTO t (id, password) VALUES (${1}, ${secret})`)
    .then(() => null, (e) => e);
  assert.ok(error instanceof IntegrityError);
  assert.equal(error.params, undefined);
  assert.match(error.sql!, /INSERT INTO t/);
  assert.ok(!error.message.includes(secret));
  assert.ok(entries.length >= 3);
  for (const e of entries) assert.ok(e.params === undefined || e.params.length === 0);
  assert.ok(entries.some((e) => e.params === undefined));
  assert.ok(!JSON.stringify(entries.map((e) => [e.text, e.params])).includes(secret));

  const printed = open({ echo: true, hideParameters: true });
  const lines = await captureLog(async () => {
    assert.equal(await printed.scalar(sql`SELECT ${secret} AS v`), secret);
  });
  assert.ok(lines.join("\n").includes("[hidden]"));
  assert.ok(!lines.join("\n").includes(secret));
});

Deno.test("hideParameters holds for a driver passed in, which does not know of it", async () => {
  await using engine = createEngine(sqliteDriver(new DatabaseSync(":memory:")), {
    hideParameters: true,
  });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  await engine.run(sql`INSERT INTO t (id) VALUES (${1})`);
  const error = await engine.run(sql`INSERT INTO t (id) VALUES (${1})`).then(() => null, (e) => e);
  assert.ok(error instanceof IntegrityError);
  assert.equal(error.params, undefined);
});

// ---------------------------------------------------------------------------------------------
// URLs and clients

Deno.test("SQLite in-memory URLs each open a database of their own", async () => {
  for (const url of ["sqlite:///:memory:", "sqlite::memory:", "sqlite://"]) {
    await using a = createEngine(url);
    await using b = createEngine(new URL(url));
    assert.equal(a.dialect.name, "sqlite");
    assert.equal(a.poolSize, 1);
    await a.run(sql`CREATE TABLE only_in_a (id INTEGER)`);
    assert.equal(await a.scalar(sql`SELECT count(*) AS n FROM only_in_a`), 0);
    await assert.rejects(b.all(sql`SELECT * FROM only_in_a`), ProgrammingError);
  }
  await using pooled = createEngine("sqlite::memory:", { poolSize: 8 });
  assert.equal(pooled.poolSize, 1);
});

Deno.test("an invalid URL is an ArgumentError naming the accepted forms", () => {
  const bad = [
    "",
    "memory",
    "sqlite:",
    "sqlite:/app.db",
    "sqlite:///",
    "sqlite://host/app.db",
    "sqlite:///100%zz.db",
    "mysql://user@localhost/db",
    "postgres:/localhost/db",
    "postgres:localhost",
    "http://localhost:5432/test",
  ];
  for (const url of bad) {
    assert.throws(
      () => createEngine(url),
      (e) => {
        assert.ok(e instanceof ArgumentError, url);
        for (const form of ["sqlite::memory:", "sqlite:///relative.db", "postgres://"]) {
          assert.ok(e.message.includes(form), `${url}: ${e.message}`);
        }
        return true;
      },
    );
  }
  // A password in a refused URL is not repeated in the message.
  assert.throws(() => createEngine("mysql://me:s3cret@db/app"), (e) => {
    assert.ok(e instanceof ArgumentError && !e.message.includes("s3cret"));
    return true;
  });
  for (const source of [42, {}, null, () => 1]) {
    assert.throws(() => createEngine(source as never), ArgumentError);
  }
});

dbTest("postgres:// and postgresql:// URLs both open PostgreSQL", async (db) => {
  for (const scheme of ["postgres:", "postgresql:"]) {
    const url = db.url.replace(/^postgres(ql)?:/, scheme);
    await using engine = createEngine(url);
    assert.equal(engine.dialect.name, "postgres");
    assert.equal(engine.poolSize, 10);
    assert.equal(await engine.scalar(sql`SELECT ${"ok"}::text AS v`), "ok");
  }
}, { on: ["postgres"] });

dbTest("an unreachable server is an OperationalError on first use", async (db) => {
  const url = new URL(db.url);
  url.port = "1";
  await using engine = createEngine(url.href.replace(/^postgres:/, "postgresql:"));
  await assert.rejects(engine.all(sql`SELECT 1`), (e) => {
    assert.ok(e instanceof OperationalError, String(e));
    assert.ok(e.cause instanceof Error);
    return true;
  });
}, { on: ["postgres"] });

Deno.test("a node:sqlite DatabaseSync passed in is used, and left open on dispose", async () => {
  const client = new DatabaseSync(":memory:");
  client.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t (id))");
  {
    await using engine = createEngine(client);
    assert.equal(engine.dialect.name, "sqlite");
    await engine.run(sql`INSERT INTO t (id) VALUES (${1})`);
    await assert.rejects(
      engine.run(sql`INSERT INTO t (id, parent) VALUES (${2}, ${99})`),
      IntegrityError,
    );
    assert.deepEqual(await engine.all(sql`SELECT id FROM t`), [{ id: 1 }]);
    await engine.transaction(async (tx) => void await insert(tx, 3));
  }
  assert.equal(client.isOpen, true); // the caller's client: see tests/ownership_test.ts
  client.close();
});

Deno.test("a SQLite Driver passed in is used as it is", async () => {
  const driver = sqliteDriver(new DatabaseSync(":memory:"));
  await using engine = createEngine(driver);
  assert.equal(await engine.driver(), driver);
  assert.equal(await engine.scalar(sql`SELECT ${2} * ${21} AS v`), 42);
});

dbTest("a postgres.js instance passed in is used, and left open", async (db) => {
  const client = postgres(db.url, { max: 3, onnotice: () => {} });
  try {
    {
      await using engine = createEngine(client as unknown as PostgresClient);
      assert.equal(engine.dialect.name, "postgres");
      assert.equal(engine.poolSize, 3);
      assert.equal(await engine.scalar(sql`SELECT ${"it's"}::text || ${"!"} AS v`), "it's!");
      assert.deepEqual(await engine.scalar(sql`SELECT ${[true, false]}::boolean[] AS v`), [
        true,
        false,
      ]);
      const n = await engine.transaction(async (tx) => {
        await tx.run(sql`CREATE TEMP TABLE tmp_client (id INTEGER)`);
        await tx.run(sql`INSERT INTO tmp_client VALUES (${1}), (${2})`);
        return await tx.scalar(sql`SELECT sum(id)::int AS s FROM tmp_client`);
      });
      assert.equal(n, 3);
      await assert.rejects(engine.all(sql`SELEKT`), ProgrammingError);
    }
    const rows = await client`SELECT 1 AS still_open`;
    assert.equal(rows[0].still_open, 1);
  } finally {
    await client.end();
  }
}, { on: ["postgres"] });

// ---------------------------------------------------------------------------------------------
// The pools

Deno.test("in-memory SQLite: transactions take turns on its one connection", async () => {
  await using engine = createEngine("sqlite::memory:", { busyTimeout: 30_000 });
  await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`);
  const order: string[] = [];
  await Promise.all([1, 2, 3].map((i) =>
    engine.transaction(async (tx) => {
      order.push(`begin ${i}`);
      await insert(tx, i);
      await new Promise((resolve) => setTimeout(resolve, 2));
      await insert(tx, i + 10);
      order.push(`end ${i}`);
    })
  ));
  assert.deepEqual(order, ["begin 1", "end 1", "begin 2", "end 2", "begin 3", "end 3"]);
  assert.deepEqual(await ids(engine), [1, 2, 3, 11, 12, 13]);

  // Other work waits for the connection up to the busy timeout, then fails.
  await using short = createEngine("sqlite::memory:", { busyTimeout: 50 });
  await using conn = await short.connect();
  await assert.rejects(short.all(sql`SELECT 1 AS one`), (e) => {
    assert.ok(e instanceof OperationalError);
    assert.equal(e.code, "SQLITE_BUSY");
    return true;
  });
  await conn.close();
  assert.equal(await short.scalar(sql`SELECT 1 AS one`), 1);
});

dbTest("the pool size is exposed and concurrent transactions run in parallel", async (db) => {
  const engine = db.engine({ poolSize: 3 });
  assert.equal(engine.poolSize, 3);
  assert.equal((await engine.driver()).poolSize, 3);

  let arrived = 0;
  let open!: () => void;
  const everyoneIn = new Promise<void>((resolve) => open = resolve);
  // Were the transactions run one after another, the first would wait here forever.
  const guard = setTimeout(open, 30_000);
  try {
    const seen = await Promise.all([0, 1, 2].map(() =>
      engine.transaction(async (tx) => {
        const pid = await tx.scalar<number>(sql`SELECT pg_backend_pid() AS pid`);
        if (++arrived === 3) open();
        await everyoneIn;
        assert.equal(arrived, 3, "all three transactions are open at once");
        return pid;
      })
    ));
    assert.equal(new Set(seen).size, 3, "on three connections");
  } finally {
    clearTimeout(guard);
  }

  // More transactions than connections take turns on the pool's connections.
  const small = db.engine({ poolSize: 2 });
  const pids = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      small.transaction(async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, i % 2));
        return await tx.scalar<number>(sql`SELECT pg_backend_pid() AS pid`);
      })),
  );
  assert.ok(new Set(pids).size <= 2);
  assert.equal(small.checkedOut, 0);
}, { on: ["postgres"] });

dbTest("an uncommitted PostgreSQL transaction is invisible to the rest of the pool", async () => {
  await using engine = createEngine(PG_URL);
  const table = sql.id(`iso_${crypto.randomUUID().slice(0, 8)}`);
  await engine.run(sql`CREATE TABLE ${table} (id INTEGER)`);
  try {
    await engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO ${table} VALUES (${1})`);
      assert.equal(await tx.scalar(sql`SELECT count(*) AS n FROM ${table}`), 1);
      assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${table}`), 0);
    });
    assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${table}`), 1);
  } finally {
    await engine.run(sql`DROP TABLE ${table}`);
  }
}, { on: ["postgres"] });

Deno.test("DatabaseError carries what the echo function saw", async () => {
  const entries: EchoEntry[] = [];
  await using engine = createEngine("sqlite::memory:", { echo: (e) => entries.push(e) });
  const error = await engine.all(sql`SELECT * FROM nowhere WHERE x = ${1}`).then(
    () => null,
    (e) => e,
  );
  assert.ok(error instanceof DatabaseError);
  assert.equal(entries.at(-1)!.error, error);
  assert.equal(entries.at(-1)!.text, error.sql);
  assert.deepEqual(entries.at(-1)!.params, error.params);
});

Deno.test("an engine disposed before its first statement refuses work with InvalidRequestError", async () => {
  const engine = createEngine("sqlite::memory:");
  await engine.dispose();
  await assert.rejects(() => engine.all(sql`SELECT 1`), InvalidRequestError);
});

dbTest("run() after DDL reports no rows affected", async (db) => {
  const engine = db.engine();
  await engine.run(sql`DROP TABLE IF EXISTS ddl_count`);
  await engine.run(sql`CREATE TABLE ddl_count (x INTEGER)`);
  const inserted = await engine.run(sql`INSERT INTO ddl_count VALUES (${1}), (${2}), (${3})`);
  assert.equal(inserted.rowsAffected, 3);
  const dropped = await engine.run(sql`DROP TABLE ddl_count`);
  assert.equal(dropped.rowsAffected, 0);
});

/**
 * PostgreSQL fidelity, round 4b:
 *
 * - an array parameter of a type the driver does not know (a native enum's array, a domain's,
 *   one made after the engine connected) goes as PostgreSQL's array text, quoted and escaped,
 *   NULL elements as NULL, on postgres.js as on PGlite; a long IN list (one `= ANY($1)` array
 *   on PostgreSQL) on such a column works; such arrays read back as arrays;
 * - `busyTimeout` and `acquireTimeout` of `Infinity` (or more than 2^31 − 1 ms) wait with no
 *   limit; NaN, a negative number or a non-number is an ArgumentError naming the option;
 * - `run()` counts the rows a statement wrote (INSERT, UPDATE, DELETE, MERGE), and 0 for any
 *   other (a SELECT, DDL, a SELECT whose WITH writes), alike on every database.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import {
  ArgumentError,
  column,
  createEngine,
  type Engine,
  inList,
  select,
  sql,
  table,
} from "../mod.ts";
import { type PostgresClient, postgresDriver } from "../dialects/postgres/mod.ts";
import { pgliteDriver } from "../dialects/postgres/pglite/mod.ts";
import { type DbKind, dbTest } from "./_db.ts";
import { sharedPGlite } from "./_pglite.ts";

/** PostgreSQL, and PGlite when the suite runs on it (`RETORT_PGLITE=1`). */
const PG: DbKind[] = Deno.env.get("RETORT_PGLITE") === "1" ? ["pglite"] : ["postgres"];

/** Enum labels that need quoting or escaping in array text. */
const LABELS = ["red", "green", 'a"b', "c\\d", "NULL", "x,y", "{z}", " sp ", "é"];
const enumSql = `CREATE TYPE fxq_color AS ENUM (${
  LABELS.map((l) => `'${l.replaceAll("'", "''")}'`).join(", ")
})`;

/** A table whose `c` is a native enum on PostgreSQL, text on SQLite. */
const Paint = table("fxq_paint", { id: column.integer().primaryKey(), c: column.text() });

async function makePaint(engine: Engine, postgresql: boolean): Promise<void> {
  if (postgresql) await engine.run(sql.unsafe(enumSql));
  const type = postgresql ? "fxq_color" : "TEXT";
  await engine.run(sql.unsafe(`CREATE TABLE fxq_paint (id INTEGER PRIMARY KEY, c ${type})`));
  await engine.run(sql`INSERT INTO fxq_paint VALUES (1, 'red'), (2, 'green'), (3, 'a"b')`);
}

dbTest("fxq: a long IN list on a native enum column binds (one array parameter)", async (db) => {
  const engine = db.engine();
  await engine.scalar(sql`SELECT 1`); // connected before the type exists
  await makePaint(engine, db.dialect === "postgres");
  const long = [...Array.from({ length: 17_000 }, () => "green"), "red", 'a"b'];
  const q = select({ n: sql`count(*)` }).from(Paint).where(inList(Paint.c.c, long));
  assert.equal(Number(await engine.scalar(q)), 3);
  const few = select({ id: Paint.c.id }).from(Paint).where(inList(Paint.c.c, ["red", "c\\d"]));
  assert.deepEqual(await engine.all(few), [{ id: 1 }]);
});

dbTest(
  "fxq: enum and domain array parameters go as array text, read back as arrays",
  async (db) => {
    const engine = db.engine();
    await engine.scalar(sql`SELECT 1`); // connected before the types exist
    await makePaint(engine, true);
    await engine.run(sql`CREATE DOMAIN fxq_txt AS text`);
    await engine.run(sql`CREATE DOMAIN fxq_bytes AS bytea`);
    const withNull = [...LABELS, null];
    assert.equal(
      Number(await engine.scalar(sql`SELECT count(*) FROM fxq_paint WHERE c = ANY(${LABELS})`)),
      3,
    );
    assert.deepEqual(await engine.scalar(sql`SELECT ${withNull}::fxq_color[]`), withNull);
    assert.deepEqual(await engine.scalar(sql`SELECT ARRAY['red', NULL]::fxq_color[]`), [
      "red",
      null,
    ]);
    const square = [["red", null], ['a"b', "NULL"]];
    assert.deepEqual(await engine.scalar(sql`SELECT ${square}::fxq_color[]`), square);
    const texts = ['q"u', "back\\slash", "NULL", "", null, "{,}"];
    assert.deepEqual(await engine.scalar(sql`SELECT ${texts}::fxq_txt[]`), texts);
    assert.deepEqual(await engine.scalar(sql`SELECT ${[]}::fxq_color[]`), []);
    const bytes = sql`SELECT encode((${[new Uint8Array([0, 255])]}::fxq_bytes[])[1], 'hex')`;
    assert.equal(await engine.scalar(bytes), "00ff");
    // Stored in a column of the enum's array type, read as rows, as arrays and streamed.
    await engine.run(sql`CREATE TABLE fxq_palette (id int PRIMARY KEY, cs fxq_color[])`);
    await engine.run(sql`INSERT INTO fxq_palette VALUES (1, ${withNull}), (2, ${["green"]})`);
    const rows = await engine.all(sql`SELECT id, cs FROM fxq_palette ORDER BY id`);
    assert.deepEqual(rows, [{ id: 1, cs: withNull }, { id: 2, cs: ["green"] }]);
    const got: unknown[] = [];
    for await (const row of engine.stream(sql`SELECT cs FROM fxq_palette ORDER BY id`)) {
      got.push(row.cs);
    }
    assert.deepEqual(got, [withNull, ["green"]]);
    // A fresh engine (which learns the types as it connects) agrees.
    const fresh = db.engine();
    assert.deepEqual(await fresh.scalar(sql`SELECT cs FROM fxq_palette WHERE id = 1`), withNull);
    assert.deepEqual(await fresh.scalar(sql`SELECT ${withNull}::fxq_color[]`), withNull);
  },
  { on: PG },
);

dbTest(
  "fxq: a type made inside a transaction reads as an array on its one connection",
  async (db) => {
    const engine = db.engine({ poolSize: 1, acquireTimeout: 2000 });
    await engine.scalar(sql`SELECT 1`);
    const got = await engine.transaction(async (tx) => {
      await tx.run(sql`CREATE TYPE fxq_mood AS ENUM ('up', 'down')`);
      return await tx.scalar(sql`SELECT ${["down", null]}::fxq_mood[]`);
    });
    assert.deepEqual(got, ["down", null]);
  },
  { on: PG },
);

dbTest(
  "fxq: a postgres.js client made with fetch_types: false binds and reads enum arrays",
  async (db) => {
    await using setup = createEngine(db.url);
    await setup.run(sql`CREATE TYPE fxq_size AS ENUM ('s', 'm', 'l')`);
    const client = postgres(db.url, { onnotice: () => {}, fetch_types: false, max: 1 });
    await using engine = createEngine(client as unknown as PostgresClient, { closeClient: true });
    assert.deepEqual(await engine.scalar(sql`SELECT ${["m", null, "l"]}::fxq_size[]`), [
      "m",
      null,
      "l",
    ]);
    assert.equal(await engine.scalar(sql`SELECT 'm'::fxq_size = ANY(${["s", "m"]})`), true);
  },
  { on: ["postgres"] },
);

/** Holds the engine's connection in a transaction for `ms`, then asks for another statement. */
async function waitsFor(engine: Engine, ms: number): Promise<number> {
  await engine.scalar(sql`SELECT 1`);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const tx = engine.transaction(async (t) => {
    await t.run(sql`SELECT 1`);
    entered();
    await gate;
  });
  await inside;
  const started = performance.now();
  const timer = setTimeout(release, ms);
  try {
    assert.equal(Number(await engine.scalar(sql`SELECT 2`)), 2);
  } finally {
    clearTimeout(timer);
    release();
    await tx;
  }
  return performance.now() - started;
}

dbTest(
  "fxq: busyTimeout and acquireTimeout of Infinity or past 2^31 - 1 ms wait with no limit",
  async (db) => {
    for (const ms of [Infinity, 2 ** 31, 1e15]) {
      const engine = db.engine({ poolSize: 1, busyTimeout: ms, acquireTimeout: ms });
      const waited = await waitsFor(engine, 150);
      assert(waited >= 100, `${ms}: waited ${waited} ms`);
      await engine.dispose();
    }
    // A finite timeout still runs out.
    const short = db.engine({ poolSize: 1, busyTimeout: 30, acquireTimeout: 30 });
    await assert.rejects(waitsFor(short, 400), (e) => (e as Error).name === "OperationalError");
  },
);

dbTest(
  "fxq: a time option that is not a number from 0 up is an ArgumentError naming it",
  async (db) => {
    for (const name of ["busyTimeout", "acquireTimeout"] as const) {
      for (const bad of [NaN, -1, -Infinity, "100", null]) {
        assert.throws(
          () => db.engine({ [name]: bad as number }),
          (e) =>
            e instanceof ArgumentError &&
            e.message.startsWith(`${name} is a number of milliseconds`) &&
            e.message.includes("Infinity"),
          `${name}: ${String(bad)}`,
        );
      }
    }
    // 0 is allowed: fail at once when busy.
    await db.engine({ busyTimeout: 0, acquireTimeout: 0 }).scalar(sql`SELECT 1`);
  },
);

dbTest("fxq: the PostgreSQL drivers refuse a bad time option themselves", async (db) => {
  const refused = (name: string) => (e: unknown) =>
    e instanceof ArgumentError && e.message.startsWith(`${name} is a number of milliseconds`);
  if (db.kind === "pglite") {
    const lite = await sharedPGlite();
    assert.throws(() => pgliteDriver(lite, { busyTimeout: NaN }), refused("busyTimeout"));
    assert.throws(() => pgliteDriver(lite, { busyTimeout: -5 }), refused("busyTimeout"));
    return;
  }
  const client = postgres(db.url, { onnotice: () => {}, max: 1 });
  try {
    const pg = client as unknown as PostgresClient;
    assert.throws(() => postgresDriver(pg, { acquireTimeout: NaN }), refused("acquireTimeout"));
    assert.throws(() => postgresDriver(pg, { acquireTimeout: -1 }), refused("acquireTimeout"));
  } finally {
    await client.end();
  }
}, { on: PG });

dbTest(
  "fxq: run() counts the rows a statement wrote, and 0 for one that only reads",
  async (db) => {
    const engine = db.engine();
    const count = async (q: ReturnType<typeof sql>) => (await engine.run(q)).rowsAffected;
    assert.equal(await count(sql`CREATE TABLE fxq_run (id INTEGER PRIMARY KEY, v TEXT)`), 0);
    assert.equal(await count(sql`INSERT INTO fxq_run VALUES (1, 'a'), (2, 'b'), (3, 'c')`), 3);
    assert.equal(await count(sql`UPDATE fxq_run SET v = 'x' WHERE id > 100`), 0);
    assert.equal(await count(sql`UPDATE fxq_run SET v = 'y' WHERE id <= 2 RETURNING id`), 2);
    assert.equal(await count(sql`SELECT * FROM fxq_run`), 0);
    assert.equal(await count(sql`VALUES (1), (2)`), 0);
    assert.equal(
      await count(
        sql`WITH k AS (SELECT 3 AS id) DELETE FROM fxq_run WHERE id IN (SELECT id FROM k)`,
      ),
      1,
    );
    assert.equal(await count(sql`CREATE TABLE fxq_run2 AS SELECT * FROM fxq_run`), 0);
    if (db.dialect === "postgres") {
      // A SELECT whose WITH writes: PostgreSQL reports the outer SELECT only.
      const cte =
        sql`WITH d AS (DELETE FROM fxq_run WHERE id = 2 RETURNING *) SELECT count(*) FROM d`;
      assert.equal(await count(cte), 0);
      assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM fxq_run`)), 1);
      const merge = sql`MERGE INTO fxq_run t USING (VALUES (1), (9)) s(id) ON t.id = s.id
      WHEN MATCHED THEN UPDATE SET v = 'm' WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'n')`;
      assert.equal(await count(merge), 2);
    }
    // all() counts the rows it returned.
    const r = await engine.execute(sql`SELECT * FROM fxq_run`, "all");
    assert.equal(r.rowsAffected, r.rows.length);
    assert(r.rows.length > 0);
    assert.equal(await count(sql`DROP TABLE fxq_run2`), 0);
  },
);

Deno.test("a SQLite driver made by hand checks busyTimeout too; Infinity waits with no limit", async () => {
  const { DatabaseSync } = await import("node:sqlite");
  const { sqliteDriver } = await import("../dialects/sqlite/mod.ts");
  assert.throws(
    () => sqliteDriver(new DatabaseSync(":memory:"), { busyTimeout: -1 }),
    (e) => e instanceof ArgumentError && /busyTimeout/.test(e.message),
  );
  await using engine = createEngine(
    sqliteDriver(new DatabaseSync(":memory:"), { busyTimeout: Infinity }),
  );
  const conn = await engine.connect();
  const released = new Promise((r) => setTimeout(r, 100)).then(() => conn.close());
  assert.equal(await engine.scalar(sql`SELECT 1`), 1, "waited for the connection, no time out");
  await released;
});

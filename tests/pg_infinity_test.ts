/**
 * PostgreSQL values no JavaScript Date stands for, and arrays of domains:
 *
 * - `infinity` and `-infinity` (of `date`, `timestamp` and `timestamptz`, on their own and in
 *   arrays) and finite values past the years a Date holds are a DataError (code 22008) that
 *   names the column and says how to read it in SQL, never an Invalid Date; the connection, and
 *   the transaction, go on after it, on postgres.js as on PGlite;
 * - the Dates at JavaScript's limits (±8.64e15 ms), and invalid ones, are refused on every
 *   database before anything is sent, so that every Date Retort writes reads back the same;
 * - an array of a domain has its elements read by the domain's base type (through domains of
 *   domains), as a value of the domain is, whether the client learnt the array type as it
 *   connected or not.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import {
  ArgumentError,
  column,
  createEngine,
  DataError,
  type Engine,
  insert,
  select,
  sql,
  table,
} from "../mod.ts";
import type { PostgresClient } from "../dialects/postgres/mod.ts";
import { type DbKind, dbTest, statementLog } from "./_db.ts";

/** PostgreSQL, and PGlite when the suite runs on it (`RETORT_PGLITE=1`). */
const PG: DbKind[] = Deno.env.get("RETORT_PGLITE") === "1" ? ["pglite"] : ["postgres"];

/** Asserts that a read fails with the DataError of an unreadable date, naming `column`. */
async function refusesRead(engine: Engine, q: Parameters<Engine["all"]>[0], column: string) {
  await assert.rejects(
    engine.all(q),
    (e) =>
      e instanceof DataError && e.code === "22008" &&
      e.message.startsWith(`Column ${JSON.stringify(column)} holds the `) &&
      /no JavaScript Date stands for|past the years a JavaScript Date holds/.test(e.message),
    column,
  );
}

dbTest(
  "fxi: infinity dates and timestamps are a DataError naming the column, never an Invalid Date",
  async (db) => {
    const engine = db.engine({ poolSize: 1 });
    for (const type of ["timestamptz", "timestamp", "date"]) {
      for (const text of ["infinity", "-infinity"]) {
        const value = sql.unsafe(`'${text}'::${type}`);
        await refusesRead(engine, sql`SELECT 1 AS n, ${value} AS v`, "v");
        await refusesRead(engine, sql`SELECT ARRAY[NULL, ${value}] AS v`, "v");
        // The same connection goes on.
        assert.equal(await engine.scalar(sql`SELECT ${2}::int + 1`), 3);
        // What the error says to write instead reads.
        const finite = sql`SELECT CASE WHEN isfinite(v) THEN v END AS n, v::text AS t
          FROM (SELECT ${value} AS v) s`;
        assert.deepEqual(await engine.all(finite), [{ n: null, t: text }]);
      }
    }
    await assert.rejects(
      engine.all(sql`SELECT 'infinity'::date AS a, 'infinity'::date AS b`),
      (e) => e instanceof DataError && /^One of the columns "a", "b" holds/.test(e.message),
    );
  },
  { on: PG },
);

dbTest(
  "fxi: a row holding infinity fails its statement only: the connection and transaction go on",
  async (db) => {
    const engine = db.engine({ poolSize: 1 });
    const spans = table("fxi_spans", {
      id: column.integer().primaryKey(),
      ends: column.timestamptz().nullable(),
    });
    await engine.createTable(spans);
    await engine.run(sql`INSERT INTO fxi_spans SELECT g, CASE WHEN g = 500 THEN 'infinity'
      ELSE timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' END
      FROM generate_series(1, 1000) g`);
    await refusesRead(engine, select(spans).orderBy(spans.c.id), "ends");
    await assert.rejects(
      async () => {
        for await (const _ of engine.stream(select(spans).orderBy(spans.c.id))) { /* read */ }
      },
      (e) => e instanceof DataError && e.code === "22008" && /"ends"/.test(e.message),
    );
    // The next statements on the one connection read whole results.
    const rows = await engine.all(select(spans).where(sql`isfinite(ends)`).orderBy(spans.c.id));
    assert.equal(rows.length, 999);
    assert.deepEqual(rows[0], { id: 1, ends: new Date("2024-01-01T00:00:01.000Z") });
    assert.deepEqual(rows[998], { id: 1000, ends: new Date("2024-01-01T00:16:40.000Z") });
    // In a transaction: the statement failed in the reading of its result, not in the
    // database, so the transaction goes on and commits what it wrote (RETURNING included).
    await engine.transaction(async (tx) => {
      await tx.run(insert(spans).values({ id: 1001, ends: null }));
      await assert.rejects(
        tx.all(sql`INSERT INTO fxi_spans VALUES (1002, 'infinity') RETURNING ends`),
        (e) => e instanceof DataError && /^Column "ends" holds the timestamptz/.test(e.message),
      );
      assert.equal(await tx.scalar(sql`SELECT count(*) FROM fxi_spans WHERE id > 1000`), 2);
    });
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM fxi_spans WHERE id > 1000`), 2);
  },
  { on: PG },
);

dbTest(
  "fxi: a finite value past JavaScript's Dates is a DataError; one within them reads exactly",
  async (db) => {
    const engine = db.engine({ poolSize: 1 });
    await refusesRead(engine, sql`SELECT '275760-09-14'::date AS d`, "d");
    await refusesRead(engine, sql`SELECT '294276-12-31 23:59:59+00'::timestamptz AS t`, "t");
    await refusesRead(engine, sql`SELECT ARRAY['280000-01-01 00:00'::timestamp] AS t`, "t");
    // An offset that moves the last instant a Date holds past it.
    await refusesRead(engine, sql`SELECT '275760-09-13 00:00:00-01'::timestamptz AS t`, "t");
    const row = await engine.one(sql`SELECT '275760-09-13 00:00:00+00'::timestamptz AS last,
      '200000-01-01'::date AS far, '4713-01-01 BC'::date AS first`);
    assert.deepEqual(row, {
      last: new Date(8.64e15),
      far: new Date("+200000-01-01T00:00:00.000Z"),
      first: new Date("-004712-01-01T00:00:00.000Z"),
    });
  },
  { on: PG },
);

dbTest(
  "fxi: Dates at JavaScript's limits, or invalid, are refused before anything is sent",
  async (db) => {
    const log = statementLog();
    const engine = db.engine({ echo: log.echo });
    const dated = table("fxi_dated", {
      id: column.integer().primaryKey(),
      day: column.date().nullable(),
      at: column.timestamp().nullable(),
      atTz: column.timestamptz().nullable(),
    });
    await engine.createTable(dated);
    const sent = log.texts.length;
    const limits = [new Date(8.64e15), new Date(-8.64e15), new Date(Infinity)];
    for (const value of limits) {
      for (const key of ["day", "at", "atTz"] as const) {
        await assert.rejects(
          async () => await engine.run(insert(dated).values({ id: 1, [key]: value })),
          (e) => e instanceof ArgumentError && /expects a/.test(e.message),
        );
      }
    }
    assert.equal(log.texts.length, sent, "nothing was sent");
    // A Date bound in SQL of one's own is refused by the driver, before the database sees it.
    for (const value of limits) {
      await assert.rejects(async () => await engine.all(sql`SELECT ${value} AS v`), ArgumentError);
      // In an array too (SQLite binds it as JSON text).
      await assert.rejects(
        async () => await engine.all(sql`SELECT ${[value]} AS v`),
        ArgumentError,
      );
    }
    // The Dates at the ends of the range Retort writes read back the same.
    const first = new Date("0000-01-01T00:00:00.000Z");
    const last = new Date("9999-12-31T23:59:59.999Z");
    await engine.run(
      insert(dated).values([
        { id: 1, day: first, at: first, atTz: first },
        { id: 2, day: new Date("9999-12-31T00:00:00.000Z"), at: last, atTz: last },
      ]),
    );
    assert.deepEqual(await engine.all(select(dated).orderBy(dated.c.id)), [
      { id: 1, day: first, at: first, atTz: first },
      { id: 2, day: new Date("9999-12-31T00:00:00.000Z"), at: last, atTz: last },
    ]);
  },
);

/** The domains of the array tests, made on `engine`. */
async function makeDomains(engine: Engine): Promise<void> {
  await engine.run(sql`CREATE DOMAIN fxi_int AS int CHECK (VALUE >= 0)`);
  await engine.run(sql`CREATE DOMAIN fxi_nat AS fxi_int`);
  await engine.run(sql`CREATE DOMAIN fxi_day AS date`);
  await engine.run(sql`CREATE DOMAIN fxi_flag AS boolean`);
  await engine.run(sql`CREATE DOMAIN fxi_doc AS jsonb`);
  await engine.run(sql`CREATE DOMAIN fxi_big AS int8`);
  await engine.run(sql`CREATE DOMAIN fxi_name AS text`);
}

/** Reads arrays of every domain of `makeDomains`, as scalars, rows, and a stream. */
async function readsDomainArrays(engine: Engine): Promise<void> {
  assert.equal(await engine.scalar(sql`SELECT 1::fxi_int`), 1);
  assert.deepEqual(await engine.scalar(sql`SELECT ARRAY[1, NULL]::fxi_int[]`), [1, null]);
  assert.deepEqual(await engine.scalar(sql`SELECT ARRAY[[1, 2], [3, NULL]]::fxi_nat[]`), [
    [1, 2],
    [3, null],
  ]);
  assert.deepEqual(
    await engine.one(sql`SELECT ARRAY['2024-02-29']::fxi_day[] AS d,
    ARRAY[true, false, NULL]::fxi_flag[] AS f, ARRAY['{"a": [1]}']::fxi_doc[] AS j,
    ARRAY[9007199254740993]::fxi_big[] AS b, ARRAY['x', 'NULL', NULL]::fxi_name[] AS t`),
    {
      d: [new Date("2024-02-29T00:00:00.000Z")],
      f: [true, false, null],
      j: [{ a: [1] }],
      b: [9007199254740993n],
      t: ["x", "NULL", null],
    },
  );
  await engine.run(sql`DROP TABLE IF EXISTS fxi_counts`);
  await engine.run(sql`CREATE TABLE fxi_counts (id int PRIMARY KEY, ns fxi_int[])`);
  await engine.run(sql`INSERT INTO fxi_counts VALUES (1, ${[1, null, 3]}), (2, '{}')`);
  const rows = await engine.all(sql`SELECT id, ns FROM fxi_counts ORDER BY id`);
  assert.deepEqual(rows, [{ id: 1, ns: [1, null, 3] }, { id: 2, ns: [] }]);
  const streamed: unknown[] = [];
  for await (const row of engine.stream(sql`SELECT ns FROM fxi_counts ORDER BY id`)) {
    streamed.push(row.ns);
  }
  assert.deepEqual(streamed, [[1, null, 3], []]);
  // A domain's infinity is refused as the base type's is.
  await assert.rejects(
    engine.all(sql`SELECT ARRAY['infinity']::fxi_day[] AS ds`),
    (e) => e instanceof DataError && /^Column "ds" holds the date 'infinity'/.test(e.message),
  );
  assert.equal(await engine.scalar(sql`SELECT 1`), 1);
}

dbTest(
  "fxi: an array of a domain reads its elements by the domain's base type",
  async (db) => {
    // Made after the engine connected (the client does not know the array types), then read
    // again by a fresh engine (which learns them as it connects).
    const engine = db.engine({ poolSize: 1 });
    await engine.scalar(sql`SELECT 1`);
    await makeDomains(engine);
    await readsDomainArrays(engine);
    await readsDomainArrays(engine); // once the types are known
    await readsDomainArrays(db.engine({ poolSize: 1 }));
    // In a transaction, on its one connection.
    await engine.transaction(async (tx) => {
      assert.deepEqual(await tx.scalar(sql`SELECT ARRAY[7]::fxi_nat[]`), [7]);
    });
  },
  { on: PG },
);

dbTest(
  "fxi: a postgres.js client of one's own reads arrays of domains (fetch_types on and off)",
  async (db) => {
    const setup = db.engine();
    await makeDomains(setup);
    for (const fetchTypes of [true, false]) {
      const client = postgres(db.url, { onnotice: () => {}, fetch_types: fetchTypes, max: 1 });
      await using engine = createEngine(client as unknown as PostgresClient, { closeClient: true });
      await readsDomainArrays(engine);
    }
  },
  { on: ["postgres"] },
);

dbTest(
  "fxi: through a client's own date parser, a typed column never reads an Invalid Date",
  async (db) => {
    const setup = db.engine();
    const spans = table("fxi_own_spans", {
      id: column.integer().primaryKey(),
      ends: column.timestamptz().nullable(),
    });
    await setup.createTable(spans);
    await setup.run(sql`INSERT INTO fxi_own_spans VALUES (1, '2024-01-01 00:00:00+00')`);
    const own = { to: 1184, from: [1184], serialize: (x: unknown) => (x as Date).toISOString() };
    // postgres.js's own parser (an Invalid Date for infinity), and one that keeps the text.
    for (const parse of [(x: string) => new Date(x), (x: string) => x]) {
      const client = postgres(db.url, {
        onnotice: () => {},
        max: 1,
        types: { stamp: { ...own, parse } },
      });
      await using engine = createEngine(client as unknown as PostgresClient, { closeClient: true });
      assert.deepEqual(await engine.all(select(spans)), [
        { id: 1, ends: new Date("2024-01-01T00:00:00.000Z") },
      ]);
      await engine.run(sql`UPDATE fxi_own_spans SET ends = 'infinity'`);
      await assert.rejects(
        engine.all(select(spans)),
        (e) =>
          e instanceof DataError && e.code === "22008" && /infinity|Invalid Date/.test(e.message),
      );
      assert.equal(await engine.scalar(sql`SELECT 1`), 1);
      await engine.run(sql`UPDATE fxi_own_spans SET ends = '2024-01-01 00:00:00+00'`);
    }
  },
  { on: ["postgres"] },
);

/**
 * Values bound and read back on each database, as the drivers document them:
 *
 * - SQLite: booleans are stored as 1 and 0, Dates as ISO 8601 text, arrays as JSON text;
 *   integers beyond 2^53 come back as bigints, smaller ones as numbers; bytes as Uint8Array.
 * - PostgreSQL: booleans, timestamptz (Dates), bytea (bytes), arrays; int8 comes back as a
 *   number when exact and a bigint otherwise.
 */
import assert from "node:assert/strict";
import { sql } from "../mod.ts";
import { scopedTest } from "./_db.ts";

const BIG = 2n ** 62n;
const JUST_UNSAFE = 2n ** 53n + 1n;
const bytes = (v: unknown) => new Uint8Array(v as Uint8Array);

scopedTest("every kind of value round-trips through a table", async ({ db, open }) => {
  const engine = open();
  const lite = db.dialect === "sqlite";
  await engine.run(
    lite
      ? sql`CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB,
          flag BOOLEAN, big INTEGER, d TEXT, ints TEXT, texts TEXT)`
      : sql`CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r DOUBLE PRECISION, t TEXT,
          b BYTEA, flag BOOLEAN, big BIGINT, d TIMESTAMPTZ, ints INTEGER[], texts TEXT[])`,
  );
  const when = new Date("2024-02-29T12:34:56.789Z");
  const texts = ["a", "b,c", 'd"e', "{}", "NULL", null, "😀", "\\"];
  const row = {
    id: 1,
    i: -42,
    r: 0.1,
    t: "héllo 😀",
    b: new Uint8Array([0, 1, 127, 128, 254, 255]),
    flag: true,
    big: BIG,
    d: when,
    ints: [1, 2, 3],
    texts,
  };
  await engine.run(sql`INSERT INTO v ${sql.values([row])}`);
  await engine.run(sql`INSERT INTO v ${
    sql.values([{
      id: 2,
      i: 0,
      r: -1.5,
      t: "",
      b: new Uint8Array(0),
      flag: false,
      big: -BIG,
      d: new Date(0),
      ints: [],
      texts: [],
    }])
  }`);
  await engine.run(sql`INSERT INTO v (id) VALUES (${3})`);
  await engine.run(
    sql`UPDATE v SET ${
      sql.set({ i: null, r: null, t: null, b: null, flag: null, big: null, d: null })
    } WHERE id = ${3}`,
  );

  const [one, two, three] = await engine.all(sql`SELECT * FROM v ORDER BY id`);
  assert.equal(one.i, -42);
  assert.equal(one.r, 0.1);
  assert.equal(one.t, "héllo 😀");
  assert.deepEqual(bytes(one.b), row.b);
  assert.ok(one.b instanceof Uint8Array);
  assert.equal(one.big, BIG);
  assert.equal(two.big, -BIG);
  assert.deepEqual(bytes(two.b), new Uint8Array(0));
  assert.deepEqual(
    { ...three, b: null },
    {
      id: 3,
      i: null,
      r: null,
      t: null,
      b: null,
      flag: null,
      big: null,
      d: null,
      ints: null,
      texts: null,
    },
  );
  assert.equal(three.b, null);
  if (lite) {
    assert.equal(one.flag, 1);
    assert.equal(two.flag, 0);
    assert.equal(one.d, "2024-02-29T12:34:56.789Z");
    assert.equal(two.d, "1970-01-01T00:00:00.000Z");
    assert.equal(one.ints, "[1,2,3]");
    assert.deepEqual(JSON.parse(one.texts as string), texts);
    assert.equal(two.ints, "[]");
  } else {
    assert.equal(one.flag, true);
    assert.equal(two.flag, false);
    assert.ok(one.d instanceof Date);
    assert.equal((one.d as Date).getTime(), when.getTime());
    assert.equal((two.d as Date).getTime(), 0);
    assert.deepEqual(one.ints, [1, 2, 3]);
    // A NULL element reads as null, the text "NULL" as text (postgres.js alone would read both
    // as "NULL", porsager/postgres#1124; Retort reads arrays itself).
    assert.deepEqual(one.texts, texts);
    assert.deepEqual(
      await engine.one(sql`SELECT texts[5] AS quoted, texts[6] IS NULL AS missing FROM v
        WHERE id = ${1}`),
      { quoted: "NULL", missing: true },
    );
    assert.deepEqual(two.ints, []);
  }
  // Values compare as they were bound.
  assert.equal(await engine.scalar(sql`SELECT id FROM v WHERE d = ${when}`), 1);
  assert.equal(await engine.scalar(sql`SELECT id FROM v WHERE flag = ${false}`), 2);
  assert.equal(await engine.scalar(sql`SELECT id FROM v WHERE big = ${BIG}`), 1);
  assert.equal(await engine.scalar(sql`SELECT id FROM v WHERE b = ${row.b}`), 1);
});

scopedTest("bigints: exact beyond 2^53 both ways, numbers when they fit", async ({ db, open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE n (id INTEGER PRIMARY KEY, big BIGINT)`);
  await engine.run(sql`INSERT INTO n ${
    sql.values([
      { id: 1, big: 5n },
      { id: 2, big: JUST_UNSAFE },
      { id: 3, big: -BIG },
      { id: 4, big: 2n ** 63n - 1n },
      { id: 5, big: 9007199254740991 },
    ])
  }`);
  const rows = await engine.all<{ id: number; big: number | bigint }>(
    sql`SELECT id, big FROM n ORDER BY id`,
  );
  assert.deepEqual(rows.map((r) => r.big), [5, JUST_UNSAFE, -BIG, 2n ** 63n - 1n, 2 ** 53 - 1]);
  assert.equal(typeof rows[0].big, "number");
  assert.equal(typeof rows[1].big, "bigint");
  assert.equal(await engine.scalar(sql`SELECT big FROM n WHERE id = ${2}`), JUST_UNSAFE);
  assert.deepEqual(await engine.first(sql`SELECT big FROM n WHERE big = ${-BIG}`), { big: -BIG });
  assert.equal(await engine.scalar(sql`SELECT big + 1 AS v FROM n WHERE id = ${3}`), -BIG + 1n);
  assert.equal(
    await engine.scalar(sql`WITH x AS (SELECT big FROM n WHERE id = ${4}) SELECT big FROM x`),
    2n ** 63n - 1n,
  );
  // A query that starts with comments reads bigints too.
  assert.equal(
    await engine.scalar(sql`-- the largest
      /* of them all */ SELECT max(big) AS m FROM n`),
    2n ** 63n - 1n,
  );
  const returned = await engine.all(
    sql`INSERT INTO n (id, big) VALUES (${6}, ${BIG + 1n}), (${7}, ${6}) RETURNING id, big`,
  );
  assert.deepEqual(returned, [{ id: 6, big: BIG + 1n }, { id: 7, big: 6 }]);
  const updated = await engine.one(sql`UPDATE n SET big = big * 2 WHERE id = ${2} RETURNING big`);
  assert.deepEqual(updated, { big: JUST_UNSAFE * 2n });
  await engine.transaction(async (tx) => {
    assert.equal(await tx.scalar(sql`SELECT big FROM n WHERE id = ${6}`), BIG + 1n);
    assert.equal(await tx.scalar(sql`SELECT big FROM n WHERE id = ${7}`), 6);
  });
  {
    await using conn = await engine.connect();
    assert.equal(await conn.scalar(sql`SELECT max(big) AS m FROM n`), 2n ** 63n - 1n);
  }
  if (db.dialect === "sqlite") {
    assert.equal(
      await engine.scalar(sql`SELECT typeof(big) AS t FROM n WHERE id = ${2}`),
      "integer",
    );
  }
});

scopedTest("integers bind as integers and booleans as booleans", async ({ db, open }) => {
  const engine = open();
  // node:sqlite binds every number as a REAL unless told otherwise: 5 would read '5.0'.
  assert.equal(await engine.scalar(sql`SELECT 'id-' || ${5} AS v`), "id-5");
  await engine.run(sql`CREATE TABLE labels (id INTEGER PRIMARY KEY, label TEXT)`);
  await engine.run(sql`INSERT INTO labels (id, label) VALUES (${1}, ${7}), (${2}, ${2.5})`);
  assert.deepEqual(await engine.all(sql`SELECT label FROM labels ORDER BY id`), [
    { label: "7" },
    { label: "2.5" },
  ]);
  if (db.dialect === "sqlite") {
    assert.equal(await engine.scalar(sql`SELECT typeof(${5}) AS t`), "integer");
    assert.equal(await engine.scalar(sql`SELECT typeof(${true}) AS t`), "integer");
    assert.equal(await engine.scalar(sql`SELECT typeof(${0.5}) AS t`), "real");
    assert.equal(await engine.scalar(sql`SELECT ${true} || ${false} AS v`), "10");
    assert.equal(await engine.scalar(sql`SELECT typeof(${2 ** 60}) AS t`), "real");
  } else {
    assert.equal(await engine.scalar(sql`SELECT pg_typeof(${true})::text AS t`), "boolean");
    assert.equal(await engine.scalar(sql`SELECT ${5}::int + 1 AS v`), 6);
  }
});

scopedTest("arrays: JSON text on SQLite, typed arrays on PostgreSQL", async ({ db, open }) => {
  const engine = open();
  const when = new Date("2001-02-03T04:05:06.007Z");
  if (db.dialect === "sqlite") {
    const values = await engine.all(sql`SELECT value FROM json_each(${[3, 1, 2]}) ORDER BY value`);
    assert.deepEqual(values, [{ value: 1 }, { value: 2 }, { value: 3 }]);
    assert.equal(await engine.scalar(sql`SELECT ${[true, null, "x"]} AS v`), '[true,null,"x"]');
    // Bigints in an array: numbers when exact, strings beyond 2^53 (JSON has no bigint).
    assert.equal(await engine.scalar(sql`SELECT ${[1n, BIG]} AS v`), `[1,"${BIG}"]`);
    assert.equal(await engine.scalar(sql`SELECT ${[when]} AS v`), `["${when.toISOString()}"]`);
    assert.equal(await engine.scalar(sql`SELECT ${[[1, 2], [3]]} AS v`), "[[1,2],[3]]");
    return;
  }
  await engine.run(sql`CREATE TABLE arrays (id INTEGER PRIMARY KEY, flags BOOLEAN[],
    bigs BIGINT[], dates TIMESTAMPTZ[], words TEXT[], grid INTEGER[][])`);
  await engine.run(sql`INSERT INTO arrays ${
    sql.values([{
      id: 1,
      flags: [true, false, null],
      bigs: [1n, BIG],
      dates: [when],
      words: ["a", "it's", null],
      grid: [[1, 2], [3, 4]],
    }])
  }`);
  const row = await engine.one(sql`SELECT * FROM arrays`);
  // NULL elements are stored as NULL, and read back as null.
  assert.deepEqual(row.flags, [true, false, null]);
  assert.deepEqual(
    await engine.one(sql`SELECT flags[3] IS NULL AS f, words[3] IS NULL AS w FROM arrays`),
    { f: true, w: true },
  );
  assert.deepEqual(row.bigs, [1, BIG]);
  assert.deepEqual((row.dates as Date[]).map((d) => d.getTime()), [when.getTime()]);
  assert.deepEqual(row.words, ["a", "it's", null]);
  assert.deepEqual(row.grid, [[1, 2], [3, 4]]);
  assert.equal(
    await engine.scalar(sql`SELECT count(*) AS n FROM arrays WHERE ${true} = ANY(flags)`),
    1,
  );
  assert.deepEqual(await engine.scalar(sql`SELECT ${[true, false]}::boolean[] AS v`), [
    true,
    false,
  ]);
  assert.equal(await engine.scalar(sql`SELECT 2 = ANY(${[1, 2, 3]}::int[]) AS v`), true);
  // The same on a connection of its own (a reserved postgres.js connection).
  const inTx = await engine.transaction((tx) =>
    tx.scalar(sql`SELECT ${[when]}::timestamptz[] AS v`)
  );
  assert.deepEqual((inTx as Date[]).map((d) => d.getTime()), [when.getTime()]);
});

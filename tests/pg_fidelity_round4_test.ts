/**
 * PostgreSQL fidelity, round 4:
 *
 * - a stream's error raised while its rows are read (a cursor's FETCH) names the query and
 *   hides its parameters as all() does;
 * - stream() of a statement that is not a plain query (`INSERT ... RETURNING`, a WITH that
 *   writes) runs it whole and yields its rows in chunks, as on SQLite;
 * - arrays read NULL elements as null and the text "NULL" as text, for every element type, on
 *   postgres.js as on PGlite;
 * - a text of several statements is refused before any of it runs.
 */
import assert from "node:assert/strict";
import {
  column,
  DatabaseError,
  deleteFrom,
  type Engine,
  insert,
  ProgrammingError,
  type Row,
  select,
  sql,
  type SqlSource,
  table,
  update,
} from "../mod.ts";
import { scrubbed } from "../core/util/redact.ts";
import { type Db, type DbKind, dbTest } from "./_db.ts";
import { strings } from "./_strings.ts";

/** PostgreSQL, and PGlite when the suite runs on it (`RETORT_PGLITE=1`). */
const PG: DbKind[] = Deno.env.get("RETORT_PGLITE") === "1" ? ["pglite"] : ["postgres"];

const SECRET = "s3cr3t-fxc-Value";

const leaks = (value: unknown): string[] => strings(value).filter((s) => s.includes(SECRET));

async function errorOf(work: Promise<unknown>): Promise<DatabaseError> {
  try {
    await work;
  } catch (error) {
    assert(error instanceof DatabaseError, String(error));
    return error;
  }
  assert.fail("expected an error");
}

async function drain<T>(rows: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const row of rows) into.push(row);
  return into;
}

/** A query that yields a row, then fails on its second with the secret in play. */
function failsOnRow2(db: Db): SqlSource<Row> {
  return db.dialect === "postgres"
    ? sql`SELECT CAST(CASE WHEN g > 1 THEN ${SECRET}::text END AS integer) AS v
        FROM generate_series(1, 3) g`
    : sql`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3)
        SELECT CASE WHEN x > 1 THEN abs(-9223372036854775807 - 1 + 0 * length(${SECRET}))
        ELSE x END AS v FROM n`;
}

dbTest("a stream's error met while reading rows hides the parameters, as all()'s", async (db) => {
  const echoed: unknown[] = [];
  const engine = db.engine({ hideParameters: true, echo: (e) => echoed.push(e) });
  const q = failsOnRow2(db);
  const expected = await errorOf(engine.all(q));
  assert.deepEqual(leaks(expected), []);
  const check = (error: DatabaseError, how: string) => {
    assert.deepEqual(leaks(error), [], how);
    assert.equal(error.constructor, expected.constructor, how);
    assert.equal(error.message, expected.message, how);
    assert.equal(error.sql, expected.sql, `${how}: the query, not the cursor's statement`);
    assert.equal(error.params, undefined, how);
  };
  // In a transaction the cursor reads lazily: the error comes from a FETCH.
  await engine.transaction(async (tx) => {
    check(await errorOf(drain(tx.stream(q, { chunkSize: 1 }))), "in a transaction");
    await tx.rollback();
  });
  // Outside one, a held cursor: the error comes from its DECLARE.
  check(await errorOf(drain(engine.stream(q, { chunkSize: 1 }))), "outside a transaction");
  {
    await using conn = await engine.connect();
    check(await errorOf(drain(conn.streamChunks(q, "values", 1))), "on a connection");
  }
  assert.deepEqual(leaks(echoed), [], "echo");
  // Not hidden: the query's own text and parameters.
  const open = db.engine();
  await open.transaction(async (tx) => {
    const error = await errorOf(drain(tx.stream(q, { chunkSize: 1 })));
    assert.equal(error.sql, expected.sql);
    assert.deepEqual(error.params, [SECRET]);
    await tx.rollback();
  });
});

Deno.test("scrubbed() hides what a driver left of the values it did not know were hidden", () => {
  // A driver that hid another statement's parameters (none) left the query's value in.
  const cause = Object.assign(new Error(`bad "${SECRET}"`), { code: "22P02", hint: SECRET });
  const error = new DatabaseError(`bad "${SECRET}"`, { cause, sql: "SELECT $1", code: "22P02" });
  const out = scrubbed(error, [SECRET]);
  assert.deepEqual(leaks(out), []);
  assert(out instanceof DatabaseError && out.code === "22P02" && out.sql === "SELECT $1");
  assert.equal(out.message, 'bad "[hidden]"');
  assert.equal((out.cause as { code?: string }).code, "22P02");
  // One with nothing left is given back as it is; "[hidden]" stays as it is.
  const clean = new DatabaseError('bad "[hidden]"', { sql: "SELECT $1" });
  assert.equal(scrubbed(clean, ["hidden"]), clean);
});

const items = table("fxc_items", {
  id: column.integer().primaryKey(),
  name: column.text(),
  n: column.integer(),
});

/** Open cursors on PostgreSQL's connection (PGlite streams without one). */
const cursors = sql`SELECT count(*)::int FROM pg_cursors WHERE name LIKE ${"retort_cursor_%"}`;

dbTest("stream() of INSERT/UPDATE/DELETE ... RETURNING yields its rows in chunks", async (db) => {
  const engine = db.engine();
  await engine.createAll([items]);
  const rows = [1, 2, 3, 4, 5].map((i) => ({ name: `i${i}`, n: i }));
  const chunks: number[] = [];
  for await (
    const chunk of engine.streamChunks(insert(items).values(rows).returning(items.c.id), "all", 2)
  ) chunks.push(chunk.length);
  assert.deepEqual(chunks, [2, 2, 1]);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM fxc_items`), 5, "inserted once");
  const updated = await drain(
    engine.stream(
      update(items).set({ n: 0 }).where(sql`${items.c.n} > ${2}`).returning(items.c.name),
      { chunkSize: 1 },
    ),
  );
  assert.deepEqual(updated.map((r) => r.name).sort(), ["i3", "i4", "i5"]);
  // In a transaction, and with text of the user's own.
  await engine.transaction(async (tx) => {
    const gone = await drain(
      tx.stream(deleteFrom(items).where(sql`${items.c.n} = ${0}`).returning(items.c.id), {
        chunkSize: 2,
      }),
    );
    assert.deepEqual(gone.map((r) => Number(r.id)).sort(), [3, 4, 5]);
    const raw = await drain(
      tx.stream(sql`INSERT INTO fxc_items (id, name, n) VALUES (9, 'x', 9) RETURNING name`),
    );
    assert.deepEqual(raw, [{ name: "x" }]);
  });
  assert.deepEqual(
    await engine.all(select(items.c.id).from(items).orderBy(items.c.id)),
    [{ id: 1 }, { id: 2 }, { id: 9 }],
  );
  // A plain query still streams (through a cursor on PostgreSQL).
  await engine.transaction(async (tx) => {
    let open = -1;
    for await (const _ of tx.stream(select(items.c.id).from(items), { chunkSize: 1 })) {
      if (db.kind === "postgres") open = await tx.scalar(cursors) as number;
    }
    if (db.kind === "postgres") assert.equal(open, 1);
  });
});

dbTest("PostgreSQL streams WITH ... that writes, and what a held cursor cannot", async (db) => {
  const engine = db.engine();
  await engine.createAll([items]);
  await engine.run(insert(items).values([1, 2, 3].map((i) => ({ name: `i${i}`, n: i }))));
  const moved = await drain(
    engine.stream(
      sql`WITH gone AS (DELETE FROM fxc_items WHERE n < 3 RETURNING id, name)
        SELECT id, name FROM gone ORDER BY id`,
      { chunkSize: 1 },
    ),
  );
  assert.deepEqual(moved, [{ id: 1, name: "i1" }, { id: 2, name: "i2" }]);
  const added = await drain(
    engine.stream(sql`WITH src AS (SELECT 7 AS id) INSERT INTO fxc_items (id, name, n)
      SELECT id, 'i7', 7 FROM src RETURNING id`),
  );
  assert.deepEqual(added, [{ id: 7 }]);
  assert.deepEqual(await engine.all(sql`SELECT id FROM fxc_items ORDER BY id`), [
    { id: 3 },
    { id: 7 },
  ]);
  // Row locks outside a transaction (a held cursor cannot lock), and statements that are
  // not queries at all.
  assert.deepEqual(
    await drain(engine.stream(sql`SELECT id FROM fxc_items WHERE id = ${3} FOR UPDATE`)),
    [{ id: 3 }],
  );
  assert.deepEqual(await drain(engine.stream(sql`SHOW DateStyle`)), [{ DateStyle: "ISO, MDY" }]);
  // Words in quotes or comments do not count: this is a plain query, read by a cursor.
  await engine.transaction(async (tx) => {
    const q = sql`SELECT '(DELETE' AS "(insert", $$ INTO $$ AS x /* (UPDATE */ FROM fxc_items`;
    let open = -1;
    for await (const _ of tx.stream(q, { chunkSize: 1 })) {
      if (db.kind === "postgres") open = await tx.scalar(cursors) as number;
    }
    if (db.kind === "postgres") assert.equal(open, 1);
  });
}, { on: PG });

/** One value per element type, NULL among them (and the text "NULL" where it can be). */
const ARRAYS: [SqlSource<Row>, unknown][] = [
  [sql`SELECT ${["a", null, "NULL", 'q"u', "b\\s", "", "{x}", "a,b"]}::text[] AS v`, [
    "a",
    null,
    "NULL",
    'q"u',
    "b\\s",
    "",
    "{x}",
    "a,b",
  ]],
  [sql`SELECT ARRAY['a'::varchar, NULL, 'null'] AS v`, ["a", null, "null"]],
  [sql`SELECT ARRAY[1, NULL]::int[] AS v`, [1, null]],
  [sql`SELECT ARRAY[1, NULL]::int2[] AS v`, [1, null]],
  [sql`SELECT ARRAY[1, NULL, 9007199254740993]::int8[] AS v`, [1, null, 9007199254740993n]],
  [sql`SELECT ARRAY[1.5, NULL]::numeric[] AS v`, ["1.5", null]],
  [sql`SELECT ARRAY[1.5, NULL]::float8[] AS v`, [1.5, null]],
  [sql`SELECT ARRAY[true, NULL, false] AS v`, [true, null, false]],
  [sql`SELECT ARRAY['2024-01-02'::date, NULL] AS v`, [new Date("2024-01-02T00:00:00Z"), null]],
  [
    sql`SELECT ARRAY['2024-01-02 03:04:05'::timestamp, NULL] AS v`,
    [new Date("2024-01-02T03:04:05Z"), null],
  ],
  [
    sql`SELECT ARRAY['2024-01-02 03:04:05Z'::timestamptz, NULL] AS v`,
    [new Date("2024-01-02T03:04:05Z"), null],
  ],
  [sql`SELECT ARRAY['{"a":1}'::json, NULL, 'null', '"NULL"'] AS v`, [{ a: 1 }, null, null, "NULL"]],
  [sql`SELECT ARRAY['[1]'::jsonb, NULL] AS v`, [[1], null]],
  [
    sql`SELECT ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL] AS v`,
    ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", null],
  ],
  [sql`SELECT '{{1,NULL},{3,4}}'::int[] AS v`, [[1, null], [3, 4]]],
  [sql`SELECT '[0:1]={1,NULL}'::int[] AS v`, [1, null]],
  [sql`SELECT array_agg(x) AS v FROM (VALUES ('a'), (NULL), ('NULL')) v(x)`, ["a", null, "NULL"]],
  [sql`SELECT ARRAY[NULL]::text[] AS v`, [null]],
  [sql`SELECT '{}'::int[] AS v`, []],
];

async function readsArrays(engine: Engine | { scalar: Engine["scalar"] }, how: string) {
  for (const [q, expected] of ARRAYS) {
    assert.deepEqual(await engine.scalar(q), expected, `${how}: ${Deno.inspect(expected)}`);
  }
  const bytes = await engine.scalar(sql`SELECT ARRAY['\\x0102'::bytea, NULL] AS v`) as unknown[];
  assert.deepEqual(bytes.map((b) => b === null ? null : [...(b as Uint8Array)]), [[1, 2], null]);
}

dbTest("PostgreSQL arrays read NULL elements as null and the text NULL as text", async (db) => {
  const engine = db.engine();
  await readsArrays(engine, "pool");
  await engine.transaction((tx) => readsArrays(tx, "transaction"));
  // Arrays of types of the database's own (learnt as a connection opens), and from a table.
  await engine.run(sql`CREATE TYPE fxc_mood AS ENUM ('calm', 'NULL')`);
  await engine.run(sql`CREATE TABLE fxc_arrays (id INTEGER PRIMARY KEY, moods fxc_mood[],
    words TEXT[], flags BOOLEAN[], dates DATE[])`);
  const fresh = db.engine();
  // (The enum array as SQL: PGlite cannot bind an array of a type of the database's own.)
  await fresh.run(sql`INSERT INTO fxc_arrays VALUES (1, ARRAY['calm', NULL, 'NULL']::fxc_mood[],
    ${["NULL", null]}, ${[true, null]}, ${["2024-03-01", null]})`);
  assert.deepEqual(await fresh.one(sql`SELECT moods, words, flags, dates FROM fxc_arrays`), {
    moods: ["calm", null, "NULL"],
    words: ["NULL", null],
    flags: [true, null],
    dates: [new Date("2024-03-01T00:00:00Z"), null],
  });
  // Bound NULL elements are stored as NULL, the text "NULL" as text.
  assert.deepEqual(
    await fresh.one(sql`SELECT words[1] AS text, words[2] IS NULL AS missing FROM fxc_arrays`),
    { text: "NULL", missing: true },
  );
}, { on: PG });

const SEVERAL =
  /^The SQL text holds more than one statement; send one statement per call \(in a transaction to make them atomic\)\.$/;

dbTest("PostgreSQL refuses a text of several statements before running any", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE fxc_multi (x INTEGER)`);
  const refused = async (work: Promise<unknown>, how: string) => {
    const error = await errorOf(work);
    assert(error instanceof ProgrammingError, `${how}: ${error}`);
    assert.match(error.message, SEVERAL, how);
  };
  await refused(
    engine.run(sql.unsafe("INSERT INTO fxc_multi VALUES (1); INSERT INTO fxc_multi VALUES (2)")),
    "run",
  );
  await refused(engine.all(sql`SELECT 1 AS a; SELECT 2 AS b`), "all");
  await refused(
    engine.run(sql`INSERT INTO fxc_multi VALUES (${3}); INSERT INTO fxc_multi VALUES (${4})`),
    "with parameters",
  );
  await refused(drain(engine.stream(sql`SELECT 1 AS a; SELECT 2 AS b`)), "stream");
  await refused(
    engine.transaction((tx) => tx.run(sql`DELETE FROM fxc_multi; DELETE FROM fxc_multi`)),
    "transaction",
  );
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM fxc_multi`), 0, "none ran");
  // One statement, however it ends, and semicolons that separate nothing.
  assert.deepEqual(await engine.all(sql`SELECT 1 AS a; -- done`), [{ a: 1 }]);
  assert.deepEqual(await engine.all(sql`SELECT ';' AS "a;b", $x$;$x$ AS c;`), [
    { "a;b": ";", c: ";" },
  ]);
  await engine.run(sql`DO $$ BEGIN PERFORM 1; PERFORM 2; END $$`);
  await engine.run(sql`CREATE FUNCTION fxc_two() RETURNS int LANGUAGE sql
    BEGIN ATOMIC SELECT 1; SELECT 2; END`);
  assert.equal(await engine.scalar(sql`SELECT fxc_two()`), 2);
  // A syntax error is still reported as itself.
  const typo = await errorOf(engine.run(sql`SELEC 1; SELECT 2`));
  assert(typo instanceof ProgrammingError && /syntax error/.test(typo.message), String(typo));
}, { on: PG });

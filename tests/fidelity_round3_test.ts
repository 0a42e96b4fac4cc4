/**
 * Values keep what they mean on every path, on both databases:
 *
 * - PostgreSQL, a session in a zone other than UTC: a Date through the builder and the ORM
 *   stores and reads back the same instant in `timestamp`, `timestamptz` and `date` columns; one
 *   bound in raw SQL is a `timestamptz` (exact in a `timestamptz` column, converted in the
 *   session's zone for the others, as the server does), and in an array it is read as the
 *   array's type;
 * - SQLite: a whole JSON number of 2^53 or more in a `json`/`jsonb` column comes back a number,
 *   as on PostgreSQL, not a bigint;
 * - SQLite: a raw `sql.list` longer than the dialect expands (sent as one json_each parameter)
 *   matches the rows the same values match in a short list: numbers against TEXT, strings
 *   against INTEGER, Dates against timestamps.
 */
import assert from "node:assert/strict";
import {
  column,
  compile,
  createEngine,
  type Engine,
  eq,
  inList,
  insert,
  Model,
  select,
  sql,
  table,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class Ev extends Model("fr3_events", {
  id: column.integer().primaryKey(),
  at: column.timestamp(),
  day: column.date(),
  atz: column.timestamptz(),
}) {}

/** A Date in the year `y` (below 100 or BC), which `new Date(y, ...)` would move. */
const inYear = (y: number, iso: string): Date => {
  const d = new Date(`2000${iso}`);
  d.setUTCFullYear(y);
  return d;
};

const INSTANTS: Date[] = [
  new Date("2024-03-01T02:30:00.000Z"), // the evening before in New York
  new Date("2024-03-10T07:30:00.000Z"), // New York's spring-forward day
  new Date("2024-12-31T20:00:00.000Z"), // the next day (and year) in Tokyo
  new Date("2024-06-15T12:34:56.789Z"),
  inYear(0, "-03-01T23:59:59.999Z"), // 1 BC
  inYear(50, "-06-15T01:00:00.000Z"),
];

const utcDay = (d: Date): string => {
  const day = new Date(d);
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
};

/** An engine whose session is in `zone`: the URL's TimeZone, or SET on PGlite's one session. */
async function zonedEngine(db: Db, zone: string): Promise<Engine> {
  if (db.kind === "postgres") {
    return createEngine(`${db.url}&TimeZone=${encodeURIComponent(zone)}`);
  }
  const engine = db.engine();
  if (db.kind === "pglite") await engine.run(sql`SELECT set_config('TimeZone', ${zone}, false)`);
  return engine;
}

for (const zone of ["America/New_York", "Asia/Tokyo"]) {
  dbTest(`fidelity: a Date means the same on every path (session in ${zone})`, async (db) => {
    const engine = await zonedEngine(db, zone);
    const pg = db.dialect === "postgres";
    try {
      if (pg) assert.equal(await engine.scalar(sql`SHOW TimeZone`), zone);
      await engine.createAll([Ev]);
      let id = 0;
      for (const d of INSTANTS) {
        const what = `${d.toISOString()} in ${zone}`;
        const first = id + 1;
        await engine.run(insert(Ev).values({ id: ++id, at: d, day: d, atz: d }));
        await engine.run(
          sql`INSERT INTO ${Ev} (id, at, day, atz) VALUES (${++id}, ${d}, ${d}, ${d})`,
        );
        await engine.run(
          sql`INSERT INTO ${Ev} ${sql.values([{ id: ++id, at: d, day: d, atz: d }])}`,
        );
        {
          await using session = engine.session();
          session.add(new Ev({ id: ++id, at: d, day: d, atz: d }));
          await session.commit();
        }
        const ids = [first, first + 1, first + 2, first + 3];
        const rows = await engine.all(select(Ev).where(inList(Ev.c.id, ids)).orderBy(Ev.c.id));
        // A Date of raw SQL is a timestamptz on PostgreSQL: a timestamp or date column takes it
        // in the session's zone, as the server converts. The typed paths bind the column's type.
        const typed = (i: number) => !pg || i === first || i === first + 3;
        assert.deepEqual(
          rows.map((r) =>
            typed(r.id)
              ? [r.id, r.at.toISOString(), r.day.toISOString(), r.atz.toISOString()]
              : [r.id, r.atz.toISOString()]
          ),
          ids.map((i) =>
            typed(i) ? [i, d.toISOString(), utcDay(d), d.toISOString()] : [i, d.toISOString()]
          ),
          `${what}: builder, raw template, sql.values, ORM`,
        );
        {
          await using session = engine.session();
          const loaded = await session.get(Ev, first + 3);
          assert.equal(loaded?.at.toISOString(), d.toISOString(), `${what}: ORM load`);
        }
        // Raw SQL finds the row the builder wrote, and the builder those raw SQL wrote.
        const raw = (where: ReturnType<typeof sql>) =>
          engine.scalar(sql`SELECT count(*) FROM ${Ev} WHERE id = ${first} AND ${where}`);
        if (!pg) assert.equal(await raw(sql`at = ${d}`), 1, `${what}: raw at = d`);
        assert.equal(await raw(sql`atz = ${d}`), 1, `${what}: raw atz = d`);
        const found = await engine.all(
          select(Ev.c.id).where(eq(Ev.c.at, d), eq(Ev.c.atz, d)).orderBy(Ev.c.id),
        );
        assert.deepEqual(found.map((r) => r.id), ids.filter(typed), `${what}: builder eq(at, d)`);
        if (pg) {
          // Raw reads, with the driver's parsers and no column types.
          const row = await engine.one<Record<string, Date>>(
            sql`SELECT at, day, atz FROM ${Ev} WHERE id = ${first}`,
          );
          assert.equal(row.at.toISOString(), d.toISOString(), `${what}: raw read timestamp`);
          assert.equal(row.day.toISOString(), utcDay(d), `${what}: raw read date`);
          assert.equal(row.atz.toISOString(), d.toISOString(), `${what}: raw read timestamptz`);
          // Arrays of Dates: each element read as the array's type.
          const arrays = await engine.one<Record<string, Date[]>>(
            sql`SELECT ${[d]}::timestamp[] AS a,
            ${[d]}::date[] AS b, ${[d]}::timestamptz[] AS c`,
          );
          assert.deepEqual(
            [arrays.a[0].toISOString(), arrays.b[0].toISOString(), arrays.c[0].toISOString()],
            [d.toISOString(), utcDay(d), d.toISOString()],
            `${what}: arrays`,
          );
          assert.equal(
            await engine.scalar(sql`SELECT count(*) FROM ${Ev} WHERE at = ANY(${[d]})`),
            2, // the rows of the typed paths: an array element is read as the column type
            `${what}: at = ANY(array)`,
          );
          assert.equal(
            (await engine.scalar<Date>(sql`SELECT ${d}::timestamptz`)).toISOString(),
            d.toISOString(),
          );
        }
      }
      // Where nothing gives it a type, a Date is a timestamptz on PostgreSQL (its date
      // arithmetic works) and its ISO 8601 text on SQLite.
      const plain = new Date("2024-03-01T02:30:00.000Z");
      const back = await engine.scalar<Date | string>(sql`SELECT ${plain} AS v`);
      if (pg) assert.equal((back as Date).toISOString(), plain.toISOString());
      else assert.equal(back, plain.toISOString());
      if (pg) {
        const next = await engine.scalar<Date>(sql`SELECT ${plain} + interval '1 day'`);
        assert.equal(next.toISOString(), "2024-03-02T02:30:00.000Z");
      }
    } finally {
      if (db.kind === "pglite") await engine.run(sql`RESET TimeZone`);
      if (db.kind === "postgres") await engine.dispose();
    }
  });
}

const docs = table("fr3_docs", {
  id: column.integer().primaryKey(),
  data: column.json<unknown>(),
  datab: column.jsonb<unknown>(),
});

class Doc extends Model("fr3_docs_orm", {
  id: column.integer().primaryKey(),
  data: column.json<unknown>(),
  datab: column.jsonb<unknown>(),
}) {}

/** JSON values, and what each comes back as (JSON text has no -0: JSON.stringify writes 0). */
const JSON_VALUES: [unknown, unknown][] = [
  [2 ** 53, 2 ** 53],
  [2 ** 60, 2 ** 60],
  [-(2 ** 53), -(2 ** 53)],
  [2 ** 63, 2 ** 63],
  [2 ** 53 - 1, 2 ** 53 - 1],
  [1e300, 1e300],
  [1e21, 1e21],
  [0.1, 0.1],
  [5e-324, 5e-324],
  [1.7976931348623157e308, 1.7976931348623157e308],
  [-0, 0],
  [0.30000000000000004, 0.30000000000000004],
  ["123", "123"],
  ["9007199254740993", "9007199254740993"],
  ["1e300", "1e300"],
  [true, true],
  [{ n: 2 ** 60, s: "2" }, { n: 2 ** 60, s: "2" }],
  [[2 ** 53, -0, "0"], [2 ** 53, 0, "0"]],
];

dbTest("fidelity: JSON numbers come back as numbers, exactly, on both", async (db) => {
  const engine = db.engine();
  await engine.createAll([docs, Doc]);
  for (const [i, [value, expected]] of JSON_VALUES.entries()) {
    const what = `${JSON.stringify(value)} on ${db.kind}`;
    await engine.run(insert(docs).values({ id: i, data: value, datab: value }));
    await engine.run(insert(Doc).values({ id: i, data: value, datab: value }));
    const row = await engine.one(select(docs).where(eq(docs.c.id, i)));
    assert.deepEqual(row, { id: i, data: expected, datab: expected }, what);
    assert.ok(Object.is(row.data, expected) || typeof expected === "object", `${what}: data`);
    assert.ok(Object.is(row.datab, expected) || typeof expected === "object", `${what}: datab`);
    assert.doesNotThrow(() => JSON.stringify(row), what);
    await using session = engine.session();
    const doc = await session.get(Doc, i);
    assert.deepEqual([doc?.data, doc?.datab], [expected, expected], `${what}: ORM`);
    assert.equal(typeof doc?.data, typeof expected, `${what}: ORM type`);
  }
});

/** Rows of a table with an INTEGER key and TEXT codes, and a timestamp. */
const users = table("fr3_users", {
  id: column.integer().primaryKey(),
  code: column.text(),
  at: column.timestamp(),
});
const AT = [new Date("2024-03-01T02:30:00.000Z"), new Date("2024-06-15T12:34:56.789Z")];

/** More items than either dialect expands into parameters (SQLite 8191, PostgreSQL 16383). */
const LONG = 17_000;
const padded = (xs: unknown[], fill: (i: number) => unknown): unknown[] => [
  ...Array.from({ length: LONG }, (_, i) => fill(i)),
  ...xs,
];

dbTest("fidelity: a long raw sql.list matches the rows a short one does", async (db) => {
  const engine = db.engine();
  await engine.createTable(users);
  await engine.run(
    insert(users).values([
      { id: 1, code: "10", at: AT[0] },
      { id: 2, code: "20", at: AT[1] },
      { id: 3, code: "10.5", at: new Date(0) },
    ]),
  );
  const ids = async (where: ReturnType<typeof sql>) =>
    (await engine.all<{ id: number }>(sql`SELECT id FROM ${users} WHERE ${where} ORDER BY id`))
      .map((r) => r.id);
  const cases: [string, unknown[], (i: number) => unknown, "id" | "code" | "at", number[]][] = [
    ["numbers vs TEXT", [10, 20], (i) => i + 1000, "code", [1, 2]],
    ["a float vs TEXT", [10.5], (i) => i + 1000.25, "code", [3]],
    ["strings vs INTEGER", ["1", "2"], (i) => String(i + 100), "id", [1, 2]],
    ["bigints vs TEXT", [10n], (i) => BigInt(i + 1000), "code", [1]],
    ["Dates vs TIMESTAMP", AT, (i) => new Date(Date.UTC(1990, 0, 1) + i * 1000), "at", [1, 2]],
  ];
  for (const [what, values, fill, col, expected] of cases) {
    // PostgreSQL declares a bigint an int8, which it does not compare with text.
    if (what === "bigints vs TEXT" && db.dialect === "postgres") continue;
    const c = sql.id(col);
    const short = await ids(sql`${c} IN ${sql.list(values)}`);
    const long = await ids(sql`${c} IN ${sql.list(padded(values, fill))}`);
    assert.deepEqual(short, expected, `${what}: short list`);
    assert.deepEqual(long, short, `${what}: long list`);
    const notShort = await ids(sql`${c} NOT IN ${sql.list(values)}`);
    const notLong = await ids(sql`${c} NOT IN ${sql.list(padded(values, fill))}`);
    assert.deepEqual(notLong, notShort, `${what}: NOT IN`);
  }
  // A long list is still one parameter, whatever its length.
  const long = compile(sql`id IN ${sql.list(padded([1], (i) => i))}`, engine.dialect);
  assert.equal(long.params.length, 1);
});

dbTest("fidelity: a long typed inList stays one parameter and matches", async (db) => {
  const engine = db.engine();
  await engine.createTable(users);
  const n = 20_000;
  await engine.run(
    insert(users).values(
      Array.from({ length: n }, (_, i) => ({ id: i + 1, code: String(i + 1), at: new Date(i) })),
    ),
  );
  const codes = Array.from({ length: LONG }, (_, i) => String(i * 2 + 1));
  const q = select(users.c.id).where(inList(users.c.code, codes)).orderBy(users.c.id);
  assert.equal(compile(q, engine.dialect).params.length, 1);
  const started = performance.now();
  const rows = await engine.all(q);
  const ms = performance.now() - started;
  assert.equal(rows.length, n / 2);
  assert.deepEqual(rows.slice(0, 3).map((r) => r.id), [1, 3, 5]);
  assert.ok(ms < 5000, `${ms} ms`);
  const short = await engine.all(select(users.c.id).where(inList(users.c.code, ["3", "4"])));
  assert.deepEqual(short.map((r) => r.id).sort(), [3, 4]);
  const dates = await engine.all(
    select(users.c.id).where(
      inList(users.c.at, padded([new Date(7)], (i) => new Date(-i - 1)) as Date[]),
    ),
  );
  assert.deepEqual(dates.map((r) => r.id), [8]);
});

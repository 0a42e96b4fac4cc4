/**
 * Numbers give the same answer on both databases, or are refused where one cannot keep them:
 *
 * - NaN in `real` and `double`: kept on PostgreSQL; an ArgumentError before sending on SQLite,
 *   which would store NULL;
 * - `real`: a number a 4-byte float does not hold exactly is refused on both;
 * - `numeric`: sorts and compares as a number on both, rounds to its declared scale on both
 *   ("1.005" in numeric(10, 2) is "1.01"), refuses digits before the point beyond its
 *   precision on both; on SQLite, more than 15 significant digits are refused;
 * - `bigint` beyond 2^53 loads through the ORM as through the engine.
 */
import assert from "node:assert/strict";
import { ArgumentError, asc, column, eq, gt, insert, Model, select, sql, table } from "../mod.ts";
import { scopedTest, statementLog } from "./_db.ts";

const floats = table("num_floats", {
  id: column.integer().primaryKey(),
  r: column.real().nullable(),
  d: column.double().nullable(),
});

scopedTest(
  "NaN: kept in real and double on PostgreSQL, refused on SQLite",
  async ({ db, open }) => {
    const log = statementLog();
    const engine = open({ echo: log.echo });
    await engine.createTable(floats);
    const before = log.texts.length;
    if (db.dialect === "postgres") {
      await engine.run(insert(floats).values({ id: 1, r: NaN, d: NaN }));
      const row = await engine.one(select(floats).where(eq(floats.c.id, 1)));
      assert(Number.isNaN(row.r) && Number.isNaN(row.d));
      assert(Number.isNaN(await engine.scalar(sql`SELECT ${NaN}::float8`)));
    } else {
      for (const key of ["r", "d"] as const) {
        await assert.rejects(
          async () => await engine.run(insert(floats).values({ id: 1, [key]: NaN })),
          (e) => e instanceof ArgumentError && /SQLite cannot store NaN/.test(e.message),
        );
      }
      assert.equal(log.texts.length, before, "nothing was sent");
      await assert.rejects(engine.all(sql`SELECT ${NaN} AS v`), /A NaN parameter/);
      assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${floats}`), 0);
    }
    // Infinities are kept on both.
    await engine.run(insert(floats).values({ id: 2, r: Infinity, d: -Infinity }));
    assert.deepEqual(await engine.one(select(floats).where(eq(floats.c.id, 2))), {
      id: 2,
      r: Infinity,
      d: -Infinity,
    });
  },
);

scopedTest("real: what a 4-byte float cannot hold exactly is refused on both", async ({ open }) => {
  const engine = open();
  await engine.createTable(floats);
  await assert.rejects(
    async () => await engine.run(insert(floats).values({ id: 1, r: 16777217 })),
    (e) => e instanceof ArgumentError && /come back as 16777216/.test(e.message),
  );
  await engine.run(
    insert(floats).values([{ id: 2, r: 16777216 }, { id: 3, r: 0.1 }, {
      id: 4,
      r: -2.5,
    }]),
  );
  const rows = await engine.all(select(floats.c.r).orderBy(asc(floats.c.id)));
  assert.deepEqual(rows.map((r) => r.r), [16777216, 0.1, -2.5]);
});

const prices = table("num_prices", {
  id: column.integer().primaryKey(),
  price: column.numeric(10, 2),
  whole: column.numeric(6).nullable(),
});

scopedTest("numeric: sorts and compares as a number, with its scale, on both", async ({ open }) => {
  const engine = open();
  await engine.createTable(prices);
  await engine.run(
    insert(prices).values([
      { id: 1, price: "10.00" },
      { id: 2, price: "100.25" },
      { id: 3, price: "9.50" },
      { id: 4, price: "1.005", whole: "2.5" },
      { id: 5, price: "-1.005", whole: "-2.5" },
      { id: 6, price: 7.1 as never, whole: 12n as never },
    ]),
  );
  const sorted = await engine.all(select(prices.c.price).orderBy(asc(prices.c.price)));
  assert.deepEqual(sorted.map((r) => r.price), [
    "-1.01",
    "1.01",
    "7.10",
    "9.50",
    "10.00",
    "100.25",
  ]);
  const over = (q: Promise<{ id: number }[]>) => q.then((rows) => rows.map((r) => r.id).sort());
  assert.deepEqual(
    await over(engine.all(select(prices.c.id).where(gt(prices.c.price, "9.99")))),
    [1, 2],
  );
  // Raw SQL with the value as text compares as a number too.
  assert.deepEqual(
    await over(engine.all(sql`SELECT id FROM ${prices} WHERE price > ${"9.99"}`)),
    [1, 2],
  );
  assert.deepEqual(await over(engine.all(sql`SELECT id FROM ${prices} WHERE price > '9.99'`)), [
    1,
    2,
  ]);
  // numeric(6) has scale 0: rounded half away from zero.
  const whole = await engine.all(select(prices.c.whole).orderBy(asc(prices.c.id)));
  assert.deepEqual(whole.map((r) => r.whole), [null, null, null, "3", "-3", "12"]);
  assert.equal(await engine.scalar(select(prices.c.id).where(eq(prices.c.price, "1.01"))), 4);
});

scopedTest(
  "numeric: digits before the point beyond the precision are refused on both",
  async ({ open }) => {
    const log = statementLog();
    const engine = open({ echo: log.echo });
    await engine.createTable(prices);
    const before = log.texts.length;
    for (const price of ["1000000000", "99999999.995", "-123456789"]) {
      await assert.rejects(
        async () => await engine.run(insert(prices).values({ id: 1, price })),
        (e) =>
          e instanceof ArgumentError &&
          /expects at most 8 digits before the point \(numeric\(10, 2\)\)/.test(e.message),
        price,
      );
    }
    assert.equal(log.texts.length, before, "nothing was sent");
    await engine.run(insert(prices).values({ id: 1, price: "99999999.994" }));
    assert.equal(await engine.scalar(select(prices.c.price)), "99999999.99");
  },
);

const wide = table("num_wide", {
  id: column.integer().primaryKey(),
  n: column.numeric(),
  money: column.numeric(30, 4).nullable(),
});

scopedTest(
  "numeric: beyond 15 significant digits, exact on PostgreSQL, refused on SQLite",
  async ({ db, open }) => {
    const log = statementLog();
    const engine = open({ echo: log.echo });
    await engine.createTable(wide);
    const long = "-123456789012345678901234567890.123456789012345678901234567890";
    const values: [string, string][] = [
      ["n", long],
      ["n", "12345678901234567890"], // beyond 64 bits
      ["money", "1234567890123.4567"], // 17 significant digits
    ];
    for (const [key, value] of values) {
      const row = { id: 1, n: "0", [key]: value };
      if (db.dialect === "postgres") {
        await engine.run(insert(wide).values(row));
        assert.equal(await engine.scalar(select(wide.c[key as "n"])), value);
        await engine.run(sql`DELETE FROM ${wide}`);
      } else {
        const before = log.texts.length;
        await assert.rejects(
          async () => await engine.run(insert(wide).values(row)),
          (e) => e instanceof ArgumentError && /cannot be stored exactly on SQLite/.test(e.message),
          value,
        );
        assert.equal(log.texts.length, before, "nothing was sent");
      }
    }
    // Within the limits, the same on both: 64-bit integers, 15 significant digits.
    await engine.run(
      insert(wide).values([
        { id: 1, n: "9223372036854775807", money: "12345678901.2345" },
        { id: 2, n: "-0.000000000012345", money: "0" },
        { id: 3, n: "1e20" },
      ]),
    );
    const rows = await engine.all(select(wide.c.n, wide.c.money).orderBy(asc(wide.c.id)));
    assert.deepEqual(rows, [
      { n: "9223372036854775807", money: "12345678901.2345" },
      { n: "-0.000000000012345", money: "0.0000" },
      { n: "100000000000000000000", money: null },
    ]);
  },
);

class Counter extends Model("num_counters", {
  id: column.bigint().primaryKey(),
  n: column.bigint(),
}) {}

scopedTest("bigint beyond 2^53 loads through the ORM as through the engine", async ({ open }) => {
  const engine = open();
  await engine.createAll([Counter]);
  const id = 2n ** 60n + 1n;
  const n = 2n ** 62n + 3n;
  {
    await using session = engine.session();
    session.add(new Counter({ id, n }));
    session.add(new Counter({ id: 1n, n: -n }));
    await session.commit();
  }
  assert.deepEqual(await engine.all(sql`SELECT id, n FROM ${Counter} ORDER BY id`), [
    { id: 1, n: -n },
    { id, n },
  ]);
  {
    await using session = engine.session();
    const all = await session.all(select(Counter).orderBy(asc(Counter.c.id)));
    assert.deepEqual(all.map((c) => [c.id, c.n]), [[1n, -n], [id, n]]);
  }
  {
    await using session = engine.session();
    const one = await session.get(Counter, id);
    assert.equal(one?.n, n);
    const other = await session.get(Counter, 1n);
    assert.equal(other?.n, -n);
  }
});

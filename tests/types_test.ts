/**
 * Every column type round-trips through the insert builder and select, on both dialects; a
 * value a column cannot hold is refused before anything is sent.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Column,
  column,
  compile,
  eq,
  insert,
  postgresDialect,
  select,
  sql,
  sqliteDialect,
  table,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

const all = table("typ_all", {
  id: column.integer().primaryKey(),
  int: column.integer().nullable(),
  big: column.bigint().nullable(),
  real: column.real().nullable(),
  double: column.double().nullable(),
  num: column.numeric().nullable(),
  money: column.numeric(12, 2).nullable(),
  text: column.text().nullable(),
  short: column.varchar(5).nullable(),
  flag: column.boolean().nullable(),
  day: column.date().nullable(),
  at: column.timestamp().nullable(),
  atTz: column.timestamptz().nullable(),
  json: column.json().nullable(),
  jsonb: column.jsonb().nullable(),
  uuid: column.uuid().nullable(),
  bytes: column.blob().nullable(),
  mood: column.enum(["happy", "sad", "it's complicated"]).nullable(),
});

type Key = Exclude<keyof typeof all.c, "id">;

/** Per column: values in, and what comes back (the same when omitted). */
const cases: { [K in Key]: [unknown, unknown?][] } = {
  int: [[0], [-1], [2147483647], [-2147483648], [null]],
  big: [
    [0n],
    [2 ** 53 - 1, 9007199254740991n],
    [9007199254740993n],
    [-9007199254740993n],
    [9223372036854775807n],
    [-9223372036854775808n],
    [null],
  ],
  real: [[1.5], [-0.25], [0], [null]],
  double: [[2 ** 53 - 1], [0.1], [-1e300], [1e-300], [null]],
  // Without a scale; what only PostgreSQL keeps exactly is in numbers_test.ts.
  num: [
    ["0"],
    ["12.5"],
    ["-0.000123"],
    [9007199254740993n, "9007199254740993"],
    [null],
  ],
  money: [["1234567890.25"], [null]],
  text: [
    [""],
    ["héllo wörld"],
    ["😀 non-BMP 𝄞 and 漢字"],
    ["'); DROP TABLE typ_all; --"],
    ["line\nbreak\ttab\\backslash"],
    ["x".repeat(10_000)],
    [null],
  ],
  short: [[""], ["abcde"], ["😀😀😀😀😀"], [null]],
  flag: [[true], [false], [null]],
  day: [
    [new Date("2024-02-29T00:00:00Z")],
    [new Date("1969-12-31T00:00:00Z")],
    [new Date("9999-12-31T00:00:00Z")],
    [null],
  ],
  at: [
    [new Date("2024-06-01T12:34:56.789Z")],
    [new Date(0)],
    [new Date("1900-01-01T00:00:00.001Z")],
    [null],
  ],
  atTz: [
    [new Date("2024-06-01T12:34:56.789+05:30")],
    [new Date("2024-12-31T23:59:59.999-08:00")],
    [new Date("2000-02-29T12:00:00+14:00")],
    [null],
  ],
  json: [
    [{ a: 1, b: [1, 2, { c: null, d: "😀" }], e: { f: { g: { h: [true, false] } } } }],
    ["a string"],
    ["42"],
    [42],
    [3.5],
    [true],
    [[]],
    [{}],
    [[null, 1, "x"]],
    [null],
  ],
  jsonb: [
    [{ z: 1, a: [{ nested: { deep: [1, 2, 3] } }], s: "it's" }],
    ["a string"],
    [-7],
    [false],
    [[null]],
    [null],
  ],
  uuid: [
    ["123e4567-e89b-12d3-a456-426614174000"],
    ["123E4567-E89B-12D3-A456-426614174000", "123e4567-e89b-12d3-a456-426614174000"],
    [null],
  ],
  bytes: [
    [new Uint8Array([0, 255, 1, 2])],
    [new Uint8Array(0)],
    [Uint8Array.from({ length: 256 }, (_, i) => i)],
    [null],
  ],
  mood: [["happy"], ["it's complicated"], [null]],
};

dbTest("every column type round-trips through insert and select", async (db) => {
  const engine = db.engine();
  await engine.dropTable(all);
  await engine.createTable(all);
  let id = 0;
  for (const [key, list] of Object.entries(cases) as [Key, [unknown, unknown?][]][]) {
    const col = all.c[key] as Column;
    for (const [value, back = value] of list) {
      id++;
      const row = { id, [key]: value } as never;
      const returned = await engine.one(insert(all).values(row).returning({ v: col }));
      assert.deepStrictEqual(returned.v, back, `${key} ${String(value)} via RETURNING`);
      const read = await engine.one(select({ v: col }).where(eq(all.c.id, id)));
      assert.deepStrictEqual(read.v, back, `${key} ${String(value)} via SELECT`);
      if (value !== null && !["json", "jsonb"].includes(key)) {
        // The value also compares equal in a WHERE (it is encoded the same way). PostgreSQL
        // has no = for json; float4 compares inexactly with a double parameter.
        const matches = await engine.all(select(all.c.id).where(eq(col, value as never)));
        if (key !== "real") {
          assert.ok(matches.some((m) => m.id === id), `${key} ${String(value)} in WHERE`);
        }
      }
    }
  }
  // The whole row, through select(table).
  const [first] = await engine.all(select(all).where(eq(all.c.id, 1)));
  assert.equal(first.int, 0);
  assert.equal(first.big, null);
  await engine.dropTable(all);
});

dbTest("a bigint column decodes to bigint whatever the driver returns", async (db) => {
  const engine = db.engine();
  const t = table("typ_big", { id: column.integer().primaryKey(), n: column.bigint() });
  await engine.dropTable(t);
  await engine.createTable(t);
  await engine.run(insert(t).values([{ n: 1 as never }, { n: 2n ** 62n }]));
  const rows = await engine.all(select(t.c.n).orderBy(t.c.id));
  assert.deepStrictEqual(rows, [{ n: 1n }, { n: 2n ** 62n }]);
  // Raw SQL keeps the driver's values: numbers when exact.
  const raw = await engine.all<{ n: unknown }>(sql`SELECT n FROM ${t} ORDER BY id`);
  assert.equal(raw[0].n, 1);
  await engine.dropTable(t);
});

const refused: [Key, unknown, RegExp][] = [
  ["int", 1.5, /typ_all\.int expects an integer, got number 1\.5/],
  ["int", "1", /typ_all\.int expects an integer, got the string "1"/],
  ["int", 2 ** 31, /expects a 32-bit integer/],
  ["int", 2 ** 53, /use column\.bigint\(\)/],
  ["big", 2n ** 63n, /expects a 64-bit integer/],
  ["big", 1.5, /typ_all\.big expects a bigint/],
  ["real", "1.5", /typ_all\.real expects a number/],
  ["num", "12,50", /expects a decimal string/],
  ["num", NaN, /expects a decimal string/],
  ["text", 5, /typ_all\.text expects a string, got number 5/],
  ["text", "lone \ud800 surrogate", /lone UTF-16 surrogate/],
  ["short", "abcdef", /expects at most 5 characters, got 6/],
  ["flag", 1, /typ_all\.flag expects a boolean/],
  ["day", new Date(NaN), /expects a valid Date/],
  ["at", "2024-01-01", /expects a valid Date/],
  ["atTz", 0, /expects a valid Date/],
  ["json", () => 1, /expects a JSON-serialisable value/],
  ["json", { big: 1n }, /JSON-serialisable/],
  ["uuid", "not-a-uuid", /expects a UUID string/],
  ["bytes", "x", /expects a Uint8Array/],
  ["mood", "meh", /expects one of "happy", "sad", "it's complicated"/],
];

dbTest("a value the column cannot hold is refused before anything is sent", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropTable(all);
  await engine.createTable(all);
  const sent = log.texts.length;
  for (const [key, value, message] of refused) {
    await assert.rejects(
      async () => await engine.run(insert(all).values({ id: 1, [key]: value } as never)),
      (e: unknown) => e instanceof ArgumentError && message.test(e.message),
      `${key} ${String(value)}`,
    );
  }
  assert.equal(log.texts.length, sent, "no statement was sent");
  await engine.dropTable(all);
});

Deno.test("values are encoded per dialect at compile time", () => {
  const q = insert(all).values({
    id: 1,
    flag: true,
    day: new Date("2024-02-29T10:00:00Z"),
    at: new Date("2024-06-01T12:34:56.789Z"),
    json: { a: 1 },
    uuid: "123E4567-E89B-12D3-A456-426614174000",
    num: 12n as never,
  });
  assert.deepStrictEqual(compile(q, sqliteDialect).params, [
    1,
    12,
    1,
    "2024-02-29",
    "2024-06-01T12:34:56.789Z",
    '{"a":1}',
    "123e4567-e89b-12d3-a456-426614174000",
  ]);
  assert.deepStrictEqual(compile(q, postgresDialect).params, [
    1,
    "12",
    true,
    "2024-02-29",
    "2024-06-01 12:34:56.789",
    '{"a":1}',
    "123E4567-E89B-12D3-A456-426614174000",
  ]);
});

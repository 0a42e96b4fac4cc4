/**
 * Type confusion: objects, arrays, functions, symbols, Proxies (plain, revoked, with throwing
 * traps, imitating SQL) and class instances where a scalar belongs — `sql` parameters and
 * helpers, builder values and conditions, ORM attributes at flush, `session.get` keys. Each
 * gets an ArgumentError, and not one statement is sent (counted with `echo`; a session
 * checks its changes before it begins a transaction).
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  eq,
  gt,
  inList,
  insert,
  like,
  Model,
  select,
  sql,
  table,
  update,
} from "../../mod.ts";
import { relTest, type Rng, rngFor, scale, StatementLog } from "./_support.ts";

class Money {
  readonly cents: number;
  constructor(cents: number) {
    this.cents = cents;
  }
  toString(): string {
    return `${this.cents / 100}`;
  }
  valueOf(): number {
    return this.cents;
  }
}

const revoked = (() => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
})();
const throwing = new Proxy({}, {
  get() {
    throw new Error("get trap");
  },
  getPrototypeOf() {
    throw new Error("getPrototypeOf trap");
  },
  has() {
    throw new Error("has trap");
  },
  ownKeys() {
    throw new Error("ownKeys trap");
  },
});
/** A Proxy answering every property with a function: it claims to render as SQL. */
const imitator = new Proxy({}, { get: () => () => "1; DROP TABLE users; --" });
const nullProto = Object.assign(Object.create(null), { a: 1 });
const getterThrows = Object.defineProperty({}, "x", {
  enumerable: true,
  get() {
    throw new Error("getter");
  },
});

/** Values that are never scalars: every position refuses them. */
const NON_SCALARS: [string, unknown][] = [
  ["a plain object", { a: 1 }],
  ["an empty object", {}],
  ["an object with toString", { toString: () => "1 OR 1=1" }],
  ["an object with valueOf", { valueOf: () => 42 }],
  ["an object with toJSON", { toJSON: () => "x" }],
  ["an object shaped like a fragment", { strings: ["DROP TABLE x"], values: [] }],
  ["an object shaped like an identifier", { names: ['x"; DROP TABLE y; --'] }],
  ["an object shaped like a parameter", { value: "x" }],
  ["a null-prototype object", nullProto],
  ["an object whose getter throws", getterThrows],
  ["a function", function f() {}],
  ["an arrow function", () => "x"],
  ["an async function", async () => {}],
  ["a class", Money],
  ["a symbol", Symbol("s")],
  ["a registered symbol", Symbol.for("retort.toSql")],
  ["a Proxy of an object", new Proxy({ a: 1 }, {})],
  ["a revoked Proxy", revoked],
  ["a Proxy whose traps throw", throwing],
  ["a Proxy imitating SQL", imitator],
  ["a class instance", new Money(150)],
  ["a Map", new Map([["a", 1]])],
  ["a Set", new Set([1])],
  ["a WeakMap", new WeakMap()],
  ["a Promise", Promise.resolve(1)],
  ["an Error", new Error("x")],
  ["a RegExp", /x/],
  ["a boxed string", new String("x")],
  ["a boxed number", new Number(1)],
  ["a boxed boolean", new Boolean(true)],
  ["an ArrayBuffer", new ArrayBuffer(4)],
  ["a DataView", new DataView(new ArrayBuffer(4))],
  ["an Int32Array", new Int32Array(2)],
  ["a Float64Array", new Float64Array(2)],
  ["an invalid Date", new Date(NaN)],
  ["an object posing as a Date", Object.create(Date.prototype)],
  ["an object posing as bytes", Object.setPrototypeOf({ length: 1, 0: 39 }, Uint8Array.prototype)],
  ["a generator", (function* () {})()],
  ["undefined", undefined],
];

/** Arrays are parameters of their own in `sql` (PostgreSQL arrays, JSON on SQLite), but never column values. */
const ARRAYS: [string, unknown][] = [
  ["an array", [1, 2]],
  ["a nested array", [[1], [2]]],
  ["a Proxy of an array", new Proxy([1], {})],
  ["an array of objects", [{ a: 1 }]],
];

/** Random objects: nested, with odd keys, symbols, getters, and prototypes. */
function randomObject(rng: Rng, depth = 0): unknown {
  const r = rng.next();
  if (depth > 2 || r < 0.2) {
    return rng.pick<unknown>([1, "x", null, true, 2n, new Date(0), Symbol("s"), () => 1]);
  }
  if (r < 0.35) return Array.from({ length: rng.int(4) }, () => randomObject(rng, depth + 1));
  const o: Record<string | symbol, unknown> = rng.chance(0.2) ? Object.create(null) : {};
  if (rng.chance(0.1)) Object.setPrototypeOf(o, rng.pick([Money.prototype, Date.prototype]));
  for (let i = rng.int(4); i > 0; i--) {
    const key = rng.pick<string | symbol>([
      "a",
      "__proto__x",
      "toString",
      "valueOf",
      "then",
      "strings",
      "values",
      "names",
      Symbol("k"),
    ]);
    o[key] = randomObject(rng, depth + 1);
  }
  if (rng.chance(0.1)) return new Proxy(o, {});
  return o;
}

const rng = rngFor("type confusion");
const RANDOM: [string, unknown][] = Array.from(
  { length: scale(300, 3_000) },
  (_, i) => [`random object ${i}`, randomObject(rng, 1)],
);
/** Only the random values that are not scalars (a few are). */
const RANDOM_NON_SCALAR = RANDOM.filter(([, v]) =>
  v === undefined || typeof v === "function" || typeof v === "symbol" ||
  (typeof v === "object" && v !== null && !(v instanceof Date) && !Array.isArray(v))
);

const Items = table("rel_tc_items", {
  id: column.integer().primaryKey(),
  name: column.text(),
  qty: column.integer(),
  price: column.numeric(10, 2).nullable(),
  at: column.timestamptz().nullable(),
  data: column.blob().nullable(),
});
class Item extends Model("rel_tc_orm", {
  id: column.integer().primaryKey(),
  name: column.text(),
  qty: column.integer(),
  at: column.timestamptz().nullable(),
}) {}
class Coded extends Model("rel_tc_coded", {
  code: column.text().primaryKey(),
  n: column.integer(),
}) {}

relTest("type confusion: non-scalars are refused everywhere, and nothing is sent", async (db) => {
  const log = new StatementLog();
  const engine = db.open({ echo: log.echo });
  await engine.createAll([Items, Item, Coded]);
  await engine.run(insert(Items).values({ id: 1, name: "seed", qty: 1 }));
  {
    await using session = engine.session();
    session.add(new Item({ id: 1, name: "seed", qty: 1 }));
    session.add(new Coded({ code: "a", n: 1 }));
    await session.commit();
  }
  let cases = 0;
  const refused = async (what: string, attempt: () => unknown) => {
    cases++;
    const before = log.count;
    try {
      await attempt();
    } catch (error) {
      if (!(error instanceof ArgumentError)) {
        assert.fail(`${what}: expected an ArgumentError, got ${error}`);
      }
      assert.ok(error.message.length > 20, `${what}: the message says little`);
      assert.equal(log.count, before, `${what}: ${log.count - before} statements were sent`);
      return;
    }
    assert.fail(`${what} was accepted`);
  };

  const scalarPositions = (name: string, v: unknown): [string, () => unknown][] => [
    [`sql\`\${${name}}\``, () => engine.all(sql`SELECT ${v} AS x`)],
    [`sql.param(${name})`, () => engine.all(sql`SELECT ${sql.param(v)} AS x`)],
    [`sql.set({ x: ${name} })`, () => engine.run(sql`UPDATE ${Items} SET ${sql.set({ name: v })}`)],
    [
      `sql.values([{ x: ${name} }])`,
      () => engine.run(sql`INSERT INTO ${Items} ${sql.values([{ name: v }])}`),
    ],
    [`sql.list([${name}])`, () => engine.all(sql`SELECT 1 WHERE 1 IN ${sql.list([v])}`)],
  ];
  const columnPositions = (name: string, v: unknown): [string, () => unknown][] => [
    [
      `insert text ${name}`,
      () => engine.run(insert(Items).values({ id: 9, name: v as string, qty: 1 })),
    ],
    [
      `insert integer ${name}`,
      () => engine.run(insert(Items).values({ id: 9, name: "x", qty: v as number })),
    ],
    [
      `insert numeric ${name}`,
      () => engine.run(insert(Items).values({ name: "x", qty: 1, price: v as string })),
    ],
    [
      `insert timestamptz ${name}`,
      () => engine.run(insert(Items).values({ name: "x", qty: 1, at: v as Date })),
    ],
    [
      `insert blob ${name}`,
      () => engine.run(insert(Items).values({ name: "x", qty: 1, data: v as Uint8Array })),
    ],
    [
      `insert key ${name}`,
      () => engine.run(insert(Items).values({ id: v as number, name: "x", qty: 1 })),
    ],
    [`update set ${name}`, () => engine.run(update(Items).set({ qty: v as number }))],
    [
      `update where ${name}`,
      () => engine.run(update(Items).set({ qty: 2 }).where(eq(Items.c.id, v as number))),
    ],
    [`eq ${name}`, () => engine.all(select(Items).where(eq(Items.c.name, v as string)))],
    [`gt ${name}`, () => engine.all(select(Items).where(gt(Items.c.qty, v as number)))],
    [`like ${name}`, () => engine.all(select(Items).where(like(Items.c.name, v as string)))],
    [`inList ${name}`, () => engine.all(select(Items).where(inList(Items.c.id, [v as number])))],
    [`new Item(${name})`, async () => {
      await using session = engine.session();
      session.add(new Item({ name: v as string, qty: 1 }));
      await session.commit();
    }],
    [`Item key ${name}`, async () => {
      await using session = engine.session();
      session.add(new Item({ id: v as number, name: "x", qty: 1 }));
      await session.flush();
    }],
    [`Item.at = ${name}`, async () => {
      await using session = engine.session();
      session.add(new Item({ name: "x", qty: 1, at: v as Date }));
      await session.commit();
    }],
    [`session.get(Item, ${name})`, async () => {
      await using session = engine.session();
      await session.get(Item, v as never);
    }],
    [`session.get(Coded, ${name})`, async () => {
      await using session = engine.session();
      await session.get(Coded, v as never);
    }],
  ];

  // Where a column may be left out (insert values, update sets, new objects), undefined
  // means "not given", not a value.
  const leftOut = /^(insert|update set|new Item|Item)/;
  for (const [name, v] of [...NON_SCALARS, ...RANDOM_NON_SCALAR]) {
    for (const [what, attempt] of [...scalarPositions(name, v), ...columnPositions(name, v)]) {
      if (v === undefined && leftOut.test(what)) continue;
      await refused(what, attempt);
    }
  }
  for (const [name, v] of ARRAYS) {
    for (const [what, attempt] of columnPositions(name, v)) await refused(what, attempt);
  }

  // A persistent object given a non-scalar: the flush refuses it before any UPDATE, and the
  // session stays usable.
  {
    await using session = engine.session();
    const item = (await session.get(Item, 1))!;
    for (const [name, v] of [...NON_SCALARS, ...ARRAYS]) {
      if (v === undefined) continue;
      item.qty = v as number;
      await refused(`item.qty = ${name}`, () => session.flush());
      item.qty = 1;
    }
    item.qty = 5;
    await session.commit();
  }
  // Nothing was written by any refused attempt.
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM ${Items}`)), 1);
  assert.equal(Number(await engine.scalar(sql`SELECT qty FROM ${Items}`)), 1);
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM ${Item}`)), 1);
  assert.equal(Number(await engine.scalar(sql`SELECT qty FROM ${Item}`)), 5);
  console.log(`  ${db.kind}: ${cases} cases refused with an ArgumentError, 0 statements sent`);
}, { on: ["sqlite", "postgres"] });

Deno.test("type confusion: arrays bind as array parameters in sql, checked element by element", () => {
  assert.throws(() => sql`SELECT ${[{ a: 1 }]}`, ArgumentError);
  assert.throws(() => sql`SELECT ${[() => 1]}`, ArgumentError);
  assert.throws(() => sql`SELECT ${[Symbol("s")]}`, ArgumentError);
  assert.throws(() => sql`SELECT ${[revoked]}`, ArgumentError);
  // A Proxy of an array is copied when bound: later changes cannot alter the fragment.
  const list = [1, 2];
  const q = sql`SELECT ${new Proxy(list, {})}`;
  list.push(3);
  assert.deepEqual(q.values[0], [1, 2]);
});

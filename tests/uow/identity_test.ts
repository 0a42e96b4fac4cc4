/**
 * Identity keys: one row is one object whatever its key type (timestamps at full precision,
 * bigint and number alike, composite keys of any column types), and a primary key changed on
 * a persistent object is written and re-keys the identity map after the flush.
 */
import assert from "node:assert/strict";
import {
  column,
  constraint,
  type Engine,
  inspect,
  InvalidRequestError,
  Model,
  select,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, dataStatements, logged, ready } from "./_support.ts";

class Event extends Model("id_events", {
  at: column.timestamptz().primaryKey(),
  label: column.text(),
}) {}

class Moment extends Model("id_moments", {
  at: column.timestamp().primaryKey(),
  label: column.text(),
}) {}

class Big extends Model("id_bigs", {
  id: column.bigint().primaryKey().autoincrement(false),
  label: column.text(),
}) {}

class Counter extends Model("id_counters", {
  id: column.integer().primaryKey(),
  label: column.text(),
}) {}

class Slot extends Model("id_slots", {
  day: column.timestamptz(),
  room: column.text(),
  note: column.text(),
}, { constraints: (c) => [constraint.primaryKey(c.day, c.room)] }) {}

class Ledger extends Model("id_ledgers", {
  account: column.bigint(),
  line: column.integer(),
  note: column.text(),
}, { constraints: (c) => [constraint.primaryKey(c.account, c.line)] }) {}

class Pair extends Model("id_pairs", {
  a: column.text(),
  b: column.text(),
}, { constraints: (c) => [constraint.primaryKey(c.a, c.b)] }) {}

class Code extends Model("id_codes", {
  code: column.text().primaryKey(),
  name: column.text(),
}) {}

const MODELS = [Event, Moment, Big, Counter, Slot, Ledger, Pair, Code];
const T0 = new Date("2024-05-01T12:00:00.000Z");
const T1 = new Date(T0.getTime() + 100);

async function add(engine: Engine, objects: object[]) {
  await using session = engine.session();
  session.addAll(objects);
  await session.commit();
}

for (const Stamped of [Event, Moment]) {
  const kind = Stamped === Event ? "timestamptz" : "timestamp";
  scopedTest(`${kind} keys 100 ms apart are two objects, and one row is one object`, async (s) => {
    const { engine, log } = await logged(s, MODELS);
    await add(engine, [new Stamped({ at: T0, label: "a" }), new Stamped({ at: T1, label: "b" })]);
    await using session = engine.session();
    const rows = await session.all(select(Stamped).orderBy(Stamped.c.at));
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0], rows[1], "two rows, two objects");
    assert.deepEqual(rows.map((r) => r.label), ["a", "b"]);
    assert.deepEqual(rows.map((r) => r.at.getTime()), [T0.getTime(), T1.getTime()]);
    const again = await session.all(select(Stamped).orderBy(Stamped.c.at));
    assert.equal(again[0], rows[0], "a second load gives the same objects");
    assert.equal(again[1], rows[1]);
    const one = await session.one(select(Stamped).where(sql`${Stamped.c.label} = ${"b"}`));
    assert.equal(one, rows[1]);
    log.splice(0);
    assert.equal(await session.get(Stamped, new Date(T1.getTime())), rows[1]);
    assert.equal(await session.get(Stamped, new Date(T0.getTime())), rows[0]);
    assert.equal(dataStatements(log).length, 0, "get answers from the identity map");
  });
}

scopedTest("a timestamp key of a new object is its identity after the flush", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  await using session = engine.session();
  const e = new Event({ at: new Date(T0.getTime() + 7), label: "new" });
  session.add(e);
  await session.flush();
  log.splice(0);
  assert.equal(await session.get(Event, new Date(T0.getTime() + 7)), e);
  assert.equal(dataStatements(log).length, 0);
  const [loaded] = await session.all(select(Event));
  assert.equal(loaded, e, "the row loaded back is the same object");
});

scopedTest("a bigint key and a number key of the same value are the same key", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  const huge = 9007199254740993n; // beyond 2^53
  await add(engine, [
    new Big({ id: 5n, label: "five" }),
    new Big({ id: huge, label: "huge" }),
    new Counter({ id: 7, label: "seven" }),
  ]);
  await using session = engine.session();
  const five = (await session.get(Big, 5n))!;
  assert.equal(five.label, "five");
  log.splice(0);
  assert.equal(await session.get(Big, 5), five, "a number finds the object of a bigint key");
  assert.equal(dataStatements(log).length, 0);
  const all = await session.all(select(Big).orderBy(Big.c.id));
  assert.equal(all[0], five, "the loaded row is the same object");
  assert.equal(await session.get(Big, huge), all[1]);
  assert.equal(all[1].label, "huge");
  const seven = (await session.get(Counter, 7))!;
  log.splice(0);
  assert.equal(await session.get(Counter, 7n), seven, "a bigint finds the object of a number key");
  assert.equal(dataStatements(log).length, 0);
  // A new object keyed by a bigint is found by the number of the same value.
  const six = new Big({ id: 6n, label: "six" });
  session.add(six);
  await session.flush();
  assert.equal(await session.get(Big, 6), six);
  assert.equal((await session.all(select(Big).where(sql`${Big.c.id} = ${6}`)))[0], six);
});

scopedTest("composite keys with a timestamp: full precision, one object per row", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  await add(engine, [
    new Slot({ day: T0, room: "r", note: "first" }),
    new Slot({ day: T1, room: "r", note: "second" }),
    new Ledger({ account: 5n, line: 1, note: "l1" }),
  ]);
  await using session = engine.session();
  const slots = await session.all(select(Slot).orderBy(Slot.c.day));
  assert.equal(slots.length, 2);
  assert.notEqual(slots[0], slots[1]);
  assert.deepEqual(slots.map((x) => x.note), ["first", "second"]);
  log.splice(0);
  assert.equal(await session.get(Slot, [new Date(T1.getTime()), "r"]), slots[1]);
  assert.equal(await session.get(Slot, [new Date(T0.getTime()), "r"]), slots[0]);
  assert.equal(dataStatements(log).length, 0);
  assert.equal((await session.all(select(Slot).orderBy(Slot.c.day)))[1], slots[1]);
  const ledger = (await session.get(Ledger, [5n, 1]))!;
  assert.equal(ledger.note, "l1");
  assert.equal(await session.get(Ledger, [5, 1]), ledger, "bigint and number alike, in a tuple");
  assert.equal((await session.all(select(Ledger)))[0], ledger);
});

scopedTest("composite text keys are told apart whatever characters they hold", async (s) => {
  const engine = await ready(s, MODELS);
  const keys: [string, string][] = [
    ["a,b", "c"],
    ["a", "b,c"],
    ["a|b", "c"],
    ["a", "b|c"],
    ['a","b', "c"],
    ["a", '","b","c'],
    ["1", "2"],
  ];
  await add(engine, keys.map(([a, b]) => new Pair({ a, b })));
  await using session = engine.session();
  const rows = await session.all(select(Pair));
  assert.equal(rows.length, keys.length);
  assert.equal(new Set(rows).size, keys.length, "each row is an object of its own");
  for (const [a, b] of keys) {
    const found = (await session.get(Pair, [a, b]))!;
    assert.deepEqual([found.a, found.b], [a, b]);
  }
});

scopedTest("a changed primary key is written and re-keys the identity map", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  await add(engine, [new Code({ code: "aaa", name: "first" }), new Counter({ id: 1, label: "x" })]);
  await using session = engine.session();
  const c = (await session.get(Code, "aaa"))!;
  c.code = "bbb";
  log.splice(0);
  await session.flush();
  const updates = dataStatements(log).filter((e) => /^UPDATE/i.test(e.text));
  assert.equal(updates.length, 1, "one UPDATE ... WHERE the old key");
  assert.ok(updates[0].params?.includes("aaa") && updates[0].params?.includes("bbb"));
  assert.deepEqual(await values(session, sql`SELECT ${Code.c.code} FROM ${Code}`), ["bbb"]);
  log.splice(0);
  assert.equal(await session.get(Code, "bbb"), c, "found by its new key, without a query");
  assert.equal(dataStatements(log).length, 0);
  assert.equal(await session.get(Code, "aaa"), null, "the old key finds nothing");
  c.name = "renamed"; // a later UPDATE goes by the new key
  await session.commit();
  assert.deepEqual(
    await engine.all(sql`SELECT ${Code.c.code} AS code, ${Code.c.name} AS name FROM ${Code}`),
    [{ code: "bbb", name: "renamed" }],
  );
  const n = (await session.get(Counter, 1))!;
  n.id = 100; // an integer key too
  await session.commit();
  assert.equal(await session.get(Counter, 100), n);
  assert.equal(await session.get(Counter, 1), null);
  assert.deepEqual(await values(session, sql`SELECT ${Counter.c.id} FROM ${Counter}`), ["100"]);
  assert.equal(inspect(n).status, "persistent");
});

scopedTest("a rolled-back key change gives the object its old key back", async (s) => {
  const engine = await ready(s, MODELS);
  await add(engine, [new Code({ code: "old", name: "n" })]);
  await using session = engine.session();
  const c = (await session.get(Code, "old"))!;
  c.code = "new";
  await session.flush();
  assert.equal(await session.get(Code, "new"), c);
  await session.rollback();
  assert.equal(c.code, "old");
  assert.equal(await session.get(Code, "old"), c);
  assert.equal(await session.get(Code, "new"), null);
  c.name = "after";
  await session.commit();
  assert.deepEqual(
    await engine.all(sql`SELECT ${Code.c.code} AS code, ${Code.c.name} AS name FROM ${Code}`),
    [{ code: "old", name: "after" }],
  );
});

scopedTest(
  "a new object replacing one deleted in the same flush takes over its row (a row switch)",
  async (s) => {
    const { engine, log } = await logged(s, MODELS);
    await using session = engine.session();
    const old = new Code({ code: "a1", name: "old" });
    session.add(old);
    await session.commit();
    session.delete(old);
    const replacement = new Code({ code: "a1", name: "new" });
    session.add(replacement);
    log.splice(0);
    await session.flush();
    const sent = dataStatements(log).map((e) => e.text.split(" ")[0]);
    assert.deepEqual(sent, ["UPDATE"], "one UPDATE, no INSERT meeting the row, no DELETE");
    assert.equal(inspect(replacement).status, "persistent");
    assert.equal(inspect(old).status, "deleted");
    assert.equal(await session.get(Code, "a1"), replacement);

    // A rollback undoes it: the old object comes back, the new one is new again.
    await session.rollback();
    assert.equal(inspect(old).status, "persistent");
    assert.equal(old.name, "old");
    assert.equal(inspect(replacement).status, "transient");
    assert.equal(await session.get(Code, "a1"), old);

    session.delete(old);
    session.add(replacement);
    await session.commit();
    assert.equal(inspect(old).status, "detached");
    const rows = await engine.all<{ code: string; name: string }>(
      sql`SELECT ${Code.c.code} AS code, ${Code.c.name} AS name FROM ${Code} ORDER BY 1`,
    );
    assert.deepEqual(rows.map((r) => ({ ...r })), [{ code: "a1", name: "new" }]);
  },
);

class Shape extends Model("id_shapes", {
  id: column.integer().primaryKey(),
  kind: column.text().default("shape"),
  version: column.integer().version(),
  label: column.text(),
}, { polymorphicOn: "kind", polymorphicIdentity: "shape" }) {}
class Circle extends Shape.subclass("circle", { r: column.integer().nullable() }) {}
class Square extends Shape.subclass("square", { side: column.integer().nullable() }) {}

scopedTest(
  "a row switch goes on from the row's version; across classes it is refused",
  async (s) => {
    const { engine, log } = await logged(s, [Shape, Circle, Square]);
    await using session = engine.session();
    const c = new Circle({ id: 1, label: "c", r: 2 });
    session.add(c);
    await session.commit();
    c.label = "c2";
    await session.commit(); // version 2
    session.delete(c);
    const next = new Circle({ id: 1, label: "c3", r: 5 });
    session.add(next);
    await session.commit();
    assert.equal(next.version, 3);
    assert.deepEqual(
      (await engine.all<{ label: string; r: number; version: number }>(
        sql`SELECT label, r, version FROM id_shapes`,
      )).map((r) => ({ label: r.label, r: Number(r.r), version: Number(r.version) })),
      [{ label: "c3", r: 5, version: 3 }],
    );

    session.delete(next);
    session.add(new Square({ id: 1, label: "sq", side: 1 }));
    log.splice(0);
    await assert.rejects(session.flush(), (e) => {
      assert.ok(e instanceof InvalidRequestError, `expected an InvalidRequestError, got ${e}`);
      assert.match((e as Error).message, /Square \(id=1\) replaces a Circle/);
      return true;
    });
    assert.deepEqual(dataStatements(log), [], "nothing of the flush was sent");
  },
);

/**
 * Acceptance of class and session events and of validators, written from the text:
 * what a before-event changes is written by that flush, what it throws aborts the flush with
 * nothing written and the session asking for rollback; validators run at assignment and in the
 * constructor, name class, attribute and value, and hide the value under `hideParameters`.
 */
import assert from "node:assert/strict";
import {
  check,
  column,
  listen,
  Model,
  PendingRollbackError,
  select,
  sql,
  validates,
  ValidationError,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

const calls: string[] = [];

class Doc extends Model("a16e_docs", {
  id: column.integer().primaryKey(),
  title: column.text(),
  slug: column.text().nullable(),
  revision: column.integer().default(0),
  poison: column.text().nullable(),
}) {
  static beforeInsert(d: Doc): void {
    calls.push(`beforeInsert ${d.title}`);
    if (d.poison === "insert") throw new Error("refused on insert");
    d.slug = d.title.toLowerCase().replaceAll(" ", "-");
  }
  static afterInsert(d: Doc): void {
    calls.push(`afterInsert ${d.id}`);
  }
  static beforeUpdate(d: Doc): void {
    calls.push(`beforeUpdate ${d.id}`);
    if (d.poison === "update") throw new Error("refused on update");
    d.revision = (d.revision ?? 0) + 1;
  }
  static afterUpdate(d: Doc): void {
    calls.push(`afterUpdate ${d.id}`);
  }
  static beforeDelete(d: Doc): void {
    calls.push(`beforeDelete ${d.id}`);
    if (d.poison === "delete") throw new Error("refused on delete");
  }
  static afterDelete(d: Doc): void {
    calls.push(`afterDelete ${d.id}`);
  }
  static afterLoad(d: Doc): void {
    calls.push(`afterLoad ${d.id}`);
  }
}

class Person extends Model("a16e_people", {
  id: column.integer().primaryKey(),
  email: column.text(),
  nick: column.text().nullable(),
  age: column.integer().nullable(),
  code: column.text().nullable(),
}) {
  static validators = validates<Person>({
    email: [check.pattern(/^[^@]+@[^@]+$/, "be an email address"), (e) => e.toLowerCase()],
    nick: check.length({ min: 2, max: 5 }),
    age: check.range({ min: 0, max: 130 }),
    code: (c) => {
      if (c !== null && c.startsWith("x")) throw new Error("must not start with x");
    },
  });
}

const models = [Doc, Person];

async function open(db: Db, hideParameters = false) {
  const engine = db.engine({ hideParameters });
  await engine.createAll(models);
  calls.length = 0;
  return engine;
}

const count = (t: typeof Doc | typeof Person) => sql`SELECT count(*) AS n FROM ${t}`;

dbTest("class events: each runs once, in order, and before-changes are written", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  const d = new Doc({ title: "Hello World" });
  s.add(d);
  await s.commit();
  assert.deepEqual(calls, ["beforeInsert Hello World", `afterInsert ${d.id}`]);
  assert.equal(
    await engine.scalar(sql`SELECT slug FROM ${Doc} WHERE id = ${d.id}`),
    "hello-world",
  );
  calls.length = 0;
  d.title = "Bye";
  await s.commit();
  assert.deepEqual(calls, [`beforeUpdate ${d.id}`, `afterUpdate ${d.id}`]);
  assert.equal(await engine.scalar(sql`SELECT revision FROM ${Doc} WHERE id = ${d.id}`), 1);
  assert.equal(d.revision, 1);
  calls.length = 0;
  // An unchanged object is no update.
  await s.commit();
  assert.deepEqual(calls, []);
  s.expungeAll();
  const again = (await s.get(Doc, d.id))!;
  assert.deepEqual(calls, [`afterLoad ${d.id}`]);
  calls.length = 0;
  await s.all(select(Doc)); // already loaded: no second afterLoad
  assert.deepEqual(calls, []);
  s.delete(again);
  await s.commit();
  assert.deepEqual(calls, [`beforeDelete ${d.id}`, `afterDelete ${d.id}`]);
  assert.equal(await engine.scalar(count(Doc)), 0);
});

for (const when of ["insert", "update", "delete"] as const) {
  dbTest(`a before-${when} that throws: nothing written, rollback asked`, async (db) => {
    const engine = await open(db);
    await using s = engine.session();
    const keep = new Doc({ title: "keep" });
    const target = new Doc({ title: "target" });
    s.addAll([keep, target]);
    await s.commit();
    calls.length = 0;
    const other = new Doc({ title: "other" }); // in the same flush: not written either
    s.add(other);
    keep.title = "keep2";
    if (when === "insert") s.add(new Doc({ title: "bad", poison: "insert" }));
    if (when === "update") target.poison = "update";
    if (when === "delete") {
      target.poison = "delete";
      await s.flush();
      s.delete(target);
    }
    await assert.rejects(s.commit(), /refused on/);
    await assert.rejects(s.all(select(Doc)), PendingRollbackError);
    await s.rollback();
    const rows = await engine.all<{ title: string }>(
      sql`SELECT title FROM ${Doc} ORDER BY id`,
    );
    assert.deepEqual(rows.map((r) => r.title), ["keep", "target"]);
    // The session works again after the rollback.
    assert.equal((await s.all(select(Doc))).length, 2);
  });
}

dbTest("listen(): registered listeners run, subclasses' events and stop()", async (db) => {
  const engine = await open(db);
  const seen: string[] = [];
  const stop = listen(Doc, "beforeInsert", (d: Doc) => {
    seen.push(d.title);
    d.revision = 7;
  });
  try {
    await using s = engine.session();
    s.add(new Doc({ title: "one" }));
    await s.commit();
    stop();
    s.add(new Doc({ title: "two" }));
    await s.commit();
  } finally {
    stop();
  }
  assert.deepEqual(seen, ["one"]);
  const rows = await engine.all<{ revision: number }>(
    sql`SELECT revision FROM ${Doc} ORDER BY id`,
  );
  assert.deepEqual(rows.map((r) => r.revision), [7, 0]);
});

dbTest("session events: before and after flush, after commit, after rollback", async (db) => {
  const engine = await open(db);
  const seen: string[] = [];
  await using s = engine.session({
    on: { afterCommit: () => void seen.push("afterCommit") },
  });
  s.on("beforeFlush", (session) => {
    seen.push(`beforeFlush ${session.new.size}`);
    // A change made here is written by this flush.
    for (const o of session.new) if (o instanceof Doc) o.title = o.title.toUpperCase();
  });
  s.on("afterFlush", () => void seen.push("afterFlush"));
  s.on("afterRollback", () => void seen.push("afterRollback"));
  s.add(new Doc({ title: "abc" }));
  await s.commit();
  assert.deepEqual(seen, ["beforeFlush 1", "afterFlush", "afterCommit"]);
  assert.equal(await engine.scalar(sql`SELECT title FROM ${Doc}`), "ABC");
  seen.length = 0;
  s.add(new Doc({ title: "def" }));
  await s.flush();
  await s.rollback();
  assert.deepEqual(seen, ["beforeFlush 1", "afterFlush", "afterRollback"]);
  assert.equal(await engine.scalar(count(Doc)), 1);
});

dbTest("a beforeFlush listener that throws writes nothing", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  s.on("beforeFlush", () => {
    throw new Error("no flushing today");
  });
  s.add(new Doc({ title: "x" }));
  await assert.rejects(s.commit(), /no flushing today/);
  await assert.rejects(s.flush(), PendingRollbackError);
  await s.rollback();
  assert.equal(await engine.scalar(count(Doc)), 0);
});

Deno.test("validators run in the constructor and at assignment, naming class, attribute, value", () => {
  const p = new Person({ email: "ADA@X.ORG", nick: "ada", age: 30 });
  assert.equal(p.email, "ada@x.org"); // the validator's return value is stored
  const refused = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert(e instanceof ValidationError, String(e));
      return e.message;
    }
    assert.fail("not refused");
  };
  const m1 = refused(() => new Person({ email: "nobody" }));
  assert.match(m1, /Person/);
  assert.match(m1, /email/);
  assert.match(m1, /nobody/);
  const m2 = refused(() => (p.nick = "toolongnick"));
  assert.match(m2, /Person\.nick/);
  assert.match(m2, /toolongnick/);
  assert.equal(p.nick, "ada"); // kept its old value
  refused(() => (p.nick = "a"));
  refused(() => (p.age = -1));
  refused(() => (p.age = 131));
  p.age = 130;
  p.age = null; // NULL passes the built-ins
  p.nick = null;
  const m3 = refused(() => (p.code = "xyz"));
  assert.match(m3, /must not start with x/);
  refused(() => new Person({ email: "a@b", age: 500 }));
});

dbTest("validators hide the value under hideParameters, and skip loaded rows", async (db) => {
  const engine = await open(db, true);
  await engine.run(sql`INSERT INTO ${Person} (id, email, nick) VALUES (100, 'LEGACY', 'x')`);
  await using s = engine.session();
  const p = (await s.get(Person, 100))!;
  assert.equal(p.email, "LEGACY"); // loading runs no validator
  assert.equal(p.nick, "x");
  for (
    const f of [
      () => (p.email = "secret-address"),
      () => (p.nick = "secret-nick"),
      () => (p.age = 987654),
    ]
  ) {
    try {
      f();
      assert.fail("not refused");
    } catch (e) {
      assert(e instanceof ValidationError, String(e));
      assert(!/secret|987654/.test(e.message), e.message);
      assert.match(e.message, /Person/);
    }
  }
  // Also on an object added (not yet flushed) to the session.
  const fresh = new Person({ email: "a@b" });
  s.add(fresh);
  assert.throws(() => (fresh.nick = "secret-nick"), (e: Error) => !e.message.includes("secret"));
  assert.equal(p.email, "LEGACY");
  await s.commit();
  assert.equal(await engine.scalar(count(Person)), 2);
});

Deno.test("a subclass's validators add to its parent's", () => {
  class Staff extends Model("a16e_staff", {
    id: column.integer().primaryKey(),
    kind: column.text().default("staff"),
    name: column.text(),
  }, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {
    static validators = validates<Staff>({ name: check.length({ min: 2 }) });
  }
  class Boss extends Staff.subclass("boss", { budget: column.integer() }) {
    static override validators = validates<Boss>({
      budget: check.range({ min: 0 }),
      name: (n) => n.trim(),
    });
  }
  assert.throws(() => new Boss({ name: "x", budget: 1 }), ValidationError);
  assert.throws(() => new Boss({ name: "xy", budget: -1 }), ValidationError);
  assert.equal(new Boss({ name: "ab ", budget: 1 }).name, "ab");
  assert.throws(() => new Staff({ name: "x" }), ValidationError);
});

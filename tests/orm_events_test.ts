/**
 * Validators and events: validators run at assignment and in the constructor (never on load),
 * class events run in the flush (what a before-event changes is written, what it throws stops
 * the flush with nothing sent), session events run around flushes, commits and rollbacks.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  check,
  column,
  listen,
  Model,
  PendingRollbackError,
  relationship,
  select,
  type Session,
  sql,
  validates,
  ValidationError,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

class Member extends Model("ev_members", {
  id: column.integer().primaryKey(),
  email: column.text(),
  age: column.integer().nullable(),
  slug: column.text().nullable(),
  stamp: column.integer().nullable(),
}) {
  static validators = validates<Member>({
    email: [check.pattern(/@/, "contain @"), (s) => s.trim().toLowerCase()],
    age: check.range({ min: 0, max: 150 }),
  });
  static beforeInsert(m: Member): void {
    m.slug ??= m.email.split("@")[0];
  }
  static beforeUpdate(m: Member): void {
    m.stamp = (m.stamp ?? 0) + 1;
  }
}

class Forum extends Model("ev_forums", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static threads = relationship(() => Thread, {
    backPopulates: "forum",
    cascade: "all, delete-orphan",
  });
  declare threads: Thread[];
}

class Thread extends Model("ev_threads", {
  id: column.integer().primaryKey(),
  forumId: column.integer().references(() => Forum.c.id),
  title: column.text(),
}) {
  static forum = relationship(() => Forum, { backPopulates: "threads" });
  declare forum: Forum;
}

class Audit extends Model("ev_audit", {
  id: column.integer().primaryKey(),
  what: column.text(),
}) {}

const models = [Member, Forum, Thread, Audit];

const value = async (session: Session, statement: ReturnType<typeof sql>) =>
  Object.values((await session.execute(statement)).rows[0] as object)[0];

const count = async (
  session: Session,
  m: typeof Member | typeof Thread | typeof Audit | typeof Forum,
) => Number(await value(session, sql`SELECT count(*) AS n FROM ${m}`));

scopedTest("validators transform and refuse at construction and assignment", async ({ open }) => {
  const m = new Member({ email: "  Ada@Example.COM " });
  assert.equal(m.email, "ada@example.com");
  assert.throws(() => new Member({ email: "nope" }), (e: unknown) => {
    assert(e instanceof ValidationError && e instanceof ArgumentError);
    assert.match(e.message, /Member\.email must contain @/);
    assert.match(e.message, /"nope"/);
    return true;
  });
  assert.throws(() => (m.age = 200), ValidationError);
  assert.equal(m.age ?? null, null, "a refused value is not stored");
  m.age = 36;
  const engine = open();
  await engine.createAll(models);
  {
    await using session = engine.session();
    session.add(m);
    await session.commit();
    assert.throws(() => (m.email = "bad"), /Member\.email must contain @/);
    assert.equal(m.email, "ada@example.com");
  }
  // Rows the database holds are loaded as they are, without validators.
  await engine.run(sql`UPDATE ${Member} SET email = ${"LEGACY"} WHERE id = ${m.id}`);
  await using session = engine.session();
  const [loaded] = await session.all(select(Member));
  assert.equal(loaded.email, "LEGACY");
});

scopedTest("a validator's refusal hides the value under hideParameters", async ({ open }) => {
  const engine = open({ hideParameters: true });
  await engine.createAll(models);
  await using session = engine.session();
  const m = new Member({ email: "x@y" });
  session.add(m);
  await session.flush();
  const error = (() => {
    try {
      m.email = "secret-value";
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  assert(error instanceof ValidationError);
  assert(!error.message.includes("secret-value"), error.message);
  assert.match(error.message, /hidden by hideParameters/);
});

Deno.test("validators naming a column that does not exist are refused", () => {
  class Bad extends Model("ev_bad", { id: column.integer().primaryKey(), name: column.text() }) {
    static validators = { nmae: () => {} };
  }
  assert.throws(
    () => new Bad({ name: "x" }),
    /Bad\.validators names "nmae", which is not a column/,
  );
});

Deno.test("built-in checks: length, range and pattern", () => {
  const len = check.length({ min: 2, max: 3 });
  assert.doesNotThrow(() => len("ab", {}, "k"));
  assert.throws(() => len("a", {}, "k"));
  assert.throws(() => len("abcd", {}, "k"));
  assert.doesNotThrow(() => len("日本語", {}, "k"), "length counts characters");
  const range = check.range({ min: 1n, max: 10n });
  assert.throws(() => range(11n, {}, "k"));
  assert.doesNotThrow(() => range(10n, {}, "k"));
  const pat = check.pattern(/^a/g);
  assert.doesNotThrow(() => pat("ab", {}, "k"));
  assert.doesNotThrow(() => pat("ab", {}, "k"), "a global pattern starts afresh each time");
});

scopedTest("before-events change what the flush writes", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  await using session = engine.session();
  const m = new Member({ email: "grace@navy.mil" });
  session.add(m);
  await session.flush();
  assert.equal(m.slug, "grace");
  const stored = await value(session, sql`SELECT slug FROM ${Member} WHERE id = ${m.id}`);
  assert.equal(stored, "grace");
  m.age = 85;
  await session.flush();
  assert.equal(m.stamp, 1);
  const stamp = await value(session, sql`SELECT stamp FROM ${Member} WHERE id = ${m.id}`);
  assert.equal(Number(stamp), 1);
  await session.flush(); // nothing changed: no update, no event
  assert.equal(m.stamp, 1);
});

scopedTest("a before-event that throws stops the flush with nothing sent", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  await using session = engine.session();
  const forum = new Forum({ name: "general" });
  forum.threads.push(new Thread({ title: "hello" }));
  session.add(forum);
  await session.commit();
  const stop = listen(Thread, "beforeDelete", (t: Thread) => {
    throw new Error(`threads are kept: ${t.title}`);
  });
  try {
    await session.delete(forum); // the thread goes by cascade
    await assert.rejects(session.flush(), /threads are kept: hello/);
    await session.rollback();
  } finally {
    stop();
  }
  assert.equal(await count(session, Thread), 1);
  assert.equal(await count(session, Forum), 1);
  // The session goes on.
  session.add(new Audit({ what: "after" }));
  await session.commit();
  assert.equal(await count(session, Audit), 1);
});

scopedTest(
  "a before-insert error writes nothing and the session asks for rollback",
  async ({ open }) => {
    const engine = open();
    await engine.createAll(models);
    await using session = engine.session();
    session.add(new Member({ email: "first@b" }));
    await session.flush(); // earlier work in the same transaction
    const stop = listen(Audit, "beforeInsert", (a: Audit) => {
      if (a.what === "no") throw new Error("refused");
    });
    try {
      session.add(new Member({ email: "a@b" }));
      session.add(new Audit({ what: "no" }));
      await assert.rejects(session.flush(), /refused/);
      await assert.rejects(session.flush(), PendingRollbackError);
      await session.rollback();
      const sent = await engine.scalar(sql`SELECT count(*) FROM ${Member}`);
      assert.equal(Number(sent), 0, "nothing of the transaction was kept");
      session.add(new Member({ email: "again@b" }));
      session.add(new Audit({ what: "yes" }));
      await session.commit();
    } finally {
      stop();
    }
    assert.equal(await count(session, Member), 1);
    assert.equal(await count(session, Audit), 1);
  },
);

scopedTest(
  "a class event failing inside a savepoint rolls back only the savepoint",
  async ({ open }) => {
    const engine = open();
    await engine.createAll(models);
    await using session = engine.session();
    session.add(new Member({ email: "kept@b" }));
    await session.flush();
    const stop = listen(Audit, "beforeInsert", () => {
      throw new Error("refused");
    });
    try {
      const sp = await session.beginNested();
      session.add(new Audit({ what: "x" }));
      await assert.rejects(session.flush(), /refused/);
      assert.equal(sp.isActive, false);
    } finally {
      stop();
    }
    await session.commit();
    assert.equal(await count(session, Member), 1);
    assert.equal(await count(session, Audit), 0);
  },
);

scopedTest(
  "after-events see generated keys; afterLoad runs once per new object",
  async ({ open }) => {
    const engine = open();
    await engine.createAll(models);
    const inserted: number[] = [];
    const deleted: string[] = [];
    const loads: string[] = [];
    const stops = [
      listen(Audit, "afterInsert", (a: Audit) => inserted.push(a.id)),
      listen(Audit, "afterDelete", (a: Audit) => deleted.push(a.what)),
      listen(Audit, "afterLoad", (a: Audit) => loads.push(a.what)),
    ];
    try {
      {
        await using session = engine.session();
        session.add(new Audit({ what: "one" }));
        session.add(new Audit({ what: "two" }));
        await session.commit();
      }
      assert.equal(inserted.length, 2);
      assert(inserted.every((id) => typeof id === "number" && id > 0));
      await using session = engine.session();
      const rows = await session.all(select(Audit).orderBy(Audit.c.id));
      await session.all(select(Audit)); // identity-map hits are not loads
      assert.deepEqual(loads, ["one", "two"]);
      await session.delete(rows[0]);
      await session.commit();
      assert.deepEqual(deleted, ["one"]);
    } finally {
      for (const stop of stops) stop();
    }
    assert.throws(
      () => listen(Audit, "beforeSave" as never, () => {}),
      (e: unknown) => e instanceof ArgumentError && /not a class event/.test(e.message),
    );
  },
);

scopedTest(
  "session events: beforeFlush may add objects; commit and rollback are told",
  async ({ open }) => {
    const engine = open();
    await engine.createAll(models);
    const seen: string[] = [];
    await using session = engine.session({
      on: { afterRollback: () => void seen.push("afterRollback") },
    });
    session.on("beforeFlush", (s) => {
      seen.push("beforeFlush");
      for (const obj of s.new) {
        if (obj instanceof Member) s.add(new Audit({ what: `member ${obj.email}` }));
      }
    });
    session.on("afterFlush", () => void seen.push("afterFlush"));
    session.on("afterCommit", () => void seen.push("afterCommit"));
    session.add(new Member({ email: "k@x" }));
    await session.commit();
    assert.deepEqual(seen, ["beforeFlush", "afterFlush", "afterCommit"]);
    assert.deepEqual(
      (await session.all(select(Audit))).map((a) => a.what),
      ["member k@x"],
    );
    seen.length = 0;
    session.add(new Member({ email: "z@x" }));
    await session.rollback();
    assert.deepEqual(seen, ["afterRollback"], "no flush ran; the open transaction was rolled back");
    assert.throws(() => session.on("beforeCommit" as never, () => {}), /not a session event/);
  },
);

scopedTest("a beforeFlush listener that throws sends nothing", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  await using session = engine.session();
  const stop = session.on("beforeFlush", () => {
    throw new Error("not now");
  });
  session.add(new Member({ email: "q@x" }));
  await assert.rejects(session.flush(), /not now/);
  await assert.rejects(session.commit(), PendingRollbackError);
  await session.rollback();
  stop();
  session.add(new Member({ email: "q@x" }));
  await session.commit();
  assert.equal(await count(session, Member), 1);
});

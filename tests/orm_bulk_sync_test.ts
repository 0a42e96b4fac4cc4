/**
 * Bulk UPDATE/DELETE synchronization strategies: "evaluate" (the WHERE evaluated in memory
 * against the objects held, no extra SELECT), "fetch" (the matched keys read first) and
 * false; the default evaluates when it can. Evaluation selects the same objects as the
 * database's WHERE, NULLs included; a SET value wins over an unflushed change.
 */
import assert from "node:assert/strict";
import {
  and,
  ArgumentError,
  column,
  defer,
  deleteFrom,
  type Engine,
  eq,
  ge,
  gt,
  inList,
  inspect,
  isNotNull,
  isNull,
  le,
  lt,
  Model,
  ne,
  not,
  notIn,
  NotLoadedError,
  or,
  select,
  sql,
  update,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class EUser extends Model("bs_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
  score: column.integer().nullable(),
  active: column.boolean().nullable(),
  born: column.date().nullable(),
  tag: column.text().nullable(),
  mark: column.integer().default(0),
}) {}

const day = (d: number) => new Date(Date.UTC(2020, 0, d));

async function seeded(engine: Engine): Promise<void> {
  await engine.dropAll([EUser]);
  await engine.createAll([EUser]);
  await using s = engine.session();
  const rows = [
    { id: 1, name: "ann", score: 1, active: true, born: day(1), tag: "x" },
    { id: 2, name: "bob", score: 5, active: false, born: day(5), tag: null },
    { id: 3, name: "cid", score: null, active: null, born: null, tag: "y" },
    { id: 4, name: "dee", score: 9, active: true, born: day(9), tag: null },
    { id: 5, name: "eve", score: 5, active: null, born: day(5), tag: "x" },
    { id: 6, name: "fay", score: 0, active: false, born: null, tag: "z" },
  ];
  for (const r of rows) s.add(new EUser(r));
  await s.commit();
}

const c = EUser.c;
const conditions = [
  eq(c.score, 5),
  ne(c.score, 5),
  lt(c.score, 5),
  le(c.score, 5),
  gt(c.score, 1),
  ge(c.score, 5),
  inList(c.score, [1, 5]),
  notIn(c.score, [1, 5]),
  notIn(c.score, [1, null]),
  inList(c.tag, ["x", null]),
  isNull(c.tag),
  isNotNull(c.score),
  eq(c.active, true),
  ne(c.active, true),
  eq(c.born, day(5)),
  gt(c.born, day(2)),
  eq(c.tag, "x"),
  ne(c.tag, "x"),
  not(eq(c.tag, "x")),
  not(isNull(c.active)),
  and(gt(c.score, 0), isNull(c.tag)),
  or(eq(c.tag, "x"), lt(c.score, 3)),
  or(and(eq(c.active, true), gt(c.score, 5)), and(isNull(c.active), eq(c.tag, "y"))),
  not(or(eq(c.tag, "y"), gt(c.score, 4))),
  eq(c.score, c.mark),
  and(),
  or(),
];

dbTest("evaluate selects the objects the database's WHERE selects, NULLs included", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  for (let k = 0; k < conditions.length; k++) {
    await using session = engine.session();
    const users = await session.all(select(EUser).orderBy(EUser.c.id));
    log.texts.length = 0;
    const mark = 100 + k;
    await session.execute(
      update(EUser).where(conditions[k]).set({ mark }),
      { synchronize: "evaluate" },
    );
    assert.deepEqual(log.texts.map((t) => t.split(" ")[0]), ["UPDATE"], `condition ${k}`);
    const inMemory = users.filter((u) => u.mark === mark).map((u) => u.id);
    const r = await session.execute(select(EUser.c.id).where(eq(EUser.c.mark, mark)));
    const inDb = r.rows.map((row) => row.id).sort((a, b) => a - b);
    assert.deepEqual(inMemory, inDb, `condition ${k}`);
    assert.equal(session.dirty.size, 0);
    await session.rollback();
  }
});

dbTest("evaluate applies to bulk deletes too", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const users = await session.all(select(EUser).orderBy(EUser.c.id));
  await session.execute(deleteFrom(EUser).where(or(isNull(c.score), eq(c.tag, "z"))), {
    synchronize: "evaluate",
  });
  assert.deepEqual(users.map((u) => inspect(u).status), [
    "persistent",
    "persistent",
    "deleted",
    "persistent",
    "persistent",
    "deleted",
  ]);
});

dbTest("the default evaluates when it can, else fetches the matched keys", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  const users = await session.all(select(EUser).orderBy(EUser.c.id));
  log.texts.length = 0;
  await session.execute(update(EUser).where(gt(c.score, 4)).set({ name: "hi" }));
  assert.equal(log.texts.filter((t) => t.startsWith("SELECT")).length, 0);
  // Text ordering depends on the collation: not evaluated ("hi" no longer matches).
  await session.execute(update(EUser).where(lt(c.name, "c")).set({ tag: "lt" }));
  assert.equal(log.texts.filter((t) => t.startsWith("SELECT")).length, 1);
  await session.execute(update(EUser).where(sql`${c.score} % 2 = 1`).set({ mark: 7 }));
  assert.equal(log.texts.filter((t) => t.startsWith("SELECT")).length, 2);
  assert.deepEqual(users.map((u) => u.name), ["ann", "hi", "cid", "hi", "hi", "fay"]);
  assert.deepEqual(users.map((u) => u.tag), ["lt", null, "y", null, "x", "z"]);
  assert.deepEqual(users.map((u) => u.mark), [7, 7, 0, 7, 7, 0]);
  await assert.rejects(
    () =>
      session.execute(update(EUser).where(sql`${c.score} > 1`).set({ mark: 1 }), {
        synchronize: "evaluate",
      }),
    (e: Error) => e instanceof ArgumentError && /synchronize: "fetch"/.test(e.message),
  );
  await assert.rejects(
    () => session.execute(update(EUser).set({ mark: 1 }), { synchronize: "x" as never }),
    ArgumentError,
  );
});

dbTest("fetch reads the keys first; false leaves the objects as they are", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  const users = await session.all(select(EUser).orderBy(EUser.c.id));
  log.texts.length = 0;
  await session.execute(update(EUser).where(eq(c.score, 5)).set({ mark: 3 }), {
    synchronize: "fetch",
  });
  assert.deepEqual(log.texts.map((t) => t.split(" ")[0]), ["SELECT", "UPDATE"]);
  assert.deepEqual(users.map((u) => u.mark), [0, 3, 0, 0, 3, 0]);
  log.texts.length = 0;
  await session.execute(update(EUser).set({ mark: 8 }), { synchronize: false });
  assert.deepEqual(log.texts.map((t) => t.split(" ")[0]), ["UPDATE"]);
  assert.deepEqual(users.map((u) => u.mark), [0, 3, 0, 0, 3, 0]);
});

dbTest("a SET value wins over an unflushed change of the same column", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  for (const synchronize of ["evaluate", "fetch"] as const) {
    await using session = engine.session({ autoflush: false });
    const ann = (await session.get(EUser, 1))!;
    ann.name = "pending";
    ann.tag = "mine";
    await session.execute(update(EUser).where(eq(c.id, 1)).set({ name: "bulk" }), {
      synchronize,
    });
    assert.equal(ann.name, "bulk");
    assert.equal(ann.tag, "mine");
    assert.deepEqual(inspect(ann).modified, ["tag"]);
    await session.commit();
    await using check = engine.session();
    const got = (await check.get(EUser, 1))!;
    assert.deepEqual([got.name, got.tag], ["bulk", "mine"]);
    await check.execute(update(EUser).where(eq(c.id, 1)).set({ name: "ann", tag: "x" }));
    await check.commit();
  }
});

dbTest("a SET of SQL expires the column; unloaded columns stay unloaded", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const [bob] = await session.all(select(EUser).where(eq(c.id, 2)).options(defer(c.tag)));
  await session.execute(
    update(EUser).where(eq(c.id, 2)).set({ score: sql`${c.score} + 1`, tag: "t" }),
  );
  assert.throws(
    () => bob.score,
    (e: Error) => e instanceof NotLoadedError && /expired/.test(e.message),
  );
  assert.throws(() => bob.tag, NotLoadedError);
  await session.refresh(bob);
  assert.equal(bob.score, 6);
  // A WHERE on a column an object does not hold cannot be evaluated: the keys are fetched.
  await session.execute(update(EUser).where(eq(c.tag, "t")).set({ mark: 5 }));
  assert.equal(bob.mark, 5);
});

dbTest("evaluate reads what the database holds, not unflushed changes", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session({ autoflush: false });
  const users = await session.all(select(EUser).orderBy(EUser.c.id));
  users[0].score = 50; // unflushed: the row still holds 1
  users[1].score = 0; // unflushed: the row still holds 5
  await session.execute(update(EUser).where(gt(c.score, 4)).set({ mark: 9 }), {
    synchronize: "evaluate",
  });
  const r = await session.execute(select(EUser.c.id).where(eq(EUser.c.mark, 9)));
  const inDb = r.rows.map((row) => row.id).sort((a, b) => a - b);
  assert.deepEqual(users.filter((u) => u.mark === 9).map((u) => u.id), inDb);
  assert.deepEqual(inDb, [2, 4, 5]);
  assert.equal(users[1].score, 0, "the unflushed change of another column stays");
});

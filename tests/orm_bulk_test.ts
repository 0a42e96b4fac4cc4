/**
 * ORM bulk writes: update(Model) and deleteFrom(Model) through session.execute keep the
 * objects the session holds in sync; unflushed changes are flushed first.
 */
import assert from "node:assert/strict";
import { column, deleteFrom, eq, gt, insert, inspect, Model, select, sql, update } from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class BUser extends Model("blk_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
  score: column.integer(),
  kind: column.text().default(() => "member"),
}) {}

async function setup(db: Db, texts?: string[]) {
  const engine = db.engine(texts ? { echo: (e) => texts.push(e.text) } : {});
  await engine.dropAll([BUser]);
  await engine.createAll([BUser]);
  {
    await using session = engine.session();
    for (const [name, score] of [["ann", 1], ["bob", 5], ["cid", 9]] as const) {
      session.add(new BUser({ name, score }));
    }
    await session.commit();
  }
  return engine;
}

dbTest("bulk update: loaded objects get plain SET values, others stay", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const users = await session.all(select(BUser).orderBy(BUser.c.name));
  const r = await session.execute(update(BUser).where(gt(BUser.c.score, 3)).set({ name: "hi" }));
  assert.equal(r.rowsAffected, 2);
  assert.deepEqual(users.map((u) => u.name), ["ann", "hi", "hi"]);
  assert.equal(session.dirty.size, 0, "synced values are not changes");
  await session.commit();
  await using other = engine.session();
  const names = (await other.all(select(BUser).orderBy(BUser.c.id))).map((u) => u.name);
  assert.deepEqual(names, ["ann", "hi", "hi"]);
});

dbTest("bulk update with an SQL expression expires the objects it matched", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const users = await session.all(select(BUser).orderBy(BUser.c.name));
  await session.execute(
    update(BUser).where(eq(BUser.c.name, "bob")).set({ score: sql`${BUser.c.score} + 10` }),
  );
  await session.all(select(BUser));
  assert.deepEqual(users.map((u) => u.score), [1, 15, 9], "the next query refreshes it");
});

dbTest("bulk update flushes unflushed changes first", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const [ann] = await session.all(select(BUser).where(eq(BUser.c.name, "ann")));
  ann.score = 100;
  await session.execute(update(BUser).where(gt(BUser.c.score, 50)).set({ name: "top" }));
  assert.equal(ann.name, "top");
  assert.equal(ann.score, 100);
});

dbTest("bulk delete: loaded objects become deleted and leave the identity map", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const users = await session.all(select(BUser).orderBy(BUser.c.name));
  const r = await session.execute(deleteFrom(BUser).where(gt(BUser.c.score, 3)));
  assert.equal(r.rowsAffected, 2);
  assert.equal(inspect(users[1]).status, "deleted");
  assert.equal(await session.get(BUser, users[1].id), null, "not found in the map nor the table");
  assert.equal(await session.get(BUser, users[0].id), users[0]);
  await session.commit();
  assert.equal(inspect(users[1]).status, "detached");
  assert.equal(inspect(users[0]).status, "persistent");
});

dbTest("bulk delete is undone by a rollback", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const users = await session.all(select(BUser).orderBy(BUser.c.name));
  await session.execute(deleteFrom(BUser).where(eq(BUser.c.name, "ann")));
  await session.rollback();
  assert.equal(await session.get(BUser, users[0].id), users[0]);
});

dbTest("no objects held: no extra query", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  texts.splice(0);
  await using session = engine.session();
  await session.execute(update(BUser).set({ score: 0 }));
  assert.equal(texts.filter((t) => t.startsWith("SELECT")).length, 0);
});

dbTest(
  "bulk insert through the session applies defaults and returns generated keys",
  async (db) => {
    const engine = await setup(db);
    await using session = engine.session();
    const r = await session.execute(
      insert(BUser).values([{ name: "dan", score: 2 }, { name: "eve", score: 3 }])
        .returning(BUser.c.id, BUser.c.kind),
    );
    assert.equal(r.rows.length, 2);
    assert.ok(r.rows.every((row) => typeof row.id === "number" && row.kind === "member"));
    const dan = await session.first(select(BUser).where(eq(BUser.c.name, "dan")));
    assert.equal(dan!.id, r.rows[0].id);
    assert.equal(dan!.kind, "member");
  },
);

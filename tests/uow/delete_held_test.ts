/**
 * Deleting a parent whose collection the session has not loaded: the children the session
 * holds follow, in memory, what the flush or the database's ON DELETE does to their rows
 * (their foreign key NULL, or their row deleted), so that no object goes on naming a parent
 * that is gone.
 */
import assert from "node:assert/strict";
import { type Collection, column, inspect, Model, relationship, select, sql } from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { ready } from "./_support.ts";

class Hub extends Model("dh_hubs", { id: column.integer().primaryKey() }) {
  static plain = relationship(() => Plain, { backPopulates: "hub" });
  declare plain: Collection<Plain>;
  static nulled = relationship(() => Nulled, { backPopulates: "hub" });
  declare nulled: Collection<Nulled>;
  static gone = relationship(() => Gone, { backPopulates: "hub" });
  declare gone: Collection<Gone>;
}

class Plain extends Model("dh_plain", {
  id: column.integer().primaryKey(),
  hubId: column.integer().nullable().references(() => Hub.c.id),
}) {
  static hub = relationship(() => Hub, { backPopulates: "plain" });
  declare hub: Hub | null;
}

class Nulled extends Model("dh_nulled", {
  id: column.integer().primaryKey(),
  hubId: column.integer().nullable().references(() => Hub.c.id, { onDelete: "set null" }),
}) {
  static hub = relationship(() => Hub, { backPopulates: "nulled" });
  declare hub: Hub | null;
}

class Gone extends Model("dh_gone", {
  id: column.integer().primaryKey(),
  hubId: column.integer().references(() => Hub.c.id, { onDelete: "cascade" }),
}) {
  static hub = relationship(() => Hub, { backPopulates: "gone" });
  declare hub: Hub;
}

const MODELS = [Hub, Plain, Nulled, Gone];

scopedTest("the held children of a deleted parent follow their rows in memory", async (s) => {
  const engine = await ready(s, MODELS);
  {
    await using session = engine.session();
    for (const id of [1, 2]) {
      session.add(new Hub({ id }));
      session.addAll([
        new Plain({ id, hubId: id }),
        new Nulled({ id, hubId: id }),
        new Gone({ id, hubId: id }),
      ]);
    }
    await session.commit();
  }
  await using session = engine.session();
  // Children held, their parent's collections not loaded; hub 2's children are not held.
  const plain = (await session.get(Plain, 1))!;
  const nulled = (await session.get(Nulled, 1))!;
  const gone = (await session.get(Gone, 1))!;
  session.delete((await session.get(Hub, 1))!);
  await session.commit();

  assert.equal(plain.hubId, null);
  assert.equal(nulled.hubId, null);
  assert.equal(inspect(plain).status, "persistent");
  assert.equal(inspect(gone).status, "detached", "its row went with its parent");
  assert.equal(await session.get(Gone, 1), null);
  const again = await session.all(select(Plain).orderBy(Plain.c.id));
  assert.equal(again[0], plain);
  assert.deepEqual(again.map((p) => p.hubId), [null, 2]);
  await session.commit(); // the engine reads below on a connection of their own

  const rows = async (t: string) =>
    (await engine.all<{ id: number; hub_id: number | null }>(
      sql.unsafe(`SELECT id, hub_id FROM ${t} ORDER BY id`),
    )).map((r) => ({ id: Number(r.id), hub: r.hub_id === null ? null : Number(r.hub_id) }));
  assert.deepEqual(await rows("dh_plain"), [{ id: 1, hub: null }, { id: 2, hub: 2 }]);
  assert.deepEqual(await rows("dh_nulled"), [{ id: 1, hub: null }, { id: 2, hub: 2 }]);
  assert.deepEqual(await rows("dh_gone"), [{ id: 2, hub: 2 }]);
});

scopedTest("a loaded child whose row ON DELETE CASCADE removes is deleted with it", async (s) => {
  const engine = await ready(s, MODELS);
  {
    await using session = engine.session();
    session.add(new Hub({ id: 1 }));
    session.add(new Gone({ id: 1, hubId: 1 }));
    await session.commit();
  }
  await using session = engine.session();
  const hub = (await session.get(Hub, 1))!;
  await session.load(hub, "gone");
  const [child] = hub.gone;
  session.delete(hub);
  await session.commit();
  assert.equal(inspect(child).status, "detached");
  assert.equal(await session.get(Gone, 1), null);
  await session.commit();
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM dh_gone`)), 0);
});

scopedTest("a rollback after the flush puts the held children back as they were", async (s) => {
  const engine = await ready(s, MODELS);
  {
    await using session = engine.session();
    session.add(new Hub({ id: 1 }));
    session.addAll([new Plain({ id: 1, hubId: 1 }), new Gone({ id: 1, hubId: 1 })]);
    await session.commit();
  }
  await using session = engine.session();
  const plain = (await session.get(Plain, 1))!;
  const gone = (await session.get(Gone, 1))!;
  session.delete((await session.get(Hub, 1))!);
  await session.flush();
  assert.equal(plain.hubId, null);
  await session.rollback();
  assert.equal(plain.hubId, 1);
  assert.equal(inspect(gone).status, "persistent");
  assert.equal(await session.get(Gone, 1), gone);
});

/**
 * A collection holds each object once, and lets go of an object only when it leaves: a push
 * of a member adds nothing, a splice that puts an item back where it was (or moves it) keeps
 * it linked, and what a flush writes follows what the collection holds, on every database.
 */
import assert from "node:assert/strict";
import { type Collection, column, constraint, inspect, Model, relationship, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

class Box extends Model("cm_boxes", { id: column.integer().primaryKey() }) {
  static items = relationship(() => Item, { backPopulates: "box", cascade: "all, delete-orphan" });
  declare items: Collection<Item>;
  static tags = relationship(() => Tag, { secondary: () => BoxTag, backPopulates: "boxes" });
  declare tags: Collection<Tag>;
}

class Item extends Model("cm_items", {
  id: column.integer().primaryKey(),
  boxId: column.integer().nullable().references(() => Box.c.id),
}) {
  static box = relationship(() => Box, { backPopulates: "items" });
  declare box: Box | null;
}

class Tag extends Model("cm_tags", { id: column.integer().primaryKey() }) {
  static boxes = relationship(() => Box, { secondary: () => BoxTag, backPopulates: "tags" });
  declare boxes: Collection<Box>;
}

class BoxTag extends Model("cm_box_tags", {
  boxId: column.integer().references(() => Box.c.id),
  tagId: column.integer().references(() => Tag.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.boxId, c.tagId)] }) {}

const MODELS = [Box, Item, Tag, BoxTag];

dbTest("a collection keeps an item put back or pushed again, and writes nothing", async (db) => {
  const engine = db.engine();
  await engine.createAll(MODELS);
  const box = new Box({ id: 1 });
  const [a, b] = [new Item({ id: 1 }), new Item({ id: 2 })];
  const t = new Tag({ id: 1 });
  box.items.push(a, b);
  box.tags.push(t);
  await using session = engine.session();
  session.add(box);
  await session.commit();

  box.items.splice(0, 1, box.items[0]); // the same item back in its place
  assert.deepEqual(box.items.map((i) => i.id), [1, 2]);
  assert.equal(a.box, box);
  box.items.push(a); // a member: nothing is added
  assert.deepEqual(box.items.map((i) => i.id), [1, 2]);
  box.items.splice(1, 1, b, a); // b back, a held before the cut: it stays where it is
  assert.deepEqual(box.items.map((i) => i.id), [1, 2]);
  box.items.splice(0, 2, b, a); // both in the cut: they swap places, both stay linked
  assert.deepEqual(box.items.map((i) => i.id), [2, 1]);
  assert.equal(a.box, box);
  assert.equal(b.box, box);
  box.tags.splice(0, 1, t);
  assert.deepEqual(t.boxes, [box]);
  await session.commit();
  assert.equal(inspect(a).status, "persistent");
  const items = await engine.all<{ id: number; box_id: number }>(
    sql`SELECT id, box_id FROM cm_items ORDER BY id`,
  );
  assert.deepEqual(items.map((r) => [Number(r.id), Number(r.box_id)]), [[1, 1], [2, 1]]);
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM cm_box_tags`)), 1);

  // Taking an item out still lets go of it (here: an orphan, deleted).
  box.items.pop();
  assert.equal(a.box, null);
  await session.commit();
  assert.deepEqual(
    (await engine.all<{ id: number }>(sql`SELECT id FROM cm_items`)).map((r) => Number(r.id)),
    [2],
  );
});

class Owner extends Model("cm_owners", { id: column.integer().primaryKey() }) {
  static pets = relationship(() => Pet, { backPopulates: "owner" });
  declare pets: Collection<Pet>;
}

class Pet extends Model("cm_pets", {
  id: column.integer().primaryKey(),
  ownerId: column.integer().nullable().references(() => Owner.c.id),
}) {
  static owner = relationship(() => Owner, { backPopulates: "pets" });
  declare owner: Owner | null;
}

dbTest(
  "a child's foreign key set by hand survives a change to its old parent's list",
  async (db) => {
    const engine = db.engine();
    await engine.createAll([Owner, Pet]);
    const [o1, o2] = [new Owner({ id: 1 }), new Owner({ id: 2 })];
    const p1 = new Pet({ id: 1 });
    o1.pets.push(p1);
    await using session = engine.session();
    session.addAll([o1, o2]);
    await session.commit();
    p1.ownerId = 2; // by hand, not through the relationship
    o1.pets.push(new Pet({ id: 2 })); // the old parent's collection changes in the same flush
    await session.commit();
    assert.equal(p1.ownerId, 2);
    const rows = await engine.all<{ id: number; owner_id: number }>(
      sql`SELECT id, owner_id FROM cm_pets ORDER BY id`,
    );
    assert.deepEqual(rows.map((r) => [Number(r.id), Number(r.owner_id)]), [[1, 2], [2, 1]]);
  },
);

dbTest("an item taken out by index assignment lets go of its parent at the flush", async (db) => {
  const engine = db.engine();
  await engine.createAll([Owner, Pet]);
  const o = new Owner({ id: 1 });
  const [p1, p2] = [new Pet({ id: 1 }), new Pet({ id: 2 })];
  o.pets.push(p1);
  await using session = engine.session();
  session.add(o);
  session.add(p2);
  await session.commit();
  o.pets[0] = p2; // index assignment: reconciled at the flush
  await session.flush();
  assert.equal(p1.ownerId, null);
  assert.equal(p1.owner, null, "its reference goes with the foreign key");
  p1.owner = o; // and setting it again links it again
  assert.ok(o.pets.includes(p1));
  await session.commit();
  const rows = await engine.all<{ id: number; owner_id: number }>(
    sql`SELECT id, owner_id FROM cm_pets ORDER BY id`,
  );
  assert.deepEqual(rows.map((r) => [Number(r.id), Number(r.owner_id)]), [[1, 1], [2, 1]]);
});

dbTest(
  "a new object taking over a deleted one's row links its own pairs, even the same",
  async (db) => {
    const engine = db.engine();
    await engine.createAll(MODELS);
    await using session = engine.session();
    const [t1, t2] = [new Tag({ id: 1 }), new Tag({ id: 2 })];
    const old = new Box({ id: 1 });
    old.tags.push(t1, t2);
    session.add(old);
    await session.commit();
    await session.load(old, "tags");
    session.delete(old);
    const next = new Box({ id: 1 });
    next.tags.push(t1); // the pair (1, 1) the old box held
    session.add(next);
    await session.commit();
    const pairs = await engine.all<{ box_id: number; tag_id: number }>(
      sql`SELECT box_id, tag_id FROM cm_box_tags ORDER BY tag_id`,
    );
    assert.deepEqual(pairs.map((r) => [Number(r.box_id), Number(r.tag_id)]), [[1, 1]]);
    assert.equal(inspect(next).status, "persistent");
    assert.deepEqual((await session.get(Box, 1))!.tags.map((t) => t.id), [1]);
  },
);

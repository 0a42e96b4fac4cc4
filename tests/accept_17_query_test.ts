/**
 * Acceptance of ORM bulk writes, relationship filters, loader criteria and the session's
 * query helpers, written from the text.
 */
import assert from "node:assert/strict";
import {
  and,
  column,
  constraint,
  deleteFrom,
  desc,
  eq,
  exists,
  fn,
  gt,
  insert,
  inspect,
  isNull,
  joined,
  loaderCriteria,
  Model,
  not,
  NotLoadedError,
  relationship,
  select,
  selectin,
  sql,
  update,
  withoutCriteria,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class Shop extends Model("a17q_shops", {
  id: column.integer().primaryKey(),
  name: column.text(),
  closedAt: column.timestamp().nullable(),
}) {
  static criteria = (t: { readonly c: typeof Shop.c }) => isNull(t.c.closedAt);
  static items = relationship(() => Item, { backPopulates: "shop" });
  declare items: Item[];
}

class Item extends Model("a17q_items", {
  id: column.integer().primaryKey(),
  shopId: column.integer().references(() => Shop.c.id),
  name: column.text(),
  price: column.integer(),
  hidden: column.boolean().default(false),
  note: column.text().default("none"),
}) {
  static shop = relationship(() => Shop, { backPopulates: "items" });
  declare shop: Shop;
  static labels = relationship(() => Label, { secondary: () => ItemLabel });
  declare labels: Label[];
}

class Label extends Model("a17q_labels", {
  id: column.integer().primaryKey(),
  text: column.text(),
}) {}

class ItemLabel extends Model("a17q_item_labels", {
  itemId: column.integer().references(() => Item.c.id),
  labelId: column.integer().references(() => Label.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.itemId, c.labelId)] }) {}

const models = [Shop, Item, Label, ItemLabel];

async function open(db: Db) {
  const engine = db.engine();
  await engine.createAll(models);
  await using s = engine.session();
  s.addAll([
    new Shop({ id: 1, name: "open" }),
    new Shop({ id: 2, name: "closed", closedAt: new Date("2020-01-01T00:00:00Z") }),
    new Shop({ id: 3, name: "empty" }),
  ]);
  const red = new Label({ id: 1, text: "red" });
  const big = new Label({ id: 2, text: "big" });
  const a = new Item({ shopId: 1, name: "a", price: 5 });
  const b = new Item({ shopId: 1, name: "b", price: 50, hidden: true });
  const c = new Item({ shopId: 2, name: "c", price: 7 });
  a.labels.push(red, big);
  c.labels.push(red);
  s.addAll([a, b, c]);
  await s.commit();
  return engine;
}

const hideHidden = loaderCriteria(Item, (t) => eq(t.c.hidden, false));

dbTest("bulk update keeps held objects in sync: evaluate, fetch, false", async (db) => {
  const engine = await open(db);
  await using s = engine.session({ criteria: [] });
  const items = await s.all(select(Item).orderBy(Item.c.id));
  const [a, b, c] = items;
  await s.execute(update(Item).where(gt(Item.c.price, 6)).set({ name: "pricey" }));
  assert.deepEqual(items.map((i) => i.name), ["a", "pricey", "pricey"]);
  assert.equal(s.isModified(b), false); // taken as loaded, not a change
  await s.execute(update(Item).where(sql`${Item.c.price} < 6`).set({ price: 6 }), {
    synchronize: "fetch",
  });
  assert.equal(a.price, 6);
  await s.execute(update(Item).where(eq(Item.c.id, 3)).set({ name: "stale" }), {
    synchronize: false,
  });
  assert.equal(c.name, "pricey");
  // A SET of SQL expires the column: the next load fills it.
  await s.execute(update(Item).set({ price: sql`${Item.c.price} + 1` }));
  assert.throws(() => a.price, NotLoadedError);
  await s.all(select(Item));
  assert.deepEqual(items.map((i) => i.price), [7, 51, 8]);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT name FROM ${Item} WHERE id = 3`), "stale");
});

dbTest("bulk delete: held objects become deleted; rollback brings them back", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  const items = await s.all(select(Item).options(withoutCriteria()).orderBy(Item.c.id));
  await s.execute(deleteFrom(ItemLabel));
  const r = await s.execute(deleteFrom(Item).where(gt(Item.c.price, 6)));
  assert.equal(r.rowsAffected, 2);
  assert.deepEqual(items.map((i) => inspect(i).status), ["persistent", "deleted", "deleted"]);
  assert.equal(await s.get(Item, 2), null);
  await s.rollback();
  assert.equal(inspect(items[1]).status, "persistent");
  assert.equal((await s.get(Item, 2))?.name, "b");
});

dbTest("bulk insert through a mapped class applies defaults and returns keys", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  const r = await s.execute(
    insert(Item).values([
      { shopId: 3, name: "x", price: 1 },
      { shopId: 3, name: "y", price: 2, note: "given" },
    ]).returning(Item.c.id, Item.c.note, Item.c.hidden),
  );
  assert.equal(r.rows.length, 2);
  const rows = r.rows as { id: number; note: string; hidden: boolean }[];
  assert(rows.every((x) => typeof x.id === "number" && x.id > 3), JSON.stringify(rows));
  assert.deepEqual(rows.map((x) => [x.note, x.hidden]), [["none", false], ["given", false]]);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Item} WHERE shop_id = 3`), 2);
});

dbTest("any() and has() filter along relationships, many-to-many included", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  const names = (xs: { name: string }[]) => xs.map((x) => x.name).sort();
  const q = (w: Parameters<typeof not>[0]) =>
    s.all(select(Shop).where(w).options(withoutCriteria()));
  assert.deepEqual(names(await q(Shop.items.any())), ["closed", "open"]);
  assert.deepEqual(names(await q(not(Shop.items.any()))), ["empty"]);
  assert.deepEqual(names(await q(Shop.items.any(gt(Item.c.price, 10)))), ["open"]);
  assert.deepEqual(
    names(await q(and(Shop.items.any(), eq(Shop.c.name, "closed")))),
    ["closed"],
  );
  const viaShop = await s.all(select(Item).where(Item.shop.has(eq(Shop.c.name, "open"))));
  assert.deepEqual(names(viaShop), ["a", "b"]);
  const red = await s.all(select(Item).where(Item.labels.any(eq(Label.c.text, "red"))));
  assert.deepEqual(names(red), ["a", "c"]);
  const unlabeled = await s.all(select(Item).where(not(Item.labels.any())));
  assert.deepEqual(names(unlabeled), ["b"]);
  // In a Core select of columns too.
  const ids = await s.scalars(select(Item.c.id).where(Item.shop.has()).orderBy(Item.c.id));
  assert.deepEqual(ids, [1, 2, 3]);
});

dbTest("joined() loads a many-to-many in the same query", async (db) => {
  const engine = await open(db);
  await using s = engine.session();
  const items = await s.all(select(Item).options(joined("labels")).orderBy(Item.c.id));
  assert.deepEqual(items.map((i) => i.labels.map((l) => l.text).sort()), [
    ["big", "red"],
    [],
    ["red"],
  ]);
  // One label, one object, across parents.
  assert.equal(items[0].labels.find((l) => l.text === "red"), items[2].labels[0]);
  s.expungeAll();
  const [withBoth] = await s.all(
    select(Shop).where(eq(Shop.c.id, 1)).options(joined("items", joined("labels"))),
  );
  assert.equal(withBoth.items.length, 2);
});

dbTest(
  "class criteria apply to selects, get and relationship loads; lifted per query",
  async (db) => {
    const engine = await open(db);
    await using s = engine.session();
    assert.deepEqual((await s.all(select(Shop))).map((x) => x.id).sort(), [1, 3]);
    assert.equal(await s.get(Shop, 2), null);
    assert.equal((await s.all(select(Shop).options(withoutCriteria()))).length, 3);
    // Many-to-one loads of a closed shop: not found.
    for (const how of ["selectin", "joined", "load"] as const) {
      s.expungeAll();
      let c;
      if (how === "load") {
        c = (await s.get(Item, 3))!;
        await s.load(c, "shop");
      } else {
        const opt = how === "selectin" ? selectin("shop") : joined("shop");
        [c] = await s.all(select(Item).where(eq(Item.c.id, 3)).options(opt));
      }
      assert.equal(c.shop, null, how);
    }
    s.expungeAll();
    const [lifted] = await s.all(
      select(Item).where(eq(Item.c.id, 3)).options(selectin("shop"), withoutCriteria()),
    );
    assert.equal(lifted.shop.name, "closed");
  },
);

dbTest("session criteria apply to relationship loads and streams", async (db) => {
  const engine = await open(db);
  await using s = engine.session({ criteria: [hideHidden] });
  for (const how of ["selectin", "joined", "load"] as const) {
    s.expungeAll();
    let shop;
    if (how === "load") {
      shop = (await s.get(Shop, 1))!;
      await s.load(shop, "items");
    } else {
      const opt = how === "selectin" ? selectin("items") : joined("items");
      [shop] = await s.all(select(Shop).where(eq(Shop.c.id, 1)).options(opt));
    }
    assert.deepEqual(shop.items.map((i) => i.name), ["a"], how);
  }
  const streamed: string[] = [];
  for await (const i of s.stream(select(Item))) streamed.push(i.name);
  assert.deepEqual(streamed.sort(), ["a", "c"]);
  s.expungeAll();
  const [all] = await s.all(
    select(Shop).where(eq(Shop.c.id, 1)).options(selectin("items"), withoutCriteria()),
  );
  assert.equal(all.items.length, 2);
  // Added later, per session.
  await s.rollback();
  await using t = engine.session();
  assert.equal((await t.all(select(Item))).length, 3);
  t.addCriteria(hideHidden);
  assert.equal((await t.all(select(Item))).length, 2);
});

dbTest(
  "scalar, scalars, expire, refresh, isModified and the new/dirty/deleted views",
  async (db) => {
    const engine = await open(db);
    await using s = engine.session();
    assert.equal(await s.scalar(select({ n: fn.count() }).from(Item)), 3);
    assert.equal(await s.scalar(select(Item.c.name).where(eq(Item.c.id, 99))), null);
    assert.deepEqual(await s.scalars(select(Item.c.id).orderBy(Item.c.id)), [1, 2, 3]);
    const objs = await s.scalars(select(Item).orderBy(Item.c.id));
    assert(objs[0] instanceof Item);
    const [a, b] = objs;
    assert.equal(s.isModified(a), false);
    a.name = "changed";
    assert(s.isModified(a));
    assert(s.dirty.has(a) && !s.dirty.has(b));
    s.expire(a, ["name"]);
    assert.equal(s.isModified(a), false);
    assert.throws(() => a.name, NotLoadedError);
    assert.equal(a.price, 5); // only the named attribute
    await s.refresh(a, ["name"]);
    assert.equal(a.name, "a");
    await s.execute(sql`UPDATE a17q_items SET price = 100 WHERE id = 1`);
    assert.equal(a.price, 5);
    await s.refresh(a);
    assert.equal(a.price, 100);
    s.expireAll();
    assert.throws(() => b.name, NotLoadedError);
    await s.all(select(Item));
    assert.equal(b.name, "b");
    const n = new Item({ shopId: 3, name: "n", price: 1 });
    s.add(n);
    s.delete(b);
    assert.deepEqual([...s.new], [n]);
    assert.deepEqual([...s.deleted], [b]);
    assert.equal(s.new.size, 1);
    assert.throws(() => (s.new as unknown as Set<object>).add(a));
    await s.execute(deleteFrom(ItemLabel));
    await s.flush();
    assert.equal(s.new.size, 0);
    assert.equal(s.deleted.size, 0);
    await s.commit();
  },
);

dbTest("window functions and exists() in the builder", async (db) => {
  const engine = await open(db);
  const rows = await engine.all(
    select({
      id: Item.c.id,
      rank: fn.rank().over({ partitionBy: Item.c.shopId, orderBy: desc(Item.c.price) }),
      shopTotal: fn.sum(Item.c.price).over({ partitionBy: Item.c.shopId }),
      running: fn.sum(Item.c.price).over({ orderBy: Item.c.id }),
    }).orderBy(Item.c.id),
  );
  assert.deepEqual(rows.map((r) => [r.id, r.rank, r.shopTotal, r.running]), [
    [1, 2, 55, 5],
    [2, 1, 55, 55],
    [3, 1, 7, 62],
  ]);
  const withItems = await engine.all(
    select(Shop.c.name).where(exists(select(Item.c.id).where(eq(Item.c.shopId, Shop.c.id))))
      .orderBy(Shop.c.id),
  );
  assert.deepEqual(withItems.map((r) => r.name), ["open", "closed"]);
  // An exists() as a selected value.
  const flag = await engine.one(
    select({ any: exists(select(Item.c.id).where(gt(Item.c.price, 40))) }),
  );
  assert.equal(Boolean(flag.any), true);
  await using s = engine.session();
  const shops = await s.all(
    select(Shop).where(exists(select(Item.c.id).where(eq(Item.c.shopId, Shop.c.id)))),
  );
  assert.deepEqual(shops.map((x) => x.id), [1]);
});

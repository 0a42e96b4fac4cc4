/**
 * A session's loader criteria on a class of a hierarchy apply to its subclasses' loads too
 * (select, get, selectin and joined), as SQLAlchemy's with_loader_criteria on a base class.
 */
import assert from "node:assert/strict";
import {
  column,
  eq,
  joined,
  loaderCriteria,
  Model,
  not,
  relationship,
  select,
  selectin,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Shop extends Model("ci_shops", { id: column.integer().primaryKey() }) {
  static clerks = relationship(() => Clerk, { direction: "one-to-many" });
  declare clerks: Clerk[];
}

class Person extends Model("ci_people", {
  id: column.integer().primaryKey(),
  kind: column.text().default("person"),
  name: column.text(),
  shopId: column.integer().nullable().references(() => Shop.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "person" }) {}
class Clerk extends Person.subclass("clerk", {}) {}

dbTest("criteria on a class apply to its subclasses' loads", async (db) => {
  const engine = db.engine();
  await engine.createAll([Shop, Person]);
  {
    await using s = engine.session();
    s.add(new Shop({ id: 1 }));
    s.addAll([
      new Clerk({ id: 1, name: "kept", shopId: 1 }),
      new Clerk({ id: 2, name: "hidden", shopId: 1 }),
      new Person({ id: 3, name: "hidden" }),
    ]);
    await s.commit();
  }
  await using session = engine.session({
    criteria: [loaderCriteria(Person, (t) => not(eq(t.c.name, "hidden")))],
  });
  assert.deepEqual((await session.all(select(Person))).map((p) => p.id), [1]);
  assert.deepEqual((await session.all(select(Clerk))).map((p) => p.id), [1]);
  assert.equal(await session.get(Clerk, 2), null);
  const [shop] = await session.all(select(Shop).options(selectin("clerks")));
  assert.deepEqual(shop.clerks.map((c) => c.id), [1]);
  session.expungeAll();
  const [again] = await session.all(select(Shop).options(joined("clerks")));
  assert.deepEqual(again.clerks.map((c) => c.id), [1]);
});

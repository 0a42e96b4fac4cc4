/**
 * A many-to-one to a single-table subclass answers from the identity map only with an object
 * of that class: a held object of another class of the hierarchy is no match, as the select
 * of the subclass would say.
 */
import assert from "node:assert/strict";
import { column, Model, relationship, select, selectin } from "../mod.ts";
import { dbTest } from "./_db.ts";

class Staff extends Model("sc_staff", {
  id: column.integer().primaryKey(),
  kind: column.text().default("staff"),
  mentorId: column.integer().nullable().references((t) => t.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {
  static mentor = relationship(() => Boss, { direction: "many-to-one" });
  declare mentor: Boss | null;
}
class Boss extends Staff.subclass("boss", {}) {}
class Hand extends Staff.subclass("hand", {}) {}

dbTest("a held object of another class is no many-to-one match for a subclass", async (db) => {
  const engine = db.engine();
  await engine.createAll([Staff]);
  {
    await using s = engine.session();
    s.addAll([new Hand({ id: 1 }), new Boss({ id: 3 })]);
    await s.commit();
    s.addAll([new Hand({ id: 2, mentorId: 1 }), new Hand({ id: 4, mentorId: 3 })]);
    await s.commit();
  }
  await using session = engine.session();
  const hands = await session.all(
    select(Hand).orderBy(Staff.c.id).options(selectin("mentor")),
  );
  assert.deepEqual(hands.map((h) => h.id), [1, 2, 4]);
  assert.deepEqual(hands.map((h) => h.mentor?.id ?? null), [null, null, 3]);
  assert.ok(hands[2].mentor instanceof Boss);
  session.expungeAll();
  const [, two] = await session.all(select(Hand).orderBy(Staff.c.id)); // row 1 held, a Hand
  await session.load(two, "mentor");
  assert.equal(two.mentor, null);
});

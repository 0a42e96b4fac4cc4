/**
 * A new object's nullable column it was not given reads `null`, as the row will hold it
 * (SQLAlchemy's `None`), where nothing fills it at the INSERT; a column a default, a server
 * default or the database fills reads `undefined` until the flush. Unset is not a value: a
 * merge of a new object does not overwrite the row's value with it.
 */
import assert from "node:assert/strict";
import { column, Model, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

class Person extends Model("us_people", {
  id: column.integer().primaryKey(),
  name: column.text(),
  nick: column.text().nullable(),
  city: column.text().nullable().default("Oslo"),
  since: column.text().nullable().serverDefault(sql`'then'`),
  kind: column.text().default("person"),
}, { polymorphicOn: "kind", polymorphicIdentity: "person" }) {}

class Member extends Person.subclass("member", { club: column.text().nullable() }, {
  table: "us_members",
}) {}

dbTest("an unset nullable column reads null; one a default fills reads undefined", async (db) => {
  const engine = db.engine();
  await engine.createAll([Person, Member]);
  const p = new Person({ name: "ann" });
  assert.equal(p.nick, null);
  assert.equal(p.city, undefined, "the default fills it at the INSERT");
  assert.equal(p.since, undefined, "the database fills it");
  assert.deepEqual(JSON.parse(JSON.stringify(p)), { name: "ann", nick: null, kind: "person" });
  const m = new Member({ name: "bo" });
  assert.equal(m.club, null);
  assert.equal(m.nick, null);

  await using session = engine.session();
  session.addAll([p, m]);
  await session.commit();
  assert.deepEqual([p.nick, p.city, p.since], [null, "Oslo", "then"]);
  assert.equal(m.club, null);

  // A merge of a new object with the same key leaves the columns it was not given as they are.
  await engine.execute(sql`UPDATE us_people SET nick = 'a' WHERE id = ${p.id}`, "run");
  session.expireAll();
  const merged = await session.merge(new Person({ id: p.id, name: "ann2" }));
  assert.equal(merged, p);
  await session.commit();
  const row = await engine.one<{ name: string; nick: string | null }>(
    sql`SELECT name, nick FROM us_people WHERE id = ${p.id}`,
  );
  assert.deepEqual({ ...row }, { name: "ann2", nick: "a" });
});

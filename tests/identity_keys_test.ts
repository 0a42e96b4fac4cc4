/**
 * Identity keys compare as the database compares them, by each key column's type: a uuid in
 * either case, a decimal by its value at the column's scale, a date by its day; for the
 * identity map, `get`, `merge` and relationship loads by foreign key. Bulk writes evaluated in
 * memory compare dates by day and NaN as PostgreSQL does, so no held object is left stale.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  constraint,
  eq,
  ge,
  gt,
  inList,
  inspect,
  lt,
  Model,
  ne,
  relationship,
  select,
  selectin,
  update,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const UP = "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11";
const LOW = UP.toLowerCase();

class IkThing extends Model("ik_things", {
  id: column.uuid().primaryKey(),
  name: column.text(),
}) {}

class IkPrice extends Model("ik_prices", {
  amount: column.numeric(10, 2).primaryKey(),
  label: column.text(),
}) {}

class IkDay extends Model("ik_days", {
  day: column.date().primaryKey(),
  note: column.text(),
}) {}

class IkSlot extends Model("ik_slots", {
  day: column.date(),
  room: column.uuid(),
  note: column.text(),
}, { constraints: (c) => [constraint.primaryKey(c.day, c.room)] }) {}

class IkOwner extends Model("ik_owners", {
  id: column.uuid().primaryKey(),
  name: column.text(),
}) {
  static pets = relationship(() => IkPet, { backPopulates: "owner" });
  declare pets: IkPet[];
  static clubs = relationship(() => IkClub, { secondary: () => IkMember });
  declare clubs: IkClub[];
}

class IkPet extends Model("ik_pets", {
  id: column.integer().primaryKey(),
  ownerId: column.uuid().references(() => IkOwner.c.id),
}) {
  static owner = relationship(() => IkOwner, { backPopulates: "pets" });
  declare owner: IkOwner | null;
}

class IkClub extends Model("ik_clubs", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

class IkMember extends Model("ik_members", {
  ownerId: column.uuid().references(() => IkOwner.c.id),
  clubId: column.integer().references(() => IkClub.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.ownerId, c.clubId)] }) {}

class IkEv extends Model("ik_ev", {
  id: column.integer().primaryKey(),
  day: column.date(),
  score: column.double(),
  status: column.text(),
}) {}

dbTest("a uuid key in upper case is one object with its lower-case row", async (db) => {
  const engine = db.engine();
  await engine.createAll([IkThing]);
  {
    await using s = engine.session();
    const t = new IkThing({ id: UP, name: "x" });
    s.add(t);
    await s.commit();
    const [loaded] = await s.all(select(IkThing));
    assert.equal(loaded, t);
    assert.equal(await s.get(IkThing, UP), t);
    assert.equal(await s.get(IkThing, LOW), t);
    const [byWhere] = await s.all(select(IkThing).where(eq(IkThing.c.id, LOW)));
    assert.equal(byWhere, t);
    t.name = "edited";
    await s.commit(); // one object: one UPDATE, no StaleDataError
  }
  {
    await using s = engine.session();
    const a = await s.get(IkThing, UP);
    assert.ok(a !== null);
    assert.equal(a.id, LOW);
    assert.equal(a.name, "edited");
    assert.equal(await s.get(IkThing, LOW), a);
    const [b] = await s.all(select(IkThing).where(eq(IkThing.c.id, UP)));
    assert.equal(b, a);
  }
  {
    await using first = engine.session();
    const detached = (await first.get(IkThing, LOW))!;
    await first.close();
    const upper = new IkThing({ id: UP, name: "merged" });
    await using s = engine.session();
    const own = (await s.get(IkThing, UP))!;
    assert.equal(own, await s.get(IkThing, LOW));
    assert.equal(await s.merge(upper), own);
    assert.equal(own.name, "merged");
    assert.equal(await s.merge(detached), own);
    await s.commit();
    assert.equal(await s.scalar(select(IkThing.c.name)), "edited");
  }
});

dbTest("a numeric key is one object whichever way its decimal is written", async (db) => {
  const engine = db.engine();
  await engine.createAll([IkPrice]);
  {
    await using s = engine.session();
    const p = new IkPrice({ amount: "1.5", label: "x" });
    s.add(p);
    await s.commit();
    const [loaded] = await s.all(select(IkPrice));
    assert.equal(loaded, p);
    for (const key of ["1.5", "1.50", "01.50", "+1.500", 1.5]) {
      assert.equal(await s.get(IkPrice, key as string), p, `get(${key})`);
    }
    p.label = "edited";
    await s.commit();
  }
  {
    await using s = engine.session();
    const a = (await s.get(IkPrice, "1.5"))!;
    assert.equal(a.amount, "1.50");
    assert.equal(a.label, "edited");
    assert.equal(await s.get(IkPrice, "1.50"), a);
    const [b] = await s.all(select(IkPrice));
    assert.equal(b, a);
    assert.equal(await s.get(IkPrice, "1.51"), null);
  }
});

dbTest("a date key is one object for any time of its day", async (db) => {
  const engine = db.engine();
  await engine.createAll([IkDay, IkSlot]);
  await using s = engine.session();
  const d = new IkDay({ day: new Date("2024-03-01T12:00:00Z"), note: "x" });
  const slot = new IkSlot({ day: new Date("2024-03-01T18:30:00Z"), room: UP, note: "x" });
  s.addAll([d, slot]);
  await s.commit();
  const [loaded] = await s.all(select(IkDay));
  assert.equal(loaded, d);
  assert.equal(await s.get(IkDay, new Date("2024-03-01T00:00:00Z")), d);
  assert.equal(await s.get(IkDay, new Date("2024-03-01T23:59:59.999Z")), d);
  assert.equal(await s.get(IkDay, new Date("2024-03-02T00:00:00Z")), null);
  const [loadedSlot] = await s.all(select(IkSlot));
  assert.equal(loadedSlot, slot, "a composite key compares part by part, each by its type");
  assert.equal(await s.get(IkSlot, [new Date("2024-03-01T00:00:00Z"), LOW]), slot);
  d.note = "edited";
  slot.note = "edited";
  await s.commit();
  await using fresh = engine.session();
  const got = (await fresh.get(IkDay, new Date("2024-03-01T20:00:00Z")))!;
  assert.equal(got.note, "edited");
  assert.equal(got.day.toISOString(), "2024-03-01T00:00:00.000Z");
  assert.equal((await fresh.get(IkSlot, [new Date("2024-03-01T01:00:00Z"), UP]))!.note, "edited");
});

dbTest("relationships load by a uuid foreign key written in either case", async (db) => {
  const engine = db.engine();
  await engine.createAll([IkOwner, IkPet, IkClub, IkMember]);
  {
    await using s = engine.session();
    s.add(new IkOwner({ id: LOW, name: "ann" }));
    await s.commit();
  }
  {
    // The many-to-one, loaded for a foreign key held in upper case.
    await using s = engine.session();
    const p = new IkPet({ id: 1, ownerId: UP });
    s.add(p);
    await s.commit();
    await s.load(p, "owner");
    assert.equal(p.owner?.name, "ann");
    assert.equal(p.owner, await s.get(IkOwner, LOW));
  }
  {
    // Resolved from the identity map, with no query.
    await using s = engine.session();
    const o = (await s.get(IkOwner, LOW))!;
    const p = new IkPet({ id: 2, ownerId: UP });
    s.add(p);
    await s.commit();
    assert.equal(p.owner, o);
  }
  {
    // The one-to-many and the many-to-many, for an owner whose key is held in upper case.
    await using s = engine.session();
    const o = new IkOwner({ id: UP.replace("A0EE", "B0EE"), name: "bob" });
    s.addAll([o, new IkClub({ id: 1, name: "chess" })]);
    await s.flush();
    s.addAll([
      new IkPet({ id: 3, ownerId: o.id.toLowerCase() }),
      new IkMember({ ownerId: o.id.toLowerCase(), clubId: 1 }),
    ]);
    await s.commit();
    const owners = await s.all(
      select(IkOwner).where(eq(IkOwner.c.name, "bob")).options(selectin("pets"), selectin("clubs")),
    );
    assert.equal(owners[0], o);
    assert.deepEqual(o.pets.map((pet) => pet.id), [3]);
    assert.deepEqual(o.clubs.map((club) => club.name), ["chess"]);
    const [pet] = await s.all(select(IkPet).where(eq(IkPet.c.id, 3)).options(selectin("owner")));
    assert.equal(pet.owner, o);
  }
  {
    await using s = engine.session();
    const [o] = await s.all(
      select(IkOwner).where(eq(IkOwner.c.name, "ann")).options(selectin("pets")),
    );
    assert.deepEqual(o.pets.map((pet) => pet.id).sort(), [1, 2]);
  }
});

async function seededEvents(db: Parameters<Parameters<typeof dbTest>[1]>[0]) {
  const engine = db.engine();
  await engine.createAll([IkEv]);
  {
    await using s = engine.session();
    s.addAll([
      new IkEv({ id: 1, day: new Date("2024-03-01T00:00:00Z"), score: 1, status: "new" }),
      new IkEv({ id: 2, day: new Date("2024-03-02T09:00:00Z"), score: 2, status: "new" }),
      new IkEv({ id: 3, day: new Date("2024-03-03T00:00:00Z"), score: 3, status: "new" }),
    ]);
    await s.commit();
  }
  return engine;
}

dbTest("evaluated bulk updates compare a date column by its day", async (db) => {
  const engine = await seededEvents(db);
  const at = (iso: string) => new Date(iso);
  const cases = [
    eq(IkEv.c.day, at("2024-03-01T15:00:00Z")),
    ne(IkEv.c.day, at("2024-03-02T23:00:00Z")),
    lt(IkEv.c.day, at("2024-03-02T12:00:00Z")),
    ge(IkEv.c.day, at("2024-03-02T12:00:00Z")),
    gt(IkEv.c.day, at("2024-03-01T06:00:00Z")),
    inList(IkEv.c.day, [at("2024-03-02T01:00:00Z"), at("2024-03-03T22:00:00Z")]),
  ];
  for (let k = 0; k < cases.length; k++) {
    await using s = engine.session();
    const evs = await s.all(select(IkEv).orderBy(IkEv.c.id));
    const status = `c${k}`;
    await s.execute(update(IkEv).where(cases[k]).set({ status }), { synchronize: "evaluate" });
    const inMemory = evs.filter((e) => e.status === status).map((e) => e.id);
    const rows = await s.execute(select(IkEv.c.id).where(eq(IkEv.c.status, status)));
    const inDb = rows.rows.map((r) => r.id).sort();
    assert.ok(inDb.length > 0, `case ${k} matches rows`);
    assert.deepEqual(inMemory, inDb, `case ${k}`);
    assert.equal(s.dirty.size, 0);
    await s.commit();
    assert.deepEqual(evs.filter((e) => e.status === status).map((e) => e.id), inDb);
  }
});

dbTest("evaluated bulk updates compare NaN as the database does", async (db) => {
  const engine = await seededEvents(db);
  await using s = engine.session();
  const evs = await s.all(select(IkEv).orderBy(IkEv.c.id));
  if (db.dialect === "sqlite") {
    // SQLite stores no NaN: the statement is refused at bind, and the objects are left alone.
    await assert.rejects(
      s.execute(update(IkEv).where(eq(IkEv.c.score, NaN)).set({ status: "nan" })),
      ArgumentError,
    );
    assert.deepEqual(evs.map((e) => e.status), ["new", "new", "new"]);
    return;
  }
  evs[1].score = NaN;
  await s.commit();
  const cases = [
    gt(IkEv.c.score, 100),
    eq(IkEv.c.score, NaN),
    ge(IkEv.c.score, NaN),
    lt(IkEv.c.score, NaN),
    ne(IkEv.c.score, NaN),
    inList(IkEv.c.score, [NaN, 3]),
    lt(IkEv.c.score, 2.5),
  ];
  for (let k = 0; k < cases.length; k++) {
    const status = `n${k}`;
    await s.execute(update(IkEv).where(cases[k]).set({ status }), { synchronize: "evaluate" });
    const inMemory = evs.filter((e) => e.status === status).map((e) => e.id);
    const rows = await s.execute(select(IkEv.c.id).where(eq(IkEv.c.status, status)));
    const inDb = rows.rows.map((r) => r.id).sort();
    assert.deepEqual(inMemory, inDb, `case ${k}`);
    assert.equal(inspect(evs[1]).modified.length, 0);
  }
  await s.commit();
  await using fresh = engine.session();
  const again = await fresh.all(select(IkEv).orderBy(IkEv.c.id));
  assert.deepEqual(again.map((e) => e.status), evs.map((e) => e.status));
});

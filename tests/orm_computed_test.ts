/**
 * Computed attributes: SQL expressions loaded with the row (`column.expression`) and stored
 * generated columns (`.generatedAs`): loaded, queried, refused on assignment, never written,
 * read back after a flush, and left out of (or rendered in) the DDL.
 */
import assert from "node:assert/strict";
import {
  column,
  compile,
  desc,
  eq,
  type Fragment,
  gt,
  insert,
  InvalidRequestError,
  joined,
  Model,
  relationship,
  select,
  sql,
  sqliteDialect,
  types,
  update,
} from "../mod.ts";
import { diffSchemas, reflect, snapshot } from "../migrate.ts";
import { dbTest, statementLog } from "./_db.ts";

class Person extends Model("cp_people", {
  id: column.integer().primaryKey(),
  first: column.text(),
  last: column.text(),
  fullName: column.expression((t): Fragment => sql`${t.c.first} || ' ' || ${t.c.last}`, types.text),
  postCount: column.expression(
    (t): Fragment =>
      sql`(SELECT CAST(count(*) AS INTEGER) FROM ${Note} WHERE ${Note.c.personId} = ${t.c.id})`,
    types.integer,
  ),
}) {
  static notes = relationship(() => Note, { backPopulates: "person" });
  declare notes: Note[];
}

class Note extends Model("cp_notes", {
  id: column.integer().primaryKey(),
  personId: column.integer().references(() => Person.c.id),
  body: column.text(),
}) {
  static person = relationship(() => Person, { backPopulates: "notes" });
  declare person: Person;
}

class Item extends Model("cp_items", {
  id: column.integer().primaryKey(),
  price: column.integer(),
  quantity: column.integer(),
  total: column.integer().generatedAs(sql`price * quantity`),
}) {}

const models = [Person, Note, Item];

// Type-level: computed attributes are readonly and not constructor arguments.
// @ts-expect-error: fullName is not given to the constructor
(() => new Person({ first: "a", last: "b", fullName: "x" }));
// @ts-expect-error: fullName is readonly
((p: Person) => (p.fullName = "x"));

dbTest("an expression attribute loads with the row and serves in where and orderBy", async (db) => {
  const engine = db.engine();
  await engine.dropAll(models);
  await engine.createAll(models);
  {
    await using session = engine.session();
    const ada = new Person({ first: "Ada", last: "Lovelace" });
    const alan = new Person({ first: "Alan", last: "Turing" });
    session.add(ada);
    session.add(alan);
    for (const body of ["n1", "n2"]) {
      const n = new Note({ body });
      n.person = ada;
      session.add(n);
    }
    await session.commit();
    // Read back by RETURNING at insert (the subquery ran before the notes were inserted).
    assert.equal(ada.fullName, "Ada Lovelace");
  }
  await using session = engine.session();
  const people = await session.all(select(Person).orderBy(desc(Person.c.fullName)));
  assert.deepEqual(people.map((p) => [p.fullName, p.postCount]), [
    ["Alan Turing", 0],
    ["Ada Lovelace", 2],
  ]);
  const found = await session.all(select(Person).where(eq(Person.c.fullName, "Ada Lovelace")));
  assert.equal(found.length, 1);
  assert.equal(found[0].first, "Ada");
  const busy = await session.all(select(Person).where(gt(Person.c.postCount, 1)));
  assert.deepEqual(busy.map((p) => p.first), ["Ada"]);
});

dbTest("session.get loads it; refresh and a flush update it; assignment is refused", async (db) => {
  const engine = db.engine();
  await engine.dropAll(models);
  await engine.createAll(models);
  await using session = engine.session();
  const p = new Person({ first: "Grace", last: "Hopper" });
  assert.throws(
    () => new Person({ first: "a", last: "b", fullName: "x" } as never),
    (e: unknown) =>
      e instanceof InvalidRequestError && /Person\.fullName is read-only/.test(e.message),
  );
  session.add(p);
  await session.flush();
  assert.equal(p.fullName, "Grace Hopper");
  assert.throws(() => ((p as { fullName: string }).fullName = "x"), InvalidRequestError);
  assert.equal(p.fullName, "Grace Hopper");
  p.last = "Brewster";
  await session.flush();
  assert.equal(p.fullName, "Grace Brewster", "an UPDATE reads it back");
  await session.execute(sql`UPDATE ${Person} SET first = ${"G."} WHERE id = ${p.id}`);
  await session.refresh(p);
  assert.equal(p.fullName, "G. Brewster");
  await session.commit();
  await using other = engine.session();
  const got = await other.get(Person, p.id);
  assert.equal(got?.fullName, "G. Brewster");
  assert.equal(got?.postCount, 0);
});

dbTest("an expression column is not in the DDL nor in any INSERT or UPDATE", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll(models);
  await engine.createAll(models);
  const create = log.texts.find((t) => /CREATE TABLE.*cp_people/s.test(t))!;
  assert.doesNotMatch(create, /full_name|post_count/);
  await using session = engine.session();
  const p = new Person({ first: "a", last: "b" });
  session.add(p);
  await session.flush();
  p.first = "c";
  await session.flush();
  const writes = log.texts.filter((t) => /^(INSERT|UPDATE)/.test(t));
  assert.equal(writes.length, 2);
  for (const w of writes) assert.doesNotMatch(w.split("RETURNING")[0], /full_name|post_count/);
});

dbTest("a generated column is created, never written, and read back after a flush", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll(models);
  await engine.createAll(models);
  assert.match(
    log.texts.join("\n"),
    /"total" INTEGER NOT NULL GENERATED ALWAYS AS \(price \* quantity\) STORED/,
  );
  await using session = engine.session();
  const item = new Item({ price: 3, quantity: 4 });
  assert.equal(item.total, undefined);
  assert.throws(() => ((item as { total: number }).total = 1), /Item\.total is read-only/);
  session.add(item);
  await session.flush();
  assert.equal(item.total, 12);
  item.quantity = 5;
  await session.flush();
  assert.equal(item.total, 15);
  const writes = log.texts.filter((t) => /^(INSERT|UPDATE)/.test(t));
  for (const w of writes) assert.doesNotMatch(w.split("RETURNING")[0], /"total"/);
  await session.commit();
  const rows = await engine.all(select(Item.table).where(gt(Item.c.total, 10)));
  assert.equal(rows.length, 1);
  await using other = engine.session();
  assert.equal((await other.get(Item, item.id))?.total, 15);
});

dbTest("migrations: reflection sees a generated column and the diff stays empty", async (db) => {
  const engine = db.engine();
  await engine.dropAll(models);
  await engine.createAll(models);
  const database = await reflect(engine);
  const models_ = await snapshot(engine, models);
  assert.deepEqual(diffSchemas(database, models_), []);
  const items = database.tables.find((t) => t.name === "cp_items")!;
  const total = items.columns.find((c) => c.name === "total")!;
  assert.match(total.computed ?? "", /price \* quantity/);
  assert.equal(total.default, undefined);
  const people = models_.tables.find((t) => t.name === "cp_people")!;
  assert.deepEqual(people.columns.map((c) => c.name), ["id", "first", "last"]);
  // A plain column that becomes generated is dropped and added again.
  const plain = structuredClone(database);
  delete plain.tables.find((t) => t.name === "cp_items")!.columns[3].computed;
  const ops = diffSchemas(plain, models_).map((c) => c.op.kind);
  assert.deepEqual(ops, ["dropColumn", "addColumn"]);
});

dbTest(
  "joined loading reads expressions of the aliased table; builders refuse them",
  async (db) => {
    const engine = db.engine();
    await engine.dropAll(models);
    await engine.createAll(models);
    await using session = engine.session();
    const p = new Person({ first: "Edsger", last: "Dijkstra" });
    const n = new Note({ body: "goto" });
    n.person = p;
    session.add(n);
    await session.commit();
    await using other = engine.session();
    const [note] = await other.all(select(Note).options(joined("person")));
    assert.equal(note.person.fullName, "Edsger Dijkstra");
    assert.equal(note.person.postCount, 1);
    assert.throws(
      () => sql`${insert(Item).values({ price: 1, quantity: 1, total: 5 } as never)}`,
      /cp_items\.total is read-only/,
    );
    assert.throws(
      () => compile(update(Item).set({ total: 5 } as never), sqliteDialect),
      /cp_items\.total is read-only/,
    );
  },
);

class Label extends Model("cp_labels", {
  id: column.integer().primaryKey(),
  qty: column.integer(),
  // The key is its own SQL name: the select list still names it, or the row would not hold it.
  label: column.expression((t): Fragment => sql`'n=' || ${t.c.qty}`, types.text),
}) {}

dbTest("an expression column comes back under its key in every Core row", async (db) => {
  const engine = db.engine();
  await engine.createAll([Label]);
  const inserted = await engine.one(insert(Label).values({ qty: 3 }).returning());
  assert.equal(inserted.label, "n=3");
  assert.equal((await engine.one(select(Label))).label, "n=3");
  assert.equal((await engine.one(select(Label.table))).label, "n=3");
  assert.equal((await engine.one(select(Label.c.label, Label.c.id))).label, "n=3");
  const sub = select(Label.c.id, Label.c.label).as("l");
  assert.equal((await engine.one(select(sub.c.label))).label, "n=3");
  await using session = engine.session();
  assert.equal((await session.get(Label, inserted.id))!.label, "n=3");
});

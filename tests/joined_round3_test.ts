/**
 * Joined loads and relationship filters, against what selectin loads: a relationship whose
 * target is a subclass of a single-table hierarchy reads only that class's rows (and its
 * subclasses') in joined(), any() and has(), as in selectin; joined() sorts each collection
 * by the relationship's orderBy, as selectin, load and refresh do.
 */
import assert from "node:assert/strict";
import {
  asc,
  column,
  constraint,
  desc,
  eq,
  joined,
  loaderCriteria,
  Model,
  not,
  relationship,
  select,
  selectin,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class Team extends Model("jr3_teams", { id: column.integer().primaryKey() }) {
  static managers = relationship(() => Manager, {});
  declare managers: Manager[];
  static leads = relationship(() => Manager, { secondary: () => TeamLead });
  declare leads: Manager[];
}

class Staff extends Model("jr3_staff", {
  id: column.integer().primaryKey(),
  kind: column.text().default("staff"),
  name: column.text(),
  teamId: column.integer().nullable().references(() => Team.c.id),
  mentorId: column.integer().nullable().references((t) => t.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {
  static mentor = relationship(() => Manager, { direction: "many-to-one" });
  declare mentor: Manager | null;
}

class Manager extends Staff.subclass("manager", { budget: column.integer().nullable() }) {}
class Director extends Manager.subclass("director", { floor: column.integer().nullable() }) {}
class Eng extends Staff.subclass("eng", { lang: column.text().nullable() }) {}

class TeamLead extends Model("jr3_team_leads", {
  teamId: column.integer().references(() => Team.c.id),
  staffId: column.integer().references(() => Staff.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.teamId, c.staffId)] }) {}

class Desk extends Model("jr3_desks", {
  id: column.integer().primaryKey(),
  ownerId: column.integer().nullable().references(() => Staff.c.id),
}) {
  static owner = relationship(() => Manager, {});
  declare owner: Manager | null;
}

const sti = [Team, Staff, TeamLead, Desk];

/** Team 1: a manager, a director, an engineer; team 2: an engineer only; team 3: nobody. */
async function seedSti(db: Db) {
  const engine = db.engine();
  await engine.createAll(sti);
  await using s = engine.session();
  s.addAll([new Team({ id: 1 }), new Team({ id: 2 }), new Team({ id: 3 })]);
  s.addAll([
    new Manager({ id: 1, name: "mia", teamId: 1, budget: 3 }),
    new Director({ id: 2, name: "dan", teamId: 1, floor: 9 }),
    new Eng({ id: 3, name: "eli", teamId: 1, lang: "ts", mentorId: 1 }),
    new Eng({ id: 4, name: "eva", teamId: 2, lang: "go", mentorId: 3 }),
  ]);
  s.addAll([new Desk({ id: 1, ownerId: 3 }), new Desk({ id: 2, ownerId: 2 }), new Desk({ id: 3 })]);
  s.addAll([1, 2, 3].map((staffId) => new TeamLead({ teamId: 1, staffId })));
  s.add(new TeamLead({ teamId: 2, staffId: 4 }));
  await s.commit();
  return engine;
}

const names = (list: readonly Staff[]) => list.map((m) => `${m.constructor.name}:${m.name}`);

dbTest("joined(): a one-to-many to a single-table subclass loads its class's rows", async (db) => {
  const engine = await seedSti(db);
  await using s = engine.session();
  const q = select(Team).orderBy(Team.c.id);
  const want = [names((await s.all(q.options(selectin("managers"))))[0].managers), [], []];
  assert.deepEqual(want[0], ["Manager:mia", "Director:dan"]);
  s.expungeAll();
  const teams = await s.all(q.options(joined("managers")));
  // Teams without a manager stay: the discriminator is on the join, not the WHERE.
  assert.deepEqual(teams.map((t) => t.id), [1, 2, 3]);
  assert.deepEqual(teams.map((t) => names(t.managers)), want);
  for (const m of teams[0].managers) assert(m instanceof Manager);
});

dbTest(
  "joined(): a many-to-one to a single-table subclass is null for another class",
  async (db) => {
    const engine = await seedSti(db);
    await using s = engine.session();
    const q = select(Desk).orderBy(Desk.c.id);
    const owners = async (load: typeof joined) =>
      (await s.all(q.options(load("owner")))).map((d) => d.owner === null ? null : d.owner.name);
    const want = await owners(selectin);
    assert.deepEqual(want, [null, "dan", null]);
    s.expungeAll();
    assert.deepEqual(await owners(joined), want);
  },
);

dbTest("joined(): a self-referential relationship to a subclass of the same table", async (db) => {
  const engine = await seedSti(db);
  await using s = engine.session();
  const q = select(Eng).orderBy(Staff.c.id);
  const engs = await s.all(q.options(joined("mentor")));
  // eva's mentor row is eli, an Eng: no Manager.
  assert.deepEqual(engs.map((e) => e.mentor?.name ?? null), ["mia", null]);
  assert(engs[0].mentor instanceof Manager);
});

dbTest("joined(): a many-to-many to a single-table subclass", async (db) => {
  const engine = await seedSti(db);
  await using s = engine.session();
  const q = select(Team).orderBy(Team.c.id);
  const leads = (teams: Team[]) => teams.map((t) => names(t.leads));
  const want = leads(await s.all(q.options(selectin("leads"))));
  assert.deepEqual(want, [["Manager:mia", "Director:dan"], [], []]);
  s.expungeAll();
  assert.deepEqual(leads(await s.all(q.options(joined("leads")))), want);
  s.expungeAll();
  // With loader criteria too, both conditions hold.
  s.addCriteria(loaderCriteria(Manager, (t) => not(eq(t.c.name, "mia"))));
  const dan = [["Director:dan"], [], []];
  assert.deepEqual(leads(await s.all(q.options(joined("leads")))), dan);
  s.expungeAll();
  const teams = await s.all(q.options(joined("managers")));
  assert.deepEqual(teams.map((t) => names(t.managers)), dan);
});

dbTest("any() and has() along a relationship to a single-table subclass", async (db) => {
  const engine = await seedSti(db);
  await using s = engine.session();
  const teams = async (w: ReturnType<typeof eq>) =>
    (await s.all(select(Team).where(w).orderBy(Team.c.id))).map((t) => t.id);
  assert.deepEqual(await teams(Team.managers.any()), [1]);
  assert.deepEqual(await teams(Team.managers.any(eq(Staff.c.id, 3))), []);
  assert.deepEqual(await teams(Team.managers.any(eq(Staff.c.id, 2))), [1]);
  assert.deepEqual(await teams(not(Team.managers.any())), [2, 3]);
  assert.deepEqual(await teams(Team.leads.any()), [1]);
  assert.deepEqual(await teams(Team.leads.any(eq(Staff.c.name, "eli"))), []);
  const desks = await s.all(select(Desk).where(Desk.owner.has()).orderBy(Desk.c.id));
  assert.deepEqual(desks.map((d) => d.id), [2]);
  // Self-referential: the target is an alias of the enclosing query's table.
  const mentored = await s.all(select(Staff).where(Staff.mentor.has()).orderBy(Staff.c.id));
  assert.deepEqual(mentored.map((o) => o.name), ["eli"]);
});

class Shelf extends Model("jr3_shelves", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static books = relationship(() => Book, {
    backPopulates: "shelf",
    orderBy: () => desc(Book.c.title),
  });
  declare books: Book[];
  static labels = relationship(() => Label, {
    secondary: () => ShelfLabel,
    orderBy: () => Label.c.text,
  });
  declare labels: Label[];
  static pinned = relationship(() => Label, {
    secondary: () => ShelfLabel,
    orderBy: () => [asc(ShelfLabel.c.position), Label.c.id],
  });
  declare pinned: Label[];
}

class Book extends Model("jr3_books", {
  id: column.integer().primaryKey(),
  title: column.text(),
  shelfId: column.integer().references(() => Shelf.c.id),
}) {
  static shelf = relationship(() => Shelf, { backPopulates: "books" });
  declare shelf: Shelf | null;
  static pages = relationship(() => Page, { orderBy: () => [desc(Page.c.n)] });
  declare pages: Page[];
}

class Page extends Model("jr3_pages", {
  id: column.integer().primaryKey(),
  n: column.integer(),
  bookId: column.integer().references(() => Book.c.id),
}) {}

class Label extends Model("jr3_labels", {
  id: column.integer().primaryKey(),
  text: column.text(),
}) {}

class ShelfLabel extends Model("jr3_shelf_labels", {
  shelfId: column.integer().references(() => Shelf.c.id),
  labelId: column.integer().references(() => Label.c.id),
  position: column.integer().default(0),
}, { constraints: (c) => [constraint.primaryKey(c.shelfId, c.labelId)] }) {}

const ordered = [Shelf, Book, Page, Label, ShelfLabel];

/** Three shelves; each has books whose titles and labels whose texts are out of key order. */
async function seedOrdered(db: Db) {
  const engine = db.engine();
  await engine.createAll(ordered);
  await using s = engine.session();
  const titles = ["a", "c", "b"];
  const texts = ["z", "x", "y"];
  for (let sh = 1; sh <= 3; sh++) {
    s.add(new Shelf({ id: sh, name: `s${sh}` }));
    titles.forEach((title, i) => {
      const id = sh * 10 + i;
      s.add(new Book({ id, title: `${title}${sh}`, shelfId: sh }));
      for (const n of [2, 3, 1]) s.add(new Page({ id: id * 10 + n, n, bookId: id }));
    });
  }
  texts.forEach((text, i) => s.add(new Label({ id: i + 1, text })));
  await s.flush();
  for (let sh = 1; sh <= 3; sh++) {
    // Positions: label 1 last, so the pinned order is neither the key's nor the text's.
    for (const [labelId, position] of [[1, 2], [2, 3], [3, 1]]) {
      s.add(new ShelfLabel({ shelfId: sh, labelId, position }));
    }
  }
  await s.commit();
  return engine;
}

const titlesOf = (shelf: Shelf) => shelf.books.map((b) => b.title);
const textsOf = (list: readonly Label[]) => list.map((l) => l.text);

dbTest(
  "joined(): a collection sorts by the relationship's orderBy, as selectin does",
  async (db) => {
    const engine = await seedOrdered(db);
    await using s = engine.session();
    const q = select(Shelf).orderBy(desc(Shelf.c.id));
    const seen = (shelves: Shelf[]) =>
      shelves.map((sh) => [
        sh.name,
        titlesOf(sh),
        textsOf(sh.labels),
        textsOf(sh.pinned),
      ]);
    const want = seen(
      await s.all(q.options(selectin("books"), selectin("labels"), selectin("pinned"))),
    );
    assert.deepEqual(want[0], ["s3", ["c3", "b3", "a3"], ["x", "y", "z"], ["y", "z", "x"]]);
    assert.deepEqual(want.map((w) => w[0]), ["s3", "s2", "s1"]);
    s.expungeAll();
    // Each joined collection in its order, with the parents' order kept first.
    assert.deepEqual(
      seen(await s.all(q.options(joined("books"), joined("labels"), joined("pinned")))),
      want,
    );
    s.expungeAll();
    assert.deepEqual(
      seen(await s.all(q.options(joined("pinned"), joined("books"), joined("labels")))),
      want,
    );
    s.expungeAll();
    assert.deepEqual(
      seen(await s.all(q.options(joined("labels"), selectin("books"), joined("pinned")))),
      want,
    );
  },
);

dbTest("joined(): the orderBy holds for nested loads and under LIMIT", async (db) => {
  const engine = await seedOrdered(db);
  await using s = engine.session();
  const pagesOf = (shelves: Shelf[]) =>
    shelves.map((sh) => sh.books.map((b) => b.pages.map((p) => p.n)));
  const q = select(Shelf).orderBy(Shelf.c.id);
  const want = pagesOf(await s.all(q.options(selectin("books", selectin("pages")))));
  assert.deepEqual(want[0], [[3, 2, 1], [3, 2, 1], [3, 2, 1]]);
  s.expungeAll();
  const nested = await s.all(q.options(joined("books", joined("pages"))));
  assert.deepEqual(nested.map(titlesOf), [["c1", "b1", "a1"], ["c2", "b2", "a2"], [
    "c3",
    "b3",
    "a3",
  ]]);
  assert.deepEqual(pagesOf(nested), want);
  s.expungeAll();
  // LIMIT counts parents (the select is a subquery), not joined rows.
  const two = await s.all(q.limit(2).offset(1).options(joined("books"), joined("labels")));
  assert.deepEqual(two.map((sh) => [sh.name, titlesOf(sh), textsOf(sh.labels)]), [
    ["s2", ["c2", "b2", "a2"], ["x", "y", "z"]],
    ["s3", ["c3", "b3", "a3"], ["x", "y", "z"]],
  ]);
  s.expungeAll();
  // From the many-to-one side, nested back into the ordered collection.
  const books = await s.all(
    select(Book).where(eq(Book.c.id, 11)).options(joined("shelf", joined("books"))),
  );
  assert.deepEqual(books[0].shelf && titlesOf(books[0].shelf), ["c1", "b1", "a1"]);
});

class Zoo extends Model("jr3_zoos", { id: column.integer().primaryKey() }) {
  static cats = relationship(() => Cat, { orderBy: () => [desc(Cat.c.lives), Animal.c.name] });
  declare cats: Cat[];
}

class Animal extends Model("jr3_animals", {
  id: column.integer().primaryKey(),
  kind: column.text().default("animal"),
  name: column.text(),
  zooId: column.integer().nullable().references(() => Zoo.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "animal" }) {}

class Cat extends Animal.subclass("cat", { lives: column.integer() }, { table: "jr3_cats" }) {}

dbTest("joined(): the orderBy of a joined-table subclass, on its tables' columns", async (db) => {
  const engine = db.engine();
  await engine.createAll([Zoo, Animal, Cat]);
  {
    await using s = engine.session();
    s.add(new Zoo({ id: 1 }));
    s.add(new Animal({ id: 1, name: "ant", zooId: 1 }));
    for (const [id, name, lives] of [[2, "bo", 7], [3, "al", 9], [4, "cy", 7]] as const) {
      s.add(new Cat({ id, name, lives, zooId: 1 }));
    }
    await s.commit();
  }
  await using s = engine.session();
  const cats = async (load: typeof joined) =>
    (await s.all(select(Zoo).options(load("cats"))))[0].cats.map((c) => c.name);
  const want = await cats(selectin);
  assert.deepEqual(want, ["al", "bo", "cy"]);
  s.expungeAll();
  assert.deepEqual(await cats(joined), want);
});

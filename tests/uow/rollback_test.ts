/**
 * Rollback restores relationships, not only columns: after `rollback()` or a savepoint
 * rollback, loaded collections and references are what they were when that transaction or
 * savepoint began, and objects that became persistent in the span are transient again.
 */
import assert from "node:assert/strict";
import {
  type Collection,
  column,
  constraint,
  type Engine,
  inspect,
  Model,
  NotLoadedError,
  relationship,
  select,
  selectin,
  type Session,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, count, ready } from "./_support.ts";

class Author extends Model("rb_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static books = relationship(() => Book, {
    backPopulates: "author",
    cascade: "all, delete-orphan",
    orderBy: () => Book.c.title,
  });
  declare books: Collection<Book>;
}

class Book extends Model("rb_books", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => Author.c.id),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
  declare author: Author;
  static tags = relationship(() => Tag, { secondary: () => BookTag, backPopulates: "books" });
  declare tags: Collection<Tag>;
}

class Tag extends Model("rb_tags", { id: column.integer().primaryKey(), label: column.text() }) {
  static books = relationship(() => Book, { secondary: () => BookTag, backPopulates: "tags" });
  declare books: Collection<Book>;
}

class BookTag extends Model("rb_book_tags", {
  bookId: column.integer().references(() => Book.c.id),
  tagId: column.integer().references(() => Tag.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.bookId, c.tagId)] }) {}

class Shelf extends Model("rb_shelves", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static items = relationship(() => Item, { backPopulates: "shelf", orderBy: () => Item.c.name });
  declare items: Collection<Item>;
}

class Item extends Model("rb_items", {
  id: column.integer().primaryKey(),
  name: column.text(),
  shelfId: column.integer().nullable().references(() => Shelf.c.id),
}) {
  static shelf = relationship(() => Shelf, { backPopulates: "items" });
  declare shelf: Shelf | null;
}

const MODELS = [Author, Book, Tag, BookTag, Shelf, Item];
const titles = (books: readonly Book[]) => books.map((b) => b.title).sort();
const bookTitles = sql`SELECT ${Book.c.title} AS t FROM ${Book}`;
const booksOf = (name: string) =>
  sql`SELECT ${Book.c.title} AS t FROM ${Book} JOIN ${Author} ON ${Author.c.id} = ${Book.c.authorId}
    WHERE ${Author.c.name} = ${name}`;
const links = sql`SELECT ${Book.c.title} || ':' || ${Tag.c.label} AS l FROM ${BookTag}
  JOIN ${Book} ON ${Book.c.id} = ${BookTag.c.bookId} JOIN ${Tag} ON ${Tag.c.id} = ${BookTag.c.tagId}`;

/** Ann with a1, a2, a3 (a1 tagged t1), Bob with b1; tags t1 and t2. */
async function seed(engine: Engine) {
  await using session = engine.session();
  const ann = new Author({ name: "ann" });
  const bob = new Author({ name: "bob" });
  const [t1, t2] = [new Tag({ label: "t1" }), new Tag({ label: "t2" })];
  for (const t of ["a1", "a2", "a3"]) ann.books.push(new Book({ title: t }));
  bob.books.push(new Book({ title: "b1" }));
  ann.books[0].tags.push(t1);
  session.addAll([ann, bob, t1, t2]);
  await session.commit();
}

async function load(session: Session) {
  const [ann, bob] = await session.all(
    select(Author).orderBy(Author.c.name).options(selectin("books", selectin("tags"))),
  );
  const tags = await session.all(select(Tag).orderBy(Tag.c.label).options(selectin("books")));
  return { ann, bob, t1: tags[0], t2: tags[1], a: [...ann.books] };
}

scopedTest("rollback() restores collections and references as the transaction began", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  await using session = engine.session();
  const { ann, bob, a: [a1, a2, a3] } = await load(session);
  await session.commit(); // loaded before the transaction that is rolled back
  const added = new Book({ title: "a4" });
  ann.books.push(added);
  ann.books.remove(a2); // an orphan: deleted at flush
  a3.author = bob; // moved to another author
  await session.flush();
  assert.equal(inspect(a2).status, "deleted");
  assert.equal(inspect(added).status, "persistent");
  assert.deepEqual(await values(session, booksOf("ann")), ["a1", "a4"]);

  await session.rollback();
  assert.deepEqual(titles(ann.books), ["a1", "a2", "a3"]);
  assert.ok(ann.books.includes(a1) && ann.books.includes(a2) && ann.books.includes(a3));
  assert.ok(!ann.books.includes(added), "the appended object is no longer in the collection");
  assert.deepEqual(titles(bob.books), ["b1"], "the moved book left the other author's collection");
  assert.equal(a3.author, ann, "the reference is restored");
  assert.equal(a3.authorId, ann.id);
  assert.equal(a2.author, ann, "the removed book is back, with its reference");
  assert.equal(inspect(a2).status, "persistent");
  assert.equal(inspect(added).status, "transient");
  assert.equal(added.id, undefined, "its generated key is cleared");
  assert.deepEqual([...session.new], []);

  await session.commit(); // writes nothing that was rolled back
  assert.deepEqual(await values(engine, bookTitles), ["a1", "a2", "a3", "b1"]);
  assert.deepEqual(await values(engine, booksOf("ann")), ["a1", "a2", "a3"]);
  assert.equal(inspect(added).status, "transient");
});

scopedTest("a savepoint rollback restores relationships as the savepoint began", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  await using session = engine.session();
  const { ann, bob, a: [a1, a2, a3] } = await load(session);
  const early = new Book({ title: "a0" }); // before the savepoint: kept
  ann.books.push(early);
  a2.author = bob; // before the savepoint: kept
  await session.flush();
  let late: Book;
  {
    await using _sp = await session.beginNested();
    late = new Book({ title: "a9" });
    ann.books.push(late);
    ann.books.remove(a1);
    bob.books.remove(a2);
    a3.author = bob;
    early.title = "a0-renamed";
    await session.flush();
    assert.deepEqual(await values(session, booksOf("ann")), ["a0-renamed", "a9"]);
  }
  assert.deepEqual(titles(ann.books), ["a0", "a1", "a3"]);
  assert.deepEqual(titles(bob.books), ["a2", "b1"]);
  assert.equal(a1.author, ann);
  assert.equal(a2.author, bob);
  assert.equal(a3.author, ann);
  assert.equal(inspect(early).status, "persistent", "persistent before the savepoint: kept");
  assert.equal(inspect(a1).status, "persistent");
  assert.equal(inspect(late).status, "transient");
  assert.equal(late.id, undefined);
  await session.commit();
  assert.deepEqual(await values(engine, booksOf("ann")), ["a0", "a1", "a3"]);
  assert.deepEqual(await values(engine, booksOf("bob")), ["a2", "b1"]);
});

scopedTest(
  "objects made persistent in the span are transient again, and can be added afresh",
  async (s) => {
    const engine = await ready(s, MODELS);
    await using session = engine.session();
    const carol = new Author({ name: "carol" });
    const c1 = new Book({ title: "c1" });
    carol.books.push(c1);
    session.add(carol);
    await session.flush();
    assert.equal(typeof carol.id, "number");
    await session.rollback();
    assert.equal(inspect(carol).status, "transient");
    assert.equal(inspect(c1).status, "transient");
    assert.equal(carol.id, undefined);
    assert.equal(c1.id, undefined);
    assert.equal(await count(session, sql`SELECT count(*) AS n FROM ${Book}`), 0);

    // Again in a savepoint, under an object persistent before it.
    const dave = new Author({ name: "dave" });
    const d0 = new Book({ title: "d0" });
    dave.books.push(d0);
    session.add(dave);
    await session.flush();
    {
      await using _sp = await session.beginNested();
      const d1 = new Book({ title: "d1" });
      dave.books.push(d1);
      await session.flush();
      assert.equal(typeof d1.id, "number");
      await _sp.rollback();
      assert.equal(inspect(d1).status, "transient");
      assert.equal(d1.id, undefined);
      assert.deepEqual(dave.books, [d0]);
    }
    assert.equal(inspect(dave).status, "persistent");
    assert.equal(inspect(d0).status, "persistent");

    session.add(carol); // the rolled-back objects go in with new keys
    await session.commit();
    assert.equal(inspect(c1).status, "persistent");
    assert.equal(c1.authorId, carol.id);
    assert.deepEqual(await values(engine, booksOf("carol")), ["c1"]);
    assert.deepEqual(await values(engine, bookTitles), ["c1", "d0"]);
  },
);

scopedTest("rollback restores many-to-many collections on both sides", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  await using session = engine.session();
  const { t1, t2, a: [a1, a2] } = await load(session);
  await session.commit();
  a1.tags.remove(t1);
  a2.tags.push(t2);
  t2.books.push(a1);
  await session.flush();
  assert.deepEqual(await values(session, links), ["a1:t2", "a2:t2"]);
  {
    await using _sp = await session.beginNested();
    t2.books.remove(a2);
    a2.tags.push(t1);
    await session.flush();
    assert.deepEqual(await values(session, links), ["a1:t2", "a2:t1"]);
  } // back to the savepoint
  assert.deepEqual(a2.tags.map((t) => t.label), ["t2"]);
  assert.deepEqual(titles(t2.books), ["a1", "a2"]);
  assert.deepEqual(titles(t1.books), []);
  await session.rollback(); // back to the transaction's start
  assert.deepEqual(a1.tags.map((t) => t.label), ["t1"]);
  assert.deepEqual(a2.tags, []);
  assert.deepEqual(titles(t1.books), ["a1"]);
  assert.deepEqual(t2.books, []);
  await session.commit();
  assert.deepEqual(await values(engine, links), ["a1:t1"]);
});

scopedTest("rollback restores a collection whose removal nulled a foreign key", async (s) => {
  const engine = await ready(s, MODELS);
  {
    await using session = engine.session();
    const shelf = new Shelf({ name: "top" });
    shelf.items.push(new Item({ name: "cup" }), new Item({ name: "jar" }));
    session.add(shelf);
    await session.commit();
  }
  await using session = engine.session();
  const [shelf] = await session.all(select(Shelf).options(selectin("items")));
  const [cup, jar] = shelf.items;
  await session.commit();
  shelf.items.remove(cup);
  jar.shelf = null;
  await session.flush();
  assert.equal(cup.shelfId, null);
  assert.equal(
    await count(session, sql`SELECT count(*) AS n FROM ${Item} WHERE ${Item.c.shelfId} IS NULL`),
    2,
  );
  await session.rollback();
  assert.deepEqual(shelf.items.map((i) => i.name), ["cup", "jar"]);
  assert.equal(cup.shelf, shelf);
  assert.equal(jar.shelf, shelf);
  assert.equal(cup.shelfId, shelf.id);
  await session.commit();
  assert.equal(
    await count(
      engine,
      sql`SELECT count(*) AS n FROM ${Item} WHERE ${Item.c.shelfId} = ${shelf.id}`,
    ),
    2,
  );
});

scopedTest(
  "rollback restores an object removed from a collection when nothing was added",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    await using session = engine.session();
    const { ann, a: [, a2] } = await load(session);
    await session.commit();
    ann.books.remove(a2); // an orphan: deleted at flush
    await session.flush();
    assert.equal(inspect(a2).status, "deleted");
    await session.rollback();
    assert.equal(inspect(a2).status, "persistent");
    assert.deepEqual(titles(ann.books), ["a1", "a2", "a3"], "the removed book is back");
    assert.equal(a2.author, ann);
    {
      await using _sp = await session.beginNested();
      ann.books.splice(0, 1); // a1, in a savepoint this time
      await session.flush();
    }
    assert.deepEqual(titles(ann.books), ["a1", "a2", "a3"], "back after the savepoint too");
    await session.commit();
    assert.deepEqual(await values(engine, booksOf("ann")), ["a1", "a2", "a3"]);
  },
);

scopedTest(
  "a relationship first loaded after the object changed stays loaded through rollbacks",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    await using session = engine.session();
    const ann = (await session.first(select(Author).where(sql`${Author.c.name} = ${"ann"}`)))!;
    ann.name = "anna"; // saved before the load
    await session.load(ann, "books");
    assert.deepEqual(titles(ann.books), ["a1", "a2", "a3"]);
    ann.books.pop(); // a change to the loaded collection is undone, the load is not
    await session.rollback();
    assert.equal(ann.name, "ann");
    assert.deepEqual(titles(ann.books), ["a1", "a2", "a3"], "still loaded, as loaded");

    // The same inside a savepoint, then the outer transaction rolled back too.
    const bob = (await session.first(select(Author).where(sql`${Author.c.name} = ${"bob"}`)))!;
    bob.name = "bobby";
    const sp = await session.beginNested();
    bob.name = "robert";
    await session.load(bob, "books");
    await sp.rollback();
    assert.equal(bob.name, "bobby");
    assert.deepEqual(titles(bob.books), ["b1"]);
    await session.rollback();
    assert.equal(bob.name, "bob");
    assert.deepEqual(titles(bob.books), ["b1"], "still loaded after the outer rollback");

    // A change to it is still flushed: it is tracked as a loaded collection.
    bob.books.push(new Book({ title: "b2" }));
    await session.commit();
    assert.deepEqual(await values(engine, booksOf("bob")).then((t) => t.sort()), ["b1", "b2"]);
  },
);

scopedTest(
  "after a rollback, objects are refreshed from their rows, and one whose row is gone leaves",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    await using session = engine.session();
    const ann = (await session.first(select(Author).where(sql`${Author.c.name} = ${"ann"}`)))!;
    // A row the transaction inserts by a statement, then loads as an object.
    await session.execute(sql`INSERT INTO ${Author} (id, name) VALUES (${900}, ${"ghost"})`);
    const ghost = (await session.get(Author, 900))!;
    assert.equal(ghost.name, "ghost");
    await session.rollback();

    assert.equal(await session.get(Author, 900), null, "its row went with the rollback");
    assert.equal(inspect(ghost).status, "detached");
    assert.equal(ghost.name, "ghost", "its values stay readable");

    // Another connection changes ann's row: the next get reads it, into the same object.
    await session.rollback(); // the get above began a transaction: end it, expiring again
    await engine.run(sql`UPDATE ${Author} SET name = ${"anne"} WHERE id = ${ann.id}`);
    assert.equal(ann.name, "ann", "values stay readable until the next load");
    assert.equal(await session.get(Author, ann.id), ann);
    assert.equal(ann.name, "anne");
    assert.equal(inspect(ann).status, "persistent");
  },
);

class Doc extends Model("rb_docs", {
  id: column.integer().primaryKey(),
  data: column.json<{ n: number }>(),
  at: column.timestamp(),
}) {}

scopedTest(
  "a rollback of a change made in place (flagModified) reads the value back from the row",
  async (s) => {
    const engine = await ready(s, [Doc]);
    await using session = engine.session();
    const d = new Doc({ id: 1, data: { n: 1 }, at: new Date("2020-01-01T00:00:00Z") });
    session.add(d);
    await session.commit();
    d.data.n = 2;
    session.flagModified(d, "data");
    d.at.setUTCFullYear(2030);
    session.flagModified(d, "at");
    await session.flush(); // written in the transaction, then rolled back
    await session.rollback();
    // The same objects were changed in place: the values are not known until read again.
    assert.throws(() => d.data, NotLoadedError);
    assert.equal(session.isModified(d), false);
    assert.equal(await session.get(Doc, 1), d);
    assert.deepEqual(d.data, { n: 1 });
    assert.equal(d.at.toISOString(), "2020-01-01T00:00:00.000Z");
    await session.commit(); // nothing to write
    const rows = await engine.all<{ data: unknown }>(sql`SELECT ${Doc.c.data} AS data FROM ${Doc}`);
    const data = rows.map((r) => typeof r.data === "string" ? JSON.parse(r.data) : r.data);
    assert.deepEqual(data, [{ n: 1 }]);
  },
);

scopedTest("a change made in place inside a savepoint is expired by the rollbacks", async (s) => {
  const engine = await ready(s, [Doc]);
  await using session = engine.session();
  const d = new Doc({ id: 1, data: { n: 1 }, at: new Date("2020-01-01T00:00:00Z") });
  session.add(d);
  await session.commit();
  d.at = new Date("2021-01-01T00:00:00Z"); // saved by the transaction's frame first
  const sp = await session.beginNested();
  d.data.n = 5;
  session.flagModified(d, "data");
  await sp.rollback();
  assert.throws(() => d.data, NotLoadedError);
  assert.equal(d.at.toISOString(), "2021-01-01T00:00:00.000Z", "the savepoint's own change only");
  await session.rollback();
  assert.throws(() => d.data, NotLoadedError, "still expired after the outer rollback");
  assert.equal(await session.get(Doc, 1), d);
  assert.deepEqual(d.data, { n: 1 });
  assert.equal(d.at.toISOString(), "2020-01-01T00:00:00.000Z");
});

scopedTest(
  "a change made after a rollback expired the object survives the next load",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    await using session = engine.session({ autoflush: false });
    const ann = (await session.first(select(Author).where(sql`${Author.c.name} = ${"ann"}`)))!;
    await session.rollback(); // ann is refreshed by her next load
    ann.name = "anna"; // not flushed: autoflush is off
    const again = await session.all(select(Author).orderBy(Author.c.id));
    assert.equal(again[0], ann);
    assert.equal(ann.name, "anna", "the load did not overwrite the change");
    assert.equal(session.isModified(ann), true);
    await session.commit();
    assert.deepEqual(
      await values(engine, sql`SELECT ${Author.c.name} AS n FROM ${Author} ORDER BY 1`),
      ["anna", "bob"],
    );
  },
);

/**
 * The session's wider API: scalar and scalars, expire and expireAll, refresh of named
 * attributes, isModified, and the read-only views of new, dirty and deleted objects.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  InvalidRequestError,
  Model,
  NotLoadedError,
  relationship,
  select,
  sql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Author extends Model("sq_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
  bio: column.text().nullable(),
}) {
  static books = relationship(() => Book, { backPopulates: "author" });
  declare books: Book[];
}

class Book extends Model("sq_books", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => Author.c.id),
  title: column.text(),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
  declare author: Author;
}

const models = [Author, Book];

async function seeded(db: { engine(): import("../mod.ts").Engine }) {
  const engine = db.engine();
  await engine.createAll(models);
  {
    await using s = engine.session();
    const ada = new Author({ name: "ada", bio: "first" });
    const bob = new Author({ name: "bob" });
    s.addAll([ada, bob]);
    await s.flush();
    s.addAll([
      new Book({ authorId: ada.id, title: "a1" }),
      new Book({ authorId: ada.id, title: "a2" }),
    ]);
    await s.commit();
  }
  return engine;
}

dbTest("scalar and scalars: first column, objects, null on no rows", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const id = await s.scalar(select(Author.c.id).where(sql`${Author.c.name} = ${"bob"}`));
  assert.equal(typeof id, "number");
  assert.equal(await s.scalar(select(Author.c.id).where(sql`${Author.c.name} = ${"zed"}`)), null);
  const names = await s.scalars(select(Author.c.name).orderBy(Author.c.name));
  assert.deepEqual(names, ["ada", "bob"]);
  const authors = await s.scalars(select(Author).orderBy(Author.c.name));
  assert(authors[0] instanceof Author && authors[0].name === "ada" && authors.length === 2);
  const first = await s.scalar(select(Author).orderBy(Author.c.name));
  assert.equal(first, authors[0]);
  assert.equal(await s.scalar(select(Author).where(sql`1 = 0`)), null);
  assert.deepEqual(await s.scalars(select(Book.c.title).where(sql`1 = 0`)), []);
  // Autoflush: a pending object is counted.
  s.add(new Author({ name: "cy" }));
  assert.equal(Number(await s.scalar(sql`SELECT count(*) AS n FROM sq_authors`)), 3);
});

dbTest("expire: reading raises NotLoadedError; the next get or query fills it", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const ada = (await s.one(select(Author).where(sql`${Author.c.name} = ${"ada"}`)))!;
  s.expire(ada, ["bio"]);
  assert.equal(ada.name, "ada");
  assert.equal(ada.id > 0, true);
  assert.throws(() => ada.bio, (e: unknown) => {
    assert(e instanceof NotLoadedError);
    assert.match(e.message, /Author\.bio is expired.*session\.refresh\(obj\)/);
    return true;
  });
  assert.equal(JSON.stringify(ada).includes("bio"), false);
  await s.execute(
    sql`UPDATE sq_authors SET bio = ${"changed"}, name = ${"ADA"} WHERE id = ${ada.id}`,
  );
  assert.equal(await s.get(Author, ada.id), ada);
  assert.equal(ada.bio, "changed");
  assert.equal(ada.name, "ada", "an attribute not expired is kept");
  // All attributes.
  s.expire(ada);
  assert.throws(() => ada.name, NotLoadedError);
  await s.all(select(Author));
  assert.equal(ada.name, "ADA");
});

dbTest("expire discards unflushed changes to what it expires, keeps the others", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const ada = (await s.one(select(Author).where(sql`${Author.c.name} = ${"ada"}`)))!;
  ada.bio = "draft";
  assert(s.isModified(ada) && s.dirty.has(ada));
  s.expire(ada, ["bio"]);
  assert.equal(s.isModified(ada), false);
  assert.equal(s.dirty.size, 0);
  ada.name = "ada2";
  s.expire(ada, ["bio"]);
  await s.get(Author, ada.id);
  assert.equal(ada.bio, "first");
  assert.equal(ada.name, "ada2");
  await s.commit();
  await using t = engine.session();
  const again = (await t.get(Author, ada.id))!;
  assert.deepEqual([again.name, again.bio], ["ada2", "first"]);
  // Assigning an expired attribute writes it.
  t.expire(again, ["bio"]);
  again.bio = "set";
  await t.commit();
  assert.equal(await t.scalar(select(Author.c.bio).where(sql`${Author.c.id} = ${ada.id}`)), "set");
});

dbTest("expire then rollback restores the values; expireAll", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const authors = await s.all(select(Author).orderBy(Author.c.name));
  s.expire(authors[0], ["bio"]);
  await s.rollback();
  assert.equal(authors[0].bio, "first");
  await s.all(select(Author));
  s.expireAll();
  assert.throws(() => authors[1].name, NotLoadedError);
  assert.throws(() => authors[0].bio, NotLoadedError);
  await s.all(select(Author));
  assert.deepEqual(authors.map((a) => a.name), ["ada", "bob"]);
});

dbTest("expire refuses pending objects, unknown names and objects of no session", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const cy = new Author({ name: "cy" });
  assert.throws(() => s.expire(cy), /takes an object of this session; this Author is transient/);
  s.add(cy);
  assert.throws(() => s.expire(cy), (e: unknown) => {
    assert(e instanceof InvalidRequestError);
    assert.match(e.message, /persistent object; this Author is pending.*flush first/);
    return true;
  });
  await s.flush();
  assert.throws(() => s.expire(cy, ["nope"]), ArgumentError);
  s.expireAll(); // pending objects would be skipped; cy is persistent now
  assert.throws(() => cy.name, NotLoadedError);
});

dbTest("expire a relationship: not loaded until loaded again", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const ada = (await s.one(select(Author).where(sql`${Author.c.name} = ${"ada"}`)))!;
  await s.load(ada, "books");
  assert.equal(ada.books.length, 2);
  s.expire(ada, ["books"]);
  assert.throws(() => ada.books, NotLoadedError);
  await s.load(ada, "books");
  assert.equal(ada.books.length, 2);
});

dbTest("refresh(obj, attrs): only the named columns; relationships loaded again", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const ada = (await s.one(select(Author).where(sql`${Author.c.name} = ${"ada"}`)))!;
  await s.load(ada, "books");
  ada.name = "mine";
  await s.run(sql`UPDATE sq_authors SET bio = ${"new"} WHERE id = ${ada.id}`);
  await s.run(sql`DELETE FROM sq_books WHERE title = ${"a2"}`);
  // The UPDATE above autoflushed `name`; change it again, unflushed.
  ada.name = "unflushed";
  await s.refresh(ada, ["bio"]);
  assert.equal(ada.bio, "new");
  assert.equal(ada.name, "unflushed");
  assert.equal(ada.books.length, 2);
  await s.refresh(ada, ["books"]);
  assert.deepEqual(ada.books.map((b) => b.title), ["a1"]);
  await s.refresh(ada, ["name"]);
  assert.equal(ada.name, "mine");
  assert.equal(s.isModified(ada), false);
  await assert.rejects(() => s.refresh(ada, ["nope"]), ArgumentError);
});

dbTest("refresh of a deleted row is a clear error", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const bob = (await s.one(select(Author).where(sql`${Author.c.name} = ${"bob"}`)))!;
  await s.run(sql`DELETE FROM sq_authors WHERE id = ${bob.id}`);
  await assert.rejects(() => s.refresh(bob, ["bio"]), /Author .* no longer exists/);
  await assert.rejects(() => s.refresh(bob), /no longer exists/);
});

dbTest("isModified: columns and relationships, net changes only", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const [ada, bob] = await s.all(select(Author).orderBy(Author.c.name));
  assert.equal(s.isModified(ada), false);
  ada.name = "x";
  assert.equal(s.isModified(ada), true);
  ada.name = "ada";
  assert.equal(s.isModified(ada), false, "set back: no net change");
  await s.load([ada, bob], "books");
  const book = ada.books[0];
  bob.books.push(book);
  assert.equal(s.isModified(bob), true);
  bob.books.pop();
  assert.equal(s.isModified(bob), false);
  const fresh = new Author({ name: "z" });
  s.add(fresh);
  assert.equal(s.isModified(fresh), true);
});

dbTest("new, dirty and deleted are live read-only views", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const [ada, bob] = await s.all(select(Author).orderBy(Author.c.name));
  const view = s.new;
  assert.equal(s.new, view, "the same view each time");
  const cy = new Author({ name: "cy" });
  s.add(cy);
  assert.deepEqual([view.size, view.has(cy), [...view].length], [1, true, 1]);
  ada.bio = "changed";
  assert.deepEqual([s.dirty.size, s.dirty.has(ada), s.dirty.has(bob)], [1, true, false]);
  ada.bio = "first";
  assert.equal(s.dirty.size, 0, "no net change: not dirty");
  s.delete(bob);
  assert.deepEqual([...s.deleted], [bob]);
  const seen: object[] = [];
  s.deleted.forEach((o) => seen.push(o));
  assert.deepEqual(seen, [bob]);
  await s.flush();
  assert.deepEqual([view.size, s.deleted.size, s.dirty.size], [0, 0, 0]);
  assert.equal("add" in view, false);
});

dbTest("session.load of an object whose key column is expired says what to do", async (db) => {
  const engine = await seeded(db);
  await using s = engine.session();
  const [book] = await s.all(select(Book).orderBy(Book.c.id));
  s.expire(book, ["authorId"]);
  await assert.rejects(() => s.load(book, "author"), (e: unknown) => {
    assert(e instanceof NotLoadedError);
    assert.match(e.message, /Book\.authorId is expired/);
    return true;
  });
  await s.refresh(book, ["authorId"]);
  await s.load(book, "author");
  assert.equal(book.author.name, "ada");
});

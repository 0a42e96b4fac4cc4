/**
 * Acceptance of computed attributes and association proxies, written from the text:
 * SQL-expression attributes loaded with the row, usable in `where` and `orderBy`, read-only;
 * stored generated columns created by DDL, never written, read back after a flush; a proxy over
 * a many-to-many, readable and writable, in sync with the collection.
 */
import assert from "node:assert/strict";
import {
  asc,
  associationProxy,
  type Collection,
  column,
  DatabaseError,
  desc,
  eq,
  type Fragment,
  gt,
  InvalidRequestError,
  Model,
  relationship,
  select,
  selectin,
  sql,
  table,
  types,
} from "../mod.ts";
import { type Db, dbTest, statementLog } from "./_db.ts";

class Author extends Model("a16c_authors", {
  id: column.integer().primaryKey(),
  first: column.text(),
  last: column.text(),
  fullName: column.expression(
    (t): Fragment => sql`${t.c.first} || ' ' || ${t.c.last}`,
    types.text,
  ),
  bookCount: column.expression(
    (t): Fragment =>
      sql`(SELECT CAST(count(*) AS INTEGER) FROM ${Book} WHERE ${Book.c.authorId} = ${t.c.id})`,
    types.integer,
  ),
}) {
  static books = relationship(() => Book, { backPopulates: "author" });
  declare books: Book[];
}

class Book extends Model("a16c_books", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => Author.c.id),
  price: column.integer(),
  qty: column.integer(),
  total: column.integer().generatedAs(sql`price * qty`),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
  declare author: Author;
}

const links = table("a16c_book_tags", {
  noteId: column.integer().references(() => Note.c.id).primaryKey(),
  tagId: column.integer().references(() => Tag.c.id).primaryKey(),
});

class Tag extends Model("a16c_tags", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

class Note extends Model("a16c_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
}) {
  static tags = relationship(() => Tag, { secondary: () => links });
  declare tags: Tag[];
  static tagNames = associationProxy("tags", "name");
  declare tagNames: Collection<string>;
}

const models = [Author, Book, Tag, Note, links];

async function open(db: Db, echo?: (e: { text: string }) => void) {
  const engine = db.engine(echo ? { echo } : {});
  await engine.createAll(models);
  return engine;
}

dbTest("expression attributes load with the row and serve in where and orderBy", async (db) => {
  const engine = await open(db);
  await engine.run(sql`INSERT INTO ${Author} (id, first, last) VALUES
    (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing'), (3, 'Grace', 'Hopper')`);
  await engine.run(sql`INSERT INTO ${Book} (id, author_id, price, qty) VALUES
    (1, 1, 10, 2), (2, 1, 5, 1), (3, 3, 1, 1)`);
  await using s = engine.session();
  const ada = (await s.get(Author, 1))!;
  assert.equal(ada.fullName, "Ada Lovelace");
  assert.equal(ada.bookCount, 2);
  const byName = await s.all(select(Author).orderBy(desc(Author.c.fullName)));
  assert.deepEqual(byName.map((a) => a.id), [3, 2, 1]);
  const writers = await s.all(
    select(Author).where(gt(Author.c.bookCount, 0)).orderBy(asc(Author.c.bookCount)),
  );
  assert.deepEqual(writers.map((a) => a.fullName), ["Grace Hopper", "Ada Lovelace"]);
  const exact = await s.all(select(Author).where(eq(Author.c.fullName, "Alan Turing")));
  assert.deepEqual(exact.map((a) => a.id), [2]);
  // As a column of a Core select, too.
  const names = await s.scalars(select(Author.c.fullName).orderBy(Author.c.id));
  assert.deepEqual(names, ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
  // And by a relationship load.
  const [book] = await s.all(select(Book).where(eq(Book.c.id, 3)).options(selectin("author")));
  assert.equal(book.author.fullName, "Grace Hopper");
});

dbTest("expression attributes are read-only and read back after insert and update", async (db) => {
  const log = statementLog();
  const engine = await open(db, log.echo);
  await using s = engine.session();
  const a = new Author({ first: "Ada", last: "Lovelace" });
  assert.throws(() => ((a as { fullName: string }).fullName = "x"), InvalidRequestError);
  s.add(a);
  await s.flush();
  assert.equal(a.fullName, "Ada Lovelace");
  assert.equal(a.bookCount, 0);
  assert(!log.texts.some((t) => t.startsWith("INSERT") && /full_name|fullName/.test(t)));
  a.last = "King";
  await s.flush();
  assert.equal(a.fullName, "Ada King");
  const loaded = (await s.get(Author, a.id))!;
  assert.throws(() => ((loaded as { bookCount: number }).bookCount = 3), InvalidRequestError);
  assert.equal(loaded.bookCount, 0);
  // After books are added, refresh reads the count again.
  await s.load(a, "books");
  a.books.push(new Book({ price: 2, qty: 3 }));
  await s.flush();
  await s.refresh(a);
  assert.equal(a.bookCount, 1);
  await s.commit();
});

dbTest("a stored generated column: created by DDL, never written, read back", async (db) => {
  const log = statementLog();
  const engine = await open(db, log.echo);
  await using s = engine.session();
  const a = new Author({ first: "x", last: "y" });
  const b = new Book({ price: 4, qty: 5 });
  a.books.push(b);
  s.add(a);
  await s.flush();
  assert.equal(b.total, 20);
  const insert = log.texts.find((t) => t.startsWith("INSERT") && t.includes("a16c_books"))!;
  assert(!insert.includes('"total"'), insert);
  b.qty = 6;
  await s.flush();
  assert.equal(b.total, 24);
  assert.throws(() => ((b as { total: number }).total = 1), InvalidRequestError);
  await s.commit();
  // The database computes it, whoever writes.
  await engine.run(sql`UPDATE ${Book} SET price = 10 WHERE id = ${b.id}`);
  assert.equal(await engine.scalar(sql`SELECT total FROM ${Book} WHERE id = ${b.id}`), 60);
  // Raw writes of it are refused by the database itself.
  await assert.rejects(engine.run(sql`UPDATE ${Book} SET total = 1`), DatabaseError);
  await s.refresh(b);
  assert.equal(b.total, 60);
  const rows = await s.all(select(Book).where(gt(Book.c.total, 50)));
  assert.deepEqual(rows, [b]);
});

dbTest("an association proxy reads and writes the many-to-many, in sync", async (db) => {
  const engine = await open(db);
  let id: number;
  {
    await using s = engine.session();
    const n = new Note({ body: "n" });
    n.tagNames.push("a", "b");
    assert.equal(n.tags.length, 2);
    assert(n.tags.every((t) => t instanceof Tag));
    n.tags.push(new Tag({ name: "c" })); // the collection's change shows in the proxy
    assert.deepEqual([...n.tagNames], ["a", "b", "c"]);
    n.tagNames[0] = "A"; // an index sets that tag's name
    assert.equal(n.tags[0].name, "A");
    n.tagNames.remove("b");
    assert.deepEqual(n.tags.map((t) => t.name), ["A", "c"]);
    s.add(n);
    await s.commit();
    id = n.id;
    assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${links}`), 2);
  }
  {
    await using s = engine.session();
    const [n] = await s.all(select(Note).options(selectin("tags")));
    assert.deepEqual([...n.tagNames].sort(), ["A", "c"]);
    assert.equal(n.tagNames.length, 2);
    assert(n.tagNames.includes("c"));
    n.tagNames = ["z"] as unknown as Collection<string>; // a whole list replaces the collection
    assert.deepEqual(n.tags.map((t) => t.name), ["z"]);
    await s.commit();
  }
  {
    await using s = engine.session();
    const n = (await s.get(Note, id))!;
    await s.load(n, "tags");
    assert.deepEqual([...n.tagNames], ["z"]);
    assert.equal(await s.scalar(sql`SELECT count(*) AS n FROM ${links}`), 1);
  }
});

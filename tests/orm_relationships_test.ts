/**
 * Relationships: every kind round-trips through flush and load; back-populates sync both
 * ways; cascades and orphans; loading strategies with asserted query counts.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  constraint,
  inspect,
  IntegrityError,
  joined,
  Model,
  NotLoadedError,
  relationship,
  select,
  selectin,
  sql,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class Author extends Model("rel_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static books = relationship(() => Book, {
    backPopulates: "author",
    cascade: "all, delete-orphan",
    orderBy: () => Book.c.title,
  });
  declare books: Book[];
  static profile = relationship(() => Profile, { backPopulates: "author", uselist: false });
  declare profile: Profile | null;
}

class Book extends Model("rel_books", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => Author.c.id, { onDelete: "cascade" }),
  reviewerId: column.integer().nullable().references(() => Reader.c.id),
  editorId: column.integer().nullable().references(() => Reader.c.id),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
  declare author: Author;
  static reviewer = relationship(() => Reader, { foreignKey: () => Book.c.reviewerId });
  declare reviewer: Reader | null;
  static editor = relationship(() => Reader, { foreignKey: () => Book.c.editorId });
  declare editor: Reader | null;
  static tags = relationship(() => Tag, { secondary: () => BookTag, backPopulates: "books" });
  declare tags: Tag[];
  static chapters = relationship(() => Chapter, { backPopulates: "book", cascade: "all" });
  declare chapters: Chapter[];
}

class Chapter extends Model("rel_chapters", {
  id: column.integer().primaryKey(),
  n: column.integer(),
  bookId: column.integer().references(() => Book.c.id, { onDelete: "cascade" }),
}) {
  static book = relationship(() => Book, { backPopulates: "chapters" });
  declare book: Book;
}

class Profile extends Model("rel_profiles", {
  id: column.integer().primaryKey(),
  bio: column.text(),
  authorId: column.integer().unique().references(() => Author.c.id, { onDelete: "cascade" }),
}) {
  static author = relationship(() => Author, { backPopulates: "profile" });
  declare author: Author;
}

class Reader extends Model("rel_readers", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

class Tag extends Model("rel_tags", {
  id: column.integer().primaryKey(),
  label: column.text().unique(),
}) {
  static books = relationship(() => Book, { secondary: () => BookTag, backPopulates: "tags" });
  declare books: Book[];
}

class BookTag extends Model("rel_book_tags", {
  bookId: column.integer().references(() => Book.c.id, { onDelete: "cascade" }),
  tagId: column.integer().references(() => Tag.c.id, { onDelete: "cascade" }),
}, { constraints: (c) => [constraint.primaryKey(c.bookId, c.tagId)] }) {}

class Node extends Model("rel_nodes", {
  id: column.integer().primaryKey(),
  name: column.text(),
  parentId: column.integer().nullable().references((self) => self.c.id),
}) {
  static parent = relationship(() => Node, { backPopulates: "children", direction: "many-to-one" });
  declare parent: Node | null;
  static children = relationship(() => Node, {
    backPopulates: "parent",
    direction: "one-to-many",
    cascade: "all",
  });
  declare children: Node[];
}

class Team extends Model("rel_teams", { id: column.integer().primaryKey() }) {
  static members = relationship(() => Member, { passiveDeletes: true });
  declare members: Member[];
}
class Member extends Model("rel_members", {
  id: column.integer().primaryKey(),
  teamId: column.integer().references(() => Team.c.id, { onDelete: "cascade" }),
}) {}

const MODELS = [Author, Reader, Book, Chapter, Profile, Tag, BookTag, Node, Team, Member];

async function setup(db: Db, texts?: string[]) {
  const engine = db.engine(texts ? { echo: (e) => texts.push(e.text) } : {});
  await engine.dropAll(MODELS);
  await engine.createAll(MODELS);
  texts?.splice(0);
  return engine;
}

const selects = (texts: string[]) => texts.filter((t) => t.startsWith("SELECT"));

dbTest("one-to-many and many-to-one: back-populates both ways, in memory", () => {
  const a = new Author({ name: "a" });
  const b = new Author({ name: "b" });
  const x = new Book({ title: "x" });
  const y = new Book({ title: "y" });
  assert.equal(a.books.length, 0, "a new object starts with an empty collection");
  assert.equal(new Profile({ bio: "" }).author, null, "and a null reference");
  a.books.push(x);
  assert.equal(x.author, a);
  y.author = a;
  assert.deepEqual(a.books, [x, y]);
  y.author = b;
  assert.deepEqual(a.books, [x], "moving a child leaves the old parent's collection");
  assert.deepEqual(b.books, [y]);
  b.books.unshift(x);
  assert.equal(x.author, b);
  assert.deepEqual(a.books, []);
  assert.equal(b.books.shift(), x);
  assert.equal(x.author, null);
  b.books.splice(0, 1, x);
  assert.equal(y.author, null);
  assert.equal(x.author, b);
  assert.equal(b.books.pop(), x);
  assert.equal(x.author, null);
  b.books.push(x, y);
  b.books.splice(b.books.indexOf(x), 1);
  assert.equal(x.author, null);
  b.books = [x];
  assert.equal(x.author, b);
  assert.equal(y.author, null);
  assert.throws(() => b.books.push(new Reader({ name: "r" }) as never), /holds Book objects/);
  return Promise.resolve();
});

dbTest("foreign keys are synced from new parents' keys in the same flush", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  const a = new Author({ name: "a" });
  const books = [new Book({ title: "b1" }), new Book({ title: "b2" })];
  for (const b of books) a.books.push(b);
  books[0].chapters.push(new Chapter({ n: 1 }), new Chapter({ n: 2 }));
  session.add(a);
  await session.commit();
  assert.ok(books.every((b) => b.authorId === a.id));
  assert.ok(books[0].chapters.every((c) => c.bookId === books[0].id));
  const inserts = texts.filter((t) => t.startsWith("INSERT"));
  assert.equal(inserts.length, 3, "one batched INSERT per table, parents first");
  assert.deepEqual(inserts.map((t) => t.match(/rel_\w+/)![0]), [
    "rel_authors",
    "rel_books",
    "rel_chapters",
  ]);
});

dbTest("round trip: load with selectin, nested, and session.load", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  {
    await using session = engine.session();
    for (let i = 0; i < 3; i++) {
      const a = new Author({ name: `a${i}` });
      for (let j = 0; j < 2; j++) {
        const b = new Book({ title: `t${i}${j}` });
        b.chapters.push(new Chapter({ n: 1 }));
        a.books.push(b);
      }
      session.add(a);
    }
    await session.commit();
  }
  texts.splice(0);
  await using session = engine.session();
  const authors = await session.all(
    select(Author).orderBy(Author.c.name).options(selectin("books", selectin("chapters"))),
  );
  assert.equal(selects(texts).length, 3, "one query per level");
  assert.deepEqual(authors.map((a) => a.books.map((b) => b.title)), [
    ["t00", "t01"],
    ["t10", "t11"],
    ["t20", "t21"],
  ]);
  assert.ok(authors.every((a) => a.books.every((b) => b.author === a && b.chapters.length === 1)));
  const plain = await session.all(select(Book).populateExisting());
  const fresh = await session.all(select(Chapter));
  assert.equal(fresh.length, 6);
  texts.splice(0);
  // Many-to-one: resolved from the identity map when the parent is there; otherwise loaded.
  assert.equal(fresh[0].book, plain.find((b) => b.id === fresh[0].bookId));
  await session.close();
  await using s2 = engine.session();
  const chapters = await s2.all(select(Chapter));
  assert.throws(() => chapters[0].book, NotLoadedError);
  texts.splice(0);
  await s2.load(chapters, "book");
  assert.equal(selects(texts).length, 1, "many objects load in one batched query");
  assert.ok(chapters.every((c) => c.book.id === c.bookId));
});

dbTest("joined loading: one query with a LEFT JOIN, rows de-duplicated", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  {
    await using session = engine.session();
    const a = new Author({ name: "a" });
    a.books.push(new Book({ title: "x" }), new Book({ title: "y" }));
    session.add(a);
    session.add(new Author({ name: "lonely" }));
    await session.commit();
  }
  texts.splice(0);
  await using session = engine.session();
  const authors = await session.all(select(Author).orderBy(Author.c.name).options(joined("books")));
  assert.equal(selects(texts).length, 1);
  assert.match(selects(texts)[0], /LEFT JOIN/);
  assert.deepEqual(authors.map((a) => a.name), ["a", "lonely"]);
  assert.deepEqual(authors[0].books.map((b) => b.title).sort(), ["x", "y"]);
  assert.deepEqual(authors[1].books, []);
  const books = await session.all(select(Book).options(joined("author")));
  assert.ok(books.every((b) => b.author === authors[0]));
});

dbTest("selectin of 1,000 parents with 10 children each takes 2 queries", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  {
    await using session = engine.session();
    for (let i = 0; i < 1000; i++) {
      const a = new Author({ name: `a${i}` });
      for (let j = 0; j < 10; j++) a.books.push(new Book({ title: `b${i}-${j}` }));
      session.add(a);
    }
    await session.commit();
  }
  texts.splice(0);
  await using session = engine.session();
  const authors = await session.all(select(Author).options(selectin("books")));
  assert.equal(authors.length, 1000);
  assert.equal(selects(texts).length, 2);
  assert.ok(authors.every((a) => a.books.length === 10));
  assert.equal(authors[7].books[3].title, `${authors[7].name.replace("a", "b")}-3`);
});

dbTest("one-to-one", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const a = new Author({ name: "a" });
  const p = new Profile({ bio: "hi" });
  a.profile = p;
  assert.equal(p.author, a);
  session.add(a);
  await session.commit();
  assert.equal(p.authorId, a.id);
  await session.close();
  await using s2 = engine.session();
  const [loaded] = await s2.all(select(Author).options(selectin("profile")));
  assert.equal(loaded.profile?.bio, "hi");
  assert.equal(loaded.profile?.author, loaded);
  loaded.profile = new Profile({ bio: "new" });
  await assert.rejects(() => s2.commit(), IntegrityError, "the old profile keeps a NOT NULL key");
});

dbTest("many-to-many: association rows inserted and deleted at flush", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  {
    await using session = engine.session();
    const a = new Author({ name: "a" });
    const x = new Book({ title: "x" });
    const y = new Book({ title: "y" });
    a.books.push(x, y);
    const red = new Tag({ label: "red" });
    const blue = new Tag({ label: "blue" });
    x.tags.push(red, blue);
    assert.deepEqual(red.books, [x], "back-populated");
    blue.books.push(y);
    assert.deepEqual(y.tags, [blue]);
    session.add(a);
    await session.commit();
  }
  const pairs = async () =>
    (await engine.all<{ b: string; t: string }>(sql`
      SELECT ${Book.c.title} AS b, ${Tag.c.label} AS t FROM ${BookTag}
      JOIN ${Book} ON ${Book.c.id} = ${BookTag.c.bookId}
      JOIN ${Tag} ON ${Tag.c.id} = ${BookTag.c.tagId} ORDER BY 1, 2`)).map((r) => `${r.b}:${r.t}`);
  assert.deepEqual(await pairs(), ["x:blue", "x:red", "y:blue"]);
  {
    await using session = engine.session();
    const books = await session.all(select(Book).orderBy(Book.c.title).options(selectin("tags")));
    assert.deepEqual(books.map((b) => b.tags.map((t) => t.label).sort()), [["blue", "red"], [
      "blue",
    ]]);
    const red = books[0].tags.find((t) => t.label === "red")!;
    books[0].tags.splice(books[0].tags.indexOf(red), 1);
    books[1].tags.push(red);
    await session.commit();
  }
  assert.deepEqual(await pairs(), ["x:blue", "y:blue", "y:red"]);
  {
    await using session = engine.session();
    const tag = (await session.one(select(Tag).where(sql`${Tag.c.label} = ${"blue"}`)))!;
    session.delete(tag);
    await session.commit();
  }
  assert.deepEqual(await pairs(), ["y:red"], "deleting a tag deletes its association rows");
});

dbTest(
  "self-referential tree: parents inserted before children, children deleted first",
  async (db) => {
    const engine = await setup(db);
    {
      await using session = engine.session();
      const root = new Node({ name: "root" });
      const a = new Node({ name: "a" });
      const b = new Node({ name: "b" });
      const a1 = new Node({ name: "a1" });
      // Added deepest first: the flush still orders parents first.
      session.add(a1);
      a.children.push(a1);
      root.children.push(a, b);
      session.add(root);
      await session.commit();
      assert.equal(a1.parentId, a.id);
      assert.equal(a.parentId, root.id);
      assert.equal(root.parentId, null);
    }
    await using session = engine.session();
    const [root] = await session.all(
      select(Node).where(sql`${Node.c.parentId} IS NULL`).options(
        selectin("children", selectin("children")),
      ),
    );
    assert.deepEqual(root.children.map((c) => c.name).sort(), ["a", "b"]);
    const a = root.children.find((c) => c.name === "a")!;
    assert.deepEqual(a.children.map((c) => c.name), ["a1"]);
    assert.equal(a.children[0].parent, a);
    session.delete(root);
    await session.commit();
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Node}`), 0);
  },
);

dbTest("two relationships to the same table, told apart by foreignKey", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const ann = new Reader({ name: "ann" });
  const bob = new Reader({ name: "bob" });
  const book = new Book({ title: "t", reviewer: ann, editor: bob } as never);
  new Author({ name: "a" }).books.push(book);
  session.add(book);
  await session.commit();
  assert.equal(book.reviewerId, ann.id);
  assert.equal(book.editorId, bob.id);
  await session.close();
  await using s2 = engine.session();
  const [loaded] = await s2.all(select(Book).options(selectin("reviewer"), selectin("editor")));
  assert.equal(loaded.reviewer?.name, "ann");
  assert.equal(loaded.editor?.name, "bob");
});

dbTest("cascades: delete, delete-orphan, save-update, passive deletes", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  const a = new Author({ name: "a" });
  const keep = new Book({ title: "keep" });
  const orphan = new Book({ title: "orphan" });
  a.books.push(keep, orphan);
  session.add(a);
  await session.commit();
  a.books.splice(a.books.indexOf(orphan), 1);
  await session.commit();
  assert.equal(inspect(orphan).status, "detached");
  assert.deepEqual(
    (await session.all(select(Book))).map((b) => b.title),
    ["keep"],
    "delete-orphan deleted the removed book",
  );
  // Index assignment is reconciled at flush.
  const replacement = new Book({ title: "replacement" });
  a.books[0] = replacement;
  await session.commit();
  assert.equal(inspect(replacement).status, "persistent", "save-update cascaded at flush");
  assert.deepEqual((await session.all(select(Book))).map((b) => b.title), ["replacement"]);
  // Deleting a parent whose children are not loaded loads and deletes them.
  await session.close();
  await using s2 = engine.session();
  const [author] = await s2.all(select(Author));
  s2.delete(author);
  await s2.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Book}`), 0);
  // Passive deletes leave the children to ON DELETE CASCADE: no SELECT of members.
  const team = new Team({});
  team.members.push(new Member({}), new Member({}));
  s2.add(team);
  await s2.commit();
  await s2.close();
  await using s3 = engine.session();
  const [t] = await s3.all(select(Team));
  texts.splice(0);
  s3.delete(t);
  await s3.commit();
  assert.equal(selects(texts).length, 0);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Member}`), 0);
});

dbTest("relationship mistakes are clear errors naming both sides", () => {
  class Lonely extends Model("rel_err_lonely", { id: column.integer().primaryKey() }) {
    static friends = relationship(() => Reader, {});
    declare friends: Reader[];
    static wrong = relationship(() => Author, { backPopulates: "nope" as never });
    declare wrong: Author[];
  }
  const l = new Lonely({});
  assert.throws(() => l.friends, (e: unknown) => {
    assert.ok(e instanceof ArgumentError);
    assert.match(
      (e as Error).message,
      /Lonely\.friends.*no foreign key links rel_err_lonely and rel_readers/,
    );
    return true;
  });
  assert.throws(() => l.wrong, /Lonely\.wrong/);
  class Twice extends Model("rel_err_twice", {
    id: column.integer().primaryKey(),
    a: column.integer().references(() => Reader.c.id),
    b: column.integer().references(() => Reader.c.id),
  }) {
    static reader = relationship(() => Reader);
    declare reader: Reader;
  }
  assert.throws(() => new Twice({}).reader, /several foreign keys.*foreignKey/);
  class BadBack extends Model("rel_err_back", {
    id: column.integer().primaryKey(),
    authorId: column.integer().references(() => Author.c.id),
  }) {
    static author = relationship(() => Author, { backPopulates: "books" });
    declare author: Author;
  }
  assert.throws(() => new BadBack({}).author, /BadBack\.author.*Author\.books.*Book, not BadBack/s);
  return Promise.resolve();
});

dbTest("joins along relationships need no ON clause", async (db) => {
  const engine = await setup(db);
  {
    await using session = engine.session();
    const a = new Author({ name: "a" });
    const x = new Book({ title: "x" });
    a.books.push(x, new Book({ title: "y" }));
    x.tags.push(new Tag({ label: "red" }));
    session.add(a);
    session.add(new Author({ name: "nobody" }));
    await session.commit();
  }
  await using session = engine.session();
  const writers = await session.all(
    select(Author).join(Author.books).where(sql`${Book.c.title} = ${"x"}`),
  );
  assert.deepEqual(writers.map((w) => w.name), ["a"]);
  const tagged = await session.all(
    select(Book).join(Book.tags).where(sql`${Tag.c.label} = ${"red"}`),
  );
  assert.deepEqual(tagged.map((b) => b.title), ["x"]);
  const { rows } = await session.execute(
    select({ name: Author.c.name, title: Book.c.title }).from(Book).join(Book.author)
      .orderBy(Book.c.title),
  );
  assert.deepEqual(rows, [{ name: "a", title: "x" }, { name: "a", title: "y" }]);
  assert.throws(() => select(Author).join(Author.books, sql`1 = 1`), /no ON condition/);
});

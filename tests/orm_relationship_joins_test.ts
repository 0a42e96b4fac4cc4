/**
 * Relationships in SQL before and after their classes are configured, and joins along them:
 *
 * - `User.posts.any()`, `.has()` and `join(User.posts)` work in a fresh process, before any
 *   session query or `new User()` configured the classes (they configure what they need, as
 *   SQLAlchemy's `configure_mappers`); a relationship no mapped class holds is a clear error.
 * - A select that does not read a relationship's owner reads it first
 *   (`select(Post).join(User.posts)` is `FROM users JOIN posts`), or, when it already joins
 *   other tables, joins the path the other way round; what cannot be joined is an error.
 * - A self-referential relationship joins only to an alias of its target
 *   (`Post.replies.of(alias)`); a joined hierarchy's target joins each of its tables.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  compile,
  constraint,
  eq,
  InvalidRequestError,
  Model,
  postgresDialect,
  relationship,
  select,
  sql,
  sqliteDialect,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

// ---------------------------------------------------------------------------------------------
// Configuring on first use. Each case declares its classes afresh (nothing has configured
// them); the tables are made with SQL, as an application whose schema comes from migrations.

async function unconfiguredTables(db: Db) {
  const engine = db.engine();
  for (
    const ddl of [
      sql`CREATE TABLE fxj_uc_authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
      sql`CREATE TABLE fxj_uc_books (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
        author_id INTEGER NOT NULL REFERENCES fxj_uc_authors (id))`,
      sql`CREATE TABLE fxj_uc_shelves (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
      sql`CREATE TABLE fxj_uc_items (id INTEGER PRIMARY KEY,
        shelf_id INTEGER NOT NULL REFERENCES fxj_uc_shelves (id))`,
      sql`INSERT INTO fxj_uc_authors VALUES (1, 'ursula'), (2, 'nobody')`,
      sql`INSERT INTO fxj_uc_books VALUES (1, 'earthsea', 1), (2, 'lathe', 1)`,
      sql`INSERT INTO fxj_uc_shelves VALUES (1, 'full'), (2, 'empty')`,
      sql`INSERT INTO fxj_uc_items VALUES (1, 1)`,
    ]
  ) await engine.run(ddl);
  return engine;
}

/** Authors and books, both sides declared. */
function authorsAndBooks() {
  class Author extends Model("fxj_uc_authors", {
    id: column.integer().primaryKey(),
    name: column.text(),
  }) {
    static books = relationship(() => Book, { backPopulates: "author" });
    declare books: Book[];
  }
  class Book extends Model("fxj_uc_books", {
    id: column.integer().primaryKey(),
    title: column.text(),
    authorId: column.integer().references(() => Author.c.id),
  }) {
    static author = relationship(() => Author, { backPopulates: "books" });
    declare author: Author;
  }
  return { Author, Book };
}

/** A shelf's items, declared on the shelf only: no relationship leads to Shelf. */
function shelvesOnly() {
  class Shelf extends Model("fxj_uc_shelves", {
    id: column.integer().primaryKey(),
    name: column.text(),
  }) {
    static items = relationship(() => Item);
    declare items: Item[];
  }
  class Item extends Model("fxj_uc_items", {
    id: column.integer().primaryKey(),
    shelfId: column.integer().references(() => Shelf.c.id),
  }) {}
  return { Shelf, Item };
}

dbTest("any() and has() before any class is configured", async (db) => {
  const engine = await unconfiguredTables(db);
  await using s = engine.session();
  {
    const { Author, Book } = authorsAndBooks();
    const q = select(Author).where(Author.books.any(eq(Book.c.title, "earthsea")));
    assert.deepEqual((await s.all(q)).map((a) => a.name), ["ursula"]);
  }
  {
    const { Author, Book } = authorsAndBooks();
    const q = select(Book).where(Book.author.has(eq(Author.c.name, "ursula")));
    assert.deepEqual((await s.all(q.orderBy(Book.c.id))).map((b) => b.id), [1, 2]);
  }
  {
    // Compiled alone, outside a session.
    const { Author } = authorsAndBooks();
    const text = compile(select(Author.c.id).where(Author.books.any()), sqliteDialect).text;
    assert.match(text, /EXISTS \(SELECT 1 AS "one" FROM "fxj_uc_books" WHERE/);
  }
  {
    // Nothing refers to Shelf: select(Shelf) is its first use, which configures it.
    const { Shelf } = shelvesOnly();
    const q = select(Shelf).where(Shelf.items.any());
    assert.deepEqual((await s.all(q)).map((x) => x.name), ["full"]);
  }
});

dbTest("join() along a relationship before any class is configured", async (db) => {
  const engine = await unconfiguredTables(db);
  await using s = engine.session();
  {
    const { Author } = authorsAndBooks();
    const q = select(Author).join(Author.books).distinct();
    assert.deepEqual((await s.all(q)).map((a) => a.name), ["ursula"]);
  }
  {
    // The owner is not even in the query: select(Book) reads it first.
    const { Author, Book } = authorsAndBooks();
    const q = select(Book).join(Author.books).where(eq(Author.c.name, "ursula"));
    assert.deepEqual((await s.all(q.orderBy(Book.c.id))).map((b) => b.title), [
      "earthsea",
      "lathe",
    ]);
  }
  {
    const { Shelf } = shelvesOnly();
    assert.deepEqual((await s.all(select(Shelf).join(Shelf.items))).map((x) => x.id), [1]);
  }
});

dbTest("a relationship no configured class holds is a clear error", async (db) => {
  const engine = await unconfiguredTables(db);
  await using s = engine.session();
  const { Shelf } = shelvesOnly();
  // Shelf is neither used yet nor referred to by a relationship: nothing leads to it.
  assert.throws(
    () => Shelf.items.any(),
    (e: unknown) =>
      e instanceof InvalidRequestError &&
      /relationship to Item is used, but no configured mapped class holds it/.test(e.message) &&
      /when none refers to the owner, use the owner first/.test(e.message),
  );
  // Once used, it is configured.
  assert.equal((await s.all(select(Shelf).where(Shelf.items.any()))).length, 1);
  const stray = relationship(() => Shelf);
  assert.throws(() => stray.any(), /relationship to Shelf is used, but no configured mapped class/);
});

// ---------------------------------------------------------------------------------------------
// Joins along relationships.

class User extends Model("fxj_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static posts = relationship(() => Post, { backPopulates: "author" });
  declare posts: Post[];
}
class Post extends Model("fxj_posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => User.c.id),
  parentId: column.integer().nullable().references((t) => t.c.id),
  title: column.text(),
}) {
  static author = relationship(() => User, { backPopulates: "posts" });
  declare author: User;
  static parent = relationship(() => Post, { backPopulates: "replies", direction: "many-to-one" });
  declare parent: Post | null;
  static replies = relationship(() => Post, { backPopulates: "parent", direction: "one-to-many" });
  declare replies: Post[];
  static tags = relationship(() => Tag, { secondary: () => PostTag, backPopulates: "posts" });
  declare tags: Tag[];
}
class Tag extends Model("fxj_tags", { id: column.integer().primaryKey(), label: column.text() }) {
  static posts = relationship(() => Post, { secondary: () => PostTag, backPopulates: "tags" });
  declare posts: Post[];
}
class PostTag extends Model("fxj_post_tags", {
  postId: column.integer().references(() => Post.c.id),
  tagId: column.integer().references(() => Tag.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.postId, c.tagId)] }) {}
class Group extends Model("fxj_groups", { id: column.integer().primaryKey() }) {
  static members = relationship(() => Member);
  declare members: Member[];
}
class Member extends Model("fxj_members", {
  id: column.integer().primaryKey(),
  groupId: column.integer().references(() => Group.c.id),
}) {
  static group = relationship(() => Group);
  declare group: Group;
}

/** ann wrote 1..3, bob 4..5, cid nothing; replies: 1 <- 2 <- 3, 1 <- 4 <- 5; tags on 1, 2. */
async function seed(db: Db) {
  const engine = db.engine();
  await engine.createAll([User, Post, Tag, PostTag, Group, Member]);
  await using s = engine.session();
  s.addAll([1, 2, 3].map((id) => new User({ id, name: ["ann", "bob", "cid"][id - 1] })));
  await s.flush();
  const post = (id: number, authorId: number, parentId: number | null) =>
    new Post({ id, authorId, parentId, title: `p${id}` });
  for (const batch of [[post(1, 1, null)], [post(2, 1, 1), post(4, 2, 1)]]) {
    s.addAll(batch);
    await s.flush();
  }
  s.addAll([post(3, 1, 2), post(5, 2, 4), new Tag({ id: 1, label: "t1" })]);
  s.add(new Tag({ id: 2, label: "t2" }));
  await s.flush();
  s.addAll([[1, 1], [1, 2], [2, 1]].map(([postId, tagId]) => new PostTag({ postId, tagId })));
  await s.commit();
  return engine;
}

const textOf = (q: unknown, db: Db) =>
  compile(q as never, db.dialect === "sqlite" ? sqliteDialect : postgresDialect).text;

dbTest("a select that does not read a relationship's owner reads it first", async (db) => {
  const engine = await seed(db);
  await using s = engine.session();
  const byBob = select(Post).join(User.posts).where(eq(User.c.name, "bob"));
  assert.match(
    textOf(byBob, db),
    /FROM "fxj_users" JOIN "fxj_posts" ON "fxj_posts"."author_id" = "fxj_users"."id" WHERE/,
  );
  assert.deepEqual((await s.all(byBob.orderBy(Post.c.id))).map((p) => p.id), [4, 5]);
  // An explicit FROM of the target gives way to the owner, as SQLAlchemy hides it.
  const fromPosts = select(Post).from(Post).join(User.posts).where(eq(User.c.name, "ann"));
  assert.deepEqual((await s.all(fromPosts.orderBy(Post.c.id))).map((p) => p.id), [1, 2, 3]);
  const fromBoth = select(Post).from(User, Post).join(User.posts).where(eq(User.c.name, "bob"));
  assert.match(textOf(fromBoth, db), /FROM "fxj_users" JOIN "fxj_posts" ON/);
  assert.deepEqual((await s.all(fromBoth.orderBy(Post.c.id))).map((p) => p.id), [4, 5]);
  // A many-to-many: FROM posts JOIN post_tags JOIN tags.
  const onP2 = select(Tag).join(Post.tags).where(eq(Post.c.title, "p2"));
  assert.deepEqual((await s.all(onP2)).map((t) => t.label), ["t1"]);
  // LEFT JOIN: every user, with a NULL for cid, who wrote nothing.
  const ids = await s.scalars(
    select(Post.c.id).leftJoin(User.posts).orderBy(sql`${Post.c.id} IS NULL`, Post.c.id),
  );
  assert.deepEqual(ids, [1, 2, 3, 4, 5, null]);
  // A query that joins other tables already joins the path the other way round.
  const tagged = select(Post).join(Post.tags).join(User.posts)
    .where(eq(User.c.name, "ann"), eq(Tag.c.label, "t1"));
  assert.match(textOf(tagged, db), /JOIN "fxj_users" ON "fxj_posts"."author_id" = /);
  assert.deepEqual((await s.all(tagged.orderBy(Post.c.id))).map((p) => p.id), [1, 2]);
  const viaTags = select(Post).join(Post.author).join(Tag.posts).where(eq(Tag.c.label, "t2"));
  assert.deepEqual((await s.all(viaTags)).map((p) => p.id), [1]);
});

dbTest("what cannot be joined along a relationship is a clear error", async (db) => {
  await seed(db);
  assert.throws(
    () => select(Post).join(Post.tags).leftJoin(User.posts),
    (e: unknown) =>
      e instanceof ArgumentError &&
      /Cannot left-join along the relationship from fxj_users to fxj_posts/.test(e.message) &&
      /Read fxj_users first/.test(e.message),
  );
  assert.throws(
    () => select(Tag).join(Tag.posts).join(Group.members),
    (e: unknown) =>
      e instanceof ArgumentError &&
      /from fxj_groups to fxj_members here: the query reads none of its tables/.test(e.message),
  );
  // Joining a table the query reads already, after joins that read it, has no place.
  assert.throws(
    () => select(Post).join(User.posts).join(Post.author),
    (e: unknown) =>
      e instanceof ArgumentError &&
      /from fxj_posts to fxj_users here: the query already reads fxj_users/.test(e.message) &&
      /\.of\(Target\.table\.as\("x"\)\)/.test(e.message),
  );
  assert.throws(() => select(Post).join(User.posts, sql`1 = 1`), /takes no ON condition/);
  return Promise.resolve();
});

dbTest("a self-referential relationship joins to an alias of its target", async (db) => {
  const engine = await seed(db);
  await using s = engine.session();
  for (const rel of [Post.replies, Post.parent]) {
    assert.throws(
      () => select(Post).join(rel),
      (e: unknown) =>
        e instanceof ArgumentError &&
        e.message.includes(`Cannot join along ${rel.qualifiedName}: it is self-referential`) &&
        e.message.includes(`const ${rel.name} = Post.table.as("${rel.name}")`) &&
        e.message.includes(`.join(${rel.qualifiedName}.of(${rel.name}))`),
    );
  }
  const reply = Post.table.as("reply");
  const parentsOfP3 = select(Post).join(Post.replies.of(reply)).where(eq(reply.c.title, "p3"));
  assert.match(
    textOf(parentsOfP3, db),
    /FROM "fxj_posts" JOIN "fxj_posts" AS "reply" ON "reply"."parent_id" = "fxj_posts"."id"/,
  );
  assert.deepEqual((await s.all(parentsOfP3)).map((p) => p.id), [2]);
  const parent = Post.table.as("parent");
  const repliesToP1 = select(Post).join(Post.parent.of(parent)).where(eq(parent.c.title, "p1"));
  assert.deepEqual((await s.all(repliesToP1.orderBy(Post.c.id))).map((p) => p.id), [2, 4]);
  const childless = await s.all(
    select(Post).leftJoin(Post.replies.of(reply)).where(sql`${reply.c.id} IS NULL`)
      .orderBy(Post.c.id),
  );
  assert.deepEqual(childless.map((p) => p.id), [3, 5]);
  for (const bad of [Post.table, User.table.as("u"), "reply"]) {
    assert.throws(
      () => Post.replies.of(bad as never),
      /Post\.replies\.of\(\.\.\.\) takes aliases of Post's table \(fxj_posts\)/,
    );
  }
  assert.throws(() => Post.replies.of(reply, Post.table.as("again")), /two aliases of fxj_posts/);
});

// ---------------------------------------------------------------------------------------------
// Hierarchies: a joined hierarchy's target joins each of its tables; a single-table
// subclass's rows are told apart on the join.

class Company extends Model("fxj_companies", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static managers = relationship(() => Manager);
  declare managers: Manager[];
}
class Employee extends Model("fxj_employees", {
  id: column.integer().primaryKey(),
  kind: column.text().default("employee"),
  name: column.text(),
  companyId: column.integer().nullable().references(() => Company.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "employee" }) {}
class Manager extends Employee.subclass("manager", { budget: column.integer() }, {
  table: "fxj_managers",
}) {}
class Engineer extends Employee.subclass("engineer", {
  bossId: column.integer().nullable().references(() => Manager.table.c.id),
}, { table: "fxj_engineers" }) {
  static boss = relationship(() => Manager, { direction: "many-to-one" });
  declare boss: Manager | null;
}

class Team extends Model("fxj_teams", { id: column.integer().primaryKey() }) {
  static leads = relationship(() => Lead);
  declare leads: Lead[];
}
class Staff extends Model("fxj_staff", {
  id: column.integer().primaryKey(),
  kind: column.text().default("staff"),
  teamId: column.integer().references(() => Team.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {}
class Lead extends Staff.subclass("lead", {}) {}

dbTest("joins along relationships to subclasses read their class's rows", async (db) => {
  const engine = db.engine();
  await engine.createAll([Company, Employee, Manager, Engineer, Team, Staff]);
  {
    await using s = engine.session();
    s.addAll([new Company({ id: 1, name: "acme" }), new Company({ id: 2, name: "bare" })]);
    s.addAll([new Team({ id: 1 }), new Team({ id: 2 })]);
    await s.flush();
    s.add(new Manager({ id: 1, name: "mia", companyId: 1, budget: 5 }));
    s.add(new Employee({ id: 3, name: "eve", companyId: 2 }));
    s.addAll([new Lead({ id: 1, teamId: 1 }), new Staff({ id: 2, teamId: 2 })]);
    await s.flush();
    s.add(new Engineer({ id: 2, name: "eli", companyId: 2, bossId: 1 }));
    await s.commit();
  }
  await using s = engine.session();
  // Company.managers: the condition reads fxj_employees.company_id; fxj_managers joins too.
  const withManagers = select(Company).join(Company.managers);
  assert.match(
    textOf(withManagers, db),
    /JOIN "fxj_employees" ON "fxj_employees"."company_id" = "fxj_companies"."id" JOIN "fxj_managers" ON "fxj_managers"."id" = "fxj_employees"."id"/,
  );
  assert.deepEqual((await s.all(withManagers)).map((c) => c.name), ["acme"]);
  const rich = select(Company).join(Company.managers).where(sql`${Manager.table.c.budget} > 3`);
  assert.deepEqual((await s.all(rich)).map((c) => c.name), ["acme"]);
  assert.deepEqual((await s.all(select(Company).where(Company.managers.any()))).length, 1);
  // The owner not read: the path is joined the other way round from the subclass's tables.
  const atAcme = select(Manager).join(Company.managers).where(eq(Company.c.name, "acme"));
  assert.deepEqual((await s.all(atAcme)).map((m) => m.name), ["mia"]);
  // Engineer.boss: a Manager's id is read from fxj_employees, which Engineer reads too.
  assert.throws(
    () => select(Engineer).join(Engineer.boss),
    (e: unknown) =>
      e instanceof ArgumentError &&
      e.message.includes("both read from fxj_employees") &&
      e.message.includes(`const boss = Employee.table.as("boss")`),
  );
  const boss = Employee.table.as("boss");
  const underMia = select(Engineer).join(Engineer.boss.of(boss)).where(eq(boss.c.name, "mia"));
  assert.deepEqual((await s.all(underMia)).map((e) => e.name), ["eli"]);
  assert.deepEqual((await s.all(select(Engineer).where(Engineer.boss.has()))).length, 1);
  // A single-table subclass target: the join keeps the subclass's rows only.
  const led = await s.all(select(Team).join(Team.leads).orderBy(Team.c.id));
  assert.deepEqual(led.map((t) => t.id), [1]);
});

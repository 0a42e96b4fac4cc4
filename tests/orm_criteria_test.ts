/**
 * Loader criteria: a session's condition on a class applies to its queries, to session.get
 * when it queries, and to relationship loads (selectin, joined, session.load);
 * withoutCriteria() lifts it for one query.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  type Engine,
  eq,
  isNull,
  joined,
  loaderCriteria,
  Model,
  relationship,
  select,
  selectin,
  sql,
  table,
  withoutCriteria,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class Blog extends Model("lc_blogs", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static posts = relationship(() => Post, { backPopulates: "blog" });
  declare posts: Post[];
}

class Post extends Model("lc_posts", {
  id: column.integer().primaryKey(),
  blogId: column.integer().references(() => Blog.c.id),
  title: column.text(),
  deletedAt: column.timestamp().nullable(),
}) {
  static blog = relationship(() => Blog, { backPopulates: "posts" });
  declare blog: Blog;
  static tags = relationship(() => Tag, { secondary: () => postTags });
  declare tags: Tag[];
}

class Tag extends Model("lc_tags", {
  id: column.integer().primaryKey(),
  label: column.text(),
  hidden: column.boolean().default(false),
}) {}

const postTags = table("lc_post_tags", {
  postId: column.integer().references(() => Post.c.id).primaryKey(),
  tagId: column.integer().references(() => Tag.c.id).primaryKey(),
});

const live = loaderCriteria(Post, (t) => isNull(t.c.deletedAt));

async function seeded(engine: Engine): Promise<void> {
  await engine.createAll([Blog, Post, Tag, postTags]);
  await using s = engine.session();
  const blog = new Blog({ id: 1, name: "b" });
  s.add(blog);
  s.addAll([
    new Post({ id: 1, blogId: 1, title: "kept" }),
    new Post({ id: 2, blogId: 1, title: "gone", deletedAt: new Date("2024-01-01T00:00:00Z") }),
    new Post({ id: 3, blogId: 1, title: "kept too" }),
    new Tag({ id: 1, label: "shown" }),
    new Tag({ id: 2, label: "hidden", hidden: true }),
  ]);
  await s.flush();
  await s.run(sql`INSERT INTO lc_post_tags (post_id, tag_id) VALUES (1, 1), (1, 2)`);
  await s.commit();
}

dbTest("criteria filter top-level selects; withoutCriteria lifts them", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using s = engine.session({ criteria: [live] });
  const titles = (await s.all(select(Post).orderBy(Post.c.id))).map((p) => p.title);
  assert.deepEqual(titles, ["kept", "kept too"]);
  const filtered = await s.all(select(Post).where(eq(Post.c.title, "gone")));
  assert.deepEqual(filtered, []);
  assert.equal(await s.scalar(select(Post).where(eq(Post.c.id, 2))), null);
  const all = await s.all(select(Post).options(withoutCriteria()).orderBy(Post.c.id));
  assert.equal(all.length, 3);
  // Core statements are not touched.
  const n = await s.scalar(sql`SELECT count(*) FROM lc_posts`);
  assert.equal(Number(n), 3);
  // Other classes are not filtered.
  assert.equal((await s.all(select(Blog))).length, 1);
});

dbTest("session.get does not find a row the criteria exclude", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using s = engine.session();
  s.addCriteria(live);
  assert.equal(await s.get(Post, 2), null);
  assert.equal((await s.get(Post, 1))?.title, "kept");
  // An object already in the identity map is returned by get without a query, even if its
  // row no longer matches: the identity map answers first, as in SQLAlchemy.
  const p = (await s.get(Post, 1))!;
  await s.run(sql`UPDATE lc_posts SET deleted_at = ${"2024-02-02 00:00:00"} WHERE id = 1`);
  assert.equal(await s.get(Post, 1), p);
  // A query does filter it out; populateExisting queries again, and finds nothing.
  assert.deepEqual(await s.all(select(Post).where(eq(Post.c.id, 1))), []);
  assert.equal(await s.get(Post, 1, { populateExisting: true }), null);
  // refresh reloads the object held, criteria or not.
  await s.refresh(p);
  assert.notEqual(p.deletedAt, null);
});

dbTest("criteria filter selectin, joined and session.load", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using s = engine.session({ criteria: [live] });
  const [blog] = await s.all(select(Blog).options(selectin("posts")));
  assert.deepEqual(blog.posts.map((p) => p.title), ["kept", "kept too"]);
  s.expungeAll();
  const [jb] = await s.all(select(Blog).options(joined("posts")));
  assert.deepEqual(jb.posts.map((p) => p.title).sort(), ["kept", "kept too"]);
  s.expungeAll();
  const b3 = (await s.get(Blog, 1))!;
  await s.load(b3, "posts");
  assert.equal(b3.posts.length, 2);
  s.expungeAll();
  const lifted = await s.all(select(Blog).options(withoutCriteria(), selectin("posts")));
  assert.equal(lifted[0].posts.length, 3);
  assert(log.texts.some((t) => /deleted_at" IS NULL/.test(t)));
});

dbTest("criteria on a many-to-one and a many-to-many target", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using s = engine.session({
    criteria: [
      loaderCriteria(Tag, (t) => eq(t.c.hidden, false)),
      loaderCriteria(Blog, (t) => eq(t.c.name, "other")),
    ],
  });
  const [p] = await s.all(
    select(Post).where(eq(Post.c.id, 1)).options(
      selectin("tags"),
      selectin("blog"),
    ),
  );
  assert.deepEqual(p.tags.map((t) => t.label), ["shown"]);
  assert.equal(p.blog, null, "the blog fails its criteria");
  s.expungeAll();
  const [q] = await s.all(select(Post).where(eq(Post.c.id, 1)).options(joined("blog")));
  assert.equal(q.blog, null);
});

dbTest("two criteria on one class are ANDed; bad criteria are refused", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using s = engine.session({
    criteria: [live, loaderCriteria(Post, (t) => eq(t.c.title, "kept"))],
  });
  assert.deepEqual((await s.all(select(Post))).map((p) => p.id), [1]);
  assert.throws(() => loaderCriteria({} as never, () => sql`1 = 1`), ArgumentError);
  assert.throws(() => s.addCriteria({ entity: Post } as never), ArgumentError);
  assert.throws(
    () => engine.session({ criteria: [null as never] }),
    /loaderCriteria\(Model/,
  );
});

dbTest("a session without criteria sends the same statements as before", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  log.texts.length = 0;
  await using s = engine.session();
  await s.get(Post, 1);
  await s.all(select(Post).options(selectin("blog")));
  assert(log.texts.every((t) => !/deleted_at" IS NULL/.test(t)));
  assert.equal((await s.all(select(Post))).length, 3);
});

dbTest("criteria filter session.stream and its selectin loads", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using s = engine.session({ criteria: [live] });
  const seen: string[] = [];
  for await (const p of s.stream(select(Post).orderBy(Post.c.id), { chunkSize: 1 })) {
    seen.push(p.title);
  }
  assert.deepEqual(seen, ["kept", "kept too"]);
  const blogs = [];
  for await (const b of s.stream(select(Blog).options(selectin("posts")))) blogs.push(b);
  assert.equal(blogs[0].posts.length, 2);
});

dbTest("a cascaded delete loads every child, criteria or not", async (db) => {
  class Box extends Model("lc_boxes", { id: column.integer().primaryKey() }) {
    static items = relationship(() => Item, {
      backPopulates: "box",
      cascade: "all, delete-orphan",
    });
    declare items: Item[];
  }
  class Item extends Model("lc_items", {
    id: column.integer().primaryKey(),
    boxId: column.integer().references(() => Box.c.id),
    gone: column.boolean().default(false),
  }) {
    static box = relationship(() => Box, { backPopulates: "items" });
    declare box: Box;
  }
  const engine = db.engine();
  await engine.createAll([Box, Item]);
  await using s = engine.session({ criteria: [loaderCriteria(Item, (t) => eq(t.c.gone, false))] });
  s.add(new Box({ id: 1 }));
  s.addAll([new Item({ id: 1, boxId: 1 }), new Item({ id: 2, boxId: 1, gone: true })]);
  await s.commit();
  s.expungeAll();
  const box = (await s.get(Box, 1))!;
  s.delete(box);
  await s.commit();
  assert.equal(Number(await s.scalar(sql`SELECT count(*) FROM lc_items`)), 0);
});

// ---- criteria declared on the class ---------------------------------------------------------

class CAuthor extends Model("lc_c_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static notes = relationship(() => CNote, { backPopulates: "author" });
  declare notes: CNote[];
}

class CNote extends Model("lc_c_notes", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => CAuthor.c.id),
  title: column.text(),
  deletedAt: column.timestamp().nullable(),
}) {
  static criteria = (t: { readonly c: typeof CNote.c }) => isNull(t.c.deletedAt);
  static author = relationship(() => CAuthor, { backPopulates: "notes" });
  declare author: CAuthor;
}

async function seededNotes(engine: Engine): Promise<void> {
  await engine.createAll([CAuthor, CNote]);
  await using s = engine.session();
  s.add(new CAuthor({ id: 1, name: "ann" }));
  s.addAll([
    new CNote({ id: 1, authorId: 1, title: "a" }),
    new CNote({ id: 2, authorId: 1, title: "b", deletedAt: new Date("2024-01-01T00:00:00Z") }),
    new CNote({ id: 3, authorId: 1, title: "c" }),
  ]);
  await s.commit();
}

dbTest("criteria declared on the class filter every session's loads", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seededNotes(engine);
  await using s = engine.session();
  const titles = (await s.all(select(CNote).orderBy(CNote.c.id))).map((n) => n.title);
  assert.deepEqual(titles, ["a", "c"]);
  assert.equal(await s.get(CNote, 2), null);
  assert.equal((await s.get(CNote, 1))?.title, "a");
  for (const load of [selectin, joined]) {
    s.expungeAll();
    const [a] = await s.all(select(CAuthor).options(load("notes")));
    assert.deepEqual(a.notes.map((n) => n.title).sort(), ["a", "c"]);
  }
  s.expungeAll();
  const a = (await s.get(CAuthor, 1))!;
  await s.load(a, "notes");
  assert.equal(a.notes.length, 2);
  assert(log.texts.some((t) => /"deleted_at" IS NULL/.test(t)));
  // Core statements are not touched.
  assert.equal(Number(await s.scalar(sql`SELECT count(*) FROM lc_c_notes`)), 3);
});

dbTest("withoutCriteria lifts the class's criteria too", async (db) => {
  const engine = db.engine();
  await seededNotes(engine);
  await using s = engine.session();
  const all = await s.all(select(CNote).options(withoutCriteria()));
  assert.equal(all.length, 3);
  s.expungeAll();
  const [a] = await s.all(select(CAuthor).options(withoutCriteria(), selectin("notes")));
  assert.equal(a.notes.length, 3);
  s.expungeAll();
  assert.equal((await s.get(CNote, 2, { options: [withoutCriteria()] }))?.title, "b");
});

dbTest("the class's criteria and the session's are ANDed", async (db) => {
  const engine = db.engine();
  await seededNotes(engine);
  await using s = engine.session({
    criteria: [loaderCriteria(CNote, (t) => eq(t.c.title, "c"))],
  });
  assert.deepEqual((await s.all(select(CNote))).map((n) => n.id), [3]);
  assert.equal(await s.get(CNote, 1), null);
});

dbTest("a class's criteria that is not a function is refused", async (db) => {
  class Odd extends Model("lc_odd", { id: column.integer().primaryKey() }) {
    static criteria = "deleted_at IS NULL";
  }
  const engine = db.engine();
  await engine.createAll([Odd]);
  await using s = engine.session();
  await assert.rejects(() => s.all(select(Odd)), /static criteria = \(t\) =>/);
});

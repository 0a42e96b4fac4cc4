/**
 * Relationship filters (`any`, `has`) as correlated EXISTS subqueries, for one-to-many,
 * many-to-one, many-to-many and self-referential relationships; joined() eager loading of
 * many-to-many through the association table.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  constraint,
  eq,
  gt,
  joined,
  Model,
  not,
  relationship,
  select,
  type SqlSource,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class FUser extends Model("flt_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static posts = relationship(() => FPost, { backPopulates: "author" });
  declare posts: FPost[];
}

class FPost extends Model("flt_posts", {
  id: column.integer().primaryKey(),
  title: column.text(),
  stars: column.integer(),
  authorId: column.integer().references(() => FUser.c.id),
}) {
  static author = relationship(() => FUser, { backPopulates: "posts" });
  declare author: FUser;
  static tags = relationship(() => FTag, { secondary: () => FPostTag, backPopulates: "posts" });
  declare tags: FTag[];
}

class FTag extends Model("flt_tags", {
  id: column.integer().primaryKey(),
  label: column.text(),
}) {
  static posts = relationship(() => FPost, { secondary: () => FPostTag, backPopulates: "tags" });
  declare posts: FPost[];
}

class FPostTag extends Model("flt_post_tags", {
  postId: column.integer().references(() => FPost.c.id),
  tagId: column.integer().references(() => FTag.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.postId, c.tagId)] }) {}

class FNode extends Model("flt_nodes", {
  id: column.integer().primaryKey(),
  name: column.text(),
  parentId: column.integer().nullable().references((self) => self.c.id),
}) {
  static parent = relationship(() => FNode, {
    backPopulates: "children",
    direction: "many-to-one",
  });
  declare parent: FNode | null;
  static children = relationship(() => FNode, {
    backPopulates: "parent",
    direction: "one-to-many",
  });
  declare children: FNode[];
}

const MODELS = [FUser, FPost, FTag, FPostTag, FNode];

async function setup(db: Db, texts?: string[]) {
  const engine = db.engine(texts ? { echo: (e) => texts.push(e.text) } : {});
  await engine.dropAll(MODELS);
  await engine.createAll(MODELS);
  {
    await using session = engine.session();
    const ann = new FUser({ name: "ann" });
    const bob = new FUser({ name: "bob" });
    session.add(new FUser({ name: "cid" }));
    const red = new FTag({ label: "red" });
    const blue = new FTag({ label: "blue" });
    session.add(new FTag({ label: "unused" }));
    const p1 = new FPost({ title: "p1", stars: 5 });
    const p2 = new FPost({ title: "p2", stars: 1 });
    const p3 = new FPost({ title: "p3", stars: 2 });
    ann.posts.push(p1, p2);
    bob.posts.push(p3);
    p1.tags.push(red, blue);
    p3.tags.push(red);
    session.add(ann);
    session.add(bob);
    const root = new FNode({ name: "root" });
    const leaf = new FNode({ name: "leaf" });
    leaf.parent = root;
    session.add(root);
    session.add(leaf);
    await session.commit();
  }
  texts?.splice(0);
  return engine;
}

dbTest("any(): users with a post, with a post matching a condition, without posts", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const names = async (...where: SqlSource<unknown>[]) =>
    (await session.all(select(FUser).where(...where).orderBy(FUser.c.name))).map((u) => u.name);
  assert.deepEqual(await names(FUser.posts.any()), ["ann", "bob"]);
  assert.deepEqual(
    await names(FUser.posts.any(gt(FPost.c.stars, 1))),
    ["ann", "bob"],
  );
  assert.deepEqual(
    await names(FUser.posts.any(gt(FPost.c.stars, 3))),
    ["ann"],
  );
  assert.deepEqual(await names(not(FUser.posts.any())), ["cid"]);
  assert.deepEqual(
    await names(eq(FUser.c.name, "bob"), FUser.posts.any()),
    ["bob"],
  );
});

dbTest("has(): posts whose author matches, correlated to the outer query", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const posts = await session.all(
    select(FPost).where(FPost.author.has(eq(FUser.c.name, "ann"))).orderBy(FPost.c.title),
  );
  assert.deepEqual(posts.map((p) => p.title), ["p1", "p2"]);
  assert.equal((await session.all(select(FPost).where(FPost.author.has()))).length, 3);
  assert.deepEqual(
    await session.all(select(FPost).where(FPost.author.has(eq(FUser.c.name, "cid")))),
    [],
  );
});

dbTest("any() on many-to-many goes through the association table", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const titles = async (label: string) =>
    (await session.all(
      select(FPost).where(FPost.tags.any(eq(FTag.c.label, label))).orderBy(FPost.c.title),
    )).map((p) => p.title);
  assert.deepEqual(await titles("red"), ["p1", "p3"]);
  assert.deepEqual(await titles("blue"), ["p1"]);
  assert.deepEqual(await titles("none"), []);
  const untagged = await session.all(select(FPost).where(not(FPost.tags.any())));
  assert.deepEqual(untagged.map((p) => p.title), ["p2"]);
  const used = await session.all(select(FTag).where(FTag.posts.any()).orderBy(FTag.c.label));
  assert.deepEqual(used.map((t) => t.label), ["blue", "red"]);
});

dbTest(
  "self-referential any()/has() alias the target; a condition there is refused",
  async (db) => {
    const engine = await setup(db);
    await using session = engine.session();
    const parents = await session.all(select(FNode).where(FNode.children.any()));
    assert.deepEqual(parents.map((n) => n.name), ["root"]);
    const children = await session.all(select(FNode).where(FNode.parent.has()));
    assert.deepEqual(children.map((n) => n.name), ["leaf"]);
    assert.throws(() => FNode.children.any(eq(FNode.c.name, "x")), ArgumentError);
  },
);

dbTest("any() on a single-object relationship and has() on a list are refused", async () => {
  assert.throws(
    () => FPost.author.any(),
    (e) => e instanceof ArgumentError && /has\(/.test(e.message),
  );
  assert.throws(
    () => FUser.posts.has(),
    (e) => e instanceof ArgumentError && /any\(/.test(e.message),
  );
  await Promise.resolve();
});

dbTest("joined() loads many-to-many in one query, parents de-duplicated", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  const posts = await session.all(select(FPost).orderBy(FPost.c.title).options(joined("tags")));
  const selects = texts.filter((t) => t.startsWith("SELECT"));
  assert.equal(selects.length, 1);
  assert.match(selects[0], /LEFT JOIN "flt_post_tags"/);
  assert.deepEqual(posts.map((p) => p.title), ["p1", "p2", "p3"]);
  assert.deepEqual(posts[0].tags.map((t) => t.label).sort(), ["blue", "red"]);
  assert.deepEqual(posts[1].tags, []);
  assert.deepEqual(posts[2].tags.map((t) => t.label), ["red"]);
  assert.equal(posts[0].tags.find((t) => t.label === "red"), posts[2].tags[0], "one identity");
  const tags = await session.all(select(FTag).orderBy(FTag.c.label).options(joined("posts")));
  assert.deepEqual(tags.map((t) => t.posts.map((p) => p.title).sort()), [["p1"], ["p1", "p3"], []]);
});

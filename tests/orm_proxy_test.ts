/**
 * Association proxies: `user.tagNames` over the many-to-many `user.tags`, a live list of the
 * tags' names that writes through the collection (making tags with the creator), raising
 * NotLoadedError when the collection is not loaded; and a scalar proxy over a many-to-one.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  associationProxy,
  type Collection,
  column,
  InvalidRequestError,
  Model,
  NotLoadedError,
  relationship,
  select,
  selectin,
  table,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const links = table("px_user_tags", {
  userId: column.integer().references(() => PxUser.c.id).primaryKey(),
  tagId: column.integer().references(() => PxTag.c.id).primaryKey(),
});

class PxTag extends Model("px_tags", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

class PxUser extends Model("px_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static tags = relationship(() => PxTag, { secondary: () => links });
  declare tags: PxTag[];
  static tagNames = associationProxy("tags", "name", {
    creator: (name: string) => new PxTag({ name }),
  });
  declare tagNames: Collection<string>;
  static posts = relationship(() => PxPost, { backPopulates: "author" });
  declare posts: PxPost[];
}

class PxPost extends Model("px_posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => PxUser.c.id).nullable(),
  title: column.text(),
}) {
  static author = relationship(() => PxUser, { backPopulates: "posts" });
  declare author: PxUser | null;
  // No creator: a new PxUser({ name }) is made.
  static authorName = associationProxy("author", "name");
  declare authorName: string | null;
}

const models = [PxUser, PxTag, links, PxPost];

Deno.test("a proxy is a live view that writes through the collection", () => {
  const u = new PxUser({ name: "ada" });
  const names = u.tagNames;
  assert.deepEqual([...names], []);
  names.push("a", "b");
  assert.equal(u.tags.length, 2);
  assert(u.tags[0] instanceof PxTag);
  assert.equal(names.length, 2);
  assert.equal(names[1], "b");
  assert.deepEqual(names.map((n) => n.toUpperCase()), ["A", "B"]);
  assert(names.includes("a") && !names.includes("z"));
  assert.deepEqual(JSON.parse(JSON.stringify(names)), ["a", "b"]);
  assert.deepEqual(Object.keys(names), ["0", "1"]);
  // Changes to the collection show at once.
  u.tags.push(new PxTag({ name: "c" }));
  assert.deepEqual([...names], ["a", "b", "c"]);
  assert.equal(u.tagNames, names, "the same view each time");
  // Index assignment renames the tag; the next index adds one.
  const first = u.tags[0];
  names[0] = "A";
  assert.equal(first.name, "A");
  names[3] = "d";
  assert.equal(u.tags[3].name, "d");
  assert.equal(names.remove("b"), true);
  assert.deepEqual(u.tags.map((t) => t.name), ["A", "c", "d"]);
  assert.deepEqual(names.splice(0, 1, "x"), ["A"]);
  assert.deepEqual(u.tags.map((t) => t.name), ["x", "c", "d"]);
  assert.equal(names.pop(), "d");
  names.length = 1;
  assert.deepEqual(u.tags.map((t) => t.name), ["x"]);
  // Assigning a list replaces the collection with new tags.
  u.tagNames = ["p", "q"] as Collection<string>;
  assert.deepEqual(u.tags.map((t) => t.name), ["p", "q"]);
  assert.deepEqual([...names], ["p", "q"]);
  assert.throws(() => names.sort(), InvalidRequestError);
  assert.throws(() => (names[9] = "z"), InvalidRequestError);
});

Deno.test("a proxy naming an unknown relationship is refused when configured", () => {
  class Bad extends Model("px_bad", { id: column.integer().primaryKey() }) {
    static names = associationProxy("nothing", "name");
  }
  assert.throws(
    () => new Bad({}),
    (e: unknown) =>
      e instanceof ArgumentError && /Bad\.names proxies the relationship "nothing"/.test(e.message),
  );
});

dbTest("a proxy's tags are flushed; an unloaded collection raises NotLoadedError", async (db) => {
  const engine = db.engine();
  await engine.dropAll(models);
  await engine.createAll(models);
  {
    await using session = engine.session();
    const u = new PxUser({ name: "ada" });
    u.tagNames.push("red", "green");
    session.add(u);
    await session.commit();
  }
  {
    await using session = engine.session();
    const [u] = await session.all(select(PxUser));
    assert.throws(() => u.tagNames, NotLoadedError);
  }
  await using session = engine.session();
  const [u] = await session.all(select(PxUser).options(selectin("tags")));
  assert.deepEqual([...u.tagNames].sort(), ["green", "red"]);
  u.tagNames.push("blue");
  u.tagNames.remove("red");
  await session.commit();
  await using again = engine.session();
  const [v] = await again.all(select(PxUser).options(selectin("tags")));
  assert.deepEqual([...v.tagNames].sort(), ["blue", "green"]);
  const tags = await again.all(select(PxTag));
  assert.equal(tags.length, 3, "removing from the collection unlinks the tag, keeps its row");
});

dbTest("a scalar proxy reads and writes the related object's attribute", async (db) => {
  const engine = db.engine();
  await engine.dropAll(models);
  await engine.createAll(models);
  await using session = engine.session();
  const post = new PxPost({ title: "t" });
  assert.equal(post.authorName, null);
  post.authorName = "grace";
  assert(post.author instanceof PxUser);
  assert.equal(post.author.name, "grace");
  assert.deepEqual(post.author.posts, [post]);
  post.authorName = "hopper";
  assert.equal(post.author.name, "hopper");
  session.add(post);
  await session.commit();
  await using other = engine.session();
  const [p] = await other.all(select(PxPost).options(selectin("author")));
  assert.equal(p.authorName, "hopper");
});

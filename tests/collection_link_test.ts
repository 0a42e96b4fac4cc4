/**
 * A loaded collection becomes a collection (its changing methods defined) when first read:
 * it must then still compare equal to a plain array, list no property but its items, and
 * keep both sides of the relationship in sync, read once or many times.
 */
import assert from "node:assert/strict";
import { column, Model, relationship, select, selectin, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

class LinkAuthor extends Model("link_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static posts = relationship(() => LinkPost, {
    backPopulates: "author",
    orderBy: () => LinkPost.c.id,
  });
  declare posts: LinkPost[];
}

class LinkPost extends Model("link_posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => LinkAuthor.c.id).nullable(),
  title: column.text(),
}) {
  static author = relationship(() => LinkAuthor, { backPopulates: "posts" });
  declare author: LinkAuthor | null;
}

dbTest("a loaded collection read the first time is a plain array in sync", async (db) => {
  const engine = db.engine();
  await engine.dropAll([LinkPost, LinkAuthor]);
  await engine.createAll([LinkAuthor, LinkPost]);
  try {
    {
      await using s = engine.session();
      for (let a = 1; a <= 3; a++) {
        const author = new LinkAuthor({ id: a, name: `a${a}` });
        s.add(author);
        for (let p = 1; p <= 3; p++) {
          s.add(new LinkPost({ id: a * 10 + p, authorId: a, title: `p${a}${p}` }));
        }
      }
      await s.commit();
    }
    await using s = engine.session();
    const authors = await s.all(
      select(LinkAuthor).orderBy(LinkAuthor.c.id).options(selectin("posts")),
    );
    const [first, second] = authors;
    const posts = first.posts;
    assert.equal(first.posts, posts, "the same list on every read");
    assert.deepEqual(posts.map((p) => p.id), [11, 12, 13]);
    assert.deepEqual(posts, [...posts], "compares equal to a plain array of its items");
    assert.deepEqual(Object.keys(posts), ["0", "1", "2"]);
    for (const sym of Object.getOwnPropertySymbols(posts)) {
      assert.equal(Object.getOwnPropertyDescriptor(posts, sym)!.enumerable, false);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(posts.map((p) => p.title))), ["p11", "p12", "p13"]);
    // Its methods keep the other side in sync at once.
    const moved = second.posts[0];
    first.posts.push(moved);
    assert.equal(moved.author, first);
    assert.deepEqual(second.posts.map((p) => p.id), [22, 23]);
    const removed = first.posts.shift()!;
    assert.equal(removed.author, null);
    await s.commit();
    const rows = await engine.all<{ id: number; author_id: number | null }>(
      sql`SELECT id, author_id FROM link_posts ORDER BY id`,
    );
    const byId = new Map(rows.map((r) => [r.id, r.author_id]));
    assert.equal(byId.get(21), 1);
    assert.equal(byId.get(11), null);
  } finally {
    await engine.dropAll([LinkPost, LinkAuthor]);
  }
});

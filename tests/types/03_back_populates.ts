/**
 * Issue 14, item 3: `backPopulates` names a relationship of the target, not a column (nor a
 * method, nor a misspelling).
 */
import assert from "node:assert/strict";
import { column, Model, relationship } from "../../mod.ts";
import { Post, PostTag, Tag } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export function mustNotCompile(): void {
  class Author extends Model("tt_authors", { id: column.integer().primaryKey() }) {
    // @ts-expect-error [3.1] title is a column of Post, not a relationship
    static byTitle = relationship(() => Post, { backPopulates: "title" });
    // @ts-expect-error [3.2] authorId is Post's foreign key column, not a relationship
    static byKey = relationship(() => Post, { backPopulates: "authorId" });
    // @ts-expect-error [3.3] summary is a method of Post
    static bySummary = relationship(() => Post, { backPopulates: "summary" });
    // @ts-expect-error [3.4] a misspelling
    static misspelt = relationship(() => Post, { backPopulates: "authr" });
    // @ts-expect-error [3.5] label is a column of Tag
    static tags = relationship(() => Tag, { secondary: () => PostTag, backPopulates: "label" });
  }
  assert.ok(Author);
}

/** Never called: these lines must compile. */
export function mustCompile(): void {
  // [3.6] relationships of the target
  class Writer extends Model("tt_writers", { id: column.integer().primaryKey() }) {
    static posts = relationship(() => Post, { backPopulates: "author" });
    static tags = relationship(() => Tag, { secondary: () => PostTag, backPopulates: "posts" });
  }
  assert.ok(Writer);
}

Deno.test("[3] relationships of the shared models name each other", () => {
  assert.equal(Post.author.options.backPopulates, "posts");
  assert.equal(Tag.posts.options.backPopulates, "tags");
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

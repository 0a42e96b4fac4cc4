/**
 * Issue 14, item 7: inserts. A Core insert requires a NOT NULL foreign key (no relationship
 * fills it there); a composite integer primary key is not generated; excess keys are refused
 * through the row-or-array union too; two columns under one result key do not compile.
 */
import assert from "node:assert/strict";
import { compile, insert, select, sqliteDialect } from "../../mod.ts";
import { Grid, Note, Pair, Post, PostTag, User } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export function mustNotCompile(): void {
  // @ts-expect-error [7.1] a Core insert of a post without its NOT NULL author_id
  insert(Post).values({ title: "t" });
  // @ts-expect-error [7.2] nor in a list of rows
  insert(Post).values([{ title: "t", authorId: 1 }, { title: "u" }]);
  // @ts-expect-error [7.3] an association row without its keys
  insert(PostTag).values({ postId: 1 });
  // @ts-expect-error [7.4] two integer primaryKey() columns form a composite key: not generated
  insert(Grid).values({ value: "v" });
  // @ts-expect-error [7.5] nor in the constructor
  new Grid({ value: "v" });
  // @ts-expect-error [7.6] a composite key from constraint.primaryKey(...): a and b are needed
  insert(Pair).values({ label: "x" });
  // @ts-expect-error [7.7] nor in the constructor
  new Pair({ label: "x" });
  // @ts-expect-error [7.8] an unknown key in one row
  insert(User).values({ username: "a", nickname: "b" });
  // @ts-expect-error [7.9] an unknown key in a list of rows
  insert(User).values([{ username: "a", nickname: "b" }]);
  // @ts-expect-error [7.10] an unknown key in a list of rows whose columns are all optional
  insert(Note).values([{ body: "x", bogus: 1 }]);
  // @ts-expect-error [7.11] an unknown key in the second row
  insert(Note).values([{ body: "x" }, { bogus: 1 }]);
  // @ts-expect-error [7.12] a value of the wrong type
  insert(User).values({ username: 5 });
  // @ts-expect-error [7.13] two columns under the one result key "id"
  select(User.c.id, Post.c.id);
  // @ts-expect-error [7.14] nor in RETURNING
  insert(User).values({ username: "a" }).returning(User.c.id, Post.c.id);
}

/** Never called: these lines must compile. */
export function mustCompile(): void {
  // [7.15] complete rows; the constructor may leave a foreign key to a relationship
  insert(Post).values({ title: "t", authorId: 1 });
  insert(Post).values([{ title: "t", authorId: 1 }, { title: "u", authorId: 2 }]);
  insert(Grid).values({ x: 1, y: 2, value: "v" });
  insert(Pair).values({ a: 1, b: 2, label: "x" });
  insert(PostTag).values({ postId: 1, tagId: 2 });
  insert(User).values([{ username: "a" }, { username: "b", email: null }]);
  insert(Note).values([{ body: "x" }, {}]);
  new Post({ title: "t" });
  new Grid({ x: 1, y: 2, value: "v" });
  select({ userId: User.c.id, postId: Post.c.id });
  select(User.c.id, Post.c.title);
}

Deno.test("[7] a complete insert compiles", () => {
  const q = insert(Post).values({ title: "t", authorId: 1 });
  assert.equal(
    compile(q, sqliteDialect).text,
    'INSERT INTO "tt_posts" ("title", "author_id") VALUES (?, ?)',
  );
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

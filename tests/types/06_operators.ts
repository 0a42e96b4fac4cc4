/**
 * Issue 14, item 6: operators check both sides. A comparison of columns of different types,
 * an update that sets a column from a column of another type, a non-boolean expression as a
 * condition, and a foreign key whose type differs from the column it references must not
 * compile.
 */
import assert from "node:assert/strict";
import {
  and,
  column,
  compile,
  eq,
  gt,
  inList,
  insert,
  Model,
  ne,
  select,
  sql,
  sqliteDialect,
  table,
  typed,
  update,
} from "../../mod.ts";
import { Post, Profile, User } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export function mustNotCompile(): void {
  // @ts-expect-error [6.1] eq of an integer column and a text column
  eq(User.c.id, Post.c.title);
  // @ts-expect-error [6.2] ne of a text column and an integer column
  ne(Post.c.title, User.c.id);
  // @ts-expect-error [6.14] an integer column does not take a bigint
  eq(User.c.id, 5n);
  // @ts-expect-error [6.3] gt of an integer column and a text column
  gt(User.c.id, Post.c.title);
  // @ts-expect-error [6.4] IN a subquery of another type
  inList(User.c.id, select(Post.c.title));
  // @ts-expect-error [6.5] eq of an integer column and a typed text expression
  eq(User.c.id, typed<string>(sql`'x'`));
  // @ts-expect-error [6.6] set a text column from an integer column
  update(User).set({ username: User.c.id });
  // @ts-expect-error [6.7] an integer column is not a condition
  select(User).where(User.c.id);
  // @ts-expect-error [6.8] nor is a text column, in having
  select(User.c.username).groupBy(User.c.username).having(User.c.username);
  // @ts-expect-error [6.9] nor inside and()
  select(User).where(and(eq(User.c.id, 1), User.c.username));
  // @ts-expect-error [6.10] a text foreign key to an integer key
  // deno-fmt-ignore
  class F1 extends Model("tt_f1", { id: column.integer().primaryKey(), userId: column.text().references(() => User.c.id) }) {}
  // @ts-expect-error [6.11] an integer foreign key to a text column
  // deno-fmt-ignore
  class F2 extends Model("tt_f2", { id: column.integer().primaryKey(), postTitle: column.integer().references(() => Post.c.title) }) {}
  assert.ok([F1, F2]);
}

/** Never called: these lines must compile. */
export function mustCompile(): void {
  // [6.12] same-typed sides, nullable against non-null, SQL of unknown type, boolean columns
  eq(Post.c.authorId, User.c.id);
  eq(Profile.c.userId, User.c.id);
  eq(User.c.id, sql`1`);
  eq(User.c.email, null);
  inList(User.c.id, select(Post.c.authorId));
  update(User).set({ email: User.c.username, username: sql`upper(${User.c.username})` });
  select(User).where(User.c.active, sql`1 = 1`, eq(User.c.id, 1), undefined, false);
  select(User).where(and(User.c.active, eq(User.c.username, "ann")));
  // [6.13] a bigint column takes a number too (a safe integer, checked when bound)
  const big = table("tt_bigs", { id: column.integer().primaryKey(), n: column.bigint() });
  select(big.c.id).where(eq(big.c.n, 5), inList(big.c.n, [1, 2n]), gt(big.c.n, big.c.id));
  update(big).set({ n: 5 });
  insert(big).values({ n: 7 });
  // deno-fmt-ignore
  class G1 extends Model("tt_g1", { id: column.integer().primaryKey(), userId: column.integer().nullable().references(() => User.c.id) }) {}
  assert.ok(G1);
}

Deno.test("[6] comparisons of columns compile to SQL", () => {
  const q = select(Post.c.id).where(eq(Post.c.authorId, User.c.id));
  assert.match(compile(q, sqliteDialect).text, /"tt_posts"\."author_id" = "tt_users"\."id"/);
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

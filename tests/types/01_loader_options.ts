/**
 * Issue 14, item 1: loader options name real relationships of the right class.
 *
 * `selectin("postz")`, `joined("author")` on User (a relationship of Post), a string given to
 * `options()`, and `session.load(u, "postz")` must not compile; nested paths are checked
 * against the class each level loads.
 */
import assert from "node:assert/strict";
import { compile, joined, select, selectin, type Session, sqliteDialect } from "../../mod.ts";
import { Post, User } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export async function mustNotCompile(session: Session, u: User): Promise<void> {
  // @ts-expect-error [1.1] selectin("postz"): User has no relationship postz
  select(User).options(selectin("postz"));
  // @ts-expect-error [1.2] joined("author") on User: author is a relationship of Post
  select(User).options(joined("author"));
  // @ts-expect-error [1.3] a string is not a loader option
  select(User).options("posts");
  // @ts-expect-error [1.4] session.load(u, "postz"): User has no relationship postz
  await session.load(u, "postz");
  // @ts-expect-error [1.5] session.load(u, "username"): a column, not a relationship
  await session.load(u, "username");
  // @ts-expect-error [1.6] selectin("email"): a column, not a relationship
  select(User).options(selectin("email"));
  // @ts-expect-error [1.7] nested: Post has no relationship tagz
  select(User).options(selectin("posts", selectin("tagz")));
  // @ts-expect-error [1.8] nested: posts is a relationship of User, not of Post
  select(User).options(selectin("posts", selectin("posts")));
  // @ts-expect-error [1.9] session.load's nested options are checked against the loaded class
  await session.load(u, "posts", selectin("author", selectin("tags")));
}

/** Never called: these lines must compile. */
export async function mustCompile(session: Session, u: User, users: User[]): Promise<void> {
  // [1.10] real relationships, of the class queried, nested along the path
  select(User).options(selectin("posts"));
  select(Post).options(joined("author"), selectin("tags"));
  select(User).options(selectin("posts", selectin("tags"), joined("comments")));
  select(User).options(selectin("posts", joined("author", selectin("profile"))));
  await session.load(u, "posts");
  await session.load(users, "posts", selectin("tags"));
}

Deno.test("[1] loader options compile to the same SQL as before", () => {
  const q = select(User).options(selectin("posts"));
  assert.match(compile(q, sqliteDialect).text, /^SELECT .* FROM "tt_users"$/);
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

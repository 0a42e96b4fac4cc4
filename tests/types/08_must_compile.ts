/**
 * Issue 14, item 8: what should compile. The constructor takes relationships (the run time
 * accepts them), typed by the relationship; instances have `toJSON()`.
 */
import assert from "node:assert/strict";
import { ArgumentError, select, selectin } from "../../mod.ts";
import { freshEngine, Post, Tag, User } from "./_models.ts";

/** Never called: these lines must compile. */
export function mustCompile(): void {
  const u = new User({ username: "u" });
  const t = new Tag({ label: "t" });
  // [8.1] a many-to-one in the constructor
  new Post({ title: "t", author: u });
  // [8.2] a collection in the constructor
  new Post({ title: "t", tags: [t] });
  // [8.3] a one-to-many in the constructor
  new User({ username: "v", posts: [new Post({ title: "p" })] });
  // [8.4] toJSON, and what it returns
  const json: Record<string, unknown> = u.toJSON();
  assert.ok(json);
  // [8.5] JSON.stringify of an instance
  JSON.stringify(u);
  // [8.11] a value of an interface type that has the columns (no index signature)
  interface UserForm {
    username: string;
    email?: string | null;
  }
  const form: UserForm = { username: "w" };
  new User(form);
}

/** Never called: these lines are only type-checked. */
export function mustNotCompile(): void {
  const t = new Tag({ label: "t" });
  // @ts-expect-error [8.6] a relationship given an object of the wrong class
  new Post({ title: "t", author: t });
  // @ts-expect-error [8.7] a collection given one object
  new Post({ title: "t", tags: t });
  // @ts-expect-error [8.8] a misspelt relationship
  new Post({ title: "t", authr: new User({ username: "u" }) });
}

Deno.test("[8.10] what [8.6] to [8.8] give at run time: an ArgumentError naming the fix", () => {
  const t = new Tag({ label: "t" });
  const u = new User({ username: "u" });
  const cases: [() => unknown, RegExp][] = [
    [
      () => new Post({ title: "t", author: t }),
      /Post\.author holds User objects; got an instance of Tag/,
    ],
    [() => new Post({ title: "t", tags: t }), /Post\.tags is a collection; assign an array of Tag/],
    [() => new Post({ title: "t", authr: u }), /Post has no column or relationship "authr"/],
    [() => new User({ username: "u", emial: "x" }), /User has no column or relationship "emial"/],
  ];
  for (const [build, message] of cases) {
    assert.throws(build, (e: unknown) => e instanceof ArgumentError && message.test(e.message));
  }
});

Deno.test("[8] the constructor takes relationships; toJSON gives the columns", async () => {
  await using engine = await freshEngine();
  // [8.9] what [8.1] and [8.4] ask to compile, at run time
  const u = new User({ username: "ann" });
  const p = new Post({ title: "hello", author: u });
  assert.equal(p.author, u);
  assert.deepEqual(u.posts, [p]);
  assert.deepEqual(u.toJSON(), {
    id: undefined,
    username: "ann",
    email: null, // nullable, and nothing fills it: null, as the row will hold
    active: undefined, // its default fills it at the INSERT
  });
  await using session = engine.session();
  session.add(u);
  await session.commit();
  const [loaded] = await session.all(select(User).options(selectin("posts")));
  assert.equal(loaded.posts[0].title, "hello");
  assert.deepEqual(JSON.parse(JSON.stringify(loaded)), {
    id: 1,
    username: "ann",
    email: null,
    active: true,
  });
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

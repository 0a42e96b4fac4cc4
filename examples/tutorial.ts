/**
 * The tutorial: SQLAlchemy's ORM tutorial, the Retort way, on in-memory SQLite with echo on.
 *
 * Run it with `deno task demo`. Pass a database URL as the first argument to run the same
 * program elsewhere: `deno run -A examples/tutorial.ts postgres://postgres@127.0.0.1/test`
 * (examples/postgres.ts does that with `DATABASE_URL`).
 */
import {
  column,
  createEngine,
  Model,
  NotLoadedError,
  relationship,
  type Relationships,
  select,
  selectin,
  sessionMaker,
  sql,
} from "../mod.ts";

const url = Deno.args[0] ?? "sqlite:///:memory:";
const heading = (text: string) => console.log(`\n== ${text} ==`);

async function hashPassword(password: string): Promise<string> {
  const salt = new TextEncoder().encode("retort-demo-salt");
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: 10_000 },
    key,
    256,
  );
  return [...new Uint8Array(bits)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// 1. An engine, and a session factory.
const engine = createEngine(url, { echo: true });
const Session = sessionMaker(engine);

// 2. Mapped classes: the schema is written once; instance types follow from it.
class User extends Model("tutorial_users", {
  id: column.integer().primaryKey(),
  username: column.text().unique(),
  email: column.text(),
  passwordHash: column.text().nullable(),
}) implements Relationships<typeof User> {
  static posts = relationship(() => Post, {
    backPopulates: "author",
    cascade: "all, delete-orphan",
  });
  declare posts: Post[];

  // Business logic lives on the model.
  async setPassword(password: string): Promise<void> {
    this.passwordHash = await hashPassword(password);
  }
  canEdit(post: Post): boolean {
    return post.authorId === this.id;
  }
}

class Post extends Model("tutorial_posts", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => User.c.id, { onDelete: "cascade" }),
}) implements Relationships<typeof Post> {
  static author = relationship(() => User, { backPopulates: "posts" });
  declare author: User;
}

heading("CREATE TABLE, in foreign-key order");
// Its own tables: another run that stopped half-way may have left them behind.
await engine.dropAll([User, Post]);
await engine.createAll([User, Post]);

// 3. A unit of work: nothing is written until commit().
heading("A unit of work: add a user and a post, then commit");
{
  await using session = Session();
  const dev = new User({ username: "dev_expert", email: "dev@example.com" });
  await dev.setPassword("s3cret");
  dev.posts.push(new Post({ title: "Hello, Deno" }));
  console.log("back-populated before any SQL:", dev.posts[0].author === dev);
  session.add(dev);
  session.add(new User({ username: "grace", email: "grace@example.com" }));
  await session.commit();
  console.log(`dev.id = ${dev.id}; the post's authorId = ${dev.posts[0].authorId}`);
  console.log("dev can edit the post:", dev.canEdit(dev.posts[0]));
}

// 4. ORM queries: columns interpolate as quoted identifiers, values as bound parameters.
heading("Queries, eager loading and the identity map");
{
  await using session = Session();
  const name = "dev_expert";
  const users = await session.all(
    select(User).where(sql`${User.c.username} = ${name}`).options(selectin("posts")),
  );
  console.log(`${users[0].username} wrote: ${users[0].posts.map((p) => p.title).join(", ")}`);
  console.log("identity map, same object:", (await session.get(User, users[0].id)) === users[0]);

  const grace = await session.one(select(User).where(sql`${User.c.username} = ${"grace"}`));
  try {
    grace.posts;
  } catch (e) {
    if (!(e instanceof NotLoadedError)) throw e;
    console.log(`NotLoadedError: ${e.message}`);
  }
  await session.load(grace, "posts");
  console.log("after session.load, grace's posts:", grace.posts.length);

  heading("Dirty tracking: only the changed column is written");
  grace.email = "grace@new.example.com";
  await session.commit();
}

// 5. Core: SQL you write yourself, still safe; no ORM objects.
heading("Core: a join with a bound IN list");
const rows = await engine.all<{ username: string; n: number }>(sql`
  SELECT ${User.c.username}, count(${Post.c.id}) AS n
  FROM ${User} JOIN ${Post} ON ${Post.c.authorId} = ${User.c.id}
  WHERE ${User.c.id} IN ${sql.list([1, 2, 3])}
  GROUP BY ${User.c.username}`);
console.table(rows);

heading("Core: a transaction");
await engine.transaction(async (tx) => {
  await tx.run(
    sql`UPDATE ${User} SET ${sql.set({ email: "x@example.com" })} WHERE ${User.c.id} = ${1}`,
  );
});
console.log(
  "user 1's email:",
  await engine.scalar(sql`SELECT ${User.c.email} FROM ${User} WHERE ${User.c.id} = ${1}`),
);

heading("Cascade: deleting a user deletes their posts");
{
  await using session = Session();
  const dev = await session.get(User, 1);
  session.delete(dev!);
  await session.commit();
}
console.log("posts left:", await engine.scalar(sql`SELECT count(*) FROM ${Post}`));

await engine.dropAll([User, Post]);
await engine.dispose();

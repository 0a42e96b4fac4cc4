/**
 * What the code of each issue 14 item does at run time today: which mistakes the run time
 * already refuses (and how), and where the run time and the types disagree. Prints one line
 * per probe, on SQLite and, when it answers, on PostgreSQL (`DATABASE_URL`).
 *
 * ```sh
 * deno run -A tests/types/probe_runtime.ts
 * ```
 *
 * Every mistake below is written with `as never` (or a cast) so the file compiles whatever
 * the types become; it is a record of run-time behaviour, not a test.
 */
import {
  column,
  constraint,
  createEngine,
  type Engine,
  eq,
  insert,
  joined,
  Model,
  relationship,
  select,
  selectin,
  update,
} from "../../mod.ts";

function models(suffix: string) {
  class User extends Model(`tp_users${suffix}`, {
    id: column.integer().primaryKey(),
    username: column.text(),
  }) {
    static posts = relationship(() => Post, { backPopulates: "author" });
    declare posts: Post[];
  }
  class Post extends Model(`tp_posts${suffix}`, {
    id: column.integer().primaryKey(),
    title: column.text(),
    authorId: column.integer().references(() => User.c.id),
  }) {
    static author = relationship(() => User, { backPopulates: "posts" });
    declare author: User;
  }
  class Pair extends Model(`tp_pairs${suffix}`, {
    a: column.integer(),
    b: column.integer(),
    label: column.text(),
  }, { constraints: (c) => [constraint.primaryKey(c.a, c.b)] }) {}
  class Grid extends Model(`tp_grid${suffix}`, {
    x: column.integer().primaryKey(),
    y: column.integer().primaryKey(),
    value: column.text(),
  }) {}
  /** Declared wrong, as item 2 describes: items as one RackItem. */
  class Rack extends Model(`tp_racks${suffix}`, { id: column.integer().primaryKey() }) {
    static items = relationship(() => RackItem);
    declare items: RackItem;
  }
  class RackItem extends Model(`tp_rack_items${suffix}`, {
    id: column.integer().primaryKey(),
    rackId: column.integer().references(() => Rack.c.id),
  }) {}
  /** backPopulates naming a column (item 3). */
  class Shelf extends Model(`tp_shelves${suffix}`, { id: column.integer().primaryKey() }) {
    static books = relationship(() => Book, { backPopulates: "title" });
    declare books: Book;
  }
  class Book extends Model(`tp_books${suffix}`, {
    id: column.integer().primaryKey(),
    title: column.text(),
    shelfId: column.integer().references(() => Shelf.c.id),
  }) {}
  /** A text foreign key to an integer key (item 6). */
  class TextFk extends Model(`tp_text_fk${suffix}`, {
    id: column.integer().primaryKey(),
    userId: column.text().references(() => User.c.id),
  }) {}
  return { User, Post, Pair, Grid, Rack, RackItem, Shelf, Book, TextFk };
}

const lines: string[] = [];
async function probe(where: string, what: string, fn: () => unknown): Promise<void> {
  let result: string;
  try {
    const value = await fn();
    result = `returns ${Deno.inspect(value, { depth: 2, compact: true, breakLength: Infinity })}`;
  } catch (e) {
    const error = e as Error;
    result = `throws ${error.constructor.name}: ${error.message.split("\n")[0].slice(0, 150)}`;
  }
  const line = `${where.padEnd(8)} ${what} → ${result}`;
  lines.push(line);
  console.log(line);
}

async function run(where: string, url: string): Promise<void> {
  const suffix = where === "postgres" ? `_${Deno.pid}` : "";
  const { User, Post, Pair, Grid, Rack, RackItem, Shelf, Book, TextFk } = models(suffix);
  const base = [User, Post, Pair, Grid, Rack, RackItem, Shelf, Book];
  await using engine: Engine = createEngine(url);
  await engine.dropAll([...base, TextFk]);
  await engine.createAll(base);
  {
    await using session = engine.session();
    const u = new User({ username: "ann" });
    u.posts.push(new Post({ title: "hello" }));
    session.add(u);
    session.add(new Pair({ a: 1, b: 2, label: "p" }));
    await session.commit();
    const p = (x: string, f: () => unknown) => probe(where, x, f);
    // 1. Loader options
    await p(
      "1 select(User).options(selectin('postz'))",
      () => session.all(select(User).options(selectin("postz" as never))),
    );
    await p(
      "1 select(User).options(joined('author'))",
      () => session.all(select(User).options(joined("author" as never))),
    );
    await p(
      "1 select(User).options('posts')",
      () => session.all(select(User).options("posts" as never)),
    );
    await p("1 session.load(u, 'postz')", () => session.load(u, "postz" as never));
    await p("1 session.load(u, 'username')", () => session.load(u, "username" as never));
    await p(
      "1 selectin('posts', selectin('tagz'))",
      () => session.all(select(User).options(selectin("posts", selectin("tagz" as never)))),
    );
    // 2. Declared types
    await p("2 new Post({ title }).author (declared User)", () => new Post({ title: "t" }).author);
    await p("2 new Rack({}).items (declared RackItem, one object)", () => new Rack({}).items);
    // 3. backPopulates naming a column
    await p("3 backPopulates: 'title' (a column): push a book, then book.title", () => {
      const book = new Book({ title: "Dune" });
      (new Shelf({}).books as unknown as InstanceType<typeof Book>[]).push(book);
      return book.title;
    });
    // 4. session.get keys
    await p("4 session.get(User, '1')", () => session.get(User, "1" as never));
    await p("4 session.get(User, { id: 1 })", () => session.get(User, { id: 1 } as never));
    await p("4 session.get(User, [1])", () => session.get(User, [1] as never));
    await p("4 session.get(Pair, 1)", () => session.get(Pair, 1 as never));
    await p("4 session.get(Pair, [1])", () => session.get(Pair, [1] as never));
    await p("4 session.get(Pair, [1, '2'])", () => session.get(Pair, [1, "2"] as never));
    await p(
      "4 session.get(Pair, [1, 2])?.label",
      async () => (await session.get(Pair, [1, 2]))?.label,
    );
    // 5. Results through the session
    await p("5 session.all(select(User.c.id))", () => session.all(select(User.c.id) as never));
    // 8. What should compile
    await p("8 new Post({ title, author: u }): author, u.posts", () => {
      const post = new Post({ title: "t", author: u } as never);
      return [post.author === u, u.posts.includes(post)];
    });
    await p("8 u.toJSON()", () => (u as unknown as { toJSON(): unknown }).toJSON());
    await session.rollback();
  }
  const p = (x: string, f: () => unknown) => probe(where, x, f);
  // 5. Results through the engine
  await p("5 engine.all(select(Post))", () => engine.all(select(Post)));
  await p(
    "5 (await engine.one(select(Post))).authorId",
    async () => (await engine.one(select(Post))).authorId,
  );
  // 6. Operators
  await p(
    "6 eq(User.c.id, Post.c.title), posts joined",
    () => engine.all(select(User.c.id).join(Post).where(eq(User.c.id, Post.c.title as never))),
  );
  await p("6 update(User).set({ username: User.c.id }), then the row", async () => {
    await engine.run(update(User).set({ username: User.c.id as never }).where(eq(User.c.id, 1)));
    return await engine.one(select(User.c.id, User.c.username).where(eq(User.c.id, 1)));
  });
  await p("6 select(User).where(User.c.id)", () => engine.all(select(User).where(User.c.id)));
  await p("6 text FK references an integer key: createAll", () => engine.createAll([TextFk]));
  // 7. Inserts
  await p(
    "7 insert(Post).values({ title })",
    () => engine.run(insert(Post).values({ title: "no author" })),
  );
  await p(
    "7 insert(Grid).values({ value }) (x, y primaryKey())",
    () => engine.run(insert(Grid).values({ value: "v" })),
  );
  await p(
    "7 insert(User).values([{ username, extra }])",
    () => engine.run(insert(User).values([{ username: "z", extra: 1 }] as never)),
  );
  await p("7 select(User.c.id, Post.c.id)", () => select(User.c.id, Post.c.id));
  await engine.dropAll([...base, TextFk]);
}

await run("sqlite", "sqlite::memory:");
const pg = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
try {
  const url = new URL(pg);
  (await Deno.connect({ hostname: url.hostname, port: Number(url.port || 5432) })).close();
  await run("postgres", pg);
} catch (e) {
  console.log(`postgres skipped: ${(e as Error).message}`);
}

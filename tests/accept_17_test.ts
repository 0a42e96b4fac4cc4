/**
 * Acceptance of column loading, streaming and row locks, written from the text:
 * defer/undefer/loadOnly and schema-deferred columns (NotLoadedError naming the fix), streams
 * that release their connection when the loop ends early, selectin per chunk, and
 * FOR UPDATE / FOR SHARE on PostgreSQL with the documented SQLite no-op.
 */
import assert from "node:assert/strict";
import {
  column,
  compile,
  defer,
  eq,
  inspect,
  joined,
  loadOnly,
  Model,
  NotLoadedError,
  OperationalError,
  postgresDialect,
  relationship,
  select,
  selectin,
  sql,
  sqliteDialect,
  undefer,
} from "../mod.ts";
import { type Db, dbTest, statementLog } from "./_db.ts";
import { hierarchy } from "./_accept_16_models.ts";

class Writer extends Model("a17_writers", {
  id: column.integer().primaryKey(),
  name: column.text(),
  bio: column.text().deferred(),
  photo: column.blob().nullable(),
}) {
  static posts = relationship(() => Post, { backPopulates: "writer" });
  declare posts: Post[];
}

class Post extends Model("a17_posts", {
  id: column.integer().primaryKey(),
  writerId: column.integer().references(() => Writer.c.id),
  title: column.text(),
  body: column.text().deferred(),
}) {
  static writer = relationship(() => Writer, { backPopulates: "posts" });
  declare writer: Writer;
}

const models = [Writer, Post];

async function open(db: Db, rows = 3, echo?: (e: { text: string }) => void) {
  const engine = db.engine(echo ? { echo, poolSize: 1 } : { poolSize: 1 });
  await engine.createAll(models);
  await using s = engine.session();
  for (let i = 1; i <= rows; i++) {
    const w = new Writer({ id: i, name: `w${i}`, bio: `bio ${i}` });
    w.posts.push(new Post({ id: i * 10, title: `t${i}`, body: `body ${i}` }));
    w.posts.push(new Post({ id: i * 10 + 1, title: `u${i}`, body: `more ${i}` }));
    s.add(w);
  }
  await s.commit();
  return engine;
}

const notLoaded = (f: () => unknown, ...fixes: RegExp[]) =>
  assert.throws(f, (e: unknown) => {
    assert(e instanceof NotLoadedError, String(e));
    for (const fix of fixes) assert.match(e.message, fix);
    return true;
  });

dbTest("schema-deferred columns stay out until asked; the error names the fix", async (db) => {
  const log = statementLog();
  const engine = await open(db, 1, log.echo);
  await using s = engine.session();
  log.texts.length = 0;
  const w = (await s.get(Writer, 1))!;
  assert(!log.texts[0].includes("bio"), log.texts[0]);
  notLoaded(() => w.bio, /undefer\(Writer\.c\.bio\)/, /refresh\(.*"bio"/);
  assert.deepEqual(inspect(w).unloaded, ["bio"]);
  await s.refresh(w, ["bio"]);
  assert.equal(w.bio, "bio 1");
  s.expungeAll();
  const [u] = await s.all(select(Writer).options(undefer(Writer.c.bio)));
  assert.equal(u.bio, "bio 1");
  // Not loaded is not a change: the flush writes what changed only.
  s.expungeAll();
  const v = (await s.get(Writer, 1))!;
  v.name = "renamed";
  log.texts.length = 0;
  await s.commit();
  const update = log.texts.find((t) => t.startsWith("UPDATE"))!;
  assert(!update.includes("bio"), update);
  assert.equal(await engine.scalar(sql`SELECT bio FROM ${Writer} WHERE id = 1`), "bio 1");
});

dbTest("defer and loadOnly per query, on the queried and the related class", async (db) => {
  const engine = await open(db, 2);
  await using s = engine.session();
  const [w] = await s.all(
    select(Writer).where(eq(Writer.c.id, 1)).options(defer(Writer.c.photo)),
  );
  notLoaded(() => w.photo, /undefer\(Writer\.c\.photo\)/);
  s.expungeAll();
  const slim = await s.all(select(Writer).options(loadOnly(Writer.c.name)).orderBy(Writer.c.id));
  assert.deepEqual(slim.map((x) => [x.id, x.name]), [[1, "w1"], [2, "w2"]]);
  notLoaded(() => slim[0].photo);
  notLoaded(() => slim[0].bio);
  s.expungeAll();
  const [full] = await s.all(
    select(Writer).where(eq(Writer.c.id, 1)).options(
      selectin("posts"),
      undefer(Post.c.body),
      loadOnly(Writer.c.name),
    ),
  );
  assert.deepEqual(full.posts.map((p) => p.body).sort(), ["body 1", "more 1"]);
  notLoaded(() => full.bio);
  // session.get takes the same options; a later load fills the held object in.
  const again = await s.get(Writer, 1, { options: [undefer(Writer.c.bio)] });
  assert.equal(again, full);
  assert.equal(full.bio, "bio 1");
});

dbTest("assigning an unloaded deferred column writes it", async (db) => {
  const engine = await open(db, 1);
  {
    await using s = engine.session();
    const w = (await s.get(Writer, 1))!;
    w.bio = "new bio";
    assert.equal(w.bio, "new bio");
    await s.commit();
  }
  assert.equal(await engine.scalar(sql`SELECT bio FROM ${Writer} WHERE id = 1`), "new bio");
});

dbTest("engine.stream: early exit gives the connection back at once", async (db) => {
  const engine = await open(db, 50);
  for (const exit of ["break", "throw", "return"] as const) {
    const run = async () => {
      let n = 0;
      for await (
        const row of engine.stream<{ id: number }>(sql`SELECT id FROM ${Writer} ORDER BY id`, {
          chunkSize: 7,
        })
      ) {
        n++;
        if (n === 3) {
          if (exit === "break") break;
          if (exit === "throw") throw new Error("stop");
          return row.id;
        }
      }
      return n;
    };
    if (exit === "throw") await assert.rejects(run(), /stop/);
    else await run();
    // poolSize 1: this would wait forever if the stream kept its connection.
    assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Writer}`), 50, exit);
  }
  // A builder select streams too.
  let total = 0;
  for await (const r of engine.stream(select(Writer.c.id))) total += r.id;
  assert.equal(total, (50 * 51) / 2);
});

dbTest("session.stream: objects, selectin per chunk, early exit", async (db) => {
  const log = statementLog();
  const engine = await open(db, 10, log.echo);
  await using s = engine.session();
  log.texts.length = 0;
  const seen: number[] = [];
  for await (
    const w of s.stream(select(Writer).options(selectin("posts")).orderBy(Writer.c.id), {
      chunkSize: 4,
    })
  ) {
    assert.equal(w.posts.length, 2);
    seen.push(w.id);
  }
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const postLoads = log.texts.filter((t) => t.includes("a17_posts"));
  assert.equal(postLoads.length, 3, postLoads.join("\n")); // 4 + 4 + 2
  assert.equal(await s.get(Writer, 1), (await s.all(select(Writer).where(eq(Writer.c.id, 1))))[0]);
  // Leaving early: the session goes on querying.
  for await (const w of s.stream(select(Writer).orderBy(Writer.c.id), { chunkSize: 2 })) {
    if (w.id === 3) break;
  }
  assert.equal((await s.all(select(Writer))).length, 10);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Post}`), 20);
  // A stream inside a transaction sees its uncommitted rows.
  await engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO ${Writer} (id, name, bio) VALUES (99, 'x', 'y')`);
    let n = 0;
    for await (const _ of tx.stream(sql`SELECT id FROM ${Writer}`, { chunkSize: 3 })) n++;
    assert.equal(n, 11);
  });
});

Deno.test("forUpdate / forShare render their options on PostgreSQL, nothing on SQLite", () => {
  const q = select(Writer).where(eq(Writer.c.id, 1));
  const pg = (s: { text?: string } & Parameters<typeof compile>[0]) =>
    compile(s, postgresDialect).text;
  assert.match(pg(q.forUpdate()), / FOR UPDATE$/);
  assert.match(pg(q.forUpdate({ nowait: true })), / FOR UPDATE NOWAIT$/);
  assert.match(pg(q.forUpdate({ skipLocked: true })), / FOR UPDATE SKIP LOCKED$/);
  assert.match(pg(q.forShare()), / FOR SHARE$/);
  assert.match(pg(q.forShare({ skipLocked: true })), / FOR SHARE SKIP LOCKED$/);
  const joinedQ = select(Post).join(Writer, eq(Post.c.writerId, Writer.c.id));
  assert.match(pg(joinedQ.forUpdate({ of: [Post] })), / FOR UPDATE OF "a17_posts"$/);
  assert.match(
    pg(select(Writer.c.name).where(eq(Writer.c.id, 1)).forUpdate({ of: [Writer] })),
    / FOR UPDATE OF "a17_writers"$/,
  );
  for (const s of [q.forUpdate({ nowait: true }), q.forShare({ skipLocked: true })]) {
    assert(!/FOR /.test(compile(s, sqliteDialect).text));
  }
});

dbTest("forUpdate and forShare run in a session on both databases", async (db) => {
  const engine = await open(db, 3);
  await using s = engine.session();
  const [w] = await s.all(select(Writer).where(eq(Writer.c.id, 1)).forUpdate());
  w.name = "locked";
  const shared = await s.all(select(Writer).orderBy(Writer.c.id).forShare());
  assert.equal(shared.length, 3);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT name FROM ${Writer} WHERE id = 1`), "locked");
});

dbTest("row locks on PostgreSQL: skipLocked, nowait, forShare", async (db) => {
  const engine = await open(db, 4);
  const other = db.engine();
  await using a = engine.session();
  await using b = other.session();
  const claim = select(Writer).orderBy(Writer.c.id).limit(2).forUpdate({ skipLocked: true });
  assert.deepEqual((await a.all(claim)).map((w) => w.id), [1, 2]);
  assert.deepEqual((await b.all(claim)).map((w) => w.id), [3, 4]);
  await b.rollback();
  await assert.rejects(
    b.all(select(Writer).where(eq(Writer.c.id, 1)).forUpdate({ nowait: true })),
    (e) => e instanceof OperationalError && e.code === "55P03",
  );
  await b.rollback();
  await a.rollback();
  // Two shares coexist; an update lock against a share fails with nowait.
  await a.all(select(Writer).where(eq(Writer.c.id, 1)).forShare());
  await b.all(select(Writer).where(eq(Writer.c.id, 1)).forShare({ nowait: true }));
  const third = db.engine();
  await using c = third.session();
  await assert.rejects(
    c.execute(select(Writer.c.id).where(eq(Writer.c.id, 1)).forUpdate({ nowait: true })),
    OperationalError,
  );
}, { on: ["postgres"] });

dbTest("forUpdate of a joined-table hierarchy's base and of a joined eager load", async (db) => {
  const h = hierarchy("joined");
  const engine = db.engine();
  await engine.createAll([...h.models, ...models]);
  await using s = engine.session();
  s.addAll([new h.Mgr({ id: 1, name: "m", budget: 1 }), new h.Emp({ id: 2, name: "e" })]);
  s.add(new Writer({ id: 1, name: "w", bio: "b" }));
  await s.commit();
  // The subclasses' tables are LEFT JOINed: the lock names the tables every row is in.
  const base = select(h.Emp).forUpdate({ skipLocked: true });
  assert.match(compile(base, postgresDialect).text, / FOR UPDATE OF "a16j_emps" SKIP LOCKED$/);
  const all = await s.all(select(h.Emp).orderBy(h.Emp.c.id).forUpdate());
  assert.deepEqual(all.map((e) => e.constructor), [h.Mgr, h.Emp]);
  const m = await s.all(select(h.Mgr).forUpdate({ nowait: true }));
  assert.equal(m[0], all[0]);
  const [w] = await s.all(select(Writer).options(joined("posts")).forUpdate());
  assert.deepEqual(w.posts, []);
  await s.commit();
});

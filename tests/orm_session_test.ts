/**
 * The Session: the tutorial flow, the identity map, the unit of work's statements, object
 * states, transactions, rollback and failure semantics, on every database.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Column,
  column,
  constraint,
  type Engine,
  inspect,
  IntegrityError,
  InvalidRequestError,
  Model,
  MultipleResultsFound,
  NoResultFound,
  NotLoadedError,
  PendingRollbackError,
  relationship,
  select,
  selectin,
  sessionMaker,
  sql,
  StaleDataError,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

async function hashPassword(password: string): Promise<string> {
  const data = new TextEncoder().encode(password);
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

class User extends Model("sess_users", {
  id: column.integer().primaryKey(),
  username: column.text().unique(),
  email: column.text(),
  passwordHash: column.text().nullable(),
}) {
  static posts = relationship(() => Post, {
    backPopulates: "author",
    cascade: "all, delete-orphan",
  });
  declare posts: Post[];

  async setPassword(password: string): Promise<void> {
    this.passwordHash = await hashPassword(password);
  }
  canEdit(post: Post): boolean {
    return post.authorId === this.id;
  }
  get display(): string {
    return `${this.username} <${this.email}>`;
  }
}

class Post extends Model("sess_posts", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => User.c.id, { onDelete: "cascade" }),
}) {
  static author = relationship(() => User, { backPopulates: "posts" });
  declare author: User;
}

class Doc extends Model("sess_docs", {
  id: column.integer().primaryKey(),
  body: column.text(),
  version: column.integer().version(),
}) {}

class Admin extends User {
  isAdmin(): boolean {
    return true;
  }
}

const MODELS = [User, Post, Doc];

async function setup(db: Db, texts?: string[]) {
  const engine = db.engine(texts ? { echo: (e) => texts.push(e.text) } : {});
  await engine.dropAll(MODELS);
  await engine.createAll(MODELS);
  texts?.splice(0);
  return engine;
}

const dataStatements = (texts: string[]) =>
  texts.filter((t) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(t));

dbTest(
  "the tutorial: add, cascade, commit, query, identity map, load, dirty update",
  async (db) => {
    const texts: string[] = [];
    const engine = await setup(db, texts);
    const Session = sessionMaker(engine);
    {
      await using session = Session();
      const dev = new User({ username: "dev_expert", email: "dev@example.com" });
      await dev.setPassword("s3cret");
      const post = new Post({ title: "Hello, Deno" });
      dev.posts.push(post);
      assert.equal(post.author, dev, "back-populates sets the other side at once");
      session.add(dev);
      assert.equal(inspect(post).status, "pending", "the post cascades into the session");
      await session.commit();
      assert.equal(typeof dev.id, "number");
      assert.equal(post.authorId, dev.id, "the foreign key is synced from the parent's new key");
      assert.ok(dev.canEdit(post));
      assert.equal(dev.display, "dev_expert <dev@example.com>");
      assert.equal(inspect(dev).status, "persistent");
    }
    const inserts = texts.filter((t) => t.startsWith("INSERT"));
    assert.equal(inserts.length, 2);
    assert.match(inserts[0], /sess_users/);
    assert.match(inserts[1], /sess_posts/);

    {
      await using session = Session();
      const users = await session.all(
        select(User).where(sql`${User.c.username} = ${"dev_expert"}`).options(selectin("posts")),
      );
      assert.equal(users.length, 1);
      assert.ok(users[0] instanceof User);
      assert.equal(users[0].posts[0].title, "Hello, Deno");
      assert.equal(users[0].posts[0].author, users[0]);
      texts.splice(0);
      assert.equal(await session.get(User, users[0].id), users[0], "identity map: same object");
      assert.equal(texts.length, 0, "and no query");
      const lonely = await session.one(select(User).where(sql`${User.c.id} = ${users[0].id}`));
      assert.equal(lonely, users[0]);
      const other = new User({ username: "x", email: "x@x" });
      session.add(other);
      await session.flush();
      session.expunge(other);
      const fresh = await session.one(select(User).where(sql`${User.c.username} = ${"x"}`));
      assert.throws(() => fresh.posts, NotLoadedError);
      assert.throws(() => fresh.posts, /selectin\("posts"\).*session\.load/s);
      await session.load(fresh, "posts");
      assert.deepEqual(fresh.posts, []);
      texts.splice(0);
      lonely.email = "new@example.com";
      await session.commit();
      const updates = texts.filter((t) => t.startsWith("UPDATE"));
      assert.equal(updates.length, 1);
      assert.match(updates[0], /SET "email" = (\?|\$1) WHERE/);
      assert.equal(lonely.email, "new@example.com", "objects stay readable after commit");
    }
    assert.equal(
      await engine.scalar(
        sql`SELECT ${User.c.email} FROM ${User} WHERE ${User.c.username} = ${"dev_expert"}`,
      ),
      "new@example.com",
    );
  },
);

dbTest(
  "mapped instances: constructor, methods, subclasses, hydration without constructor",
  async (db) => {
    const engine = await setup(db);
    let constructed = 0;
    class Counted extends Model("sess_counted", {
      id: column.integer().primaryKey(),
      name: column.text(),
    }) {
      constructor(init: { name: string }) {
        super(init);
        constructed++;
      }
    }
    await engine.dropAll([Counted]);
    await engine.createAll([Counted]);
    {
      await using s = engine.session();
      s.add(new Counted({ name: "a" }));
      await s.commit();
    }
    assert.equal(constructed, 1);
    {
      await using s = engine.session();
      const rows = await s.all(select(Counted));
      assert.equal(rows.length, 1);
      assert.ok(rows[0] instanceof Counted);
      assert.equal(rows[0].name, "a");
      assert.equal(constructed, 1, "loading does not call the user's constructor");
    }
    const admin = new Admin({ username: "root", email: "r@x" });
    assert.ok(admin instanceof User && admin instanceof Admin && admin.isAdmin());
    assert.deepEqual(JSON.parse(JSON.stringify(admin)), {
      username: "root",
      email: "r@x",
      passwordHash: null,
    });
    await engine.dropAll([Counted]);
  },
);

dbTest("statement counts: 1,000 adds flush in a fixed, small number of INSERTs", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  const users = Array.from(
    { length: 1000 },
    (_, i) => new User({ username: `user${i}`, email: `u${i}@example.com` }),
  );
  session.addAll(users);
  await session.commit();
  const inserts = dataStatements(texts);
  // One multi-row INSERT ... RETURNING per dialect.insertRows rows (SQLite 500, PostgreSQL 2,500).
  const per = engine.dialect.insertRows ?? Infinity;
  assert.ok(per >= 100, "insertRows is not a small batch");
  assert.equal(inserts.length, Math.ceil(1000 / per), "multi-row INSERT ... RETURNING");
  for (const text of inserts) assert.match(text, /RETURNING/);
  const ids = users.map((u) => u.id);
  assert.equal(new Set(ids).size, 1000);
  const rows = await engine.all<{ id: number; username: string }>(
    sql`SELECT ${User.c.id} AS id, ${User.c.username} AS username FROM ${User}`,
  );
  const byId = new Map(rows.map((r) => [r.id, r.username]));
  for (const u of users) assert.equal(byId.get(u.id), u.username, "keys go to the right objects");
  texts.splice(0);
  await session.commit();
  assert.equal(dataStatements(texts).length, 0, "an unchanged session issues nothing");
  const same = users[5].email;
  users[5].email = same; // same value: no change
  await session.flush();
  assert.equal(dataStatements(texts).length, 0);
});

dbTest("deletes are batched, and ordered after dependents", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  const users = Array.from({ length: 50 }, (_, i) => new User({ username: `d${i}`, email: "e" }));
  for (const u of users) u.posts.push(new Post({ title: `t-${u.username}` }));
  session.addAll(users);
  await session.commit();
  texts.splice(0);
  for (const u of users) session.delete(u);
  await session.commit();
  const deletes = dataStatements(texts).filter((t) => t.startsWith("DELETE"));
  assert.equal(deletes.length, 2, "one DELETE per table");
  assert.match(deletes[0], /sess_posts/, "children first");
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Post}`), 0);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${User}`), 0);
  for (const u of users) assert.equal(inspect(u).status, "detached");
});

dbTest("object states: transient, pending, persistent, deleted, detached", async (db) => {
  const engine = await setup(db);
  const u = new User({ username: "s", email: "s@x" });
  assert.equal(inspect(u).status, "transient");
  {
    await using session = engine.session();
    session.add(u);
    assert.equal(inspect(u).status, "pending");
    await session.flush();
    assert.equal(inspect(u).status, "persistent");
    u.email = "changed";
    assert.deepEqual(inspect(u).modified, ["email"]);
    await session.commit();
    assert.deepEqual(inspect(u).modified, []);
    session.delete(u);
    await session.flush();
    assert.equal(inspect(u).status, "deleted");
    await session.commit();
    assert.equal(inspect(u).status, "detached");
  }
  const v = new User({ username: "t", email: "t@x" });
  {
    await using session = engine.session();
    session.add(v);
    await session.commit();
  }
  assert.equal(inspect(v).status, "detached", "disposing the session detaches its objects");
  assert.equal(v.username, "t", "detached objects stay readable");
});

dbTest(
  "rollback: pending objects become transient, changes return to committed values",
  async (db) => {
    const engine = await setup(db);
    await using session = engine.session();
    const u = new User({ username: "r", email: "before" });
    session.add(u);
    await session.commit();
    const id = u.id;
    u.email = "after";
    const n = new User({ username: "n", email: "n" });
    session.add(n);
    await session.flush();
    assert.equal(typeof n.id, "number");
    await session.rollback();
    assert.equal(u.email, "before");
    assert.equal(inspect(n).status, "transient");
    assert.equal(n.id, undefined, "a generated key from a rolled-back insert is cleared");
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${User}`), 1);
    assert.equal(await session.get(User, id), u);
    // The session works again, and the rolled-back object can be added afresh.
    session.add(n);
    await session.commit();
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${User}`), 2);
  },
);

dbTest("a failed flush rolls back everything and demands rollback()", async (db) => {
  const engine = await setup(db);
  {
    await using session = engine.session();
    session.add(new User({ username: "taken", email: "a" }));
    await session.commit();
  }
  await using session = engine.session();
  const ok = new User({ username: "fine", email: "b" });
  session.add(ok);
  await session.flush(); // written in this transaction
  session.add(new User({ username: "taken", email: "dup" }));
  await assert.rejects(() => session.commit(), IntegrityError);
  await assert.rejects(() => session.get(User, 1), PendingRollbackError);
  await assert.rejects(() => session.all(select(User)), PendingRollbackError);
  assert.throws(() => session.add(new User({ username: "z", email: "z" })), PendingRollbackError);
  await session.rollback();
  assert.equal(
    await engine.scalar(sql`SELECT count(*) FROM ${User}`),
    1,
    "the earlier flush of the same transaction is gone too: no partial writes",
  );
  assert.equal(inspect(ok).status, "transient");
  const users = await session.all(select(User));
  assert.deepEqual(users.map((u) => u.username), ["taken"]);
});

dbTest("bad input fails before anything is sent", async (db) => {
  const texts: string[] = [];
  const engine = await setup(db, texts);
  await using session = engine.session();
  session.add(new User({ username: 5 as unknown as string, email: "e" }));
  await assert.rejects(() => session.flush(), (e: unknown) => {
    assert.ok(e instanceof ArgumentError);
    assert.match(String((e as Error).message), /User\.username expects a string/);
    return true;
  });
  assert.equal(texts.length, 0, "nothing was sent, not even BEGIN");
  session.expungeAll();
  const missing = new User({ username: "m" } as never);
  session.add(missing);
  await assert.rejects(() => session.flush(), /User\.email is NOT NULL/);
  await session.rollback();
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${User}`), 0);
  assert.throws(() => new User({ nope: 1 } as never), /no column or relationship "nope"/);
  assert.throws(() => session.add({} as never), ArgumentError);
});

dbTest("one(), first(), oneOrNull()", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  session.addAll([
    new User({ username: "a", email: "1" }),
    new User({ username: "b", email: "2" }),
  ]);
  await session.flush();
  await assert.rejects(() => session.one(select(User)), MultipleResultsFound);
  await assert.rejects(
    () => session.one(select(User).where(sql`${User.c.username} = ${"zz"}`)),
    NoResultFound,
  );
  assert.equal(
    await session.oneOrNull(select(User).where(sql`${User.c.username} = ${"zz"}`)),
    null,
  );
  const first = await session.first(select(User).orderBy(User.c.username));
  assert.equal(first?.username, "a");
});

dbTest("autoflush before queries, and noAutoflush", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  session.add(new User({ username: "auto", email: "a" }));
  const found = await session.all(select(User).where(sql`${User.c.username} = ${"auto"}`));
  assert.equal(found.length, 1, "the pending user was flushed before the query");
  await session.noAutoflush(async () => {
    session.add(new User({ username: "manual", email: "m" }));
    const none = await session.all(select(User).where(sql`${User.c.username} = ${"manual"}`));
    assert.equal(none.length, 0);
  });
  await session.close();
  await using off = engine.session({ autoflush: false });
  off.add(new User({ username: "off", email: "o" }));
  const r = await off.execute(
    sql`SELECT count(*) AS n FROM ${User} WHERE ${User.c.username} = ${"off"}`,
  );
  assert.equal(Number(r.rows[0].n), 0);
});

dbTest("savepoints: beginNested rolls back in the database and in memory", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const keep = new User({ username: "keep", email: "k" });
  session.add(keep);
  {
    await using sp = await session.beginNested();
    keep.email = "changed-in-savepoint";
    session.add(new User({ username: "gone", email: "g" }));
    await session.flush();
    assert.ok(sp.isActive);
  } // disposed without commit: rolled back to the savepoint
  assert.equal(keep.email, "k");
  const sp2 = await session.beginNested();
  session.add(new User({ username: "stays", email: "s" }));
  await sp2.commit();
  await session.commit();
  const names =
    (await engine.all<{ u: string }>(sql`SELECT ${User.c.username} AS u FROM ${User} ORDER BY 1`))
      .map((r) => r.u);
  assert.deepEqual(names, ["keep", "stays"]);
  assert.equal(
    await engine.scalar(
      sql`SELECT ${User.c.email} FROM ${User} WHERE ${User.c.username} = ${"keep"}`,
    ),
    "k",
  );
});

dbTest("session.transaction(fn) commits, or rolls back when fn throws", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  await session.transaction((s) => {
    s.add(new User({ username: "tx", email: "t" }));
    return Promise.resolve();
  });
  await assert.rejects(() =>
    session.transaction(async (s) => {
      s.add(new User({ username: "tx2", email: "t" }));
      await s.flush();
      throw new Error("boom");
    }), /boom/);
  const names = (await session.all(select(User))).map((u) => u.username);
  assert.deepEqual(names, ["tx"]);
});

dbTest(
  "leaving an await using block without commit rolls back, even through an exception",
  async (db) => {
    const engine = await setup(db);
    await assert.rejects(async () => {
      await using session = engine.session();
      session.add(new User({ username: "lost", email: "l" }));
      await session.flush();
      throw new Error("leaving");
    }, /leaving/);
    {
      await using session = engine.session();
      session.add(new User({ username: "lost2", email: "l" }));
      await session.flush();
    }
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${User}`), 0);
    assert.equal(engine.checkedOut, 0, "the connections were released");
  },
);

dbTest("optimistic concurrency: a version column raises StaleDataError", async (db) => {
  const engine = await setup(db);
  {
    await using s = engine.session();
    s.add(new Doc({ body: "v1" }));
    await s.commit();
  }
  await using a = engine.session();
  await using b = engine.session();
  const da = (await a.get(Doc, 1))!;
  assert.equal(da.version, 1);
  da.body = "from a";
  await a.commit();
  assert.equal(da.version, 2);
  const db2 = (await b.get(Doc, 1))!;
  assert.equal(db2.version, 2);
  // Another writer bumps the version behind b's back (through b's own connection, since an
  // in-memory SQLite database has one connection).
  await b.execute(sql`UPDATE ${Doc} SET ${sql.id("version")} = 3, ${sql.id("body")} = ${"other"}`);
  await b.commit();
  db2.body = "from b";
  await assert.rejects(() => b.commit(), StaleDataError);
  await b.rollback();
  assert.equal(await engine.scalar(sql`SELECT ${Doc.c.body} FROM ${Doc}`), "other");
  // Deleting a stale row fails too.
  const stale = (await b.get(Doc, 1, { populateExisting: true }))!;
  await b.execute(sql`UPDATE ${Doc} SET ${sql.id("version")} = 9`);
  b.delete(stale);
  await assert.rejects(() => b.commit(), StaleDataError);
});

dbTest("using one session from two tasks at once is an immediate error", async (db) => {
  const engine = await setup(db);
  await using session = engine.session();
  const first = session.all(select(User));
  await assert.rejects(() => session.all(select(User)), (e: unknown) => {
    assert.ok(e instanceof InvalidRequestError);
    assert.match(String((e as Error).message), /concurrent use/);
    return true;
  });
  await first;
});

dbTest("refresh, expunge, expireOnCommit and populateExisting", async (db) => {
  const engine = await setup(db);
  {
    await using s = engine.session();
    s.add(new User({ username: "f", email: "old" }));
    await s.commit();
  }
  await using session = engine.session();
  const u = (await session.get(User, 1))!;
  // Changes made outside the ORM (here on the session's own connection).
  await session.execute(sql`UPDATE ${User} SET ${sql.set({ email: "new" })}`);
  assert.equal((await session.get(User, 1))!.email, "old", "the identity map wins by default");
  await session.refresh(u);
  assert.equal(u.email, "new");
  await session.execute(sql`UPDATE ${User} SET ${sql.set({ email: "newer" })}`);
  await session.all(select(User).populateExisting());
  assert.equal(u.email, "newer");
  session.expunge(u);
  assert.equal(inspect(u).status, "detached");
  const again = (await session.get(User, 1))!;
  assert.notEqual(again, u);
  await session.commit();
  await session.close();

  await using expiring = engine.session({ expireOnCommit: true });
  const e = (await expiring.get(User, 1))!;
  await expiring.commit();
  assert.equal(e.email, "newer", "expired objects stay readable");
  await engine.run(sql`UPDATE ${User} SET ${sql.set({ email: "newest" })}`); // the session holds no connection after commit
  assert.equal((await expiring.get(User, 1))!.email, "newest", "and refresh on the next load");
});

dbTest("class fields that hide relationships are caught", async (db) => {
  const engine = await setup(db);
  class Bad extends Model("sess_bad", { id: column.integer().primaryKey() }) {
    static users = relationship(() => User, { secondary: () => User });
    users: User[] = [];
  }
  await using session = engine.session();
  assert.throws(() => session.add(new Bad({})), /declare users/);
});

dbTest("mapping mistakes are clear errors", async (db) => {
  const engine: Engine = await setup(db);
  class NoKey extends Model("sess_nokey", { name: column.text() }) {}
  assert.throws(() => new NoKey({ name: "x" }), /has no primary key/);
  class Unknown extends Model("sess_unknown", { id: column.integer().primaryKey() }) {}
  await using session = engine.session();
  await assert.rejects(() => session.get(Unknown, "x" as never), /expects an integer/);
});

class Stamp extends Model("sess_stamps", {
  id: column.integer().primaryKey(),
  label: column.text().default(() => "generated"),
  code: column.text().serverDefault(sql`'srv'`),
  createdAt: column.timestamptz().serverDefault(sql`CURRENT_TIMESTAMP`),
}) {}

class Pair extends Model("sess_pairs", {
  a: column.integer(),
  b: column.text(),
  note: column.text().nullable(),
}, { constraints: (c) => [constraint.primaryKey(c.a, c.b)] }) {}

dbTest("defaults: client values and functions at flush, server defaults returned", async (db) => {
  const engine = db.engine();
  await engine.dropAll([Stamp, Pair]);
  await engine.createAll([Stamp, Pair]);
  await using session = engine.session();
  const s = new Stamp({});
  const t = new Stamp({ label: "given", code: "mine" });
  session.addAll([s, t]);
  await session.flush();
  assert.equal(s.label, "generated");
  assert.equal(s.code, "srv", "the server default came back into the object");
  assert.ok(s.createdAt instanceof Date && !Number.isNaN(s.createdAt.getTime()));
  assert.equal(t.label, "given");
  assert.equal(t.code, "mine");
  await session.commit();
  await engine.dropAll([Stamp, Pair]);
});

dbTest("composite primary keys: identity map and get", async (db) => {
  const engine = db.engine();
  await engine.dropAll([Pair]);
  await engine.createAll([Pair]);
  await using session = engine.session();
  session.addAll([new Pair({ a: 1, b: "x" }), new Pair({ a: 1, b: "y", note: "n" })]);
  await session.commit();
  const y = await session.get(Pair, [1, "y"]);
  assert.equal(y?.note, "n");
  assert.equal(await session.get(Pair, [1, "y"]), y);
  assert.equal(await session.get(Pair, [2, "y"]), null);
  await assert.rejects(() => session.get(Pair, 1 as never), /composite primary key/);
  y!.note = "changed";
  await session.commit();
  assert.equal(
    await engine.scalar(sql`SELECT ${Pair.c.note} FROM ${Pair} WHERE ${Pair.c.b} = ${"y"}`),
    "changed",
  );
  await engine.dropAll([Pair]);
});

dbTest("mapping errors: a duplicate table in createAll, a flush cycle", async (db) => {
  const engine = db.engine();
  class Twin1 extends Model("sess_twins", { id: column.integer().primaryKey() }) {}
  class Twin2 extends Model("sess_twins", { id: column.integer().primaryKey() }) {}
  await assert.rejects(() => engine.createAll([Twin1, Twin2]), /sess_twins/);
  class Egg extends Model("sess_eggs", {
    id: column.integer().primaryKey(),
    henId: column.integer().nullable().references((): Column => Hen.c.id),
  }) {
    static hen = relationship(() => Hen, { foreignKey: (): Column => Egg.c.henId });
    declare hen: Hen | null;
  }
  class Hen extends Model("sess_hens", {
    id: column.integer().primaryKey(),
    eggId: column.integer().nullable().references((): Column => Egg.c.id),
  }) {
    static egg = relationship(() => Egg, { foreignKey: (): Column => Hen.c.eggId });
    declare egg: Egg | null;
  }
  await engine.dropAll([Egg, Hen]);
  await engine.createAll([Egg, Hen]);
  await using session = engine.session();
  const egg = new Egg({});
  const hen = new Hen({});
  egg.hen = hen;
  hen.egg = egg;
  session.add(egg);
  // Nullable foreign keys in a cycle: written NULL, then set by a second UPDATE.
  await session.commit();
  assert.equal(egg.henId, hen.id);
  assert.equal(hen.eggId, egg.id);
  const rows = await engine.all<{ e: number; h: number }>(
    sql`SELECT ${Egg.c.henId} AS h, ${Hen.c.eggId} AS e FROM ${Egg}, ${Hen}`,
  );
  assert.deepEqual(rows, [{ h: hen.id, e: egg.id }]);
  await engine.dropAll([Egg, Hen]);
});

dbTest(
  "updates of the same columns: one statement per set of columns, correct values",
  async (db) => {
    const texts: string[] = [];
    const engine = await setup(db, texts);
    await using session = engine.session();
    const users = Array.from(
      { length: 100 },
      (_, i) => new User({ username: `b${i}`, email: "old" }),
    );
    session.addAll(users);
    await session.commit();
    texts.splice(0);
    users.forEach((u, i) => (u.email = `new-${i}`));
    users[3].passwordHash = "h"; // a different set of changed columns
    await session.commit();
    const updates = dataStatements(texts).filter((t) => t.startsWith("UPDATE"));
    assert.equal(updates.length, 2, "one UPDATE per set of changed columns");
    const rows = await engine.all<{ u: string; e: string; p: string | null }>(
      sql`SELECT ${User.c.username} AS u, ${User.c.email} AS e, ${User.c.passwordHash} AS p FROM ${User}`,
    );
    const byName = new Map(rows.map((r) => [r.u, r]));
    users.forEach((u, i) => assert.equal(byName.get(u.username)?.e, `new-${i}`));
    assert.equal(byName.get("b3")?.p, "h");
    assert.equal(byName.get("b4")?.p, null);
    // A row deleted behind the session's back is a StaleDataError for the whole batch.
    await session.execute(sql`DELETE FROM ${User} WHERE ${User.c.username} = ${"b7"}`);
    users.forEach((u) => (u.email = "again"));
    await assert.rejects(() => session.commit(), StaleDataError);
  },
);

dbTest("a session factory's listeners and a session's own both run", async (db) => {
  const engine = await setup(db);
  const seen: string[] = [];
  const Session = sessionMaker(engine, {
    on: { afterCommit: () => void seen.push("factory commit") },
  });
  {
    await using session = Session({
      on: {
        afterCommit: () => void seen.push("own commit"),
        afterRollback: () => void seen.push("own rollback"),
      },
    });
    session.add(new User({ username: "lee", email: "l@x" }));
    await session.commit();
    await session.rollback();
  }
  {
    await using session = Session();
    session.add(new User({ username: "kim", email: "k@x" }));
    await session.commit();
  }
  assert.deepEqual(seen, ["factory commit", "own commit", "factory commit"]);
});

dbTest(
  "session.transaction(fn) refuses a session holding work its rollback would undo",
  async (db) => {
    const engine = await setup(db);
    await using session = engine.session();
    session.add(new User({ username: "earlier", email: "e" }));
    await session.flush();
    const refused = (e: unknown) =>
      e instanceof InvalidRequestError && /holds work of its transaction/.test(e.message);
    await assert.rejects(session.transaction(() => Promise.resolve(), { retry: 3 }), refused);
    session.add(new User({ username: "unflushed", email: "u" }));
    await assert.rejects(session.transaction(() => Promise.resolve()), refused);
    await session.commit();
    // After a commit (reads alone hold no work) it runs.
    await session.all(select(User));
    await session.transaction((s) => {
      s.add(new User({ username: "inside", email: "i" }));
      return Promise.resolve();
    });
    const names = (await session.all(select(User).orderBy(User.c.username))).map((u) => u.username);
    assert.deepEqual(names, ["earlier", "inside", "unflushed"]);
  },
);

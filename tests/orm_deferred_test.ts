/**
 * Deferred columns: `column.text().deferred()` and the options defer, undefer and loadOnly
 * leave columns out of the SELECT; reading one raises NotLoadedError naming the fix; the
 * flush never writes what was not loaded, but writes what was assigned; later loads that
 * select a column fill it in; relationship loads, session.get, refresh, merge and streams
 * follow the same rules.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  createEngine,
  defer,
  type Engine,
  eq,
  inspect,
  joined,
  loadOnly,
  Model,
  NotLoadedError,
  relationship,
  select,
  selectin,
  undefer,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class DUser extends Model("df_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
  bio: column.text().deferred(),
  motto: column.text().nullable(),
}) {
  static posts = relationship(() => DPost, { backPopulates: "author" });
  declare posts: DPost[];
}

class DPost extends Model("df_posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => DUser.c.id),
  title: column.text(),
  body: column.text().deferred(),
}) {
  static author = relationship(() => DUser, { backPopulates: "posts" });
  declare author: DUser;
}

async function seeded(engine: Engine): Promise<void> {
  await engine.createAll([DUser, DPost]);
  await using s = engine.session();
  const ann = new DUser({ id: 1, name: "ann", bio: "ann's long bio", motto: "go" });
  const bob = new DUser({ id: 2, name: "bob", bio: "bob's long bio" });
  s.addAll([ann, bob]);
  s.addAll([
    new DPost({ id: 10, authorId: 1, title: "t10", body: "body 10" }),
    new DPost({ id: 11, authorId: 1, title: "t11", body: "body 11" }),
    new DPost({ id: 12, authorId: 2, title: "t12", body: "body 12" }),
  ]);
  await s.commit();
}

const selects = (texts: string[]) => texts.filter((t) => t.startsWith("SELECT"));

dbTest("a deferred column is left out of the SELECT; reading it names the fix", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  log.texts.length = 0;
  const [ann] = await session.all(select(DUser).where(eq(DUser.c.id, 1)));
  assert.equal(selects(log.texts).length, 1);
  assert.ok(!selects(log.texts)[0].includes("bio"), selects(log.texts)[0]);
  assert.equal(ann.name, "ann");
  assert.deepEqual(inspect(ann).unloaded, ["bio"]);
  assert.throws(() => ann.bio, (e: Error) => {
    assert.ok(e instanceof NotLoadedError);
    assert.match(e.message, /DUser\.bio is not loaded/);
    assert.match(e.message, /undefer\(DUser\.c\.bio\)/);
    assert.match(e.message, /session\.refresh\(obj, \["bio"\]\)/);
    return true;
  });
  assert.deepEqual(JSON.parse(JSON.stringify(ann)), { id: 1, name: "ann", motto: "go" });
  log.texts.length = 0;
  await session.refresh(ann, ["bio"]);
  assert.equal(ann.bio, "ann's long bio");
  assert.deepEqual(inspect(ann).unloaded, []);
  const sent = selects(log.texts);
  assert.equal(sent.length, 1);
  assert.ok(sent[0].includes("bio") && !sent[0].includes("motto"), sent[0]);
});

dbTest("undefer, defer and loadOnly choose the columns of one query", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  log.texts.length = 0;
  const [ann] = await session.all(
    select(DUser).where(eq(DUser.c.id, 1)).options(
      undefer(DUser.c.bio),
      defer(DUser.c.motto),
    ),
  );
  assert.ok(selects(log.texts)[0].includes("bio"));
  assert.ok(!selects(log.texts)[0].includes("motto"));
  assert.equal(ann.bio, "ann's long bio");
  assert.throws(() => ann.motto, NotLoadedError);
  session.expungeAll();
  log.texts.length = 0;
  const [bob] = await session.all(
    select(DUser).where(eq(DUser.c.id, 2)).options(loadOnly(DUser.c.motto)),
  );
  const sent = selects(log.texts)[0];
  assert.ok(sent.includes("motto") && sent.includes('"id"'), sent);
  assert.ok(!sent.includes('"name"') && !sent.includes("bio"), sent);
  assert.equal(bob.id, 2);
  assert.equal(bob.motto, null);
  assert.deepEqual(inspect(bob).unloaded, ["name", "bio"]);
});

dbTest("the primary key and version cannot be deferred", async () => {
  assert.throws(() => defer(DUser.c.id), ArgumentError);
  assert.throws(() => defer("bio" as never), ArgumentError);
  assert.throws(() => loadOnly(DUser.c.name, DPost.c.title), ArgumentError);
  class Bad extends Model("df_bad", { id: column.integer().primaryKey().deferred() }) {}
  await using engine = createEngine("sqlite::memory:");
  await engine.createAll([Bad]);
  await using session = engine.session();
  await assert.rejects(() => session.all(select(Bad)), /remove its \.deferred\(\)/);
}, { on: ["sqlite"] });

dbTest("the flush leaves unloaded columns alone and writes assigned ones", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  {
    await using session = engine.session();
    const [ann, bob] = await session.all(select(DUser).orderBy(DUser.c.id));
    ann.name = "ANN";
    bob.bio = "new bio";
    assert.deepEqual(inspect(ann).modified, ["name"]);
    assert.deepEqual(inspect(bob).modified, ["bio"]);
    log.texts.length = 0;
    await session.commit();
    const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
    assert.equal(updates.length, 2, updates.join("\n"));
    const [names, bios] = [
      updates.filter((t) => t.includes('"name"')),
      updates.filter((t) => t.includes('"bio"')),
    ];
    assert.equal(names.length, 1);
    assert.equal(bios.length, 1);
    assert.ok(!names[0].includes('"bio"') && !bios[0].includes('"name"'), updates.join("\n"));
    assert.equal(bob.bio, "new bio", "an assigned deferred column reads normally");
    assert.throws(() => ann.bio, NotLoadedError, "still unloaded after the flush");
  }
  await using check = engine.session();
  const [ann, bob] = await check.all(
    select(DUser).orderBy(DUser.c.id).options(undefer(DUser.c.bio)),
  );
  assert.deepEqual([ann.name, ann.bio, ann.motto], ["ANN", "ann's long bio", "go"]);
  assert.deepEqual([bob.name, bob.bio], ["bob", "new bio"]);
});

dbTest("a later load that selects a column fills it in, keeping pending changes", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session({ autoflush: false });
  const [ann] = await session.all(select(DUser).where(eq(DUser.c.id, 1)));
  ann.name = "changed";
  const [again] = await session.all(
    select(DUser).where(eq(DUser.c.id, 1)).options(undefer(DUser.c.bio)),
  );
  assert.equal(again, ann);
  assert.equal(ann.bio, "ann's long bio");
  assert.equal(ann.name, "changed");
  assert.deepEqual(inspect(ann).modified, ["name"]);
  // A deferred column assigned before the load keeps its new value, and stays a change.
  const [bob] = await session.all(select(DUser).where(eq(DUser.c.id, 2)));
  bob.bio = "mine";
  await session.all(select(DUser).where(eq(DUser.c.id, 2)).options(undefer(DUser.c.bio)));
  assert.equal(bob.bio, "mine");
  assert.deepEqual(inspect(bob).modified, ["bio"]);
  await session.commit();
  await using check = engine.session();
  const got = await check.get(DUser, 1, { options: [undefer(DUser.c.bio)] });
  assert.deepEqual([got!.name, got!.bio], ["changed", "ann's long bio"]);
});

dbTest("expire then reading follows expired semantics; refresh reloads", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const ann = (await session.get(DUser, 1, { options: [undefer(DUser.c.bio)] }))!;
  assert.equal(ann.bio, "ann's long bio");
  session.expire(ann, ["bio"]);
  assert.throws(() => ann.bio, /expired/);
  await session.refresh(ann);
  assert.equal(ann.bio, "ann's long bio", "a full refresh reloads the columns held");
  const bob = (await session.get(DUser, 2))!;
  await session.refresh(bob);
  assert.throws(() => bob.bio, /not loaded/, "and leaves deferred ones deferred");
});

dbTest("session.get leaves deferred columns out, and fills them when asked", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  log.texts.length = 0;
  const ann = (await session.get(DUser, 1))!;
  assert.ok(!selects(log.texts)[0].includes("bio"));
  assert.equal(await session.get(DUser, 1), ann);
  assert.equal(selects(log.texts).length, 1, "from the identity map");
  const same = await session.get(DUser, 1, { options: [undefer(DUser.c.bio)] });
  assert.equal(same, ann);
  assert.equal(ann.bio, "ann's long bio");
  assert.equal(selects(log.texts).length, 2, "a held object missing the column is loaded");
  await session.get(DUser, 1, { options: [undefer(DUser.c.bio)] });
  assert.equal(selects(log.texts).length, 2, "once filled, from the identity map");
});

dbTest("selectin and joined loads leave the related class's deferred columns out", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  for (const load of [selectin, joined]) {
    await using session = engine.session();
    log.texts.length = 0;
    const users = await session.all(select(DUser).orderBy(DUser.c.id).options(load("posts")));
    assert.ok(selects(log.texts).every((t) => !t.includes("body") && !t.includes("bio")));
    assert.deepEqual(users.map((u) => u.posts.map((p) => p.title)), [["t10", "t11"], ["t12"]]);
    assert.throws(() => users[0].posts[0].body, NotLoadedError);
    session.expungeAll();
    const again = await session.all(
      select(DUser).orderBy(DUser.c.id).options(load("posts"), undefer(DPost.c.body)),
    );
    assert.equal(again[1].posts[0].body, "body 12");
    assert.throws(() => again[1].bio, NotLoadedError);
  }
});

dbTest("loadOnly keeps the columns the query's relationships join on", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  for (const load of [selectin, joined]) {
    await using session = engine.session();
    const posts = await session.all(
      select(DPost).orderBy(DPost.c.id).options(loadOnly(DPost.c.title), load("author")),
    );
    assert.deepEqual(posts.map((p) => p.author.name), ["ann", "ann", "bob"]);
    assert.deepEqual(inspect(posts[0]).unloaded, ["body"]);
    session.expungeAll();
    const users = await session.all(
      select(DUser).orderBy(DUser.c.id).options(selectin("posts"), loadOnly(DPost.c.title)),
    );
    assert.equal(users[0].posts.length, 2, "the posts' foreign key was read");
  }
});

dbTest("session.load of a relationship whose key is not loaded raises", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const [post] = await session.all(select(DPost).options(loadOnly(DPost.c.title)).limit(1));
  await assert.rejects(() => session.load(post, "author"), NotLoadedError);
});

dbTest("merge does not take unloaded columns for values", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  let detached: DUser;
  {
    await using s = engine.session();
    detached = (await s.get(DUser, 1))!;
  }
  detached.name = "merged";
  await using session = engine.session();
  const merged = await session.merge(detached);
  assert.equal(merged.name, "merged");
  await session.commit();
  await using check = engine.session();
  const got = (await check.get(DUser, 1, { options: [undefer(DUser.c.bio)] }))!;
  assert.deepEqual([got.name, got.bio, got.motto], ["merged", "ann's long bio", "go"]);
});

dbTest("session.stream leaves deferred columns out and takes column options", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await seeded(engine);
  await using session = engine.session();
  log.texts.length = 0;
  const bios: string[] = [];
  for await (const u of session.stream(select(DUser).orderBy(DUser.c.id), { chunkSize: 1 })) {
    assert.throws(() => u.bio, NotLoadedError);
  }
  assert.ok(selects(log.texts).every((t) => !t.includes("bio")));
  session.expungeAll();
  const q = select(DUser).orderBy(DUser.c.id).options(undefer(DUser.c.bio), selectin("posts"));
  for await (const u of session.stream(q, { chunkSize: 1 })) {
    bios.push(u.bio);
    assert.ok(u.posts.length > 0);
  }
  assert.deepEqual(bios, ["ann's long bio", "bob's long bio"]);
});

dbTest("populateExisting makes a held object what the query loaded", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const [ann] = await session.all(
    select(DUser).where(eq(DUser.c.id, 1)).options(undefer(DUser.c.bio)),
  );
  assert.equal(ann.bio, "ann's long bio");
  await session.all(select(DUser).where(eq(DUser.c.id, 1)).populateExisting());
  assert.throws(() => ann.bio, NotLoadedError);
  assert.equal(ann.name, "ann");
});

dbTest("a rollback restores what was unloaded", async (db) => {
  const engine = db.engine();
  await seeded(engine);
  await using session = engine.session();
  const [ann] = await session.all(select(DUser).where(eq(DUser.c.id, 1)));
  ann.bio = "temp";
  await session.flush();
  await session.rollback();
  assert.throws(() => ann.bio, NotLoadedError);
});

class DShape extends Model("df_shapes", {
  id: column.integer().primaryKey(),
  kind: column.text().default("shape"),
  label: column.text(),
  notes: column.text().nullable().deferred(),
}, { polymorphicOn: "kind", polymorphicIdentity: "shape" }) {}

class DCircle extends DShape.subclass("circle", {
  radius: column.integer().nullable(),
  drawing: column.text().nullable().deferred(),
}) {}

dbTest("single-table inheritance: each class's deferred columns stay out", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.createAll([DShape]);
  {
    await using s = engine.session();
    s.add(new DShape({ id: 1, label: "s", notes: "n1" }));
    s.add(new DCircle({ id: 2, label: "c", notes: "n2", radius: 3, drawing: "o" }));
    await s.commit();
  }
  await using session = engine.session();
  log.texts.length = 0;
  const shapes = await session.all(select(DShape).orderBy(DShape.c.id));
  const sent = selects(log.texts)[0];
  assert.ok(!sent.includes("notes") && !sent.includes("drawing") && sent.includes("kind"), sent);
  assert.ok(shapes[1] instanceof DCircle);
  const circle = shapes[1] as DCircle;
  assert.equal(circle.radius, 3);
  assert.throws(() => circle.drawing, NotLoadedError);
  await session.all(select(DCircle).options(undefer(DCircle.c.drawing), loadOnly(DCircle.c.label)));
  assert.equal(circle.drawing, "o");
  assert.throws(() => circle.notes, NotLoadedError);
  assert.equal(
    (await session.get(DCircle, 2, { options: [undefer(DShape.c.notes)] }))!.notes,
    "n2",
  );
});

/**
 * A load never replaces what an object the session holds has loaded already (SQLAlchemy's
 * rule): a relationship keeps its value, and its unflushed changes, whichever loader reads
 * its rows again (selectin, joined, nested, session.get's options, a stream), unless the
 * query asks to populate existing objects or session.refresh names it; session.load loads
 * again what holds no unflushed change. Loading one side never sets back the other side an
 * object changed, and an object moved away is not put back into its old parent's collection.
 * These matter while autoflush is off (noAutoflush, `autoflush: false`, a beforeFlush
 * listener's queries), where a replaced value would be what the commit writes.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  eq,
  joined,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Forum extends Model("fxl_forums", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static topics = relationship(() => Topic, {
    backPopulates: "forum",
    cascade: "all, delete-orphan",
    orderBy: () => Topic.c.id,
  });
  declare topics: Topic[];
  static pinned = relationship(() => Pin, { backPopulates: "forum", uselist: false });
  declare pinned: Pin | null;
}

class Topic extends Model("fxl_topics", {
  id: column.integer().primaryKey(),
  forumId: column.integer().nullable().references(() => Forum.c.id),
  title: column.text(),
}) {
  static forum = relationship(() => Forum, { backPopulates: "topics" });
  declare forum: Forum | null;
  static tags = relationship(() => Tag, { secondary: () => TopicTag, backPopulates: "topics" });
  declare tags: Tag[];
}

class Pin extends Model("fxl_pins", {
  id: column.integer().primaryKey(),
  forumId: column.integer().nullable().references(() => Forum.c.id),
}) {
  static forum = relationship(() => Forum, { backPopulates: "pinned" });
  declare forum: Forum | null;
}

class Tag extends Model("fxl_tags", { id: column.integer().primaryKey(), label: column.text() }) {
  static topics = relationship(() => Topic, { secondary: () => TopicTag, backPopulates: "tags" });
  declare topics: Topic[];
}

class TopicTag extends Model("fxl_topic_tags", {
  topicId: column.integer().primaryKey().references(() => Topic.c.id),
  tagId: column.integer().primaryKey().references(() => Tag.c.id),
}) {}

const ALL = [Forum, Topic, Pin, Tag, TopicTag];
const STRATEGIES = [selectin, joined] as const;

async function seed(engine: Engine): Promise<void> {
  await engine.createAll(ALL);
  await engine.run(sql`INSERT INTO fxl_forums (id, name) VALUES (1, 'general'), (2, 'archive')`);
  await engine.run(
    sql`INSERT INTO fxl_topics (id, forum_id, title) VALUES (1, 1, 't1'), (2, 1, 't2'), (3, 2, 't3'), (4, NULL, 't4')`,
  );
  await engine.run(sql`INSERT INTO fxl_pins (id, forum_id) VALUES (1, 1)`);
  await engine.run(sql`INSERT INTO fxl_tags (id, label) VALUES (1, 'a'), (2, 'b')`);
  await engine.run(
    sql`INSERT INTO fxl_topic_tags (topic_id, tag_id) VALUES (1, 1), (1, 2), (2, 1)`,
  );
}

async function forumOf(engine: Engine, topic: number): Promise<unknown> {
  return await engine.scalar(sql`SELECT forum_id FROM fxl_topics WHERE id = ${topic}`);
}

const ids = (objs: readonly { id: number }[]) => objs.map((o) => o.id);

dbTest("a beforeFlush listener's query keeps the many-to-one the flush writes", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await engine.run(sql`UPDATE fxl_topics SET forum_id = 1 WHERE id = 1`);
    await using s = engine.session();
    const t = (await s.get(Topic, 1, { options: [selectin("forum")] }))!;
    const archive = (await s.get(Forum, 2))!;
    s.on("beforeFlush", async () => {
      await s.all(select(Topic).options(strategy("forum")));
    });
    t.forum = archive;
    await s.commit();
    assert.equal(t.forum, archive, strategy.name);
    assert.equal(await forumOf(engine, 1), 2, strategy.name);
  }
});

dbTest("a query keeps a many-to-one changed and not flushed", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await engine.run(sql`UPDATE fxl_topics SET forum_id = 1 WHERE id = 1`);
    await engine.run(sql`UPDATE fxl_topics SET forum_id = NULL WHERE id = 4`);
    await using s = engine.session({ autoflush: false });
    const [t1, , , t4] = await s.all(select(Topic).orderBy(Topic.c.id).options(strategy("forum")));
    const archive = (await s.get(Forum, 2))!;
    t1.forum = archive; // was general
    t4.forum = archive; // was none: the row's null key must not clear it
    await s.all(select(Topic).options(strategy("forum")));
    await s.all(select(Topic).options(selectin("forum")));
    assert.equal(t1.forum, archive, strategy.name);
    assert.equal(t4.forum, archive, strategy.name);
    await s.commit();
    assert.equal(await forumOf(engine, 1), 2, strategy.name);
    assert.equal(await forumOf(engine, 4), 2, strategy.name);
  }
});

dbTest(
  "a query keeps a loaded collection: a pending child stays, an orphan stays out",
  async (db) => {
    const engine = db.engine();
    await seed(engine);
    await engine.run(sql`DELETE FROM fxl_topic_tags`); // topic 1 is deleted below
    for (const strategy of STRATEGIES) {
      await using s = engine.session();
      const byId = select(Forum).where(eq(Forum.c.id, 1));
      const [forum] = await s.all(byId.options(strategy("topics")));
      const fresh = new Topic({ id: 10, title: "new" });
      await s.noAutoflush(async () => {
        forum.topics.push(fresh);
        forum.topics.splice(0, 1); // topic 1: an orphan, deleted at flush
        await s.all(byId.options(strategy("topics")));
        await s.all(byId.options(selectin("topics")));
        await s.all(byId.options(joined("topics")));
        assert.deepEqual(ids(forum.topics), [2, 10], strategy.name);
        assert.equal(fresh.forum, forum);
      });
      await s.flush();
      assert.deepEqual(ids(forum.topics), [2, 10], strategy.name);
      const rows = await s.execute<{ id: number }>(sql`SELECT id FROM fxl_topics ORDER BY id`);
      assert.deepEqual(rows.rows.map((r) => Number(r.id)), [2, 3, 4, 10], strategy.name);
      await s.rollback();
    }
  },
);

dbTest("loading a collection does not set back a child moved to another parent", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await engine.run(sql`UPDATE fxl_topics SET forum_id = 1 WHERE id = 1`);
    await using s = engine.session({ autoflush: false });
    const [t1, t2] = await s.all(select(Topic).orderBy(Topic.c.id).options(selectin("forum")));
    const archive = (await s.get(Forum, 2))!;
    t1.forum = archive; // general.topics is not loaded
    const [general] = await s.all(
      select(Forum).where(eq(Forum.c.id, 1)).options(strategy("topics")),
    );
    assert.equal(t1.forum, archive, strategy.name);
    // The rows still say topic 1 is general's; the object says it left.
    assert.deepEqual(ids(general.topics), [2], strategy.name);
    assert.equal(t2.forum, general);
    await s.commit();
    assert.equal(await forumOf(engine, 1), 2, strategy.name);
    assert.deepEqual(ids(general.topics), [2]);
  }
});

dbTest("a one-to-one loaded keeps its change", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await engine.run(sql`UPDATE fxl_pins SET forum_id = 1`);
    await using s = engine.session({ autoflush: false });
    const [general, archive] = await s.all(
      select(Forum).orderBy(Forum.c.id).options(strategy("pinned")),
    );
    const pin = general.pinned!;
    assert.equal(archive.pinned, null);
    pin.forum = archive;
    await s.all(select(Forum).orderBy(Forum.c.id).options(strategy("pinned")));
    assert.equal(general.pinned, null, strategy.name);
    assert.equal(archive.pinned, pin, strategy.name);
    assert.equal(pin.forum, archive, strategy.name);
    await s.commit();
    assert.equal(await engine.scalar(sql`SELECT forum_id FROM fxl_pins`), 2, strategy.name);
  }
});

dbTest("many-to-many: a loaded collection keeps its changes, the other side agrees", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await engine.run(sql`DELETE FROM fxl_topic_tags`);
    await engine.run(
      sql`INSERT INTO fxl_topic_tags (topic_id, tag_id) VALUES (1, 1), (1, 2), (2, 1)`,
    );
    await using s = engine.session({ autoflush: false });
    const byId = select(Topic).where(eq(Topic.c.id, 1));
    const [t1] = await s.all(byId.options(strategy("tags")));
    const [a, b] = t1.tags;
    t1.tags.splice(0, 1); // tag a leaves topic 1
    await s.all(byId.options(strategy("tags")));
    assert.deepEqual(ids(t1.tags), [2], strategy.name);
    // Tag a's topics, first loaded now, leave out topic 1, as t1.tags says.
    const tags = await s.all(select(Tag).orderBy(Tag.c.id).options(strategy("topics")));
    assert.deepEqual(tags, [a, b]);
    assert.deepEqual(ids(a.topics), [2], strategy.name);
    assert.deepEqual(ids(b.topics), [1], strategy.name);
    await s.commit();
    const rows = await s.execute<{ n: number }>(
      sql`SELECT count(*) AS n FROM fxl_topic_tags WHERE topic_id = 1`,
    );
    assert.equal(Number(rows.rows[0].n), 1, strategy.name);
  }
});

dbTest("nested options keep the nested relationships' changes", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const outer of STRATEGIES) {
    for (const inner of STRATEGIES) {
      const name = `${outer.name}(${inner.name})`;
      await using s = engine.session({ autoflush: false });
      const q = select(Forum).orderBy(Forum.c.id).options(outer("topics", inner("tags")));
      const [general] = await s.all(q);
      const t1 = general.topics[0];
      const t2 = general.topics[1];
      const [a] = t1.tags;
      t1.tags.splice(0, 1);
      t2.forum = null; // leaves general
      await s.all(q);
      assert.deepEqual(ids(general.topics), [1], name);
      assert.deepEqual(ids(t1.tags), [2], name);
      assert.equal(t2.forum, null, name);
      assert.deepEqual(ids(t2.tags), [1], name);
      assert.equal(t2.tags[0], a);
    }
  }
});

dbTest("session.get's options keep a held object's loaded relationships", async (db) => {
  const engine = db.engine();
  await seed(engine);
  await using s = engine.session({ autoflush: false });
  const general = (await s.get(Forum, 1, { options: [selectin("topics")] }))!;
  const t1 = general.topics[0];
  general.topics.splice(0, 1);
  const again = await s.get(Forum, 1, { options: [selectin("topics"), selectin("pinned")] });
  assert.equal(again, general);
  assert.deepEqual(ids(general.topics), [2]);
  assert.equal(t1.forum, null);
  assert.equal(general.pinned?.id, 1, "what was not loaded is loaded");
});

dbTest("a stream's selectin keeps loaded relationships", async (db) => {
  const engine = db.engine();
  await seed(engine);
  await using s = engine.session({ autoflush: false });
  const [t1] = await s.all(select(Topic).orderBy(Topic.c.id).options(selectin("forum")));
  const archive = (await s.get(Forum, 2))!;
  t1.forum = archive;
  for await (const t of s.stream(select(Topic).options(selectin("forum")), { chunkSize: 2 })) {
    if (t === t1) assert.equal(t.forum, archive);
  }
  assert.equal(t1.forum, archive);
});

dbTest("populateExisting replaces loaded relationships, changes and all", async (db) => {
  const engine = db.engine();
  await seed(engine);
  for (const strategy of STRATEGIES) {
    await using s = engine.session({ autoflush: false });
    const q = select(Topic).orderBy(Topic.c.id);
    const [t1] = await s.all(q.options(strategy("forum")));
    const general = t1.forum!;
    t1.forum = (await s.get(Forum, 2))!;
    t1.title = "mine";
    await s.all(q.options(strategy("forum")).populateExisting());
    assert.equal(t1.forum, general, strategy.name);
    assert.equal(t1.title, "t1", strategy.name);
    const [forum] = await s.all(
      select(Forum).where(eq(Forum.c.id, 1)).options(strategy("topics")),
    );
    forum.topics.splice(0, 1);
    await s.all(
      select(Forum).where(eq(Forum.c.id, 1)).options(strategy("topics")).populateExisting(),
    );
    assert.deepEqual(ids(forum.topics), [1, 2], strategy.name);
    assert.equal(t1.forum, forum);
  }
});

dbTest("session.load loads again what holds no unflushed change, columns kept", async (db) => {
  const engine = db.engine();
  await seed(engine);
  await using s = engine.session({ autoflush: false });
  const general = (await s.get(Forum, 1))!;
  await s.load(general, "topics");
  assert.deepEqual(ids(general.topics), [1, 2]);
  await s.run(sql`INSERT INTO fxl_topics (id, forum_id, title) VALUES (5, 1, 't5')`);
  const [t1, t2] = general.topics;
  t1.title = "mine"; // a column of a related object, not flushed
  await s.load(general, "topics", selectin("tags"));
  assert.deepEqual(ids(general.topics), [1, 2, 5], "unchanged: loaded again");
  assert.equal(t1.title, "mine", "the rows do not overwrite a held object's columns");
  t2.tags.splice(0, 1);
  general.topics.push(new Topic({ id: 7, title: "t7" })); // a change
  await s.run(sql`INSERT INTO fxl_topics (id, forum_id, title) VALUES (6, 1, 't6')`);
  await s.load(general, "topics", selectin("tags"));
  assert.deepEqual(ids(general.topics), [1, 2, 5, 7], "a changed collection is kept");
  assert.equal(t2.tags.length, 0, "and a changed nested one");
  // session.refresh names it: the changes are discarded.
  await s.refresh(general, ["topics"]);
  assert.deepEqual(ids(general.topics), [1, 2, 5, 6]);
});

class Member extends Model("fxl_members", {
  id: column.integer().primaryKey(),
  kind: column.text(),
  clubId: column.integer().nullable().references(() => Club.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "member" }) {
  static club = relationship(() => Club, { backPopulates: "members" });
  declare club: Club | null;
}
class Captain extends Member.subclass("captain", {}) {}

class Club extends Model("fxl_clubs", { id: column.integer().primaryKey() }) {
  static members = relationship(() => Member, {
    backPopulates: "club",
    orderBy: () => Member.c.id,
  });
  declare members: Member[];
}

dbTest("a hierarchy's objects keep their loaded relationships", async (db) => {
  const engine = db.engine();
  await engine.createAll([Club, Member]);
  await engine.run(sql`INSERT INTO fxl_clubs (id) VALUES (1), (2)`);
  await engine.run(
    sql`INSERT INTO fxl_members (id, kind, club_id) VALUES (1, 'captain', 1), (2, 'member', 1)`,
  );
  for (const strategy of STRATEGIES) {
    await engine.run(sql`UPDATE fxl_members SET club_id = 1`);
    await using s = engine.session({ autoflush: false });
    const [one, two] = await s.all(select(Club).orderBy(Club.c.id).options(strategy("members")));
    const captain = one.members[0];
    assert.ok(captain instanceof Captain);
    captain.club = two;
    await s.all(select(Club).orderBy(Club.c.id).options(strategy("members")));
    await s.all(select(Captain).options(strategy("club")));
    await s.all(select(Member).options(strategy("club")));
    assert.equal(captain.club, two, strategy.name);
    assert.deepEqual(ids(one.members), [2], strategy.name);
    assert.deepEqual(ids(two.members), [1], strategy.name);
    await s.commit();
    assert.equal(await engine.scalar(sql`SELECT club_id FROM fxl_members WHERE id = 1`), 2);
  }
});

class Note extends Model("fxl_notes", {
  id: column.integer().primaryKey(),
  title: column.text(),
  body: column.text().deferred(),
}) {}

dbTest("an expired object with a deferred column keeps an unflushed change", async (db) => {
  const engine = db.engine();
  await engine.createAll([Note]);
  await engine.run(sql`INSERT INTO fxl_notes (id, title, body) VALUES (1, 't', 'b')`);
  await using s = engine.session({ expireOnCommit: true });
  const note = (await s.one(select(Note)))!;
  await s.commit(); // expired, and its body was never loaded
  await s.noAutoflush(async () => {
    note.title = "mine";
    await s.all(select(Note));
    assert.equal(note.title, "mine");
  });
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT title FROM fxl_notes`), "mine");
});

// Nested joined options: one query with chained LEFT JOINs; under selectin, its query joins.

function selects(): { echo: (e: { text: string }) => void; count: () => number } {
  const seen: string[] = [];
  return {
    echo: (e) => seen.push(e.text),
    count: () => {
      const n = seen.filter((t) => /^\s*(WITH|SELECT)/i.test(t)).length;
      seen.length = 0;
      return n;
    },
  };
}

dbTest("joined within joined loads in the one query, LEFT JOINed along the parent", async (db) => {
  const log = selects();
  const engine = db.engine({ echo: log.echo });
  await seed(engine);
  await using s = engine.session();
  log.count();
  const forums = await s.all(
    select(Forum).orderBy(Forum.c.id).options(
      joined("topics", joined("tags"), joined("forum")),
      joined("pinned"),
    ),
  );
  assert.equal(log.count(), 1);
  assert.deepEqual(forums.map((f) => f.topics.map((t) => [t.id, ids(t.tags)])), [
    [[1, [1, 2]], [2, [1]]],
    [[3, []]],
  ]);
  assert.equal(forums[0].topics[0].forum, forums[0]);
  assert.deepEqual(forums.map((f) => f.pinned?.id ?? null), [1, null]);
  // A non-joined option under a joined one is a further query of its own.
  s.expungeAll();
  log.count();
  const [general] = await s.all(
    select(Forum).where(eq(Forum.c.id, 1)).options(joined("topics", selectin("tags"))),
  );
  assert.equal(log.count(), 2);
  assert.deepEqual(general.topics.map((t) => ids(t.tags)), [[1, 2], [1]]);
});

dbTest("joined under selectin: the selectin query LEFT JOINs it", async (db) => {
  const log = selects();
  const engine = db.engine({ echo: log.echo });
  await seed(engine);
  await using s = engine.session();
  log.count();
  const forums = await s.all(
    select(Forum).orderBy(Forum.c.id).options(selectin("topics", joined("tags"))),
  );
  assert.equal(log.count(), 2, "one-to-many");
  assert.deepEqual(forums.map((f) => f.topics.map((t) => [t.id, ids(t.tags)])), [
    [[1, [1, 2]], [2, [1]]],
    [[3, []]],
  ]);
  s.expungeAll();
  log.count();
  const topics = await s.all(
    select(Topic).orderBy(Topic.c.id).options(selectin("forum", joined("pinned"))),
  );
  assert.equal(log.count(), 2, "many-to-one, held targets included");
  assert.deepEqual(topics.map((t) => t.forum?.pinned?.id ?? null), [1, 1, null, null]);
  s.expungeAll();
  log.count();
  const tags = await s.all(
    select(Tag).orderBy(Tag.c.id).options(selectin("topics", joined("forum", joined("pinned")))),
  );
  assert.equal(log.count(), 2, "many-to-many");
  assert.deepEqual(tags.map((t) => t.topics.map((x) => [x.id, x.forum?.id, x.forum?.pinned?.id])), [
    [[1, 1, 1], [2, 1, 1]],
    [[1, 1, 1]],
  ]);
});

dbTest("a delete's cascade leaves a child moved to another parent, not flushed", async (db) => {
  const engine = db.engine();
  await seed(engine);
  await engine.run(sql`DELETE FROM fxl_topic_tags`);
  await engine.run(sql`DELETE FROM fxl_pins`);
  {
    await using s = engine.session();
    const [t1] = await s.all(select(Topic).orderBy(Topic.c.id).options(selectin("forum")));
    const general = t1.forum!;
    t1.forum = (await s.get(Forum, 2))!; // general.topics is not loaded: the flush loads it
    s.delete(general);
    await s.commit();
  }
  const rows = await engine.all<{ id: number; forum_id: number | null }>(
    sql`SELECT id, forum_id FROM fxl_topics ORDER BY id`,
  );
  assert.deepEqual(rows.map((r) => [Number(r.id), r.forum_id]), [[1, 2], [3, 2], [4, null]]);
});

/**
 * Guards that keep a refused call from changing anything: a collection method given an item
 * of the wrong class links none of its items, and a session refuses commit and rollback while
 * one of its `session.stream()` loops is open, on every database.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Collection,
  column,
  constraint,
  type Engine,
  eq,
  inspect,
  InvalidRequestError,
  Model,
  relationship,
  select,
  sql,
} from "../mod.ts";
import { type Db, dbTest } from "./_db.ts";

class Writer extends Model("grd_writers", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static posts = relationship(() => Entry, { backPopulates: "writer" });
  declare posts: Collection<Entry>;
}

class Entry extends Model("grd_entries", {
  id: column.integer().primaryKey(),
  title: column.text(),
  writerId: column.integer().nullable().references(() => Writer.c.id),
}) {
  static writer = relationship(() => Writer, { backPopulates: "posts" });
  declare writer: Writer | null;
  static labels = relationship(() => Label, {
    secondary: () => EntryLabel,
    backPopulates: "entries",
  });
  declare labels: Collection<Label>;
}

class Label extends Model("grd_labels", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static entries = relationship(() => Entry, {
    secondary: () => EntryLabel,
    backPopulates: "labels",
  });
  declare entries: Collection<Entry>;
}

class EntryLabel extends Model("grd_entry_labels", {
  entryId: column.integer().references(() => Entry.c.id),
  labelId: column.integer().references(() => Label.c.id),
}, { constraints: (c) => [constraint.primaryKey(c.entryId, c.labelId)] }) {}

class Reading extends Model("grd_readings", {
  id: column.integer().primaryKey(),
}) {}

const MODELS = [Writer, Entry, Label, EntryLabel, Reading];

async function setup(db: Db): Promise<Engine> {
  const engine = db.engine();
  await engine.createAll(MODELS);
  {
    await using s = engine.session();
    const ann = new Writer({ id: 1, name: "ann" });
    const bob = new Writer({ id: 2, name: "bob" });
    ann.posts.push(new Entry({ id: 1, title: "kept" }));
    bob.posts.push(new Entry({ id: 2, title: "bob's" }));
    s.addAll([ann, bob, new Label({ id: 1, name: "old" })]);
    await s.commit();
  }
  return engine;
}

const rows = (engine: Engine) =>
  engine.all(sql`SELECT id, title, writer_id FROM grd_entries ORDER BY id`);

const wrongClass = (e: unknown) =>
  e instanceof ArgumentError && /Writer\.posts holds Entry objects; got/.test(e.message);

/** The ways a collection takes several items at once, each given one of the wrong class. */
const CALLS: [string, (posts: Collection<Entry>, items: unknown[]) => unknown][] = [
  ["push", (posts, items) => posts.push(...(items as Entry[]))],
  ["unshift", (posts, items) => posts.unshift(...(items as Entry[]))],
  ["splice", (posts, items) => posts.splice(0, 1, ...(items as Entry[]))],
  ["assignment", (posts, items) => {
    const owner = posts[0].writer!;
    owner.posts = items as Collection<Entry>;
  }],
];

for (const [name, call] of CALLS) {
  dbTest(`collection ${name} given an item of the wrong class changes nothing`, async (db) => {
    const engine = await setup(db);
    const before = await rows(engine);
    await using s = engine.session();
    const ann = (await s.all(select(Writer).where(eq(Writer.c.id, 1))))[0];
    const bob = (await s.all(select(Writer).where(eq(Writer.c.id, 2))))[0];
    await s.load([ann, bob], "posts");
    const kept = ann.posts[0];
    const moved = bob.posts[0];
    const fresh = new Entry({ id: 3, title: "fresh" });

    assert.throws(() => call(ann.posts, [fresh, moved, bob]), wrongClass);
    assert.deepEqual(ann.posts, [kept], "the collection is as it was");
    assert.equal(kept.writer, ann, "an item that stays keeps its back-reference");
    assert.equal(fresh.writer, null, "the good new item is not linked");
    assert.equal(inspect(fresh).status, "transient", "nor did it cascade into the session");
    assert.equal(moved.writer, bob, "the good persistent item keeps its parent");
    assert.deepEqual(bob.posts, [moved]);
    assert.equal(s.new.size, 0);
    assert.equal(s.isModified(ann) || s.isModified(bob) || s.isModified(moved), false);
    await s.commit();
    assert.deepEqual(await rows(engine), before, "the commit wrote nothing");

    // The collection takes good items afterwards.
    ann.posts.push(fresh);
    assert.equal(fresh.writer, ann);
    await s.commit();
    assert.deepEqual(
      (await rows(engine)).map((r) => r.title),
      ["kept", "bob's", "fresh"],
    );
  });
}

dbTest("a many-to-many push given an item of the wrong class links none", async (db) => {
  const engine = await setup(db);
  await using s = engine.session();
  const entry = (await s.all(select(Entry).where(eq(Entry.c.id, 1))))[0];
  const old = (await s.all(select(Label)))[0];
  await s.load(entry, "labels");
  await s.load(old, "entries");
  const fresh = new Label({ id: 2, name: "fresh" });
  assert.throws(
    () => entry.labels.push(fresh, old, entry as unknown as Label),
    (e: unknown) =>
      e instanceof ArgumentError && /Entry\.labels holds Label objects/.test(e.message),
  );
  assert.deepEqual(entry.labels, []);
  assert.deepEqual(fresh.entries, []);
  assert.deepEqual(old.entries, []);
  assert.equal(inspect(fresh).status, "transient");
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM grd_entry_labels`), 0);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM grd_labels`), 1);
});

async function seedReadings(engine: Engine, n: number): Promise<void> {
  await engine.createAll(MODELS);
  await using s = engine.session();
  for (let i = 1; i <= n; i++) s.add(new Reading({ id: i }));
  await s.commit();
}

const refusedWhileStreaming = (action: string) => (e: unknown) =>
  e instanceof InvalidRequestError &&
  e.message.startsWith(`Cannot ${action}: `) &&
  e.message.includes("session.stream(select(Reading))") &&
  e.message.includes("finish or leave the loop first");

const ids = (engine: Engine) =>
  engine.all<{ id: number }>(sql`SELECT id FROM grd_readings ORDER BY id`).then((r) =>
    r.map((x) => Number(x.id))
  );

dbTest("commit and rollback are refused while a session.stream() loop is open", async (db) => {
  const engine = db.engine();
  await seedReadings(engine, 5);
  await using s = engine.session();
  const seen: number[] = [];
  const added = new Reading({ id: 6 });
  for await (const r of s.stream(select(Reading).orderBy(Reading.c.id), { chunkSize: 2 })) {
    seen.push(r.id);
    if (r.id !== 1) continue;
    // Reads run between rows.
    assert.equal(await s.get(Reading, 1), r);
    const [last] = await s.all(select(Reading).where(eq(Reading.c.id, 5)));
    assert.equal(last.id, 5);
    s.add(added);
    await assert.rejects(s.commit(), refusedWhileStreaming("commit"));
    await assert.rejects(s.rollback(), refusedWhileStreaming("roll back"));
    assert.equal(inspect(added).status, "pending", "nothing is lost");
    assert.equal(s.new.size, 1);
  }
  assert.deepEqual(seen, [1, 2, 3, 4, 5], "the rows there when the stream began");
  await s.commit();
  assert.equal(inspect(added).status, "persistent");
  assert.deepEqual(await ids(engine), [1, 2, 3, 4, 5, 6]);
});

dbTest("a session.stream() left by break, a throw or return() lets commit run", async (db) => {
  const engine = db.engine();
  await seedReadings(engine, 5);
  await using s = engine.session();
  const q = select(Reading).orderBy(Reading.c.id);
  for await (const r of s.stream(q, { chunkSize: 2 })) {
    if (r.id === 2) break;
  }
  s.add(new Reading({ id: 6 }));
  await s.commit();

  await assert.rejects(async () => {
    for await (const r of s.stream(q, { chunkSize: 2 })) {
      if (r.id === 3) throw new Error("the loop body fails");
    }
  }, /the loop body fails/);
  s.add(new Reading({ id: 7 }));
  await s.commit();

  const it = s.stream(q, { chunkSize: 2 });
  assert.equal((await it.next()).value?.id, 1);
  await assert.rejects(s.commit(), refusedWhileStreaming("commit"));
  await it.return();
  s.add(new Reading({ id: 8 }));
  await s.commit();
  assert.deepEqual(await ids(engine), [1, 2, 3, 4, 5, 6, 7, 8]);

  // A stream not begun (no next() yet) holds nothing.
  const unstarted = s.stream(q);
  await s.rollback();
  await unstarted.return();
});

/**
 * Version columns with `flagModified` (the UPDATE checks the version that was loaded), and
 * delete-orphan when a child's many-to-one is set to null while the parent's collection is not
 * loaded (the orphan is deleted, as in SQLAlchemy).
 */
import assert from "node:assert/strict";
import {
  column,
  inspect,
  joined,
  Model,
  NotLoadedError,
  relationship,
  select,
  sql,
  StaleDataError,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, ready } from "./_support.ts";

type Data = { tags: string[] };

class Doc extends Model("vo_docs", {
  id: column.integer().primaryKey(),
  body: column.text(),
  data: column.json<Data>(),
  due: column.timestamptz(),
  version: column.integer().version(),
}) {}

class Owner extends Model("vo_owners", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static entries = relationship(() => Entry, {
    backPopulates: "owner",
    cascade: "all, delete-orphan",
  });
  declare entries: Entry[];
}

class Entry extends Model("vo_entries", {
  id: column.integer().primaryKey(),
  title: column.text(),
  ownerId: column.integer().references(() => Owner.c.id),
}) {
  static owner = relationship(() => Owner, { backPopulates: "entries" });
  declare owner: Owner | null;
}

const MODELS = [Doc, Owner, Entry];
const DUE = new Date("2024-01-01T00:00:00.000Z");

const docRow = sql`SELECT ${Doc.c.data} AS data, ${Doc.c.due} AS due, ${Doc.c.version} AS version,
  ${Doc.c.body} AS body FROM ${Doc}`;

scopedTest(
  "flagModified on a versioned object: the UPDATE checks the loaded version",
  async (s) => {
    const engine = await ready(s, MODELS);
    {
      await using session = engine.session();
      session.add(new Doc({ body: "b", data: { tags: ["a"] }, due: new Date(DUE) }));
      await session.commit();
    }
    await using session = engine.session();
    const doc = (await session.get(Doc, 1))!;
    assert.equal(doc.version, 1);
    doc.data.tags.push("b"); // changed in place
    session.flagModified(doc, "data");
    await session.commit(); // not a StaleDataError
    assert.equal(doc.version, 2);
    doc.due.setTime(DUE.getTime() + 86_400_000); // a Date changed in place
    session.flagModified(doc, "due");
    doc.body = "with another change";
    await session.commit();
    assert.equal(doc.version, 3);
    doc.data.tags.push("c");
    session.flagModified(doc, "data");
    await session.flush();
    doc.data.tags.push("d"); // twice in one transaction
    session.flagModified(doc, "data");
    await session.commit();
    assert.equal(doc.version, 5);
    const [row] = await engine.all<{ data: unknown; due: unknown; version: number; body: string }>(
      docRow,
    );
    const data = typeof row.data === "string" ? JSON.parse(row.data) : row.data;
    assert.deepEqual(data, { tags: ["a", "b", "c", "d"] });
    assert.equal(new Date(row.due as string).getTime(), DUE.getTime() + 86_400_000);
    assert.equal(Number(row.version), 5);
    assert.equal(row.body, "with another change");
  },
);

scopedTest("flagModified still detects a row changed by someone else", async (s) => {
  const engine = await ready(s, MODELS);
  {
    await using session = engine.session();
    session.add(new Doc({ body: "b", data: { tags: [] }, due: new Date(DUE) }));
    await session.commit();
  }
  await using session = engine.session();
  const doc = (await session.get(Doc, 1))!;
  // Another writer bumps the version (through the session's connection: one on SQLite).
  await session.execute(sql`UPDATE ${Doc} SET ${sql.set({ version: 2, body: "other" })}`);
  await session.commit(); // the other writer's change is committed; doc still holds version 1
  doc.data.tags.push("mine");
  session.flagModified(doc, "data");
  await assert.rejects(session.commit(), StaleDataError);
  await session.rollback();
  assert.equal(doc.version, 1);
  const [row] = await engine.all<{ body: string; version: number }>(docRow);
  assert.equal(row.body, "other");
  assert.equal(Number(row.version), 2);
});

scopedTest(
  "flagModified after a rolled-back versioned UPDATE checks the version again loaded",
  async (s) => {
    const engine = await ready(s, MODELS);
    {
      await using session = engine.session();
      session.add(new Doc({ body: "b", data: { tags: [] }, due: new Date(DUE) }));
      await session.commit();
    }
    await using session = engine.session();
    const doc = (await session.get(Doc, 1))!;
    doc.body = "undone";
    session.flagModified(doc, "data");
    await session.flush();
    assert.equal(doc.version, 2);
    await session.rollback();
    assert.equal(doc.version, 1, "the version returns with the other columns");
    assert.equal(doc.body, "b");
    // The value flagged before was expired by the rollback (it may have changed in place):
    // it cannot be flagged until it is read again.
    assert.throws(() => session.flagModified(doc, "data"), NotLoadedError);
    assert.equal(await session.get(Doc, 1), doc);
    session.flagModified(doc, "data");
    doc.body = "kept";
    await session.commit();
    assert.equal(doc.version, 2);
    const [row] = await engine.all<{ body: string; version: number }>(docRow);
    assert.equal(row.body, "kept");
    assert.equal(Number(row.version), 2);
  },
);

async function seedOwners(engine: Awaited<ReturnType<typeof ready>>) {
  await using session = engine.session();
  const ann = new Owner({ name: "ann" });
  const bob = new Owner({ name: "bob" });
  ann.entries.push(new Entry({ title: "e1" }), new Entry({ title: "e2" }));
  session.addAll([ann, bob]);
  await session.commit();
}

const entryTitles = sql`SELECT ${Entry.c.title} FROM ${Entry}`;
const ownerNames = sql`SELECT ${Owner.c.name} FROM ${Owner}`;

scopedTest(
  "delete-orphan: post.author = null deletes the orphan when the collection is not loaded",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seedOwners(engine);
    await using session = engine.session();
    const e1 = await session.one(
      select(Entry).where(sql`${Entry.c.title} = ${"e1"}`).options(joined("owner")),
    );
    assert.equal(e1.owner?.name, "ann");
    e1.owner = null; // Owner.entries was never loaded
    await session.flush(); // not an IntegrityError on the NOT NULL owner_id
    assert.equal(inspect(e1).status, "deleted");
    assert.deepEqual(await values(session, entryTitles), ["e2"]);
    await session.commit();
    assert.deepEqual(await values(engine, entryTitles), ["e2"]);
    assert.deepEqual(await values(engine, ownerNames), ["ann", "bob"]);
    assert.equal(inspect(e1).status, "detached");
  },
);

scopedTest("delete-orphan: post.author = null on a reference that was never loaded", async (s) => {
  const engine = await ready(s, MODELS);
  await seedOwners(engine);
  await using session = engine.session();
  const e2 = await session.one(select(Entry).where(sql`${Entry.c.title} = ${"e2"}`));
  e2.owner = null; // neither side was loaded
  await session.commit();
  assert.deepEqual(await values(engine, entryTitles), ["e1"]);
  assert.deepEqual(await values(engine, ownerNames), ["ann", "bob"]);
});

scopedTest("delete-orphan: a child given another parent before the flush is kept", async (s) => {
  const engine = await ready(s, MODELS);
  await seedOwners(engine);
  await using session = engine.session();
  const e1 = await session.one(
    select(Entry).where(sql`${Entry.c.title} = ${"e1"}`).options(joined("owner")),
  );
  const bob = await session.one(select(Owner).where(sql`${Owner.c.name} = ${"bob"}`));
  e1.owner = null;
  e1.owner = bob; // not an orphan at flush time
  await session.commit();
  assert.equal(inspect(e1).status, "persistent");
  assert.equal(e1.ownerId, bob.id);
  assert.deepEqual(
    await values(
      engine,
      sql`SELECT ${Owner.c.name} || ':' || ${Entry.c.title} FROM ${Entry}
        JOIN ${Owner} ON ${Owner.c.id} = ${Entry.c.ownerId}`,
    ),
    ["ann:e2", "bob:e1"],
  );
});

scopedTest("delete-orphan by a null reference is undone by a savepoint rollback", async (s) => {
  const engine = await ready(s, MODELS);
  await seedOwners(engine);
  await using session = engine.session();
  const e1 = await session.one(
    select(Entry).where(sql`${Entry.c.title} = ${"e1"}`).options(joined("owner")),
  );
  const ann = e1.owner;
  {
    await using _sp = await session.beginNested();
    e1.owner = null;
    await session.flush();
    assert.deepEqual(await values(session, entryTitles), ["e2"]);
  }
  assert.equal(inspect(e1).status, "persistent");
  assert.equal(e1.owner, ann);
  await session.commit();
  assert.deepEqual(await values(engine, entryTitles), ["e1", "e2"]);
});

class BigDoc extends Model("vo_big_docs", {
  id: column.integer().primaryKey(),
  title: column.text(),
  ver: column.bigint().version(),
}) {}

scopedTest(
  "a bigint version counts in bigints, and a merge compares it as a number too",
  async (s) => {
    const engine = await ready(s, [BigDoc]);
    {
      await using session = engine.session();
      const d = new BigDoc({ id: 1, title: "a" });
      session.add(d);
      await session.commit();
      assert.equal(d.ver, 1n);
    }
    let detached: BigDoc;
    {
      await using session = engine.session();
      detached = (await session.get(BigDoc, 1))!;
      detached.title = "b";
      await session.commit();
      assert.equal(detached.ver, 2n);
    }
    {
      await using session = engine.session();
      // The same version given as a number (from JavaScript) is the row's version.
      const m = await session.merge(new BigDoc({ id: 1, title: "c", ver: 2 as unknown as bigint }));
      await session.commit();
      assert.equal(m.ver, 3n);
    }
    {
      await using session = engine.session();
      detached.title = "stale";
      await assert.rejects(async () => {
        await session.merge(detached);
        await session.commit();
      }, StaleDataError);
    }
    const row = await engine.one<{ title: string; ver: unknown }>(
      sql`SELECT title, ver FROM vo_big_docs WHERE id = 1`,
    );
    assert.deepEqual([row.title, Number(row.ver)], ["c", 3]);
  },
);

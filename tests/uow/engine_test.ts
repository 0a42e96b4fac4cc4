/**
 * Engine ownership of a client passed in (never closed on dispose unless `closeClient: true`),
 * and clear errors: a session used by two tasks at once, a session used after
 * `engine.dispose()`, and `dispose()` while a transaction is in flight.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import {
  ArgumentError,
  column,
  createEngine,
  type EngineOptions,
  InvalidRequestError,
  listen,
  Model,
  type PostgresClient,
  select,
  sql,
} from "../../mod.ts";
import { dbTest, scopedTest } from "../_db.ts";
import { count, messageOf, ready } from "./_support.ts";

class Thing extends Model("en_things", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

const MODELS = [Thing];
type Ownership = EngineOptions & { closeClient?: boolean };
const CLOSE: Ownership = { closeClient: true };
const things = sql`SELECT count(*) AS n FROM ${Thing}`;

Deno.test("a node:sqlite DatabaseSync passed in is left open on dispose", async () => {
  const client = new DatabaseSync(":memory:");
  try {
    {
      await using engine = createEngine(client);
      await engine.createAll(MODELS);
      await engine.run(sql`INSERT INTO ${Thing} (name) VALUES (${"a"})`);
    }
    assert.equal(client.isOpen, true, "the caller's database is the caller's to close");
    assert.deepEqual({ ...client.prepare("SELECT count(*) AS n FROM en_things").get() }, { n: 1 });
  } finally {
    if (client.isOpen) client.close();
  }
});

Deno.test("a node:sqlite DatabaseSync is closed on dispose with closeClient: true", async () => {
  const client = new DatabaseSync(":memory:");
  try {
    {
      await using engine = createEngine(client, CLOSE);
      assert.equal(await engine.scalar(sql`SELECT ${1} + ${1}`), 2);
    }
    assert.equal(client.isOpen, false);
  } finally {
    if (client.isOpen) client.close();
  }
});

dbTest("a postgres.js sql passed in is left open on dispose", async (db) => {
  const client = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    {
      await using engine = createEngine(client as unknown as PostgresClient);
      assert.equal(await engine.scalar(sql`SELECT ${"x"}::text AS v`), "x");
    }
    const [row] = await client`SELECT 1 AS one`;
    assert.equal(row.one, 1, "the caller's client still works");
  } finally {
    await client.end({ timeout: 5 });
  }
}, { on: ["postgres"] });

dbTest("a postgres.js sql is ended on dispose with closeClient: true", async (db) => {
  const client = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    {
      await using engine = createEngine(client as unknown as PostgresClient, CLOSE);
      assert.equal(await engine.scalar(sql`SELECT ${"x"}::text AS v`), "x");
    }
    await assert.rejects(async () => await client`SELECT 1`, "the client was ended");
  } finally {
    await client.end({ timeout: 5 });
  }
}, { on: ["postgres"] });

const DB_SQLITE_MODULE = Deno.env.get("DB_SQLITE_MODULE"); // e.g. jsr:@db/sqlite@0.13
Deno.test({
  name: "a @db/sqlite Database passed in is left open on dispose, closed with closeClient",
  ignore: !DB_SQLITE_MODULE,
  fn: async () => {
    const { Database } = await import(DB_SQLITE_MODULE!);
    const kept = new Database(":memory:");
    const closed = new Database(":memory:");
    try {
      await createEngine(kept).dispose();
      assert.equal(kept.open, true);
      await createEngine(closed, CLOSE).dispose();
      assert.equal(closed.open, false);
    } finally {
      if (kept.open) kept.close();
      if (closed.open) closed.close();
    }
  },
});

Deno.test("the README documents who closes a client passed in, and closeClient", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  assert.ok(readme.includes("closeClient"), "the README names the closeClient option");
});

scopedTest("a session used by two tasks at once says which operation it refused", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  session.add(new Thing({ name: "a" }));
  await session.commit();
  const [a] = await session.all(select(Thing));
  const attempts: [string, () => Promise<unknown>][] = [
    ["all", () => session.all(select(Thing))],
    ["get", () => session.get(Thing, 99)],
    ["first", () => session.first(select(Thing))],
    ["execute", () => session.execute(things)],
    ["run", () => session.run(sql`UPDATE ${Thing} SET name = name`)],
    ["flush", () => session.flush()],
    ["commit", () => session.commit()],
    ["refresh", () => session.refresh(a)],
    ["beginNested", () => session.beginNested()],
  ];
  for (const [what, attempt] of attempts) {
    const first = session.all(select(Thing));
    const error = await attempt().then(() => null, (e) => e);
    await first;
    assert.ok(error instanceof InvalidRequestError, `${what}: refused, got ${error}`);
    const m = messageOf(error);
    assert.match(m, /^Cannot [a-z]+[ :]/, `${what}: the message starts with a verb: ${m}`);
    assert.doesNotMatch(m, /^Cannot (a|an|the) /, `${what}: ${m}`);
    assert.match(m, /already running/, `${what}: ${m}`);
  }
});

scopedTest("a session.get that fails, in its query or after it, frees the session", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  session.add(new Thing({ name: "a" }));
  session.add(new Thing({ name: "b" }));
  await session.commit();
  const [a, b] = await session.all(select(Thing).orderBy(Thing.c.id));
  session.expunge(a);
  session.expunge(b);
  // A listener that throws while the row becomes an object: the get fails with its error.
  const stop = listen(Thing, "afterLoad", () => {
    throw new Error("refused by a listener");
  });
  try {
    await assert.rejects(session.get(Thing, a.id), /refused by a listener/);
  } finally {
    stop();
  }
  // The session is free: the next get runs (not "already running"), and finds its row.
  const again = await session.get(Thing, b.id);
  assert.equal(again?.name, "b");
  // A key of the wrong type fails before any query, and frees the session too.
  await assert.rejects(session.get(Thing, "x" as unknown as number), ArgumentError);
  assert.equal((await session.get(Thing, a.id))?.name, "a");
  // The get holds the session until its object is built: a listener that starts another task
  // on the session is refused, as it is during session.all.
  const inListener: unknown[] = [];
  const stopNested = listen(Thing, "afterLoad", () => {
    inListener.push(session.first(select(Thing)).then(() => null, (e) => e));
  });
  session.expunge(again!);
  try {
    assert.equal((await session.get(Thing, b.id))?.name, "b");
  } finally {
    stopNested();
  }
  assert.equal(inListener.length, 1);
  assert.match(messageOf(await inListener[0]), /already running a get/);
  // With autoflush work pending, the flush and the query are one task, freed at the end.
  session.add(new Thing({ name: "c" }));
  const c = await session.get(Thing, 3);
  assert.equal(c?.name, "c");
  assert.equal(await count(session, things), 3);
});

const saysDisposed = (e: unknown) => {
  const m = messageOf(e);
  assert.ok(e instanceof InvalidRequestError, `expected an InvalidRequestError, got ${e}`);
  assert.match(m, /engine/i);
  assert.match(m, /disposed/, `it says the engine was disposed: ${m}`);
  assert.doesNotMatch(m, /take a new one with engine\.connect\(\)/, m);
  return true;
};

scopedTest("a session used after engine.dispose() says the engine was disposed", async (s) => {
  const engine = await ready(s, MODELS);
  const idle = engine.session(); // never used
  const busy = engine.session(); // in a transaction
  busy.add(new Thing({ name: "lost" }));
  await busy.flush();
  await engine.dispose();
  await assert.rejects(idle.all(select(Thing)), saysDisposed);
  await assert.rejects(busy.all(select(Thing)), saysDisposed);
  await assert.rejects(busy.commit(), saysDisposed);
  await busy.close(); // closing it is still fine
  await idle.close();
}, { on: ["sqlite-file", "postgres"] });

scopedTest("dispose() while a transaction is in flight fails it, saying so", async (s) => {
  const engine = await ready(s, MODELS);
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const tx = engine.transaction(async (t) => {
    await t.run(sql`INSERT INTO ${Thing} (name) VALUES (${"in flight"})`);
    started();
    await gate;
    await t.run(sql`INSERT INTO ${Thing} (name) VALUES (${"after dispose"})`);
  });
  const failed = tx.then(() => null, (e) => e);
  await running;
  const disposing = engine.dispose();
  release();
  await disposing;
  saysDisposed(await failed);
  // Nothing of it was committed.
  const check = s.open();
  assert.equal(await count(check, things), 0);
}, { on: ["sqlite-file", "postgres"] });

scopedTest("dispose() while a session's transaction is open fails its commit", async (s) => {
  const engine = await ready(s, MODELS);
  const session = engine.session();
  session.add(new Thing({ name: "pending at dispose" }));
  await session.flush();
  await engine.dispose();
  await assert.rejects(session.commit(), saysDisposed);
  await session.close();
  assert.equal(await count(s.open(), things), 0);
}, { on: ["sqlite-file", "postgres"] });

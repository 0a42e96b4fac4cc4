/**
 * What a listener may ask of its session, as in SQLAlchemy: a flush's listeners (beforeFlush,
 * afterFlush) query through the session, with autoflush off, and earlier work stays; what is
 * refused (a flush inside a flush, any statement once the transaction is over, a query from a
 * class event) says which listener and what to do, and loses nothing. And a flush that fails
 * inside a `session.stream()` loop: the loop's next step says the stream's transaction (or
 * savepoint) was rolled back, and the stream lets its rows go.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  IntegrityError,
  InvalidRequestError,
  listen,
  Model,
  PendingRollbackError,
  select,
  type Session,
  sql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Cfg extends Model("fxb_cfg", { id: column.integer().primaryKey(), prefix: column.text() }) {}

class Item extends Model("fxb_items", {
  id: column.integer().primaryKey(),
  name: column.text(),
  audit: column.text().nullable(),
}) {}

class Row extends Model("fxb_rows", {
  id: column.integer().primaryKey(),
  v: column.integer().unique(),
}) {}

const models = [Cfg, Item, Row];

async function ready(engine: Engine): Promise<void> {
  await engine.createAll(models);
  await using s = engine.session();
  s.add(new Cfg({ id: 1, prefix: "P-" }));
  s.addAll(Array.from({ length: 30 }, (_, i) => new Row({ id: i + 1, v: i })));
  await s.commit();
}

const items = (engine: Engine) =>
  engine.all<{ name: string; audit: string | null }>(
    sql`SELECT ${Item.c.name} AS name, ${Item.c.audit} AS audit FROM ${Item} ORDER BY 1`,
  );

const refusal = async (p: Promise<unknown>): Promise<InvalidRequestError> => {
  const e = await p.then(() => null, (error) => error);
  assert.ok(e instanceof InvalidRequestError, `expected an InvalidRequestError, got ${e}`);
  assert.ok(!(e instanceof PendingRollbackError), String(e));
  assert.doesNotMatch(e.message, /another task|concurrent/, e.message);
  return e;
};

dbTest(
  "a beforeFlush listener queries through the session; the flush writes what it set",
  async (db) => {
    const engine = db.engine();
    await ready(engine);
    const reads: [string, (s: Session) => Promise<unknown>][] = [
      ["get", async (s) => (await s.get(Cfg, 1))!.prefix],
      ["scalar", (s) => s.scalar(sql`SELECT ${Cfg.c.prefix} FROM ${Cfg} WHERE ${Cfg.c.id} = 1`)],
      ["all", async (s) => (await s.all(select(Cfg)))[0].prefix],
      ["execute", async (s) => (await s.execute(select(Cfg.c.prefix))).rows[0].prefix],
      ["stream", async (s) => {
        for await (const c of s.stream(select(Cfg))) return c.prefix;
        return null;
      }],
    ];
    for (const [label, read] of reads) {
      await using s = engine.session();
      let calls = 0;
      s.on("beforeFlush", async (session) => {
        calls++;
        const prefix = await read(session); // the Cfg row is not in this session's identity map
        for (const o of session.new) if (o instanceof Item) o.audit = `${prefix}${o.name}`;
      });
      s.add(new Item({ name: label }));
      await s.commit();
      assert.equal(calls, 1, `${label}: one flush, no nested one`);
    }
    // A flush that autoflush starts (a query with work pending) runs its listener's query too.
    await using s = engine.session();
    s.on("beforeFlush", async (session) => {
      const prefix = await session.scalar(sql`SELECT ${Cfg.c.prefix} FROM ${Cfg}`);
      for (const o of session.new) if (o instanceof Item) o.audit = `${prefix}${o.name}`;
    });
    s.add(new Item({ name: "autoflushed" }));
    assert.equal((await s.all(select(Item).where(sql`${Item.c.name} = 'autoflushed'`))).length, 1);
    await s.commit();
    assert.deepEqual((await items(engine)).map((r) => r.audit), [
      "P-all",
      "P-autoflushed",
      "P-execute",
      "P-get",
      "P-scalar",
      "P-stream",
    ]);
  },
);

dbTest("a query in a flush listener starts no flush; earlier flushed rows stay", async (db) => {
  const engine = db.engine();
  await ready(engine);
  await using s = engine.session();
  s.add(new Item({ id: 1, name: "flushed-earlier" }));
  await s.flush();
  const seen: string[] = [];
  const count = sql`SELECT count(*) AS n FROM ${Item}`;
  s.on("beforeFlush", async (session) => {
    // The pending Item is not flushed by this query: it sees the earlier row only.
    seen.push(`before ${Number(await session.scalar(count))} ${session.new.size}`);
  });
  s.on("afterFlush", async (session) => {
    seen.push(`after ${Number(await session.scalar(count))}`);
    if (seen.length === 2) session.add(new Item({ id: 3, name: "added-after" }));
    // Autoflush is off here too: the object just added waits for the next flush.
    seen.push(`after all ${(await session.all(select(Item))).length}`);
  });
  s.add(new Item({ id: 2, name: "second" }));
  await s.flush();
  assert.deepEqual(seen, ["before 1 1", "after 2", "after all 2"]);
  await s.commit();
  assert.deepEqual(seen.slice(3), ["before 2 1", "after 3", "after all 3"]);
  assert.deepEqual((await items(engine)).map((r) => r.name), [
    "added-after",
    "flushed-earlier",
    "second",
  ]);
});

dbTest("what a flush listener may not do is refused, named, and loses nothing", async (db) => {
  const engine = db.engine();
  await ready(engine);
  const asks: [string, RegExp, (s: Session) => Promise<unknown>][] = [
    ["flush", /^Cannot flush from a beforeFlush listener/, (s) => s.flush()],
    ["commit", /^Cannot commit from a beforeFlush listener/, (s) => s.commit()],
    ["rollback", /^Cannot roll back from a beforeFlush listener/, (s) => s.rollback()],
    ["beginNested", /^Cannot open a savepoint from a beforeFlush/, (s) => s.beginNested()],
    ["close", /^Cannot close the session from a beforeFlush/, (s) => s.close()],
  ];
  let id = 0;
  for (const [what, message, ask] of asks) {
    await using s = engine.session();
    s.add(new Item({ id: ++id, name: `${what}-earlier` }));
    await s.flush();
    // Refused and left to propagate: the flush stops, nothing is rolled back.
    const stop = s.on("beforeFlush", (session) => ask(session).then(() => {}));
    s.add(new Item({ id: ++id, name: `${what}-pending` }));
    const e = await refusal(s.commit());
    assert.match(e.message, message);
    assert.match(e.message, /this flush/, e.message);
    stop();
    assert.ok(s.inTransaction, `${what}: the transaction is still open`);
    // Refused and caught: the flush goes on.
    s.on("beforeFlush", async (session) => void await refusal(ask(session)));
    s.add(new Item({ id: ++id, name: `${what}-third` }));
    await s.commit();
  }
  const names = (await items(engine)).map((r) => r.name);
  assert.equal(names.length, 15, names.join());
  // In an afterFlush listener: the flush's rows stand, and the earlier ones.
  await using s = engine.session();
  s.add(new Item({ id: 100, name: "af-earlier" }));
  await s.flush();
  const stop = s.on("afterFlush", (session) => session.commit());
  s.add(new Item({ id: 101, name: "af-flushed" }));
  const e = await refusal(s.flush());
  assert.match(e.message, /^Cannot commit from an afterFlush listener/);
  assert.match(e.message, /next flush/);
  stop();
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Item} WHERE ${Item.c.id} >= 100`), 2);
});

dbTest("after a commit or a rollback, the session runs no statement for a listener", async (db) => {
  const engine = db.engine();
  await ready(engine);
  const errors: unknown[] = [];
  const keep = (p: Promise<unknown>) => p.then(() => errors.push(null), (e) => errors.push(e));
  {
    await using s = engine.session();
    const cfg = (await s.get(Cfg, 1))!;
    let held: unknown = null;
    const stop = s.on("afterCommit", async (session) => {
      held = await session.get(Cfg, 1); // held, not expired: no statement
      session.add(new Item({ id: 7, name: "next-transaction" })); // no statement either
      await keep(session.all(select(Item)));
      await keep(session.scalar(sql`SELECT 1`));
      await keep(session.flush());
      await keep(session.get(Cfg, 2));
      await keep((async () => {
        for await (const _ of session.stream(select(Item))) break;
      })());
    });
    s.add(new Item({ id: 6, name: "committed" }));
    await s.commit();
    assert.equal(held, cfg);
    assert.equal(errors.length, 5);
    for (const e of errors) {
      assert.ok(e instanceof InvalidRequestError, String(e));
      assert.match(
        e.message,
        /from an afterCommit listener: the session's transaction is committed/,
      );
      assert.match(e.message, /after that returns, or in another session or on the engine/);
      assert.doesNotMatch(e.message, /another task/);
    }
    stop();
    // A listener that lets the refusal propagate fails commit(), after the commit: nothing lost.
    s.on("afterCommit", (session) => session.all(select(Item)).then(() => {}));
    await refusal(s.commit()); // commits the Item added in the first listener
  }
  assert.deepEqual((await items(engine)).map((r) => r.name), ["committed", "next-transaction"]);
  errors.length = 0;
  {
    await using s = engine.session();
    s.on("afterRollback", async (session) => {
      await keep(session.scalar(sql`SELECT 1`));
      await keep(session.rollback());
    });
    s.add(new Item({ id: 8, name: "rolled-back" }));
    await s.flush();
    await s.rollback();
    assert.equal(errors.length, 2);
    for (const e of errors) {
      assert.match(String(e), /from an afterRollback listener: .*rolled back/);
    }
    // close() rolls back too: its listener's query is refused, and no transaction is left open.
    await s.get(Cfg, 1);
    await s.close();
    assert.equal(errors.length, 4);
    assert.equal(s.inTransaction, false);
  }
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM ${Item}`), 2);
});

dbTest(
  "a class listener that asks its session for a query fails the flush, losing nothing",
  async (db) => {
    const engine = db.engine();
    await ready(engine);
    await using s = engine.session();
    s.add(new Item({ id: 1, name: "earlier" }));
    await s.flush();
    // Not awaited (a class listener cannot): the flush raises the refusal itself.
    let stop = listen(Item, "beforeInsert", (item: Item) => {
      item.audit = "x";
      void s.get(Cfg, 1);
    });
    s.add(new Item({ id: 2, name: "pending" }));
    try {
      const e = await refusal(s.flush());
      assert.match(
        e.message,
        /^Cannot get an object from a beforeInsert, beforeUpdate or beforeDelete listener/,
      );
      assert.match(e.message, /Query in a session beforeFlush \(or afterFlush\) listener/);
    } finally {
      stop();
    }
    stop = listen(Item, "afterInsert", () => void s.all(select(Cfg)));
    s.add(new Item({ id: 3, name: "after" }));
    try {
      assert.match((await refusal(s.flush())).message, /^Cannot run a query from an afterInsert/);
    } finally {
      stop();
    }
    await s.commit();
    assert.deepEqual((await items(engine)).map((r) => r.name), ["after", "earlier", "pending"]);
  },
);

/** Streams Row in chunks of 10, calling `at(i, row)` for each; how many it saw, and its error. */
async function streamRows(
  s: Session,
  at: (i: number, r: Row) => Promise<void>,
): Promise<[number, unknown]> {
  let seen = 0;
  try {
    for await (const r of s.stream(select(Row).orderBy(Row.c.id), { chunkSize: 10 })) {
      await at(++seen, r);
    }
    return [seen, null];
  } catch (e) {
    return [seen, e];
  }
}

dbTest(
  "a flush that fails in a stream loop: the next step says so, the stream lets go",
  async (db) => {
    const engine = db.engine();
    await ready(engine);
    await using s = engine.session();
    s.add(new Item({ id: 1, name: "flushed-earlier" }));
    await s.flush();
    const [seen, error] = await streamRows(s, async (i) => {
      if (i !== 5) return;
      s.add(new Row({ id: 1000, v: 3 })); // v is unique
      await assert.rejects(s.flush(), IntegrityError);
    });
    assert.equal(seen, 5, "the held chunk is not yielded on");
    assert.ok(error instanceof PendingRollbackError, String(error));
    assert.match(error.message, /^session\.stream\(select\(Row\)\) cannot go on: a failed flush/);
    assert.match(error.message, /rolled back the session's transaction/);
    assert.match(error.message, /call session\.rollback\(\), and stream again/);
    assert.ok(error.cause instanceof IntegrityError);
    await s.rollback(); // the loop is over: rollback is allowed
    const [again, none] = await streamRows(s, async () => {});
    assert.deepEqual([again, none], [30, null]);
    s.add(new Item({ id: 2, name: "after" }));
    await s.commit();
    assert.deepEqual((await items(engine)).map((r) => r.name), ["after"]);
  },
);

dbTest("a stream and savepoints: only a savepoint it reads in ends it", async (db) => {
  const engine = db.engine();
  await ready(engine);
  await using s = engine.session();
  // A savepoint opened in the loop, rolled back by a failed flush: the stream reads on.
  const [seen, error] = await streamRows(s, async (i) => {
    if (i !== 5) return;
    const sp = await s.beginNested();
    s.add(new Row({ id: 1000, v: 3 }));
    await assert.rejects(s.flush(), IntegrityError);
    assert.equal(sp.isActive, false);
  });
  assert.deepEqual([seen, error], [30, null]);
  // The stream opened in a savepoint that a failed flush rolls back: it cannot go on.
  let sp = await s.beginNested();
  s.add(new Item({ id: 1, name: "in-savepoint" }));
  const [seen2, error2] = await streamRows(s, async (i) => {
    if (i !== 12) return;
    s.add(new Row({ id: 1001, v: 4 }));
    await assert.rejects(s.flush(), IntegrityError);
  });
  assert.equal(seen2, 12);
  assert.ok(error2 instanceof InvalidRequestError, String(error2));
  assert.ok(!(error2 instanceof PendingRollbackError));
  assert.match(error2.message, /a failed flush in the loop rolled back the savepoint it reads/);
  assert.match(error2.message, /goes on in the enclosing transaction/);
  // Rolled back by its owner in the loop: the same.
  sp = await s.beginNested();
  const [seen3, error3] = await streamRows(s, async (i) => {
    if (i === 3) await sp.rollback();
  });
  assert.equal(seen3, 3);
  assert.match(String(error3), /a rollback in the loop rolled back the savepoint/);
  // Released in the loop: its rows are the enclosing transaction's, and the stream reads on.
  sp = await s.beginNested();
  s.add(new Item({ id: 2, name: "released" }));
  const [seen4, error4] = await streamRows(s, async (i) => {
    if (i === 15) await sp.commit();
  });
  assert.deepEqual([seen4, error4], [30, null]);
  s.add(new Item({ id: 3, name: "outer" }));
  await s.commit(); // the transaction is intact: nothing of a dead stream was sent into it
  assert.deepEqual((await items(engine)).map((r) => r.name), ["outer", "released"]);
});

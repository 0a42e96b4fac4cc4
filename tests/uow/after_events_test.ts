/**
 * A listener that throws after the rows are written (afterInsert, afterUpdate, afterDelete,
 * afterFlush) fails the flush as a failed statement does: the rows are rolled back (inside a
 * savepoint, only the savepoint), and no later commit writes them.
 */
import assert from "node:assert/strict";
import { column, inspect, Model, PendingRollbackError, sql } from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, ready } from "./_support.ts";

let fail: string | null = null;

class Note extends Model("ae_notes", { id: column.integer().primaryKey(), body: column.text() }) {
  static afterInsert(n: Note): void {
    if (fail !== null && n.body === fail) throw new Error(`after ${n.body}`);
  }
}

const bodies = sql`SELECT ${Note.c.body} AS b FROM ${Note} ORDER BY 1`;

scopedTest("an afterInsert that throws: nothing of the transaction is committed", async (s) => {
  const engine = await ready(s, [Note]);
  fail = "bad";
  try {
    await using session = engine.session();
    session.add(new Note({ body: "earlier" }));
    await session.flush();
    const bad = new Note({ body: "bad" });
    session.add(bad);
    await assert.rejects(session.commit(), /after bad/);
    await assert.rejects(session.commit(), PendingRollbackError, "a second commit writes nothing");
    await session.rollback();
    assert.equal(inspect(bad).status, "transient");
    assert.deepEqual(await values(engine, bodies), []);
  } finally {
    fail = null;
  }
});

scopedTest("an afterInsert that throws in a savepoint rolls back the savepoint only", async (s) => {
  const engine = await ready(s, [Note]);
  fail = "inner";
  try {
    await using session = engine.session();
    session.add(new Note({ body: "outer" }));
    const sp = await session.beginNested();
    const inner = new Note({ body: "inner" });
    session.add(inner);
    await assert.rejects(session.flush(), /after inner/);
    assert.equal(inspect(inner).status, "transient");
    await assert.rejects(sp.commit(), /rolled it back/);
    await session.commit();
    assert.deepEqual(await values(engine, bodies), ["outer"]);
  } finally {
    fail = null;
  }
});

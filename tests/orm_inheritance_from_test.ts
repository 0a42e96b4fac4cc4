/**
 * A single-table subclass named in FROM or JOIN filters its rows there as `select(Sub)`
 * does: counts, column selects and joins see only its rows.
 */
import assert from "node:assert/strict";
import { column, eq, fn, Model, select } from "../mod.ts";
import { dbTest } from "./_db.ts";

class Worker extends Model("if_workers", {
  id: column.integer().primaryKey(),
  kind: column.text().default("worker"),
  name: column.text(),
  leadId: column.integer().nullable(),
}, { polymorphicOn: "kind", polymorphicIdentity: "worker" }) {}
class Lead extends Worker.subclass("lead", { budget: column.integer().nullable() }) {}

dbTest("single-table: from(Sub) and join(Sub) filter by the discriminator", async (db) => {
  const engine = db.engine();
  await engine.dropAll([Worker]);
  await engine.createAll([Worker]);
  try {
    await using session = engine.session();
    const l1 = new Lead({ name: "l1", budget: 5 });
    const l2 = new Lead({ name: "l2", budget: 7 });
    session.addAll([l1, l2]);
    await session.flush();
    session.addAll([
      new Worker({ name: "w1", leadId: l1.id }),
      new Worker({ name: "w2", leadId: l1.id }),
      new Worker({ name: "w3" }),
    ]);
    await session.commit();
    assert.equal(await session.scalar(select({ n: fn.count() }).from(Lead)), 2);
    assert.equal(await session.scalar(select({ n: fn.count() }).from(Worker)), 5);
    const names = await session.execute<{ name: string }>(
      select({ name: Worker.c.name }).from(Lead).orderBy(Worker.c.name),
    );
    assert.deepEqual(names.rows.map((r) => r.name), ["l1", "l2"]);
    // Workers joined to the lead of their team: the JOIN's ON holds the filter.
    const w = Worker.table.as("w");
    await session.commit(); // in-memory SQLite has one connection
    const pairs = await engine.all<{ worker: string; lead: string }>(
      select({ worker: w.c.name, lead: Worker.c.name }).from(w).join(
        Lead,
        eq(w.c.leadId, Lead.c.id),
      )
        .orderBy(w.c.name),
    );
    assert.deepEqual(pairs, [{ worker: "w1", lead: "l1" }, { worker: "w2", lead: "l1" }]);
  } finally {
    await engine.dropAll([Worker]);
    await engine.dispose();
  }
});

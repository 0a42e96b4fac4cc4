/**
 * `session.get` of a class with no inheritance, deferred columns or criteria of its own
 * knows its select once, for every session. What a session or a class adds must still apply:
 * a session's criteria (in a later session too), a class's criteria, deferred columns.
 */
import assert from "node:assert/strict";
import { column, eq, isNull, loaderCriteria, Model, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

class PlanNote extends Model("plan_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
  deletedAt: column.text().nullable(),
}) {}

class PlanKept extends Model("plan_kept", {
  id: column.integer().primaryKey(),
  deletedAt: column.text().nullable(),
}) {
  static criteria = (t: { readonly c: typeof PlanKept.c }) => isNull(t.c.deletedAt);
}

class PlanLong extends Model("plan_long", {
  id: column.integer().primaryKey(),
  title: column.text(),
  body: column.text().deferred(),
}) {}

dbTest("session.get keeps a session's criteria, a class's and deferred columns", async (db) => {
  const engine = db.engine();
  await engine.dropAll([PlanNote, PlanKept, PlanLong]);
  await engine.createAll([PlanNote, PlanKept, PlanLong]);
  try {
    await engine.run(
      sql`INSERT INTO plan_notes (id, body, deleted_at) VALUES (1, 'a', NULL), (2, 'b', 'x')`,
    );
    await engine.run(sql`INSERT INTO plan_kept (id, deleted_at) VALUES (1, NULL), (2, 'x')`);
    await engine.run(sql`INSERT INTO plan_long (id, title, body) VALUES (1, 't', 'long')`);
    {
      // A session with no criteria finds both notes (and so the class's select is known).
      await using s = engine.session();
      assert.equal((await s.get(PlanNote, 2))?.body, "b");
      assert.equal((await s.get(PlanNote, 1))?.body, "a");
    }
    {
      // A later session's criteria filter the same class.
      await using s = engine.session({
        criteria: [loaderCriteria(PlanNote, (t) => isNull(t.c.deletedAt))],
      });
      assert.equal(await s.get(PlanNote, 2), null);
      assert.equal((await s.get(PlanNote, 1))?.body, "a");
    }
    {
      // Criteria added to a session after a get apply to its next get.
      await using s = engine.session();
      assert.equal((await s.get(PlanNote, 1))?.body, "a");
      s.addCriteria(loaderCriteria(PlanNote, (t) => eq(t.c.body, "a")));
      assert.equal(await s.get(PlanNote, 2), null);
    }
    {
      await using s = engine.session();
      // A class's own criteria, on every get.
      assert.equal(await s.get(PlanKept, 2), null);
      assert.equal((await s.get(PlanKept, 1))?.id, 1);
      assert.equal(await s.get(PlanKept, 2), null);
      // A deferred column is not loaded by get; reading it is refused, never a query.
      const long = (await s.get(PlanLong, 1))!;
      assert.equal(long.title, "t");
      assert.throws(() => long.body, /not loaded|deferred/i);
    }
  } finally {
    await engine.dropAll([PlanNote, PlanKept, PlanLong]);
  }
});

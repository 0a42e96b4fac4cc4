/**
 * A transaction whose statement failed is not reported committed: PostgreSQL ends it with
 * ROLLBACK when asked to COMMIT, and the commit says so with an InvalidRequestError; SQLite
 * rolls back the failed statement alone, and the rest commits. A savepoint keeps the rest on
 * both.
 */
import assert from "node:assert/strict";
import { InvalidRequestError, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

dbTest("a commit after a failed statement commits or says it did not", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE ca_items (id INTEGER PRIMARY KEY)`);
  const work = engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO ca_items VALUES (1)`);
    await tx.run(sql`INSERT INTO ca_items VALUES (1)`).catch(() => {}); // caught
  });
  const ids = async () =>
    (await engine.all<{ id: number }>(sql`SELECT id FROM ca_items ORDER BY id`)).map((r) =>
      Number(r.id)
    );
  if (db.dialect === "postgres") {
    await assert.rejects(work, (e) => {
      assert.ok(e instanceof InvalidRequestError, `expected an InvalidRequestError, got ${e}`);
      assert.match((e as Error).message, /rolled back, not committed.*savepoint/s);
      return true;
    });
    assert.deepEqual(await ids(), []);
  } else {
    await work;
    assert.deepEqual(await ids(), [1]);
  }
  // The connection is clean for the next transaction, and a savepoint keeps the rest.
  await engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO ca_items VALUES (2)`);
    const sp = await tx.begin();
    await sp.run(sql`INSERT INTO ca_items VALUES (2)`).catch(() => {});
    await sp.rollback();
    await tx.run(sql`INSERT INTO ca_items VALUES (3)`);
  });
  assert.deepEqual(await ids(), db.dialect === "postgres" ? [2, 3] : [1, 2, 3]);
});

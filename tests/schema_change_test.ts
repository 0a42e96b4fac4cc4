/**
 * A statement run again after the schema changed reads the columns as they are now: `SELECT *`
 * after a column is renamed, added or dropped (by this engine, on any of its connections, or
 * undone by a rollback) gives the current names and values, as a migration at startup needs.
 */
import assert from "node:assert/strict";
import { type Engine, sql } from "../mod.ts";
import { dbTest } from "./_db.ts";

const all = async (engine: Pick<Engine, "all">) =>
  (await engine.all(sql`SELECT * FROM sc_items ORDER BY id`)).map((r) => ({ ...r }));

dbTest("SELECT * follows renamed, added and dropped columns", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE sc_items (id INTEGER PRIMARY KEY, name TEXT)`);
  await engine.run(sql`INSERT INTO sc_items (id, name) VALUES (1, 'ada')`);
  assert.deepEqual(await all(engine), [{ id: 1, name: "ada" }]);
  await engine.run(sql`ALTER TABLE sc_items RENAME COLUMN name TO full_name`);
  assert.deepEqual(await all(engine), [{ id: 1, full_name: "ada" }]);
  await engine.run(sql`ALTER TABLE sc_items ADD COLUMN rank INTEGER DEFAULT 7`);
  assert.deepEqual(await all(engine), [{ id: 1, full_name: "ada", rank: 7 }]);
  await engine.run(sql`ALTER TABLE sc_items DROP COLUMN full_name`);
  assert.deepEqual(await all(engine), [{ id: 1, rank: 7 }]);
}, { on: ["sqlite", "sqlite-file", "postgres"] });

dbTest("a schema change in a rolled-back transaction leaves the old columns read", async (db) => {
  const engine = db.engine();
  await engine.run(sql`CREATE TABLE sc_items (id INTEGER PRIMARY KEY, name TEXT)`);
  await engine.run(sql`INSERT INTO sc_items (id, name) VALUES (1, 'ada')`);
  assert.deepEqual(await all(engine), [{ id: 1, name: "ada" }]);
  await assert.rejects(
    engine.transaction(async (tx) => {
      await tx.run(sql`ALTER TABLE sc_items ADD COLUMN extra INTEGER DEFAULT 1`);
      const rows = await tx.all(sql`SELECT * FROM sc_items ORDER BY id`);
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ id: 1, name: "ada", extra: 1 }]);
      throw new Error("undo");
    }),
    /undo/,
  );
  assert.deepEqual(await all(engine), [{ id: 1, name: "ada" }]);
}, { on: ["sqlite", "sqlite-file", "postgres"] });

dbTest("a change made on one pooled connection is seen by the others", async (db) => {
  const engine = db.engine({ poolSize: 3 });
  await engine.run(sql`CREATE TABLE sc_items (id INTEGER PRIMARY KEY, name TEXT)`);
  await engine.run(sql`INSERT INTO sc_items (id, name) VALUES (1, 'ada')`);
  // Every connection prepares the statement under the old schema.
  await Promise.all([all(engine), all(engine), all(engine)]);
  await engine.run(sql`ALTER TABLE sc_items RENAME COLUMN name TO label`);
  const seen = await Promise.all([all(engine), all(engine), all(engine)]);
  for (const rows of seen) assert.deepEqual(rows, [{ id: 1, label: "ada" }]);
}, { on: ["sqlite-file", "postgres"] });

dbTest(
  "a savepoint rolled back, then the transaction: the columns are the old ones",
  async (db) => {
    const engine = db.engine();
    await engine.run(sql`CREATE TABLE sc_items (id INTEGER PRIMARY KEY, name TEXT)`);
    await engine.run(sql`INSERT INTO sc_items (id, name) VALUES (1, 'ada')`);
    await assert.rejects(
      engine.transaction(async (tx) => {
        await tx.run(sql`ALTER TABLE sc_items ADD COLUMN extra INTEGER`);
        assert.equal(Object.keys((await tx.all(sql`SELECT * FROM sc_items`))[0]).length, 3);
        const sp = await tx.begin();
        await sp.rollback();
        // Prepared now, under the transaction's schema, and kept in the cache.
        assert.equal(Object.keys((await all(tx))[0]).length, 3);
        throw new Error("undo");
      }),
      /undo/,
    );
    assert.deepEqual(await all(engine), [{ id: 1, name: "ada" }]);
  },
  { on: ["sqlite", "sqlite-file", "postgres"] },
);

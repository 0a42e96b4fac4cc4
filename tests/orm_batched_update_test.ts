/**
 * Objects changing the same columns are written by one `UPDATE ... FROM (VALUES ...)` on
 * every dialect with one: composite keys, values of every kind (booleans, JSON, dates, NULL),
 * and a stale row failing the whole batch.
 */
import assert from "node:assert/strict";
import { column, Model, select, sql, StaleDataError } from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class Cell extends Model("bu_cells", {
  sheet: column.integer().primaryKey(),
  ref: column.text().primaryKey(),
  flag: column.boolean().default(false),
  data: column.json<{ n: number }>().nullable(),
  at: column.timestamp().nullable(),
  note: column.text().nullable(),
}) {}

dbTest("batched UPDATE: composite keys and values of every kind round-trip", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll([Cell]);
  await engine.createAll([Cell]);
  try {
    await using session = engine.session();
    const cells = Array.from(
      { length: 30 },
      (_, i) => new Cell({ sheet: i % 3, ref: `r${i}`, note: "old", data: { n: i } }),
    );
    session.addAll(cells);
    await session.commit();
    const at = new Date("2024-02-29T12:34:56.789Z");
    log.texts.length = 0;
    cells.forEach((c, i) => {
      c.flag = true;
      c.data = i === 7 ? null : { n: i * 10 };
      c.at = at;
      c.note = i === 5 ? null : `it's "${i}"?`;
    });
    await session.commit();
    const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
    assert.equal(updates.length, 1, `one UPDATE for 30 rows, got ${updates.length}`);
    assert.match(updates[0], /FROM \(VALUES/);
    await using fresh = engine.session();
    const back = await fresh.all(select(Cell).orderBy(Cell.c.sheet, Cell.c.ref));
    assert.equal(back.length, 30);
    for (const c of back) {
      const i = Number(c.ref.slice(1));
      assert.equal(c.sheet, i % 3);
      assert.equal(c.flag, true, `flag of ${c.ref}`);
      assert.deepEqual(c.data, i === 7 ? null : { n: i * 10 }, `data of ${c.ref}`);
      assert.equal(c.at?.getTime(), at.getTime(), `at of ${c.ref}`);
      assert.equal(c.note, i === 5 ? null : `it's "${i}"?`, `note of ${c.ref}`);
    }
  } finally {
    await engine.dropAll([Cell]);
    await engine.dispose();
  }
});

dbTest(
  "batched UPDATE: a row deleted behind the session fails the batch, writes nothing",
  async (db) => {
    const engine = db.engine();
    await engine.dropAll([Cell]);
    await engine.createAll([Cell]);
    try {
      await using session = engine.session();
      const cells = Array.from({ length: 5 }, (_, i) => new Cell({ sheet: 1, ref: `s${i}` }));
      session.addAll(cells);
      await session.commit();
      await engine.run(sql`DELETE FROM ${Cell} WHERE ${Cell.c.ref} = ${"s3"}`);
      for (const c of cells) c.note = "new";
      await assert.rejects(session.commit(), StaleDataError);
      await session.rollback();
      const notes = await engine.all<{ n: string | null }>(
        sql`SELECT ${Cell.c.note} AS n FROM ${Cell}`,
      );
      assert.deepEqual(notes.map((r) => r.n), [null, null, null, null], "nothing written");
    } finally {
      await engine.dropAll([Cell]);
      await engine.dispose();
    }
  },
);

/**
 * Objects changing the same columns are written by one `UPDATE ... FROM (VALUES ...)` on
 * every dialect with one: composite keys, values of every kind (booleans, JSON, dates, NULL),
 * and a stale row failing the whole batch.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  type EngineOptions,
  Model,
  select,
  sql,
  StaleDataError,
  type TableLike,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

/** Runs `fn` on an engine (its statements logged) with a model's table made fresh, dropped after. */
async function withTable(
  db: { engine(options?: EngineOptions): Engine },
  model: TableLike,
  fn: (engine: Engine, log: ReturnType<typeof statementLog>) => Promise<void>,
): Promise<void> {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll([model]);
  await engine.createAll([model]);
  try {
    await fn(engine, log);
  } finally {
    await engine.dropAll([model]);
    await engine.dispose();
  }
}

class Cell extends Model("bu_cells", {
  sheet: column.integer().primaryKey(),
  ref: column.text().primaryKey(),
  flag: column.boolean().default(false),
  data: column.json<{ n: number }>().nullable(),
  at: column.timestamp().nullable(),
  note: column.text().nullable(),
}) {}

dbTest("batched UPDATE: composite keys and values of every kind round-trip", async (db) => {
  await withTable(db, Cell, async (engine, log) => {
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
  });
});

dbTest(
  "batched UPDATE: a row deleted behind the session fails the batch, writes nothing",
  async (db) => {
    await withTable(db, Cell, async (engine) => {
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
    });
  },
);

class Stamped extends Model("bu_stamped", {
  id: column.integer().primaryKey(),
  name: column.text(),
  note: column.text().nullable(),
  edits: column.integer().default(0).onUpdate(() => 1),
  touched: column.text().nullable().onUpdate(sql`'by sql'`),
}) {}

dbTest(
  "batched UPDATE: onUpdate values, and one statement per set of changed columns",
  async (db) => {
    await withTable(db, Stamped, async (engine, log) => {
      await using session = engine.session();
      const rows = Array.from({ length: 6 }, (_, i) => new Stamped({ id: i + 1, name: `n${i}` }));
      session.addAll(rows);
      await session.commit();
      log.texts.length = 0;
      // Rows 1-2 change name, 3-4 name and note, 5 note; 6 nothing. Every changed row also takes
      // its onUpdate columns (a value, and SQL, which the database computes).
      for (const r of rows.slice(0, 4)) r.name = `${r.name}!`;
      for (const r of rows.slice(2, 5)) r.note = "noted";
      await session.commit();
      const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
      assert.equal(updates.length, 5, `an UPDATE per changed row (SQL onUpdate): ${updates}`);
      for (const u of updates) assert.match(u, /'by sql'/);
      await using fresh = engine.session();
      const back = await fresh.all(select(Stamped).orderBy(Stamped.c.id));
      assert.deepEqual(
        back.map((r) => [r.name, r.note, r.edits, r.touched]),
        [
          ["n0!", null, 1, "by sql"],
          ["n1!", null, 1, "by sql"],
          ["n2!", "noted", 1, "by sql"],
          ["n3!", "noted", 1, "by sql"],
          ["n4", "noted", 1, "by sql"],
          ["n5", null, 0, null],
        ],
      );
      // In memory too: the value at once, the SQL's result read back.
      assert.deepEqual(rows.map((r) => r.edits), [1, 1, 1, 1, 1, 0]);
      assert.equal(rows[0].touched, "by sql");
    });
  },
);

class Plain extends Model("bu_plain", {
  id: column.integer().primaryKey(),
  a: column.text(),
  b: column.text(),
  edits: column.integer().default(0).onUpdate(() => 7),
}) {}

dbTest("batched UPDATE: rows changing the same columns share one statement", async (db) => {
  await withTable(db, Plain, async (engine, log) => {
    await using session = engine.session();
    const rows = Array.from({ length: 6 }, (_, i) => new Plain({ id: i + 1, a: "a", b: "b" }));
    session.addAll(rows);
    await session.commit();
    log.texts.length = 0;
    // Three sets of changed columns: {a, edits} × 2, {b, edits} × 2, {a, b, edits} × 2.
    rows[0].a = rows[1].a = "A";
    rows[2].b = rows[3].b = "B";
    for (const r of rows.slice(4)) [r.a, r.b] = ["A", "B"];
    await session.commit();
    const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
    assert.equal(updates.length, 3, `one UPDATE per set of changed columns: ${updates}`);
    await using fresh = engine.session();
    const back = await fresh.all(select(Plain).orderBy(Plain.c.id));
    assert.deepEqual(back.map((r) => [r.a, r.b, r.edits]), [
      ["A", "b", 7],
      ["A", "b", 7],
      ["a", "B", 7],
      ["a", "B", 7],
      ["A", "B", 7],
      ["A", "B", 7],
    ]);
  });
});

const many = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => [`c${i}`, column.integer().nullable()]),
);

class Wide extends Model("bu_wide", { id: column.integer().primaryKey(), ...many }) {}

dbTest(
  "batched UPDATE: sets of changed columns past the 30th column are told apart",
  async (db) => {
    await withTable(db, Wide, async (engine, log) => {
      await using session = engine.session();
      const rows = Array.from({ length: 5 }, (_, i) => new Wide({ id: i + 1 }));
      session.addAll(rows);
      await session.commit();
      log.texts.length = 0;
      const set = (
        r: Wide,
        k: string,
        v: number,
      ) => ((r as unknown as Record<string, number>)[k] = v);
      set(rows[0], "c35", 1);
      set(rows[1], "c35", 2);
      set(rows[2], "c36", 3);
      set(rows[3], "c36", 4);
      set(rows[4], "c3", 5); // column 4, as c35 is column 36: a 32-bit mask would mix them up
      await session.commit();
      const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
      assert.equal(updates.length, 3, `one UPDATE per set of changed columns: ${updates}`);
      await using fresh = engine.session();
      const back = (await fresh.all(select(Wide).orderBy(Wide.c.id))) as unknown as Record<
        string,
        number | null
      >[];
      assert.deepEqual(back.map((r) => [r.c3, r.c35, r.c36]), [
        [null, 1, null],
        [null, 2, null],
        [null, null, 3],
        [null, null, 4],
        [5, null, null],
      ]);
    });
  },
);

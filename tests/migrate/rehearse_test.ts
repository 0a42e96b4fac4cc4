/**
 * Rehearsal: `check` runs the pending migrations on a copy and reports per table the rows
 * before and after; a migration that loses rows it did not declare, or breaks a constraint,
 * is stopped (by `up({ check: true })`) before the real database is touched.
 */
import assert from "node:assert/strict";
import { column, type Engine, InvalidRequestError, sql, table } from "../../mod.ts";
import { check, status, up } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { chain, type Step } from "./_support.ts";

const base: Step = {
  id: "20261201T1500_base",
  up: ({ op }) => [
    op.createTable({
      name: "items",
      columns: [
        { name: "id", type: "INTEGER", nullable: false },
        { name: "n", type: "INTEGER", nullable: false },
      ],
      primaryKey: { columns: ["id"] },
    }),
    op.createTable({
      name: "sessions",
      columns: [{ name: "id", type: "INTEGER", nullable: false }],
    }),
  ],
};

async function seeded(engine: Engine): Promise<void> {
  await up(engine, { migrations: chain([base]) });
  await engine.run(sql`INSERT INTO items (id, n) VALUES (1, 5), (2, 0), (3, 7)`);
  await engine.run(sql`INSERT INTO sessions (id) VALUES (1), (2)`);
}

const count = async (engine: Engine, t: string) =>
  Number(await engine.scalar(sql`SELECT count(*) FROM ${sql.id(t)}`));

scopedTest(
  "migrate: check reports rows per table and leaves the database alone",
  async ({ open }) => {
    const engine = open();
    await seeded(engine);
    const migrations = chain([base, {
      id: "20261201T1510_more",
      up: ({ op, sql }) => [
        op.addColumn("items", { name: "note", type: "TEXT", nullable: true }),
        op.sql(sql`INSERT INTO items (id, n) VALUES (4, 1)`),
        op.dropTable("sessions"),
      ],
    }]);
    const report = await check(engine, { migrations });
    assert.equal(report.ok, true, report.text);
    assert.deepEqual(report.migrations[0].tables, [
      { table: "items", before: 3, after: 4 },
      { table: "sessions", before: 2, after: null },
    ]);
    assert.match(report.text, /items: 3 → 4 rows/);
    assert.equal(await count(engine, "items"), 3);
    assert.equal(await count(engine, "sessions"), 2);
    await assert.rejects(engine.run(sql`SELECT note FROM items`));
    assert.deepEqual((await status(engine, { migrations })).pending, ["20261201T1510_more"]);
  },
  { on: ["sqlite", "sqlite-file", "postgres"] },
);

scopedTest(
  "migrate: an undeclared loss of rows stops up --check before anything changes",
  async ({ open }) => {
    const engine = open();
    await seeded(engine);
    const lossy = chain([base, {
      id: "20261201T1510_purge",
      up: ({ op, sql }) => [op.sql(sql`DELETE FROM items WHERE n = 0`)],
    }]);
    const report = await check(engine, { migrations: lossy });
    assert.equal(report.ok, false);
    assert.deepEqual(report.migrations[0].lost, ["items lost 1 of 3 rows"]);
    const error = await up(engine, { migrations: lossy, check: true }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.match(error.message, /nothing was applied[\s\S]*items lost 1 of 3 rows/);
    assert.equal(await count(engine, "items"), 3);
    const declared = chain([base, {
      id: "20261201T1510_purge",
      up: ({ op, sql }) => [op.sql(sql`DELETE FROM items WHERE n = 0`, { losesRows: ["items"] })],
    }]);
    assert.equal((await check(engine, { migrations: declared })).ok, true);
    assert.deepEqual((await up(engine, { migrations: declared, check: true })).applied, [
      "20261201T1510_purge",
    ]);
    assert.equal(await count(engine, "items"), 2);
  },
);

scopedTest(
  "migrate: a constraint the rows break is reported by the rehearsal",
  async ({ open }) => {
    const engine = open();
    await seeded(engine);
    const migrations = chain([base, {
      id: "20261201T1510_positive",
      up: ({ op }) => [op.addCheck("items", { name: "n_positive", expression: "n > 0" })],
    }]);
    const report = await check(engine, { migrations });
    assert.equal(report.ok, false);
    assert.match(report.migrations[0].error!, /failed at step 1 \(add check n_positive/);
    await assert.rejects(up(engine, { migrations, check: true }), /rehearsal found a problem/);
    await engine.run(sql`INSERT INTO items (id, n) VALUES (9, -1)`); // no check was added
    assert.deepEqual((await status(engine, { migrations })).pending, ["20261201T1510_positive"]);
  },
);

scopedTest(
  "migrate: check compares the models with the database after the migrations",
  async ({ open }) => {
    const engine = open();
    await seeded(engine);
    const id = () => column.integer().primaryKey().autoincrement(false);
    const items = table("items", { id: id(), n: column.integer() });
    const sessions = table("sessions", { id: column.integer() });
    const migrations = chain([base]);
    const fine = await check(engine, { migrations, models: [items, sessions] });
    assert.equal(fine.drift?.ok, true, fine.drift?.text);
    const wider = table("items", {
      id: id(),
      n: column.integer(),
      note: column.text().nullable(),
    });
    const drifted = await check(engine, { migrations, models: [wider, sessions] });
    assert.equal(drifted.ok, false);
    assert.deepEqual(drifted.drift?.differences, [
      `add column items.note ${engine.dialect.name === "sqlite" ? "TEXT" : "text"} NULL`,
    ]);
  },
);

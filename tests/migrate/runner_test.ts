/**
 * The runner: up to a target, down by steps, status; a migration that fails leaves no
 * partial write; an applied migration whose file was edited, or that has no file, stops
 * the run; two heads from parallel branches are reported.
 */
import assert from "node:assert/strict";
import { InvalidRequestError, sql } from "../../mod.ts";
import { down, MigrationError, status, up } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { chain, type Step } from "./_support.ts";

const col = (name: string, type = "INTEGER") => ({ name, type, nullable: true });

const steps: Step[] = [
  {
    id: "20261201T1500_items",
    up: ({ op }) => [op.createTable({ name: "items", columns: [col("id"), col("n")] })],
    down: ({ op }) => [op.dropTable("items")],
  },
  {
    id: "20261201T1510_seed",
    up: ({ op, sql }) => [op.sql(sql`INSERT INTO items (id, n) VALUES (1, 10), (2, 20)`)],
    down: ({ op, sql }) => [op.sql(sql`DELETE FROM items`, { losesRows: ["items"] })],
  },
  {
    id: "20261201T1520_flag",
    up: ({ op }) => [op.addColumn("items", col("flag"))],
    down: ({ op }) => [op.dropColumn("items", "flag")],
  },
];

scopedTest("migrate: up to a target, status, up, and down by steps", async ({ open }) => {
  const engine = open();
  const migrations = chain(steps);
  assert.deepEqual((await status(engine, { migrations })).pending, steps.map((s) => s.id));
  assert.deepEqual((await up(engine, { migrations, target: "20261201T1510" })).applied, [
    "20261201T1500_items",
    "20261201T1510_seed",
  ]);
  let s = await status(engine, { migrations });
  assert.equal(s.current, "20261201T1510_seed");
  assert.deepEqual(s.pending, ["20261201T1520_flag"]);
  assert.match(s.text, /\[x\] 20261201T1500_items[\s\S]*\[ \] 20261201T1520_flag/);
  assert.deepEqual((await up(engine, { migrations })).applied, ["20261201T1520_flag"]);
  assert.deepEqual((await up(engine, { migrations })).applied, []); // nothing left
  assert.equal(await engine.scalar(sql`SELECT sum(n) FROM items`), 30);
  assert.deepEqual((await down(engine, { migrations, steps: 2 })).applied, [
    "20261201T1520_flag",
    "20261201T1510_seed",
  ]);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM items`), 0);
  s = await status(engine, { migrations });
  assert.equal(s.current, "20261201T1500_items");
  await assert.rejects(up(engine, { migrations, target: "2027" }), /No migration is named 2027/);
  await assert.rejects(up(engine, { migrations, target: "2026" }), /names 3 migrations/);
});

scopedTest("migrate: a failed migration leaves no partial write", async ({ open }) => {
  const engine = open();
  const migrations = chain([
    steps[0],
    {
      id: "20261201T1530_broken",
      up: ({ op, sql }) => [
        op.addColumn("items", col("extra")),
        op.sql(sql`INSERT INTO items (id, n) VALUES (3, 30)`),
        op.run(async (tx) => {
          await tx.run(sql`INSERT INTO items (id, n) VALUES (4, 40)`);
          throw new Error("the data step failed");
        }, { description: "fill extra" }),
      ],
    },
  ]);
  const error = await up(engine, { migrations }).catch((e) => e);
  assert.ok(error instanceof MigrationError);
  assert.equal(error.migration, "20261201T1530_broken");
  assert.equal(error.step, 3);
  assert.match(error.message, /run data step: fill extra.*the data step failed/);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM items`), 0);
  await assert.rejects(engine.run(sql`SELECT extra FROM items`)); // the column was rolled back
  assert.deepEqual((await status(engine, { migrations })).pending, ["20261201T1530_broken"]);
});

scopedTest(
  "migrate: an edited applied migration is reported and stops the run",
  async ({ open }) => {
    const engine = open();
    await up(engine, { migrations: chain(steps.slice(0, 2)) });
    const edited = chain([
      steps[0],
      { ...steps[1], text: "the file, edited after it was applied" },
      steps[2],
    ]);
    const s = await status(engine, { migrations: edited });
    assert.equal(s.migrations[1].state, "edited");
    assert.match(s.problems[0], /20261201T1510_seed was edited after it was applied/);
    const error = await up(engine, { migrations: edited }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.match(error.message, /changed after being applied.*--accept-edited/s);
    assert.deepEqual(
      (await up(engine, { migrations: edited, acceptEdited: true })).applied,
      ["20261201T1520_flag"],
    );
    assert.equal((await status(engine, { migrations: edited })).problems.length, 0);
  },
);

scopedTest("migrate: an applied migration without a file is reported", async ({ open }) => {
  const engine = open();
  await up(engine, { migrations: chain(steps) });
  const fewer = chain(steps.slice(0, 2));
  const s = await status(engine, { migrations: fewer });
  assert.deepEqual(s.migrations.map((m) => m.state), ["applied", "applied", "missing"]);
  await assert.rejects(down(engine, { migrations: fewer }), /no migration file has that id/);
});

scopedTest("migrate: two heads from parallel branches are reported", async ({ open }) => {
  const engine = open();
  const branches = chain([steps[0], steps[1]]);
  const files = await branches.list();
  const extra = { ...steps[2], id: "20261201T1515_other" };
  const forked = {
    list: () =>
      Promise.resolve([...files, {
        id: extra.id,
        text: "other",
        load: () => Promise.resolve({ parent: steps[0].id, up: extra.up }),
      }]),
  };
  const s = await status(engine, { migrations: forked });
  assert.deepEqual(s.heads, ["20261201T1510_seed", "20261201T1515_other"]);
  assert.match(s.problems[0], /two heads: 20261201T1510_seed and 20261201T1515_other/);
  assert.match(s.problems[0], /Set the parent of 20261201T1515_other to 20261201T1510_seed/);
  await assert.rejects(up(engine, { migrations: forked }), /not one line: There are two heads/);
  assert.equal((await status(engine, { migrations: forked })).current, null);
});

scopedTest("migrate: a migration without down cannot be reverted", async ({ open }) => {
  const engine = open();
  const migrations = chain([{ id: "20261201T1500_once", up: () => [] }]);
  await up(engine, { migrations });
  await assert.rejects(down(engine, { migrations }), /has no down, so it cannot be reverted/);
  await assert.rejects(down(engine, { migrations, steps: 0 }), /at least 1/);
});

/**
 * Allocation guard, after SQLAlchemy's call-count profiles: heap bytes per row allocated while
 * loading 5,000 objects, kept once they are loaded, allocated while flushing 5,000 new ones,
 * allocated per Core statement (`tx.run(sql\`INSERT ...\`)`), allocated per `session.get` of
 * an object the session does not hold, allocated per loaded object changed and committed, and
 * allocated and kept per child when 500 parents load
 * 10 children each by `selectin`, on each database, against tests/alloc/profile.json. A figure
 * more than 15% over its profile fails: find what started allocating, or, when the growth is
 * deliberate, raise the profile in the same change (and lower it when a change makes the
 * figure smaller).
 *
 * What moved the figures, on SQLite:
 * - kept per child: 436 before a loaded reference was kept as the object itself; about 375
 *   after; about 335 since the relations record keeps the identity key;
 * - flushed, per Core statement, per get, allocated per child: 1,405, 1,031, 2,149 and 661
 *   before the loops of a flush and of loading walked sets with forEach and arrays by index
 *   (code not yet optimized makes an iterator result per step of for...of), a get made no
 *   closure per call and freed its session in its query's one reaction, Core's `run`, `all`,
 *   `one`... became one reaction with no async frame, and compiled parameters were sized
 *   once; about 680, 740, 1,330 and 450 after;
 * - per Core statement: about 705 since a driver that answers at once (SQLite) lets a
 *   statement take one promise, not two;
 * - per object changed and committed: 963 before a clean object's saved state took four
 *   fields (not eleven) and rows were grouped by their changed columns' mask with no list made
 *   per row; about 865 after.
 */
import assert from "node:assert/strict";
import { createEngine, sql } from "../mod.ts";
import { PG_UP, PG_URL } from "./_db.ts";

const REQUIRE_PG = Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";
const TOLERANCE = 1.15;

type Figures = {
  flushAllocated: number;
  loadAllocated: number;
  kept: number;
  statementAllocated: number;
  getAllocated: number;
  updateAllocated: number;
  relatedAllocated: number;
  relatedKept: number;
};
const profile = JSON.parse(
  await Deno.readTextFile(new URL("./alloc/profile.json", import.meta.url)),
) as Record<"sqlite" | "postgres", Figures>;

async function measure(url: string): Promise<Figures> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64",
      new URL("./alloc/child.ts", import.meta.url).pathname,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  assert(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(text) as Figures;
}

for (const db of ["sqlite", "postgres"] as const) {
  Deno.test({
    name: `allocation: heap bytes per loaded and flushed row stay within the profile [${db}]`,
    ignore: db === "postgres" && !PG_UP && !REQUIRE_PG,
    fn: async () => {
      let url = "sqlite::memory:";
      let drop = () => Promise.resolve();
      if (db === "postgres") {
        // A schema of its own, dropped afterwards: the test leaves nothing behind.
        const schema = `retort_alloc_${crypto.randomUUID().replaceAll("-", "")}`;
        const admin = createEngine(PG_URL);
        await admin.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
        const u = new URL(PG_URL);
        u.searchParams.set("search_path", schema);
        url = u.href;
        drop = async () => {
          await admin.run(sql`DROP SCHEMA ${sql.id(schema)} CASCADE`);
          await admin.dispose();
        };
      }
      try {
        await check(db, url);
      } finally {
        await drop();
      }
    },
  });
}

async function check(db: "sqlite" | "postgres", url: string): Promise<void> {
  {
    let got = await measure(url);
    const over = (f: Figures) =>
      (Object.keys(profile[db]) as (keyof Figures)[]).filter((k) =>
        f[k] > profile[db][k] * TOLERANCE
      );
    // A second measurement before failing: a figure is a count of bytes, but the driver's
    // own buffers can land on either side of a step.
    if (over(got).length > 0) got = await measure(url);
    const bad = over(got);
    assert.deepEqual(
      bad,
      [],
      bad.map((k) =>
        `${k}: ${got[k].toFixed(0)} B/row, over the profile's ${profile[db][k]} B/row by ` +
        `${((got[k] / profile[db][k] - 1) * 100).toFixed(0)}%`
      ).join("; "),
    );
    // The figures measure something: a loaded object costs heap.
    assert(got.kept > 50 && got.loadAllocated >= got.kept * 0.9, JSON.stringify(got));
  }
}

/**
 * LIKE means the same on both databases: `like()` with case, `ilike()` without (Unicode case
 * folding, "élan" matches "Élan"), `%` any run, `_` one character (a code point), a backslash
 * escaping the next character. On SQLite the driver registers `like`, `lower` and `upper` on
 * every connection; a client that cannot register functions falls back to SQLite's
 * `case_sensitive_like`, where ILIKE folds ASCII letters only.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { column, createEngine, ilike, insert, like, not, select, sql, table } from "../mod.ts";
import { sqliteDriver } from "../dialects/sqlite/mod.ts";
import { scopedTest } from "./_db.ts";

const people = table("like_people", {
  id: column.integer().primaryKey(),
  name: column.text(),
});

const NAMES = ["Ada", "ada", "ADA", "Élan", "élan", "a_b", "axb", "100%", "1000", "😀", "ÅSA"];

async function seeded(engine: ReturnType<typeof createEngine>) {
  await engine.createTable(people);
  await engine.run(insert(people).values(NAMES.map((name, i) => ({ id: i + 1, name }))));
  return async (where: ReturnType<typeof like>) =>
    (await engine.all(select(people.c.name).where(where))).map((r) => r.name).sort();
}

/** The names expected, in the order `seeded` gives them (JavaScript's sort). */
const sorted = (names: string[]): string[] => [...names].sort();

scopedTest("like has case and ilike folds Unicode case, on both", async ({ open }) => {
  const names = await seeded(open());
  assert.deepEqual(await names(like(people.c.name, "ADA")), sorted(["ADA"]));
  assert.deepEqual(await names(like(people.c.name, "ada")), sorted(["ada"]));
  assert.deepEqual(await names(ilike(people.c.name, "ada")), sorted(["ADA", "Ada", "ada"]));
  assert.deepEqual(await names(ilike(people.c.name, "élan")), sorted(["Élan", "élan"]));
  assert.deepEqual(await names(ilike(people.c.name, "ÉLAN")), sorted(["Élan", "élan"]));
  assert.deepEqual(await names(ilike(people.c.name, "åsa")), sorted(["ÅSA"]));
  assert.deepEqual(await names(like(people.c.name, "É%")), sorted(["Élan"]));
  assert.deepEqual(
    await names(not(like(people.c.name, "%a%"))),
    sorted([
      "1000",
      "100%",
      "ADA",
      "ÅSA",
      "😀",
    ]),
  );
});

scopedTest("like: % and _ (one character), and a backslash escapes, on both", async ({ open }) => {
  const names = await seeded(open());
  assert.deepEqual(await names(like(people.c.name, "a_b")), sorted(["a_b", "axb"]));
  assert.deepEqual(await names(like(people.c.name, "a\\_b")), sorted(["a_b"]));
  assert.deepEqual(await names(like(people.c.name, "100\\%")), sorted(["100%"]));
  assert.deepEqual(await names(like(people.c.name, "100%")), sorted(["1000", "100%"]));
  // A character outside the BMP is one character, as on PostgreSQL (two UTF-16 units in JS).
  assert.deepEqual(await names(like(people.c.name, "_")), sorted(["😀"]));
  assert.deepEqual(await names(like(people.c.name, "__")), sorted([]));
  assert.deepEqual(await names(ilike(people.c.name, "%")), [...NAMES].sort());
});

scopedTest(
  "like: LIKE in SQL of one's own means the same, ESCAPE included",
  async ({ db, open }) => {
    const engine = open();
    const one = (q: ReturnType<typeof sql>) => engine.scalar<boolean | number>(q);
    const yes = async (q: ReturnType<typeof sql>) => assert.equal(Boolean(await one(q)), true);
    const no = async (q: ReturnType<typeof sql>) => assert.equal(Boolean(await one(q)), false);
    await no(sql`SELECT ${"ada"} LIKE ${"ADA"}`);
    await yes(sql`SELECT ${"ada"} LIKE ${"a%"}`);
    await yes(sql`SELECT ${"a_b"} LIKE ${"a#_b"} ESCAPE '#'`);
    await no(sql`SELECT ${"axb"} LIKE ${"a#_b"} ESCAPE '#'`);
    assert.equal(await engine.scalar(sql`SELECT ${null} LIKE ${"a"}`), null);
    // PostgreSQL's lower() and upper() follow the database's locale: PGlite's is C (ASCII only).
    if (db.kind === "pglite") return;
    await yes(sql`SELECT lower(${"ÉLAN"}) = ${"élan"}`);
    // Case maps one character at a time, as PostgreSQL's lower() and upper() do.
    await yes(sql`SELECT upper(${"straße"}) = ${"STRAßE"}`);
    await yes(sql`SELECT lower(${"ΟΔΟΣ İx"}) = ${"οδοσ ix"}`);
  },
);

Deno.test("like: a SQLite client without functions falls back to case_sensitive_like", async () => {
  const db = new DatabaseSync(":memory:");
  // Only what the driver needs, without `function`: as bun:sqlite or an older node:sqlite.
  const bare = {
    prepare: (text: string) => db.prepare(text),
    exec: (text: string) => db.exec(text),
    close: () => db.close(),
  };
  await using engine = createEngine(sqliteDriver(bare));
  const names = await seeded(engine);
  assert.deepEqual(await names(like(people.c.name, "ADA")), sorted(["ADA"]));
  assert.deepEqual(await names(ilike(people.c.name, "ada")), sorted(["ADA", "Ada", "ada"]));
  // What remains different there: ASCII folding only, and no backslash escape.
  assert.deepEqual(await names(ilike(people.c.name, "élan")), sorted(["élan"]));
  assert.deepEqual(await names(like(people.c.name, "a\\_b")), sorted([]));
});

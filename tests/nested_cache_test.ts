/**
 * A large nested fragment (the rows of `sql.values`) is compiled once per template, dialect
 * and first parameter number, then served from a cache: whatever serves it, each statement
 * must compile to exactly the text and parameters a fresh compile gives.
 */
import assert from "node:assert/strict";
import { compile, type Dialect, postgresDialect, sql, sqliteDialect } from "../mod.ts";
import { dbTest } from "./_db.ts";

const DIALECTS: Dialect[] = [sqliteDialect, postgresDialect];

const rows = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ a: i, b: `${tag}${i}` }));

/** The text and parameters written out by hand, for `count` rows of (a, b). */
function expected(dialect: Dialect, head: string, first: number, count: number): string {
  const ph = (k: number) => dialect.placeholder(k);
  const tuples = Array.from({ length: count }, (_, r) => {
    const k = first + 2 * r;
    return `(${ph(k)}, ${ph(k + 1)})`;
  });
  return `${head}("a", "b") VALUES ${tuples.join(", ")}`;
}

Deno.test("sql.values compiled again gives its own parameters and the same text", () => {
  for (const d of DIALECTS) {
    for (const tag of ["x", "y", "z"]) {
      const c = compile(sql`INSERT INTO t ${sql.values(rows(100, tag))}`, d);
      assert.equal(c.text, expected(d, "INSERT INTO t ", 1, 100));
      assert.deepEqual(c.params, rows(100, tag).flatMap((r) => [r.a, r.b]));
    }
  }
});

Deno.test("a nested fragment's placeholders follow the parameters before it", () => {
  for (const d of DIALECTS) {
    // The same template (100 rows of two columns) after 0, 1 and 2 parameters, in turn.
    for (const before of [0, 1, 2, 0, 2, 1]) {
      const head = before === 0
        ? sql`INSERT INTO t `
        : before === 1
        ? sql`WITH w AS (SELECT ${"p"}) INSERT INTO t `
        : sql`WITH w AS (SELECT ${"p"}, ${"q"}) INSERT INTO t `;
      const c = compile(sql`${head}${sql.values(rows(100, "r"))}`, d);
      const headText = before === 0
        ? "INSERT INTO t "
        : `WITH w AS (SELECT ${
          Array.from({ length: before }, (_, k) => d.placeholder(k + 1)).join(", ")
        }) INSERT INTO t `;
      assert.equal(c.text, expected(d, headText, before + 1, 100), `${d.name}, ${before}`);
      assert.equal(c.params.length, before + 200);
    }
  }
});

Deno.test("rows of other column names, or holding SQL, are not served another's text", () => {
  for (const d of DIALECTS) {
    compile(sql`INSERT INTO t ${sql.values(rows(100, "r"))}`, d);
    const other = Array.from({ length: 100 }, (_, i) => ({ c: i, d: `v${i}` }));
    const c = compile(sql`INSERT INTO t ${sql.values(other)}`, d);
    assert(c.text.startsWith('INSERT INTO t ("c", "d") VALUES '), c.text.slice(0, 40));
    // A row value that is SQL is written as SQL, not bound, though the template is the same
    // (and cached for these columns just before).
    compile(sql`INSERT INTO t ${sql.values(rows(100, "r"))}`, d);
    const withSql = rows(100, "r").map((r, i) => i === 50 ? { a: sql`DEFAULT`, b: r.b } : r);
    const s = compile(sql`INSERT INTO t ${sql.values(withSql)}`, d);
    assert.equal(s.params.length, 199);
    assert.match(s.text, /\(DEFAULT, /);
    // And the cached text still serves plain rows afterwards.
    const again = compile(sql`INSERT INTO t ${sql.values(rows(100, "s"))}`, d);
    assert.equal(again.text, expected(d, "INSERT INTO t ", 1, 100));
    assert.equal(again.params[1], "s0");
  }
});

Deno.test("sql.values inside sql.literal is written as literals, cached or not", () => {
  for (const d of DIALECTS) {
    compile(sql`INSERT INTO t ${sql.values(rows(100, "r"))}`, d);
    const c = compile(sql`INSERT INTO t ${sql.literal(sql.values(rows(100, "r")))}`, d);
    assert.equal(c.params.length, 0);
    assert.match(c.text, /\(99, 'r99'\)$/);
  }
});

dbTest("sql.values rows reach the database after any number of parameters", async (db) => {
  const engine = db.engine();
  await engine.run(sql`DROP TABLE IF EXISTS nested_cache`);
  await engine.run(sql`CREATE TABLE nested_cache (a INTEGER, b TEXT, tag TEXT)`);
  try {
    const make = (tag: string) =>
      Array.from({ length: 80 }, (_, i) => ({ a: i, b: `${tag}-${i}`, tag }));
    await engine.run(sql`INSERT INTO nested_cache ${sql.values(make("one"))}`);
    await engine.run(sql`INSERT INTO nested_cache ${sql.values(make("two"))}`);
    // The same template, now after a parameter of the statement's own.
    await engine.run(
      sql`WITH w AS (SELECT CAST(${"three"} AS TEXT) AS v)
          INSERT INTO nested_cache ${sql.values(make("three"))}`,
    );
    const counts = await engine.all<{ tag: string; n: number; s: number }>(
      sql`SELECT tag, CAST(count(*) AS INTEGER) AS n, CAST(sum(a) AS INTEGER) AS s
          FROM nested_cache GROUP BY tag ORDER BY tag`,
    );
    assert.deepEqual(counts.map((c) => c.tag), ["one", "three", "two"]);
    for (const c of counts) assert.deepEqual([c.n, c.s], [80, (79 * 80) / 2]);
    const [row] = await engine.all(sql`SELECT b FROM nested_cache WHERE tag = 'two' AND a = 7`);
    assert.deepEqual(row, { b: "two-7" });
  } finally {
    await engine.run(sql`DROP TABLE nested_cache`);
  }
});

Deno.test("sql.values takes rows of the same columns in any order, and refuses others", () => {
  for (const d of DIALECTS) {
    // Keys in another order are the same columns: each value goes to its own column.
    const c = compile(sql`INSERT INTO t ${sql.values([{ a: 1, b: "x" }, { b: "y", a: 2 }])}`, d);
    assert.deepEqual(c.params, [1, "x", 2, "y"]);
    const refused: [string, object][] = [
      ["an extra column", { a: 2, b: "y", c: 3 }],
      ["a missing column", { a: 2 }],
      ["another column", { a: 2, c: "y" }],
      ["inherited columns", Object.create({ a: 2, b: "y" })],
    ];
    for (const [what, row] of refused) {
      assert.throws(
        () => sql.values([{ a: 1, b: "x" }, row]),
        /Row 2 of sql\.values has the columns .* every row must have the same columns/,
        what,
      );
    }
  }
});

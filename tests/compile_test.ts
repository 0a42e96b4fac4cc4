/**
 * The compile step: the call-site cache (a query in a loop compiles once, and never returns
 * stale text), placeholder numbering at scale, and runaway nesting.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  compile,
  type Dialect,
  type Fragment,
  isCompileCached,
  postgresDialect,
  sql,
  sqliteDialect,
  type SqlSource,
  toSql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const DIALECTS: Dialect[] = [sqliteDialect, postgresDialect];

/** A table-like node that counts how often it is rendered. */
function countingTable(name: string): SqlSource & { renders: number } {
  const node = {
    renders: 0,
    [toSql](): Fragment {
      node.renders++;
      return sql`${sql.id(name)}`;
    },
  };
  return node;
}

Deno.test("compile cache: a query in a loop compiles once per dialect", () => {
  for (const dialect of DIALECTS) {
    const items = countingTable("items");
    const texts = new Set<string>();
    const params: unknown[][] = [];
    for (let i = 0; i < 5; i++) {
      const q = sql`SELECT * FROM ${items} WHERE id = ${i} AND name = ${`n${i}`}`;
      if (i === 0) assert.equal(isCompileCached(q, dialect), false, dialect.name);
      const c = compile(q, dialect);
      assert.equal(isCompileCached(q, dialect), true, dialect.name);
      texts.add(c.text);
      params.push(c.params);
    }
    assert.deepEqual([...texts], [
      dialect.name === "sqlite"
        ? 'SELECT * FROM "items" WHERE id = ? AND name = ?'
        : 'SELECT * FROM "items" WHERE id = $1 AND name = $2',
    ]);
    assert.deepEqual(params, [[0, "n0"], [1, "n1"], [2, "n2"], [3, "n3"], [4, "n4"]]);
    // The table rendered once: the later compiles reused the cached text.
    assert.equal(items.renders, 1, dialect.name);
  }
});

Deno.test("compile cache: one call site, different nested SQL, never stale text", () => {
  const pick = (v: unknown) => sql`SELECT ${v} AS v`;
  const cases: [unknown, string, string, unknown[]][] = [
    [1, "SELECT ? AS v", "SELECT $1 AS v", [1]],
    [sql.id("a"), 'SELECT "a" AS v', 'SELECT "a" AS v', []],
    [sql.id("b"), 'SELECT "b" AS v', 'SELECT "b" AS v', []],
    [sql`now()`, "SELECT now() AS v", "SELECT now() AS v", []],
    [sql`lower(${"X"})`, "SELECT lower(?) AS v", "SELECT lower($1) AS v", ["X"]],
    [sql`upper(${"Y"})`, "SELECT upper(?) AS v", "SELECT upper($1) AS v", ["Y"]],
    [sql.list([1, 2]), "SELECT (?, ?) AS v", "SELECT ($1, $2) AS v", [1, 2]],
    [sql.list([3]), "SELECT (?) AS v", "SELECT ($1) AS v", [3]],
    [sql.param(7), "SELECT ? AS v", "SELECT $1 AS v", [7]],
    ["two", "SELECT ? AS v", "SELECT $1 AS v", ["two"]],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [value, lite, pg, params] of cases) {
      assert.deepEqual(compile(pick(value), sqliteDialect), { text: lite, params });
      assert.deepEqual(compile(pick(value), postgresDialect), { text: pg, params });
    }
  }
});

Deno.test("compile cache: lists of any length at one call site", () => {
  const q = (ids: number[]) => sql`SELECT * FROM t WHERE id IN ${sql.list(ids)} AND x = ${0}`;
  for (const n of [3, 0, 1, 3, 0, 2]) {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    const marks = ids.map(() => "?").join(", ");
    const dollars = ids.map((i) => `$${i}`).join(", ");
    assert.deepEqual(compile(q(ids), sqliteDialect), {
      text: `SELECT * FROM t WHERE id IN (${marks}) AND x = ?`,
      params: [...ids, 0],
    });
    assert.deepEqual(compile(q(ids), postgresDialect), {
      text: n === 0
        ? "SELECT * FROM t WHERE id = ANY('{}') AND x = $1"
        : `SELECT * FROM t WHERE id IN (${dollars}) AND x = $${n + 1}`,
      params: [...ids, 0],
    });
  }
});

Deno.test("a class with a static [toSql] interpolates as SQL, as a mapped model does", () => {
  class Users {
    static [toSql](): Fragment {
      return sql`${sql.id("users")}`;
    }
  }
  class Posts {
    static [toSql](): Fragment {
      return sql`${sql.id("posts")}`;
    }
  }
  const from = (t: unknown) => sql`SELECT * FROM ${t} WHERE id = ${1}`;
  for (let round = 0; round < 2; round++) {
    for (const [table, name] of [[Users, "users"], [Posts, "posts"], [2, "?"]] as const) {
      const pg = compile(from(table), postgresDialect);
      const lite = compile(from(table), sqliteDialect);
      if (name === "?") {
        assert.deepEqual(pg, { text: "SELECT * FROM $1 WHERE id = $2", params: [2, 1] });
        assert.deepEqual(lite, { text: "SELECT * FROM ? WHERE id = ?", params: [2, 1] });
      } else {
        assert.deepEqual(pg, { text: `SELECT * FROM "${name}" WHERE id = $1`, params: [1] });
        assert.deepEqual(lite, { text: `SELECT * FROM "${name}" WHERE id = ?`, params: [1] });
      }
    }
  }
  assert.deepEqual(
    compile(sql`${sql.join([Users, Posts])}`, sqliteDialect).text,
    '"users", "posts"',
  );
  assert.equal(compile(sql`x IN ${sql.list([Users])}`, sqliteDialect).text, 'x IN ("users")');
  // A function without [toSql] is still refused.
  assert.throws(() => from(class Plain {}), ArgumentError);
  assert.throws(() => sql.join([() => 1]), ArgumentError);
});

Deno.test("compile: placeholders stay numbered in order across a thousand parameters", () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const q = sql`SELECT ${sql.join(values.map((v) => sql`(${v})`))} ${sql.list(["a", "b"])}`;
  const pg = compile(q, postgresDialect);
  assert.deepEqual(pg.params, [...values, "a", "b"]);
  assert.equal(pg.text, `SELECT ${values.map((i) => `($${i + 1})`).join(", ")} ($1001, $1002)`);
  const lite = compile(q, sqliteDialect);
  assert.equal(lite.text.split("?").length - 1, 1002);
});

Deno.test("compile: SQL that contains itself is an ArgumentError, not a stack overflow", () => {
  const loop: SqlSource = { [toSql]: () => sql`(${loop})` };
  assert.throws(() => compile(sql`SELECT ${loop}`, sqliteDialect), /nests deeper than/);
  let deep: Fragment = sql`${1}`;
  for (let i = 0; i < 200; i++) deep = sql`(${deep})`;
  assert.equal(compile(deep, postgresDialect).text, "(".repeat(200) + "$1" + ")".repeat(200));
});

Deno.test("compile: a source that is not SQL is an ArgumentError", () => {
  assert.throws(() => compile("SELECT 1" as never, sqliteDialect), ArgumentError);
  assert.throws(() => compile({} as never, postgresDialect), ArgumentError);
});

dbTest("a cached statement runs with each iteration's parameters", async (db) => {
  const texts: string[] = [];
  const engine = db.engine({ echo: (e) => texts.push(e.text) });
  const table = sql.id(`compile_cache_${crypto.randomUUID().slice(0, 8)}`);
  await engine.run(sql`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, label TEXT)`);
  try {
    texts.length = 0;
    for (let i = 1; i <= 5; i++) {
      await engine.run(sql`INSERT INTO ${table} (id, label) VALUES (${i}, ${`label ${i}`})`);
    }
    assert.equal(new Set(texts).size, 1);
    assert.equal(texts.length, 5);
    const labels = [];
    for (let i = 1; i <= 5; i++) {
      labels.push(await engine.scalar(sql`SELECT label FROM ${table} WHERE id = ${i}`));
    }
    assert.deepEqual(labels, ["label 1", "label 2", "label 3", "label 4", "label 5"]);
    const ids = Array.from({ length: 500 }, (_, i) => i + 1);
    assert.equal(
      await engine.scalar(sql`SELECT count(*) AS n FROM ${table} WHERE id IN ${sql.list(ids)}`),
      5,
    );
  } finally {
    await engine.run(sql`DROP TABLE ${table}`);
  }
});

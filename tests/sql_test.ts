/**
 * The `sql` tag and its helpers: the text and parameters each compiles to, per dialect, then
 * the statement run on every database; hostile strings and identifiers; misuse refused before
 * anything is sent.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  compile,
  Fragment,
  Identifier,
  List,
  Param,
  postgresDialect,
  sql,
  sqliteDialect,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

/** Asserts what a fragment compiles to on each dialect. */
function expectSql(
  q: Fragment,
  texts: { sqlite: string; postgres: string },
  params: unknown[],
): void {
  assert.deepEqual(compile(q, sqliteDialect), { text: texts.sqlite, params });
  assert.deepEqual(compile(q, postgresDialect), { text: texts.postgres, params });
}

// ---------------------------------------------------------------------------------------------
// Compiled text and parameters

Deno.test("sql: values are bound as ? on SQLite and $n on PostgreSQL, never written as text", () => {
  const name = "x'); DROP TABLE t; --";
  expectSql(
    sql`SELECT * FROM t WHERE a = ${1} AND b = ${name} OR c IS ${null}`,
    {
      sqlite: "SELECT * FROM t WHERE a = ? AND b = ? OR c IS ?",
      postgres: "SELECT * FROM t WHERE a = $1 AND b = $2 OR c IS $3",
    },
    [1, name, null],
  );
  expectSql(sql`SELECT 1`, { sqlite: "SELECT 1", postgres: "SELECT 1" }, []);
});

Deno.test("sql: fragments nest, and placeholders are numbered across the nesting", () => {
  const adult = sql`age >= ${18}`;
  const named = sql`name = ${"ada"}`;
  const where = sql`${adult} AND (${named} OR ${sql`id = ${7}`})`;
  expectSql(
    sql`SELECT ${sql.id("id")} FROM people WHERE ${where} LIMIT ${10}`,
    {
      sqlite: 'SELECT "id" FROM people WHERE age >= ? AND (name = ? OR id = ?) LIMIT ?',
      postgres: 'SELECT "id" FROM people WHERE age >= $1 AND (name = $2 OR id = $3) LIMIT $4',
    },
    [18, "ada", 7, 10],
  );
  // The same fragment used twice binds its value twice.
  expectSql(
    sql`${adult} OR ${adult}`,
    { sqlite: "age >= ? OR age >= ?", postgres: "age >= $1 OR age >= $2" },
    [18, 18],
  );
  assert.ok(where instanceof Fragment);
  assert.equal(where.strings.length, where.values.length + 1);
});

Deno.test("sql.id: quotes each part, doubles embedded quotes, refuses empty names and NUL", () => {
  expectSql(sql`${sql.id("users")}`, { sqlite: '"users"', postgres: '"users"' }, []);
  expectSql(
    sql`${sql.id("public", "users")}`,
    { sqlite: '"public"."users"', postgres: '"public"."users"' },
    [],
  );
  expectSql(
    sql`${sql.id('we"ird', 'ta""ble')}`,
    { sqlite: '"we""ird"."ta""""ble"', postgres: '"we""ird"."ta""""ble"' },
    [],
  );
  // A dot inside one name is part of the name, not a qualifier.
  expectSql(sql`${sql.id("a.b")}`, { sqlite: '"a.b"', postgres: '"a.b"' }, []);
  assert.ok(sql.id("x") instanceof Identifier);
  assert.deepEqual(sql.id("s", "t").names, ["s", "t"]);

  assert.throws(() => sql.id(), ArgumentError);
  assert.throws(() => sql.id(""), /cannot be empty/);
  assert.throws(() => sql.id("public", ""), ArgumentError);
  assert.throws(() => sql.id("a\0b"), /NUL/);
  assert.throws(() => sql.id(42 as never), ArgumentError);
  assert.throws(() => sql.id("\uD800x"), /surrogate/);
});

Deno.test("sql.id: PostgreSQL's 63-byte limit is an error, not a silent truncation", () => {
  const ok = sql`${sql.id("a".repeat(63))}`;
  assert.equal(compile(ok, postgresDialect).text, `"${"a".repeat(63)}"`);
  const long = sql`${sql.id("a".repeat(64))}`;
  assert.throws(() => compile(long, postgresDialect), /64 bytes long/);
  assert.equal(compile(long, sqliteDialect).text, `"${"a".repeat(64)}"`);
  // The limit counts UTF-8 bytes: 32 two-byte letters are 64 bytes.
  assert.throws(() => compile(sql`${sql.id("é".repeat(32))}`, postgresDialect), ArgumentError);
  assert.equal(compile(sql`${sql.id("é".repeat(31))}`, postgresDialect).text.length, 33);
});

Deno.test("sql.list: a parenthesised list of parameters; an empty list is still valid SQL", () => {
  expectSql(
    sql`x IN ${sql.list([1, "two", null])}`,
    { sqlite: "x IN (?, ?, ?)", postgres: "x IN ($1, $2, $3)" },
    [1, "two", null],
  );
  expectSql(
    sql`x IN ${sql.list([sql`lower(${"A"})`, 2])} AND y = ${3}`,
    { sqlite: "x IN (lower(?), ?) AND y = ?", postgres: "x IN (lower($1), $2) AND y = $3" },
    ["A", 2, 3],
  );
  expectSql(sql`x IN ${sql.list([])}`, { sqlite: "x IN ()", postgres: "x = ANY('{}')" }, []);
  expectSql(
    sql`x NOT IN ${sql.list([])}`,
    { sqlite: "x NOT IN ()", postgres: "x <> ALL('{}')" },
    [],
  );
  expectSql(
    sql`x not\n  in ${sql.list([])} AND y = ${1}`,
    { sqlite: "x not\n  in () AND y = ?", postgres: "x <> ALL('{}') AND y = $1" },
    [1],
  );
  assert.ok(sql.list([1]) instanceof List);
  assert.throws(() => sql.list("abc" as never), ArgumentError);
  // The list copies its items: changing the array later changes nothing.
  const ids = [1, 2];
  const q = sql`x IN ${sql.list(ids)}`;
  ids.push(3);
  assert.deepEqual(compile(q, sqliteDialect).params, [1, 2]);
});

Deno.test("sql.join: joins parts with a separator fragment, a comma by default", () => {
  expectSql(
    sql.join([sql`a = ${1}`, sql`b = ${2}`], sql` AND `),
    { sqlite: "a = ? AND b = ?", postgres: "a = $1 AND b = $2" },
    [1, 2],
  );
  expectSql(
    sql`SELECT ${sql.join([1, "two", sql.id("c")])}`,
    { sqlite: 'SELECT ?, ?, "c"', postgres: 'SELECT $1, $2, "c"' },
    [1, "two"],
  );
  expectSql(sql`SELECT 1${sql.join([])}`, { sqlite: "SELECT 1", postgres: "SELECT 1" }, []);
  assert.throws(() => sql.join([sql`a`], " AND " as never), /separator must be a fragment/);
});

Deno.test("sql.set: quoted columns assigned bound values", () => {
  expectSql(
    sql`UPDATE t SET ${sql.set({ name: "ada", 'we"ird': 2, at: sql`CURRENT_TIMESTAMP` })}`,
    {
      sqlite: 'UPDATE t SET "name" = ?, "we""ird" = ?, "at" = CURRENT_TIMESTAMP',
      postgres: 'UPDATE t SET "name" = $1, "we""ird" = $2, "at" = CURRENT_TIMESTAMP',
    },
    ["ada", 2],
  );
  assert.throws(() => sql.set({}), /at least one column/);
  assert.throws(() => sql.set(null as never), ArgumentError);
  assert.throws(() => sql.set({ a: undefined }), /pass null/);
});

Deno.test("sql.values: a multi-row VALUES list, in the first row's column order", () => {
  expectSql(
    sql`INSERT INTO t ${sql.values([{ a: 1, b: "x" }, { b: null, a: 2 }])}`,
    {
      sqlite: 'INSERT INTO t ("a", "b") VALUES (?, ?), (?, ?)',
      postgres: 'INSERT INTO t ("a", "b") VALUES ($1, $2), ($3, $4)',
    },
    [1, "x", 2, null],
  );
  assert.throws(() => sql.values([]), /non-empty/);
  assert.throws(() => sql.values([{}]), /at least one column/);
  assert.throws(() => sql.values([{ a: 1 }, { b: 2 }]), /same columns/);
  assert.throws(() => sql.values([{ a: 1 }, { a: 2, b: 3 }]), /same columns/);
});

Deno.test("sql.unsafe, sql.param, sql.json and sql.empty", () => {
  expectSql(
    sql`SELECT ${sql.unsafe("1 + 1")} AS two, ${sql.param(5)} AS five`,
    { sqlite: "SELECT 1 + 1 AS two, ? AS five", postgres: "SELECT 1 + 1 AS two, $1 AS five" },
    [5],
  );
  assert.throws(() => sql.unsafe(42 as never), ArgumentError);
  assert.ok(sql.param(1) instanceof Param);
  assert.throws(() => sql.param(undefined), ArgumentError);
  assert.throws(() => sql.param({ a: 1 }), /sql\.json/);

  const json = sql.json({ a: [1, "x"], b: null });
  assert.ok(json instanceof Param);
  expectSql(sql`SELECT ${json}`, { sqlite: "SELECT ?", postgres: "SELECT $1" }, [
    '{"a":[1,"x"],"b":null}',
  ]);
  assert.throws(() => sql.json(undefined), ArgumentError);
  assert.throws(() => sql.json(() => 1), ArgumentError);
  assert.throws(() => sql.json({ n: 1n }), ArgumentError);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => sql.json(cycle), ArgumentError);

  expectSql(sql`SELECT 1${sql.empty}`, { sqlite: "SELECT 1", postgres: "SELECT 1" }, []);
});

Deno.test("sql: an array bound as a parameter is copied when the fragment is built", () => {
  const ids = [1, 2];
  const q = sql`SELECT ${ids}`;
  ids.push(3);
  assert.deepEqual(compile(q, sqliteDialect).params, [[1, 2]]);
});

// ---------------------------------------------------------------------------------------------
// Misuse: an ArgumentError, and nothing sent

class Point {
  readonly x: number;
  constructor(x: number) {
    this.x = x;
  }
}

const MISUSE: [string, () => unknown][] = [
  ['sql("...") untagged', () => (sql as unknown as (s: string) => Fragment)("SELECT 1")],
  ['sql(["..."]) untagged', () => (sql as unknown as (s: string[]) => Fragment)(["SELECT 1"])],
  ["a raw string as a query", () => "SELECT 1"],
  ["undefined", () => sql`SELECT ${undefined}`],
  ["a function", () => sql`SELECT ${function f() {}}`],
  ["an arrow function", () => sql`SELECT ${() => 1}`],
  ["a class", () => sql`SELECT ${Point}`],
  ["a symbol", () => sql`SELECT ${Symbol("s")}`],
  ["a plain object", () => sql`SELECT ${{ a: 1 }}`],
  ["a null-prototype object", () => sql`SELECT ${Object.create(null)}`],
  ["a class instance", () => sql`SELECT ${new Point(1)}`],
  ["a Map", () => sql`SELECT ${new Map()}`],
  ["a boxed string", () => sql`SELECT ${new String("x")}`],
  ["an Int32Array", () => sql`SELECT ${new Int32Array(2)}`],
  ["an ArrayBuffer", () => sql`SELECT ${new ArrayBuffer(2)}`],
  ["a Proxy", () => sql`SELECT ${new Proxy({}, {})}`],
  ["a Proxy of a class instance", () => sql`SELECT ${new Proxy(new Point(1), {})}`],
  ["a Proxy of a Date", () => sql`SELECT ${new Proxy(new Date(0), {})}`],
  [
    "a Proxy whose traps throw",
    () =>
      sql`SELECT ${new Proxy({}, {
        get() {
          throw new Error("trap");
        },
      })}`,
  ],
  ["a revoked Proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return sql`SELECT ${proxy}`;
  }],
  ["a lone high surrogate", () => sql`SELECT ${"abc\uD83D"}`],
  ["a lone low surrogate", () => sql`SELECT ${"\uDE00abc"}`],
  ["a lone surrogate in an array", () => sql`SELECT ${["ok", "\uD800"]}`],
  ["an invalid Date", () => sql`SELECT ${new Date("not a date")}`],
  ["a fake Date", () => sql`SELECT ${Object.create(Date.prototype)}`],
  ["an object in an array", () => sql`SELECT ${[1, { a: 1 }]}`],
  ["undefined in an array", () => sql`SELECT ${[1, undefined]}`],
  ["undefined in sql.list", () => sql`SELECT 1 WHERE 1 IN ${sql.list([1, undefined])}`],
  ["an object in sql.set", () => sql`UPDATE t SET ${sql.set({ a: {} })}`],
  ["a function in sql.values", () => sql`INSERT INTO t ${sql.values([{ a: () => 1 }])}`],
  ["undefined in sql.join", () => sql`SELECT ${sql.join([1, undefined])}`],
  ["a bigint in sql.json", () => sql`SELECT ${sql.json({ n: 1n })}`],
  ["a Proxy in sql.param", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return sql`SELECT ${sql.param(proxy)}`;
  }],
];

scopedTest("misuse is an ArgumentError raised before anything is sent", async ({ open }) => {
  const sent: string[] = [];
  const engine = open({ echo: (e) => sent.push(e.text) });
  for (const [what, build] of MISUSE) {
    await assert.rejects(
      async () => await engine.all(build() as Fragment),
      ArgumentError,
      `${what} should be an ArgumentError`,
    );
    await assert.rejects(async () => {
      await using conn = await engine.connect();
      await conn.run(build() as Fragment);
    }, ArgumentError);
  }
  assert.deepEqual(sent, [], "no statement reached the database");
  assert.equal(await engine.scalar(sql`SELECT 1 AS one`), 1);
  assert.equal(sent.length, 1);
});

Deno.test("misuse messages name the mistake and the fix", () => {
  assert.throws(
    () => (sql as unknown as (s: string) => Fragment)("SELECT 1"),
    /tagged template.*sql\.unsafe/s,
  );
  assert.throws(() => sql`SELECT ${undefined}`, /Value 1 .* undefined.*pass null/);
  assert.throws(() => sql`SELECT ${1}, ${{ a: 1 }}`, /Value 2 .* plain object.*sql\.json/);
  assert.throws(() => sql`SELECT ${new Point(1)}`, /instance of Point/);
  assert.throws(() => sql`SELECT ${"\uD800"}`, /lone UTF-16 surrogate/);
  assert.throws(() => sql`SELECT ${new Date(NaN)}`, /invalid Date/);
  assert.throws(() => sql`SELECT ${Symbol("s")}`, /symbol/);
});

// ---------------------------------------------------------------------------------------------
// Run on every database

const PEOPLE = sql`CREATE TABLE people (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, email TEXT
)`;

scopedTest("fragments, sql.values, sql.set, sql.join and sql.list run", async ({ db, open }) => {
  const engine = open();
  await engine.run(PEOPLE);
  const insert = sql`INSERT INTO ${sql.id("people")} ${
    sql.values([
      { id: 1, name: "ada", age: 36, email: null },
      { id: 2, name: "grace", age: 45, email: "grace@example.com" },
      { id: 3, name: "linus", age: 21, email: null },
    ])
  }`;
  const c = compile(insert, engine.dialect);
  assert.equal(
    c.text,
    db.dialect === "sqlite"
      ? 'INSERT INTO "people" ("id", "name", "age", "email") VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)'
      : 'INSERT INTO "people" ("id", "name", "age", "email") VALUES ($1, $2, $3, $4), ($5, $6, $7, $8), ($9, $10, $11, $12)',
  );
  assert.deepEqual(c.params, [
    1,
    "ada",
    36,
    null,
    2,
    "grace",
    45,
    "grace@example.com",
    3,
    "linus",
    21,
    null,
  ]);
  assert.equal((await engine.run(insert)).rowsAffected, 3);

  const older = sql`${sql.id("people", "age")} > ${30}`;
  const some = sql`${sql.id("name")} IN ${sql.list(["ada", "grace", "nobody"])}`;
  const query = sql`SELECT ${sql.join([sql.id("id"), sql.id("name")])} FROM people
    WHERE ${sql.join([older, some], sql` AND `)} ORDER BY id`;
  const q = compile(query, engine.dialect);
  assert.deepEqual(q.params, [30, "ada", "grace", "nobody"]);
  assert.match(
    q.text,
    db.dialect === "sqlite"
      ? /^SELECT "id", "name" FROM people\s+WHERE "people"\."age" > \? AND "name" IN \(\?, \?, \?\) ORDER BY id$/
      : /^SELECT "id", "name" FROM people\s+WHERE "people"\."age" > \$1 AND "name" IN \(\$2, \$3, \$4\) ORDER BY id$/,
  );
  assert.deepEqual(await engine.all(query), [{ id: 1, name: "ada" }, { id: 2, name: "grace" }]);

  const update = sql`UPDATE people SET ${sql.set({ email: "ada@example.com", age: 37 })}
    WHERE id = ${1}`;
  assert.deepEqual(compile(update, engine.dialect).params, ["ada@example.com", 37, 1]);
  assert.equal((await engine.run(update)).rowsAffected, 1);
  assert.deepEqual(
    await engine.one(sql`SELECT email, age FROM people WHERE id = ${1}`),
    { email: "ada@example.com", age: 37 },
  );
});

scopedTest("an empty sql.list gives IN nothing and NOT IN everything", async ({ db, open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT)`);
  await engine.run(
    sql`INSERT INTO items ${sql.values([{ id: 1, label: "a" }, { id: 2, label: null }])}`,
  );
  const none = sql`SELECT count(*) AS n FROM items WHERE id IN ${sql.list([])}`;
  const all = sql`SELECT count(*) AS n FROM items WHERE id NOT IN ${sql.list([])}`;
  const noLabel = sql`SELECT count(*) AS n FROM items WHERE label in ${sql.list([])}`;
  const allLabels = sql`SELECT count(*) AS n FROM items WHERE label NOT IN ${sql.list([])}`;
  if (db.dialect === "postgres") {
    assert.match(compile(none, engine.dialect).text, /WHERE id = ANY\('\{\}'\)$/);
    assert.match(compile(all, engine.dialect).text, /WHERE id <> ALL\('\{\}'\)$/);
  } else {
    assert.match(compile(none, engine.dialect).text, /WHERE id IN \(\)$/);
  }
  assert.equal(await engine.scalar(none), 0);
  assert.equal(await engine.scalar(all), 2);
  assert.equal(await engine.scalar(noLabel), 0);
  // NULL NOT IN (nothing) is true on both databases.
  assert.equal(await engine.scalar(allLabels), 2);
  const mixed = sql`SELECT id FROM items WHERE id IN ${sql.list([])} OR id IN ${
    sql.list([2, 3])
  } ORDER BY id`;
  assert.deepEqual(await engine.all(mixed), [{ id: 2 }]);
});

scopedTest("sql.id with a schema qualifies the table", async ({ db, open }) => {
  const engine = open();
  const schema = db.dialect === "sqlite"
    ? "main"
    : await engine.scalar<string>(sql`SELECT current_schema() AS s`);
  const t = sql.id(schema, "qualified");
  assert.equal(
    compile(sql`SELECT * FROM ${t}`, engine.dialect).text,
    `SELECT * FROM "${schema}"."qualified"`,
  );
  await engine.run(sql`CREATE TABLE ${t} (id INTEGER PRIMARY KEY)`);
  await engine.run(sql`INSERT INTO ${t} (id) VALUES (${41}), (${42})`);
  assert.equal(await engine.scalar(sql`SELECT max(id) AS m FROM ${t}`), 42);
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM qualified`), 2);
});

scopedTest("sql.unsafe, sql.param and sql.json run", async ({ db, open }) => {
  const engine = open();
  assert.equal(await engine.scalar(sql`SELECT ${sql.unsafe("6 * 7")} AS v`), 42);
  const doc = { name: 'O\'Brien "quoted" \\ 😀', tags: ["a", "b"], n: 1.5, ok: true, none: null };
  if (db.dialect === "sqlite") {
    await engine.run(sql`CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)`);
    assert.equal(
      await engine.scalar(sql`SELECT json_extract(${sql.json(doc)}, '$.tags[1]') AS v`),
      "b",
    );
  } else {
    await engine.run(sql`CREATE TABLE docs (id INTEGER PRIMARY KEY, body JSONB)`);
    assert.equal(
      await engine.scalar(sql`SELECT (${sql.json(doc)}::jsonb -> 'tags' ->> 1) AS v`),
      "b",
    );
  }
  await engine.run(sql`INSERT INTO docs (id, body) VALUES (${sql.param(1)}, ${sql.json(doc)})`);
  const body = await engine.scalar(sql`SELECT body FROM docs WHERE id = ${sql.param(1)}`);
  // SQLite keeps JSON as text; postgres.js parses jsonb.
  assert.deepEqual(db.dialect === "sqlite" ? JSON.parse(body as string) : body, doc);
});

// ---------------------------------------------------------------------------------------------
// Hostile input

const HOSTILE = [
  "'",
  "''",
  "it's",
  '"',
  '"; DROP TABLE notes; --',
  "'); DROP TABLE notes; --",
  "\\",
  "\\'",
  "\\\\'",
  "?",
  "??",
  "$1",
  "$2::text",
  "$$ dollar $$",
  "-- comment",
  "/* open",
  "*/ close",
  "%_ like wildcards",
  ":name @name",
  "line\nbreak\r\ttab",
  "\u2028\u2029",
  "é, ñ, 日本語",
  "😀 𝄞 \u{10FFFF}",
  "e\u0301 (combining)",
  "\u00a0\ufeff",
  "",
  " ",
];

scopedTest("hostile strings round-trip byte for byte", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
  await engine.run(sql`CREATE TABLE bystander (id INTEGER PRIMARY KEY)`);
  await engine.run(sql`INSERT INTO bystander (id) VALUES (${1})`);
  const utf8 = (s: string) => new TextEncoder().encode(s);
  for (const [i, s] of HOSTILE.entries()) {
    await engine.run(sql`INSERT INTO notes (id, body) VALUES (${i}, ${s})`);
    const direct = await engine.scalar<string>(sql`SELECT ${s} AS v`);
    assert.deepEqual(utf8(direct), utf8(s), `SELECT of ${JSON.stringify(s)}`);
  }
  const rows = await engine.all<{ id: number; body: string }>(
    sql`SELECT id, body FROM notes ORDER BY id`,
  );
  assert.equal(rows.length, HOSTILE.length);
  for (const row of rows) assert.deepEqual(utf8(row.body), utf8(HOSTILE[row.id]));
  for (const [i, s] of HOSTILE.entries()) {
    const found = await engine.all(sql`SELECT id FROM notes WHERE body = ${s}`);
    assert.deepEqual(found, [{ id: i }], `WHERE body = ${JSON.stringify(s)}`);
  }
  const many = await engine.scalar(
    sql`SELECT count(*) AS n FROM notes WHERE body IN ${sql.list(HOSTILE)}`,
  );
  assert.equal(many, HOSTILE.length);
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM bystander`), 1);
});

scopedTest(
  "a hostile identifier names exactly one table and harms no other",
  async ({ db, open }) => {
    const engine = open();
    const evil = 'evil"; DROP TABLE victims; --';
    const column = `col'"; DELETE FROM victims; /*`;
    await engine.run(sql`CREATE TABLE victims (id INTEGER PRIMARY KEY)`);
    await engine.run(sql`INSERT INTO victims (id) VALUES (${1}), (${2})`);
    const create = sql`CREATE TABLE ${sql.id(evil)} (${sql.id(column)} TEXT)`;
    assert.equal(
      compile(create, engine.dialect).text,
      'CREATE TABLE "evil""; DROP TABLE victims; --" ("col\'""; DELETE FROM victims; /*" TEXT)',
    );
    await engine.run(create);
    await engine.run(sql`INSERT INTO ${sql.id(evil)} ${sql.values([{ [column]: "x" }])}`);
    await engine.run(sql`UPDATE ${sql.id(evil)} SET ${sql.set({ [column]: "y" })}`);

    const tables = db.dialect === "sqlite"
      ? sql`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
      : sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()
        ORDER BY tablename`;
    const names = (await engine.all<{ name: string }>(tables)).map((r) => r.name);
    assert.deepEqual(names.toSorted(), [evil, "victims"].toSorted());
    assert.deepEqual(await engine.all(sql`SELECT * FROM ${sql.id(evil)}`), [{ [column]: "y" }]);
    assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM victims`), 2);
  },
);

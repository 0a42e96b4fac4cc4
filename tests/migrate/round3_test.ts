/**
 * Generated columns through SQLite's rebuild, `pull` and the diff (a new expression is a
 * migration, up and down, keeping the index on the column); timestamp ↔ timestamptz changes
 * that keep every instant whatever the session's TimeZone; a rebuild that keeps what the
 * CREATE TABLE text says (collations, STRICT, WITHOUT ROWID, DESC indexes, DEFERRABLE foreign
 * keys, constraint names) or refuses, changing nothing, where it cannot; a column rename that
 * leaves the checks mentioning it alone.
 */
import assert from "node:assert/strict";
import {
  column,
  constraint,
  createEngine,
  type Engine,
  insert,
  Model,
  select,
  sql,
  table,
} from "../../mod.ts";
import {
  check,
  checkSchema,
  directorySource,
  down,
  generate,
  MigrationError,
  pull,
  reflect,
  status,
  up,
} from "../../migrate.ts";
import { parseCreateTable } from "../../dialects/sqlite/migrate/parse.ts";
import { scopedTest } from "../_db.ts";
import { chain, loadPulled, migrationFiles, withDir } from "./_support.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

const files = migrationFiles(new Date(Date.UTC(2026, 11, 3, 12)));
const load = loadPulled;

const rows = (engine: Engine, text: string) => engine.all(sql.unsafe(text));
const tableSql = (engine: Engine, name: string) =>
  engine.scalar<string>(sql`SELECT sql FROM sqlite_master WHERE name = ${name}`);

// Generated columns ---------------------------------------------------------------------

const item = (nullablePrice: boolean) =>
  class Item extends Model("items", {
    id: column.integer().primaryKey(),
    price: nullablePrice ? column.integer().nullable() : column.integer(),
    doubled: column.integer().generatedAs(sql`price * 2`),
  }) {};

scopedTest("migrate: a table with a generated column is changed, up and down", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    await generate(engine, [item(false)], files(dir, "init"));
    await up(engine, { migrations });
    await engine.run(sql`INSERT INTO items (price) VALUES (1), (2)`);
    const g = await generate(engine, [item(true)], files(dir, "nullable"));
    assert.deepEqual(g.changes.map((c) => c.op.kind), ["alterColumn"]);
    await up(engine, { migrations }); // SQLite rebuilds items
    assert.deepEqual(await rows(engine, "SELECT id, price, doubled FROM items ORDER BY id"), [
      { id: 1, price: 1, doubled: 2 },
      { id: 2, price: 2, doubled: 4 },
    ]);
    assert.deepEqual((await checkSchema(engine, [item(true)])).differences, []);
    await down(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [item(false)])).differences, []);
    assert.equal(await engine.scalar(sql`SELECT sum(doubled) FROM items`), 6);
  });
});

Deno.test("migrate [sqlite]: a rebuild computes STORED and VIRTUAL columns again", async () => {
  await using engine = createEngine("sqlite::memory:");
  await engine.run(sql.unsafe(
    `CREATE TABLE g (id INTEGER PRIMARY KEY, price INTEGER NOT NULL,
      twice INTEGER AS (price * 2) VIRTUAL,
      thrice INTEGER GENERATED ALWAYS AS (price * 3) STORED)`,
  ));
  await engine.run(sql`INSERT INTO g (price) VALUES (1), (2)`);
  const [g] = (await reflect(engine)).tables;
  assert.deepEqual(g.columns.slice(2).map((c) => [c.name, c.computed, c.virtual]), [
    ["twice", "price * 2", true],
    ["thrice", "price * 3", undefined],
  ]);
  const migrations = chain([{
    id: "001_relax",
    up: ({ op }) => [op.alterColumn("g", "price", { nullable: true })],
    down: ({ op }) => [op.alterColumn("g", "price", { nullable: false })],
  }]);
  await up(engine, { migrations });
  const text = await tableSql(engine, "g");
  assert.match(text, /"twice" INTEGER GENERATED ALWAYS AS \(price \* 2\) VIRTUAL/);
  assert.match(text, /"thrice" INTEGER GENERATED ALWAYS AS \(price \* 3\) STORED/);
  assert.deepEqual(await rows(engine, "SELECT price, twice, thrice FROM g ORDER BY id"), [
    { price: 1, twice: 2, thrice: 3 },
    { price: 2, twice: 4, thrice: 6 },
  ]);
  await down(engine, { migrations });
  assert.match(await tableSql(engine, "g"), /"price" INTEGER NOT NULL/);
  assert.equal(await engine.scalar(sql`SELECT sum(thrice) FROM g`), 9);
});

class Priced extends Model("priced", {
  id: column.integer().primaryKey(),
  price: column.integer(),
  qty: column.integer().nullable(),
  doubled: column.integer().generatedAs(sql`price * 2`),
  total: column.integer().nullable().generatedAs(sql`price * 2 + qty`),
}) {}

scopedTest("migrate: pull writes generated columns; pull then check is empty", async ({ open }) => {
  const engine = open();
  await engine.createAll([Priced]);
  const database = await reflect(engine);
  const total = database.tables[0].columns.find((c) => c.name === "total")!;
  assert.match(total.computed!, /price \* 2\)? \+ qty/);
  const { source, warnings } = await pull(engine, { importFrom: MOD });
  assert.deepEqual(warnings, []);
  assert.match(source, /doubled: column\.integer\(\)\.generatedAs\(sql`price \* 2`\)/);
  assert.match(source, /total: column\.integer\(\)\.nullable\(\)\.generatedAs\(sql`/);
  const models = await load(source);
  assert.deepEqual((await checkSchema(engine, models)).differences, []);
});

const calc = (factor: number) =>
  class Calc extends Model("calc", {
    id: column.integer().primaryKey(),
    price: column.integer(),
    calc: column.integer().generatedAs(sql.unsafe(`price * ${factor} + 1`)).index(),
  }) {};

scopedTest("migrate: a generated column's new expression is a migration", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    await generate(engine, [calc(2)], files(dir, "init"));
    await up(engine, { migrations });
    await engine.run(sql`INSERT INTO calc (price) VALUES (5)`);
    assert.deepEqual((await checkSchema(engine, [calc(2)])).differences, []);
    const drift = await checkSchema(engine, [calc(3)]);
    assert.equal(drift.differences.length, 1);
    assert.match(drift.differences[0], /^alter column calc\.calc: AS \(\(?price \* 3\)? \+ 1\)$/);
    const g = await generate(engine, [calc(3)], files(dir, "times_three"));
    assert.deepEqual(g.changes.map((c) => c.op.kind), ["alterColumn"]);
    assert.match(g.text!, /op\.alterColumn\("calc", "calc", \{ computed: /);
    await up(engine, { migrations });
    assert.equal(await engine.scalar(sql`SELECT calc FROM calc`), 16);
    assert.deepEqual((await checkSchema(engine, [calc(3)])).differences, []); // index kept
    await down(engine, { migrations });
    assert.equal(await engine.scalar(sql`SELECT calc FROM calc`), 11);
    assert.deepEqual((await checkSchema(engine, [calc(2)])).differences, []);
  });
});

scopedTest("migrate: a column that becomes generated keeps its index", async ({ open }) => {
  const engine = open();
  const v1 = Model("totals", {
    id: column.integer().primaryKey(),
    price: column.integer(),
    total: column.integer().index(),
  });
  const v2 = Model("totals", {
    id: column.integer().primaryKey(),
    price: column.integer(),
    total: column.integer().generatedAs(sql`price * 2`).index(),
  });
  await withDir(async (dir) => {
    await generate(engine, [v1], files(dir, "init"));
    await up(engine, { migrations: directorySource(dir) });
    await engine.run(sql`INSERT INTO totals (price, total) VALUES (2, 99)`);
    const g = await generate(engine, [v2], { ...files(dir, "gen"), allowDestructive: true });
    assert.deepEqual(g.changes.map((c) => c.op.kind), [
      "dropIndex",
      "dropColumn",
      "addColumn",
      "createIndex",
    ]);
    await up(engine, { migrations: directorySource(dir) });
    assert.equal(await engine.scalar(sql`SELECT total FROM totals`), 4);
    assert.deepEqual((await checkSchema(engine, [v2])).differences, []);
  });
});

scopedTest(
  "migrate: computed: null makes a generated column plain, keeping its values",
  async ({ open }) => {
    const engine = open();
    await engine.createAll([calc(2)]);
    await engine.run(sql`INSERT INTO calc (price) VALUES (5)`);
    await up(engine, {
      migrations: chain([{
        id: "001_plain",
        up: ({ op }) => [op.alterColumn("calc", "calc", { computed: null })],
      }]),
    });
    const col = (await reflect(engine)).tables[0].columns.find((c) => c.name === "calc")!;
    assert.equal(col.computed, undefined);
    assert.equal(await engine.scalar(sql`SELECT calc FROM calc`), 11);
    await engine.run(sql`UPDATE calc SET calc = 0`);
    assert.equal(await engine.scalar(sql`SELECT calc FROM calc`), 0);
  },
);

// Timestamps and time zones -------------------------------------------------------------

scopedTest(
  "migrate [postgres]: timestamp, date and timestamptz changes keep every instant",
  async ({ db }) => {
    const url = new URL(db.url);
    url.searchParams.set("TimeZone", "America/New_York");
    await using engine = createEngine(url.href);
    assert.equal(await engine.scalar(sql`SHOW TimeZone`), "America/New_York");
    class A extends Model("ev", {
      id: column.integer().primaryKey(),
      at: column.timestamp(),
      day: column.date(),
    }) {}
    class B extends Model("ev", {
      id: column.integer().primaryKey(),
      at: column.timestamptz(),
      day: column.timestamptz(),
    }) {}
    const at = new Date("2026-01-01T12:00:00.000Z");
    const day = new Date("2026-07-04T00:00:00.000Z");
    await withDir(async (dir) => {
      const migrations = directorySource(dir);
      await generate(engine, [A], files(dir, "init"));
      await up(engine, { migrations });
      await engine.run(insert(A).values({ at, day }));
      const g = await generate(engine, [B], files(dir, "tz")); // nothing destructive
      assert.deepEqual(g.changes.map((c) => c.destructive), [undefined, undefined]);
      await up(engine, { migrations });
      const [b] = await engine.all(select(B));
      assert.deepEqual([b.at.toISOString(), b.day.toISOString()], [
        at.toISOString(),
        day.toISOString(),
      ]);
      assert.deepEqual((await checkSchema(engine, [B])).differences, []);
      await down(engine, { migrations });
      const [a] = await engine.all(select(A));
      assert.deepEqual([a.at.toISOString(), a.day.toISOString()], [
        at.toISOString(),
        day.toISOString(),
      ]);
      assert.deepEqual((await checkSchema(engine, [A])).differences, []);
    });
  },
  { on: ["postgres"] },
);

scopedTest("migrate [postgres]: pull says what a timestamptz(6) becomes", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE stamps (id integer PRIMARY KEY, at timestamptz NOT NULL)`);
  const { warnings } = await pull(engine, { importFrom: MOD });
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /^stamps\.at: timestamp with time zone is pulled as column\.timestamptz\(\), which is timestamp\(3\) with time zone/,
  );
}, { on: ["postgres"] });

// What a SQLite rebuild keeps, and what it refuses -----------------------------------------

const relax = (...tables: string[]) =>
  chain([{
    id: "001_relax",
    up: ({ op }) => tables.map((t) => op.alterColumn(t, "n", { nullable: true })),
    down: ({ op }) => tables.map((t) => op.alterColumn(t, "n", { nullable: false })),
  }]);

Deno.test("migrate [sqlite]: a rebuild keeps what the CREATE TABLE text says", async () => {
  await using engine = createEngine("sqlite::memory:");
  for (
    const text of [
      `CREATE TABLE p (id INTEGER PRIMARY KEY)`,
      `CREATE TABLE t (id INTEGER CONSTRAINT pk_t PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE,
        n INTEGER NOT NULL, pid INTEGER,
        CONSTRAINT fk_t_p FOREIGN KEY (pid) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT uq_t_n UNIQUE (n, pid)) STRICT`,
      `CREATE INDEX ix_t_n ON t (n DESC)`,
      `CREATE INDEX ix_t_email ON t (email COLLATE BINARY)`,
      `CREATE TABLE w (k TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID`,
    ]
  ) await engine.run(sql.unsafe(text));
  await engine.run(sql`INSERT INTO t (email, n) VALUES ('A@x', 1)`);
  await engine.run(sql`INSERT INTO w VALUES ('a', 1)`);
  const before = await reflect(engine);
  const t = before.tables.find((x) => x.name === "t")!;
  assert.equal(t.primaryKey?.name, "pk_t");
  assert.equal(t.columns.find((c) => c.name === "email")?.collation, "NOCASE");
  assert.deepEqual(t.options, ["STRICT"]);
  assert.deepEqual(t.uniques.map((u) => u.name), [undefined, "uq_t_n"]);
  assert.deepEqual(t.foreignKeys.map((f) => [f.name, f.deferrable]), [["fk_t_p", "deferred"]]);
  assert.deepEqual(t.indexes.map((ix) => ix.definition !== undefined), [true, true]);
  assert.deepEqual(before.tables.find((x) => x.name === "w")!.options, ["WITHOUT ROWID"]);
  const { warnings } = await pull(engine, { importFrom: MOD });
  for (
    const what of [/t\.email: COLLATE NOCASE/, /^t: STRICT/, /^w: WITHOUT ROWID/, /DEFERRABLE/]
  ) {
    assert.ok(warnings.some((w) => what.test(w)), `${what} in ${warnings.join("\n")}`);
  }

  await up(engine, { migrations: relax("t", "w") });
  const text = await tableSql(engine, "t");
  assert.match(text, /"id" INTEGER CONSTRAINT "pk_t" PRIMARY KEY/);
  assert.match(text, /"email" TEXT COLLATE NOCASE/);
  assert.match(text, /CONSTRAINT "uq_t_n" UNIQUE \("n", "pid"\)/);
  assert.match(text, /CONSTRAINT "fk_t_p" FOREIGN KEY .* DEFERRABLE INITIALLY DEFERRED/);
  assert.match(text, /\) STRICT$/);
  assert.match(await tableSql(engine, "w"), /\) WITHOUT ROWID$/);
  assert.equal(await tableSql(engine, "ix_t_n"), "CREATE INDEX ix_t_n ON t (n DESC)");
  // The behaviours hold: NOCASE unique, STRICT types, a foreign key checked at COMMIT.
  await assert.rejects(engine.run(sql`INSERT INTO t (email, n) VALUES ('a@X', 2)`), /UNIQUE/);
  await assert.rejects(engine.run(sql`INSERT INTO t (email, n) VALUES ('b', 'x')`), /cannot store/);
  await engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO t (email, n, pid) VALUES ('c', 3, 7)`); // before its parent
    await tx.run(sql`INSERT INTO p (id) VALUES (7)`);
  });
  // Reflection reads the same table but for the one change.
  const after = await reflect(engine, { exclude: ["retort_migrations"] });
  for (const name of ["t", "w"]) {
    const col = before.tables.find((x) => x.name === name)!.columns.find((c) => c.name === "n")!;
    col.nullable = true;
  }
  assert.deepEqual(after, before);
});

const REFUSED: [string, string, RegExp][] = [
  [
    "ON CONFLICT",
    `CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER NOT NULL ON CONFLICT REPLACE DEFAULT 0)`,
    /ON CONFLICT REPLACE on column n/,
  ],
  [
    "MATCH",
    `CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, p INTEGER REFERENCES p MATCH FULL)`,
    /MATCH FULL on column p/,
  ],
  [
    "a DESC key",
    `CREATE TABLE r (id INTEGER PRIMARY KEY DESC, n INTEGER NOT NULL)`,
    /PRIMARY KEY DESC on column id/,
  ],
  [
    "a collation in a UNIQUE",
    `CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, e TEXT, UNIQUE (e COLLATE NOCASE))`,
    /e COLLATE NOCASE in its UNIQUE/,
  ],
  [
    "a named NOT NULL",
    `CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER CONSTRAINT n_set NOT NULL)`,
    /the name n_set of its NOT NULL on column n/,
  ],
];

for (const [label, create, feature] of REFUSED) {
  Deno.test(`migrate [sqlite]: a rebuild refuses ${label}, changing nothing`, async () => {
    await using engine = createEngine("sqlite::memory:");
    await engine.run(sql`CREATE TABLE p (id INTEGER PRIMARY KEY)`);
    await engine.run(sql.unsafe(create));
    await engine.run(sql`INSERT INTO r (id, n) VALUES (1, 5)`);
    const schema = () =>
      rows(
        engine,
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name <> 'retort_migrations' ORDER BY name",
      );
    const before = await schema();
    const migrations = chain([{
      id: "001_relax",
      up: ({ op }) => [
        op.createIndex("r", { name: "ix_r_id", columns: ["id"] }), // in place, before it
        op.alterColumn("r", "n", { nullable: true }),
      ],
    }]);
    const report = await check(engine, { migrations });
    assert.equal(report.ok, false);
    assert.match(report.text, /Cannot rebuild table r/);
    const error = await up(engine, { migrations }).catch((e) => e);
    assert.ok(error instanceof MigrationError, String(error));
    assert.match(error.message, /Cannot rebuild table r: its CREATE TABLE has /);
    assert.match(error.message, feature);
    assert.match(error.message, /Nothing was changed\. Make this change by hand .* op\.sql/);
    assert.deepEqual(await schema(), before);
    assert.deepEqual(await rows(engine, "SELECT id, n FROM r"), [{ id: 1, n: 5 }]);
    assert.deepEqual((await status(engine, { migrations })).pending, ["001_relax"]);
    assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
  });
}

Deno.test("migrate [sqlite]: the CREATE TABLE parser reads clauses and lists what it cannot keep", () => {
  const p = parseCreateTable(
    `CREATE TABLE "x y" ("a" INTEGER PRIMARY KEY AUTOINCREMENT, b TEXT DEFAULT 'it''s' COLLATE "nocase",
      c VARCHAR(20) NOT NULL DEFAULT -1 CHECK (c <> ''), d INTEGER AS (a + 1),
      e INTEGER REFERENCES p ON DELETE SET NULL DEFERRABLE,
      CONSTRAINT ck CHECK (a > 0)) WITHOUT ROWID, STRICT`,
  );
  assert.deepEqual(p.unsupported, []);
  assert.equal(p.autoincrement, true);
  assert.deepEqual(p.options, ["WITHOUT ROWID", "STRICT"]);
  assert.deepEqual(p.columns.map((c) => [c.name, c.collation, c.computed, c.virtual]), [
    ["a", undefined, undefined, undefined],
    ["b", "nocase", undefined, undefined],
    ["c", undefined, undefined, undefined],
    ["d", undefined, "a + 1", true],
    ["e", undefined, undefined, undefined],
  ]);
  assert.deepEqual(p.checks, [{ expression: "c <> ''" }, { name: "ck", expression: "a > 0" }]);
  assert.deepEqual(p.foreignKeys, [{ columns: ["e"], table: "p", deferrable: "immediate" }]);
  assert.deepEqual(
    parseCreateTable(`CREATE TABLE t (a INTEGER UNIQUE ON CONFLICT IGNORE WEIRD, b)`).unsupported,
    ["ON CONFLICT IGNORE on column a", "WEIRD on column a"],
  );
  assert.deepEqual(parseCreateTable(`CREATE VIRTUAL TABLE f USING fts5(body)`).unsupported, [
    "CREATE VIRTUAL TABLE (a virtual table)",
  ]);
});

scopedTest(
  "migrate [postgres]: a foreign key dropped and added again stays DEFERRABLE",
  async ({ open }) => {
    const engine = open();
    await engine.run(sql`CREATE TABLE dp (id integer PRIMARY KEY)`);
    await engine.run(sql.unsafe(
      `CREATE TABLE dc (id integer PRIMARY KEY, pid integer, CONSTRAINT dc_pid_fkey
      FOREIGN KEY (pid) REFERENCES dp (id) DEFERRABLE INITIALLY DEFERRED)`,
    ));
    const read = async () =>
      (await reflect(engine)).tables.find((t) => t.name === "dc")!.foreignKeys;
    const [fk] = await read();
    assert.equal(fk.deferrable, "deferred");
    await up(engine, {
      migrations: chain([{
        id: "001_again",
        up: ({ op }) => [op.dropForeignKey("dc", fk), op.addForeignKey("dc", fk)],
      }]),
    });
    assert.deepEqual(await read(), [fk]);
  },
  { on: ["postgres"] },
);

// Renames ---------------------------------------------------------------------------------

const coded = (key: string) =>
  table("coded", {
    id: column.integer().primaryKey(),
    value: column.varchar(20).named(key),
    n: column.integer(),
  }, (c) => [
    constraint.check("ck_key", sql.unsafe(`length(${key}) > 0 AND n <> 0`)),
    constraint.index("ix_key", [c.value]),
  ]);

scopedTest("migrate: renaming a column a check mentions is one rename", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    await generate(engine, [coded("code")], files(dir, "init"));
    await up(engine, { migrations });
    await engine.run(sql`INSERT INTO coded (code, n) VALUES ('a', 1)`);
    const renames = { columns: [{ table: "coded", from: "code", to: "label" }] };
    const g = await generate(engine, [coded("label")], { ...files(dir, "ren"), renames });
    assert.deepEqual(g.changes.map((c) => c.op.kind), ["renameColumn"]);
    await up(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [coded("label")])).differences, []);
    await down(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [coded("code")])).differences, []);
    assert.equal(await engine.scalar(sql`SELECT code FROM coded`), "a");
  });
});

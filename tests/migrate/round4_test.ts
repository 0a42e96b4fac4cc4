/**
 * Tables that refer to each other are dropped (their looping foreign keys first) by `down`,
 * by a drop migration and by `push`; a CHECK PostgreSQL prints differently each time it
 * prints it (an IN list on a varchar) compares equal once applied; a type spelled without
 * spaces is the same type; `lockTimeout` is honoured, and running out of it is lock
 * contention, not a broken migration; an exact migration id wins over the longer ids it
 * begins; a rename into a name the table still has is refused when generating.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Column,
  column,
  type Engine,
  InvalidRequestError,
  Model,
  OperationalError,
  sql,
  type TableLike,
} from "../../mod.ts";
import {
  checkSchema,
  directorySource,
  down,
  generate,
  MigrationError,
  pull,
  push,
  up,
} from "../../migrate.ts";
import { dbTest } from "../_db.ts";
import { chain, loadPulled, migrationFiles, withDir } from "./_support.ts";

const files = migrationFiles(new Date(Date.UTC(2026, 11, 4, 12)));

const tableNames = async (engine: Engine, dialect: string) =>
  (await engine.all<{ name: string }>(
    dialect === "sqlite"
      ? sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'fxm_%' ORDER BY name`
      : sql`SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name LIKE 'fxm_%' ORDER BY 1`,
  )).map((r) => r.name);

// Tables that refer to each other -------------------------------------------------------

function cycle() {
  class Emp extends Model("fxm_emp", {
    id: column.integer().primaryKey(),
    deptId: column.integer().nullable().references((): Column => Dept.c.id),
  }) {}
  class Dept extends Model("fxm_dept", {
    id: column.integer().primaryKey(),
    headId: column.integer().nullable().references((): Column => Emp.c.id),
  }) {}
  class Keep extends Model("fxm_keep", { id: column.integer().primaryKey() }) {}
  return { Emp, Dept, Keep };
}

const seedCycle = async (engine: Engine) => {
  await engine.run(sql`INSERT INTO fxm_dept (id) VALUES (1)`);
  await engine.run(sql`INSERT INTO fxm_emp (id, dept_id) VALUES (1, 1)`);
  await engine.run(sql`UPDATE fxm_dept SET head_id = 1 WHERE id = 1`);
};

dbTest("migrate: tables that refer to each other are dropped by down", async (db) => {
  const engine = db.engine();
  const { Emp, Dept, Keep } = cycle();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    const g = await generate(engine, [Emp, Dept, Keep], files(dir, "init"));
    const downText = g.text!.slice(g.text!.indexOf("down:"));
    assert.match(downText, /op\.dropForeignKey[\s\S]*op\.dropTable[\s\S]*op\.dropTable/);
    await up(engine, { migrations });
    await seedCycle(engine);
    await down(engine, { migrations });
    assert.deepEqual(await tableNames(engine, db.dialect), []);
    await up(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [Emp, Dept, Keep])).differences, []);
  });
});

dbTest("migrate: a migration that drops tables referring to each other runs", async (db) => {
  const engine = db.engine();
  const { Emp, Dept, Keep } = cycle();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    await generate(engine, [Emp, Dept, Keep], files(dir, "init"));
    await up(engine, { migrations });
    await seedCycle(engine);
    const g = await generate(engine, [Keep], { ...files(dir, "drop"), allowDestructive: true });
    assert.deepEqual(g.changes.map((c) => c.op.kind), [
      "dropForeignKey",
      "dropTable",
      "dropTable",
    ]);
    await up(engine, { migrations });
    assert.deepEqual(await tableNames(engine, db.dialect), ["fxm_keep"]);
    await down(engine, { migrations }); // creates them again, the loop closed last
    assert.deepEqual((await checkSchema(engine, [Emp, Dept, Keep])).differences, []);
  });
});

dbTest("migrate: push --force drops tables referring to each other", async (db) => {
  const engine = db.engine();
  const { Emp, Dept, Keep } = cycle();
  await push(engine, [Emp, Dept, Keep]);
  await seedCycle(engine);
  await assert.rejects(push(engine, [Keep]), InvalidRequestError); // destructive: refused
  const done = await push(engine, [Keep], { force: true });
  assert.deepEqual(done.map((c) => c.op.kind), ["dropForeignKey", "dropTable", "dropTable"]);
  assert.deepEqual(await tableNames(engine, db.dialect), ["fxm_keep"]);
  assert.deepEqual((await checkSchema(engine, [Keep])).differences, []);
});

// Expressions the server prints differently each time ----------------------------------

class Coded extends Model("fxm_chk", {
  id: column.integer().primaryKey().autoincrement(false),
  code: column.varchar(10).check(sql`code IN ('x', 'y')`),
}) {}

dbTest("migrate: a CHECK with an IN list on a varchar compares equal once applied", async (db) => {
  const engine = db.engine();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    assert.notEqual((await generate(engine, [Coded], files(dir, "init"))).id, null);
    await up(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [Coded])).differences, []);
    const again = await generate(engine, [Coded], files(dir, "again"));
    assert.equal(again.id, null, again.text ?? "");
    await push(engine, [Coded]); // nothing to push
    await engine.run(sql`INSERT INTO fxm_chk (id, code) VALUES (1, 'x')`);
    await assert.rejects(engine.run(sql`INSERT INTO fxm_chk (id, code) VALUES (2, 'z')`));
  });
});

dbTest("migrate: a CHECK written by hand compares equal to the model and to pull", async (db) => {
  const engine = db.engine();
  await engine.run(sql.unsafe(
    `CREATE TABLE fxm_chk (id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL ` +
      `CHECK (code IN ('x', 'y')))`,
  ));
  assert.deepEqual((await checkSchema(engine, [Coded])).differences, []);
  const pulled = await loadPulled((await pull(engine)).source);
  assert.deepEqual((await checkSchema(engine, pulled)).differences, []);
});

function variants(dialect: string): TableLike {
  const common = {
    id: column.integer().primaryKey(),
    vdef: column.varchar(10).serverDefault(sql`'abc'`),
    ndef: column.numeric(10, 2).serverDefault(sql`1.5`),
    nin: column.numeric(10, 2).check(sql`nin IN (1.5, 2.5)`),
    tin: column.text().check(sql`tin IN ('a', 'b')`),
    vlike: column.varchar(10).check(sql`vlike LIKE 'a%'`),
    vcmp: column.varchar(10).check(sql`vcmp <> 'z'`),
    vlen: column.varchar(10).check(sql`length(vlen) > 1`),
    bigdef: column.bigint().serverDefault(sql`9007199254740993`),
    ddef: column.date().serverDefault(sql`CURRENT_DATE`),
  };
  if (dialect === "sqlite") return class extends Model("fxm_v", common) {};
  return class extends Model("fxm_v", {
    ...common,
    tsdef: column.timestamptz().serverDefault(sql`now() + interval '1 day'`),
    jdef: column.jsonb().serverDefault(sql`'[]'::jsonb`),
    arr: column.text().check(sql`arr = ANY (ARRAY['a', 'b'])`),
  }) {};
}

dbTest("migrate: defaults and checks of every kind compare equal once applied", async (db) => {
  const engine = db.engine();
  const model = variants(db.dialect);
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    await generate(engine, [model], files(dir, "init"));
    await up(engine, { migrations });
    assert.deepEqual((await checkSchema(engine, [model])).differences, []);
    assert.equal((await generate(engine, [model], files(dir, "again"))).id, null);
  });
});

// Type spellings -------------------------------------------------------------------------

dbTest("migrate: a type spelled without spaces is the same type", async (db) => {
  const engine = db.engine();
  await engine.run(sql.unsafe(
    "CREATE TABLE fxm_sp (id INTEGER PRIMARY KEY, price NUMERIC(8,2) NOT NULL, " +
      "code varchar( 20 ) NOT NULL, rate numeric (6 ,3) NOT NULL)",
  ));
  class Priced extends Model("fxm_sp", {
    id: column.integer().primaryKey().autoincrement(false),
    price: column.numeric(8, 2),
    code: column.varchar(20),
    rate: column.numeric(6, 3),
  }) {}
  assert.deepEqual((await checkSchema(engine, [Priced])).differences, []);
  const { source } = await pull(engine);
  assert.match(source, /price: column\.numeric\(8, 2\)/);
  assert.deepEqual((await checkSchema(engine, await loadPulled(source))).differences, []);
  class Wider extends Model("fxm_sp", {
    id: column.integer().primaryKey().autoincrement(false),
    price: column.numeric(9, 2),
    code: column.varchar(20),
    rate: column.numeric(6, 3),
  }) {}
  assert.deepEqual((await checkSchema(engine, [Wider])).changes.map((c) => c.op.kind), [
    "alterColumn",
  ]);
});

// lockTimeout ----------------------------------------------------------------------------

const intColumn = [{ name: "x", type: "INTEGER", nullable: true }];

const oneStep = () =>
  chain([{
    id: "20261204T1200_a",
    up: ({ op }) => [op.createTable({ name: "fxm_lock", columns: intColumn })],
  }]);

/** Holds the lock another run would take, until `release` is called. */
async function holdLock(engine: Engine, dialect: string) {
  const conn = await engine.connect();
  if (dialect === "postgres") {
    await conn.run(
      sql`SELECT pg_advisory_lock(hashtextextended('retort_migrations:' || current_schema(), 0))`,
    );
    return async () => {
      await conn.run(sql`SELECT pg_advisory_unlock_all()`);
      await conn.close();
    };
  }
  const tx = await conn.begin();
  await tx.run(sql`CREATE TABLE fxm_hold (x INTEGER)`); // the write lock, until rollback
  return async () => {
    await tx.rollback();
    await conn.close();
  };
}

dbTest("migrate: lockTimeout bounds the wait for another run's lock", async (db) => {
  const holder = db.engine();
  const engine = db.engine();
  const migrations = oneStep();
  const release = await holdLock(holder, db.dialect);
  try {
    const start = Date.now();
    const error = await up(engine, { migrations, lockTimeout: 300 }).then(() => null, (e) => e);
    const waited = Date.now() - start;
    assert.ok(error instanceof OperationalError, String(error));
    assert.ok(!(error instanceof MigrationError));
    assert.match(error.message, /Gave up after 300 ms \(lockTimeout\) waiting for /);
    assert.match(error.message, db.dialect === "postgres" ? /advisory lock/ : /write lock/);
    // Well under SQLite's busy_timeout (5 s) and PostgreSQL's unbounded pg_advisory_lock.
    assert.ok(waited >= 250 && waited < 3000, `waited ${waited} ms`);
    if (db.dialect === "postgres") {
      // On SQLite push's first write waits busy_timeout: only PostgreSQL's lock is push's.
      await assert.rejects(
        push(engine, [Coded], { lockTimeout: 200 }),
        (e) => e instanceof OperationalError && /Gave up after 200 ms/.test(e.message),
      );
    }
  } finally {
    await release();
  }
  assert.deepEqual((await up(engine, { migrations, lockTimeout: 300 })).applied, [
    "20261204T1200_a",
  ]);
  await assert.rejects(up(engine, { migrations, lockTimeout: -1 }), ArgumentError);
}, { on: ["sqlite-file", "postgres"] });

dbTest("migrate [sqlite]: waiting for the write lock mid-run is lock contention", async (db) => {
  const engine = db.engine();
  const migrations = chain([
    {
      id: "20261204T1200_a",
      up: ({ op }) => [op.createTable({ name: "fxm_a", columns: intColumn })],
    },
    {
      id: "20261204T1201_b",
      up: ({ op }) => [op.createTable({ name: "fxm_b", columns: intColumn })],
    },
  ]);
  await up(engine, { migrations, target: "20261204T1200_a" });
  const busyBefore = Number(await engine.scalar(sql`PRAGMA busy_timeout`));
  const release = await holdLock(db.engine(), db.dialect);
  try {
    const error = await up(engine, { migrations, lockTimeout: 200 }).then(() => null, (e) => e);
    assert.ok(error instanceof OperationalError && !(error instanceof MigrationError));
    assert.match(error.message, /write lock \(to apply 20261204T1201_b\)/);
    assert.equal(error.code, "SQLITE_BUSY");
  } finally {
    await release();
  }
  assert.equal(Number(await engine.scalar(sql`PRAGMA busy_timeout`)), busyBefore);
  assert.deepEqual((await up(engine, { migrations })).applied, ["20261204T1201_b"]);
}, { on: ["sqlite-file"] });

// Targets and renames --------------------------------------------------------------------

dbTest("migrate: an exact migration id wins over the ids it begins", async (db) => {
  const engine = db.engine();
  const t = (name: string) => ({ name, columns: intColumn });
  const migrations = chain([
    { id: "20261204T1200_add", up: ({ op }) => [op.createTable(t("fxm_t1"))] },
    { id: "20261204T1200_add_email", up: ({ op }) => [op.createTable(t("fxm_t2"))] },
  ]);
  await assert.rejects(
    up(engine, { migrations, target: "20261204T1200_a" }),
    /names 2 migrations/,
  );
  assert.deepEqual((await up(engine, { migrations, target: "20261204T1200_add" })).applied, [
    "20261204T1200_add",
  ]);
  assert.deepEqual(await tableNames(engine, db.dialect), ["fxm_t1"]);
});

const id = () => column.integer().primaryKey();
const note = () => column.text().nullable();

dbTest("migrate: a rename into a name the table still has is refused", async (db) => {
  const engine = db.engine();
  await withDir(async (dir) => {
    const migrations = directorySource(dir);
    class V1 extends Model("fxm_people", { id: id(), name: column.text(), x: note() }) {}
    const v1 = V1;
    await generate(engine, [v1], files(dir, "init"));
    await up(engine, { migrations });
    await engine.run(sql`INSERT INTO fxm_people (id, name, x) VALUES (1, 'ada', 'xx')`);
    class V2 extends Model("fxm_people", { id: id(), fullName: column.text(), x: note() }) {}
    const v2 = V2;
    await assert.rejects(
      generate(engine, [v2], {
        ...files(dir, "typo"),
        allowDestructive: true,
        renames: { columns: [{ table: "fxm_people", from: "name", to: "x" }] },
      }),
      (e) =>
        e instanceof ArgumentError &&
        /Cannot rename column fxm_people\.name to x: the database already has x/.test(e.message),
    );
    // Swapped names cannot be renamed in one step.
    await assert.rejects(
      generate(engine, [v1], {
        ...files(dir, "swap"),
        renames: {
          columns: [
            { table: "fxm_people", from: "name", to: "x" },
            { table: "fxm_people", from: "x", to: "name" },
          ],
        },
      }),
      /renamed into each other/,
    );
    // A chain runs in the order that works: x → note first, then name → x.
    class V3 extends Model("fxm_people", { id: id(), x: column.text(), note: note() }) {}
    const v3 = V3;
    const g = await generate(engine, [v3], {
      ...files(dir, "chain"),
      renames: {
        columns: [
          { table: "fxm_people", from: "name", to: "x" },
          { table: "fxm_people", from: "x", to: "note" },
        ],
      },
    });
    assert.deepEqual(
      g.changes.filter((c) => c.op.kind === "renameColumn").map((c) =>
        c.op.kind === "renameColumn" ? `${c.op.column}>${c.op.to}` : ""
      ),
      ["x>note", "name>x"],
    );
    await up(engine, { migrations });
    assert.deepEqual(await engine.all(sql`SELECT id, x, note FROM fxm_people`), [
      { id: 1, x: "ada", note: "xx" },
    ]);
    await down(engine, { migrations });
    assert.deepEqual(await engine.all(sql`SELECT id, name, x FROM fxm_people`), [
      { id: 1, name: "ada", x: "xx" },
    ]);
  });
});

dbTest("migrate: a table rename into a table the database still has is refused", async (db) => {
  const engine = db.engine();
  class Old extends Model("fxm_old", { id: column.integer().primaryKey() }) {}
  class New extends Model("fxm_new", { id: column.integer().primaryKey() }) {}
  await push(engine, [Old, New]);
  await assert.rejects(
    checkSchema(engine, [New], { renames: { tables: [{ from: "fxm_old", to: "fxm_new" }] } }),
    (e) =>
      e instanceof ArgumentError &&
      /Cannot rename table fxm_old to fxm_new: the database already has fxm_new/.test(e.message),
  );
});

dbTest(
  "a NOT NULL column with only a program default, added to rows, asks for a server default",
  async (db) => {
    const engine = db.engine();
    await withDir(async (dir) => {
      const migrations = directorySource(dir);
      class A1
        extends Model("fxm_jsdef", { id: column.integer().primaryKey(), t: column.text() }) {}
      await generate(engine, [A1], {
        name: "a",
        migrations,
        now: new Date("2026-01-01T00:00:00Z"),
      });
      await up(engine, { migrations });
      await engine.run(sql`INSERT INTO fxm_jsdef (t) VALUES ('x')`);
      class A2 extends Model("fxm_jsdef", {
        id: column.integer().primaryKey(),
        t: column.text(),
        pinned: column.boolean().default(false),
      }) {}
      await assert.rejects(generate(engine, [A2], { name: "b", migrations }), (e: unknown) => {
        assert(e instanceof InvalidRequestError);
        assert.match(e.message, /no DEFAULT in the database.*\.serverDefault\(sql`\.\.\.`\)/);
        assert.match(e.message, /\(1 row\)/);
        return true;
      });
    });
  },
);

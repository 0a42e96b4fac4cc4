/**
 * One error taxonomy over both databases: IntegrityError, ProgrammingError, OperationalError,
 * DataError, each carrying the SQL, the parameters, the driver's code and its own error.
 */
import assert from "node:assert/strict";
import {
  compile,
  createEngine,
  DatabaseError,
  DataError,
  type Engine,
  type Executor,
  type Fragment,
  IntegrityError,
  MultipleResultsFound,
  NoResultFound,
  OperationalError,
  postgresDialect,
  ProgrammingError,
  RetortError,
  sql,
  sqliteDialect,
} from "../mod.ts";
import { translateSqliteError } from "../dialects/sqlite/mod.ts";
import { translatePostgresError } from "../dialects/postgres/mod.ts";
import { dbTest, scopedTest } from "./_db.ts";

async function family(engine: Engine): Promise<void> {
  await engine.run(sql`CREATE TABLE parents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    age INTEGER CHECK (age >= 0)
  )`);
  await engine.run(sql`CREATE TABLE children (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL REFERENCES parents (id)
  )`);
  await engine.run(sql`INSERT INTO parents (id, name, age) VALUES (${1}, ${"ada"}, ${36})`);
  await engine.run(sql`INSERT INTO children (id, parent_id) VALUES (${1}, ${1})`);
}

/** Runs a failing statement and checks the error it raises. */
async function expectError(
  db: Executor,
  dialect: "sqlite" | "postgres",
  statement: Fragment,
  kind: typeof DatabaseError,
  codes: { sqlite: string; postgres: string },
): Promise<DatabaseError> {
  const { text, params } = compile(
    statement,
    dialect === "sqlite" ? sqliteDialect : postgresDialect,
  );
  const error = await db.run(statement).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof kind, `${text}: expected ${kind.name}, got ${error}`);
  assert.ok(error instanceof DatabaseError && error instanceof RetortError);
  assert.equal(error.name, kind.name);
  assert.equal(error.sql, text);
  assert.deepEqual(error.params, params);
  assert.equal(error.code, codes[dialect], text);
  // The driver's own error is kept as the cause.
  assert.ok(error.cause instanceof Error, "cause is the driver's error");
  assert.ok(!(error.cause instanceof RetortError));
  if (dialect === "postgres") {
    assert.equal((error.cause as { code?: string }).code, error.code);
  } else {
    assert.equal((error.cause as { code?: string }).code, "ERR_SQLITE_ERROR");
  }
  assert.equal((error.cause as Error).message, error.message);
  return error;
}

scopedTest("constraint violations are IntegrityErrors", async ({ db, open }) => {
  const engine = open();
  await family(engine);
  const d = db.dialect;
  const unique = await expectError(
    engine,
    d,
    sql`INSERT INTO parents (id, name, age) VALUES (${2}, ${"ada"}, ${1})`,
    IntegrityError,
    { sqlite: "SQLITE_CONSTRAINT_UNIQUE", postgres: "23505" },
  );
  assert.match(unique.message, d === "sqlite" ? /UNIQUE constraint failed/ : /duplicate key/);
  await expectError(
    engine,
    d,
    sql`INSERT INTO parents (id, name) VALUES (${1}, ${"bob"})`,
    IntegrityError,
    // SQLite reports a duplicate key as "UNIQUE constraint failed", as PostgreSQL does.
    { sqlite: "SQLITE_CONSTRAINT_UNIQUE", postgres: "23505" },
  );
  await expectError(
    engine,
    d,
    sql`INSERT INTO children (id, parent_id) VALUES (${2}, ${99})`,
    IntegrityError,
    { sqlite: "SQLITE_CONSTRAINT_FOREIGNKEY", postgres: "23503" },
  );
  await expectError(
    engine,
    d,
    sql`DELETE FROM parents WHERE id = ${1}`,
    IntegrityError,
    { sqlite: "SQLITE_CONSTRAINT_FOREIGNKEY", postgres: "23503" },
  );
  await expectError(
    engine,
    d,
    sql`INSERT INTO parents (id, name) VALUES (${3}, ${null})`,
    IntegrityError,
    { sqlite: "SQLITE_CONSTRAINT_NOTNULL", postgres: "23502" },
  );
  await expectError(
    engine,
    d,
    sql`UPDATE parents SET age = ${-1} WHERE id = ${1}`,
    IntegrityError,
    { sqlite: "SQLITE_CONSTRAINT_CHECK", postgres: "23514" },
  );
  // Nothing was changed by the failed statements.
  assert.deepEqual(await engine.all(sql`SELECT id, name, age FROM parents`), [
    { id: 1, name: "ada", age: 36 },
  ]);
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM children`), 1);
});

scopedTest("SQLite enforces foreign keys on every connection", async ({ db, open }) => {
  const engine = open();
  await family(engine);
  if (db.dialect === "sqlite") {
    assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
  }
  await assert.rejects(
    engine.transaction(async (tx) => {
      if (db.dialect === "sqlite") assert.equal(await tx.scalar(sql`PRAGMA foreign_keys`), 1);
      await tx.run(sql`INSERT INTO children (id, parent_id) VALUES (${5}, ${42})`);
    }),
    IntegrityError,
  );
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM children`), 1);
}, { on: ["sqlite", "sqlite-file", "postgres"] });

scopedTest("wrong statements are ProgrammingErrors", async ({ db, open }) => {
  const engine = open();
  await family(engine);
  const d = db.dialect;
  const syntax = await expectError(engine, d, sql`SELEKT ${1}`, ProgrammingError, {
    sqlite: "SQLITE_ERROR",
    postgres: "42601",
  });
  assert.match(syntax.message, /syntax error/);
  const missing = await expectError(
    engine,
    d,
    sql`SELECT * FROM no_such_table WHERE id = ${1}`,
    ProgrammingError,
    { sqlite: "SQLITE_ERROR", postgres: "42P01" },
  );
  assert.match(missing.message, /no_such_table/);
  await expectError(
    engine,
    d,
    sql`SELECT no_such_column FROM parents WHERE id = ${1}`,
    ProgrammingError,
    { sqlite: "SQLITE_ERROR", postgres: "42703" },
  );
  await expectError(engine, d, sql`CREATE TABLE parents (id INTEGER)`, ProgrammingError, {
    sqlite: "SQLITE_ERROR",
    postgres: "42P07",
  });
  // all() and one() raise the same errors as run().
  await assert.rejects(engine.all(sql`SELEKT 1`), ProgrammingError);
  await assert.rejects(engine.one(sql`SELECT * FROM nowhere`), ProgrammingError);
});

scopedTest("a write to a read-only database is an OperationalError", async ({ db, open }) => {
  const engine = open();
  await family(engine);
  await using conn = await engine.connect();
  if (db.dialect === "sqlite") {
    await conn.run(sql`PRAGMA query_only = ON`);
    try {
      await expectError(
        conn,
        "sqlite",
        sql`INSERT INTO parents (id, name) VALUES (${7}, ${"ro"})`,
        OperationalError,
        { sqlite: "SQLITE_READONLY", postgres: "" },
      );
    } finally {
      await conn.run(sql`PRAGMA query_only = OFF`);
    }
  } else {
    await using tx = await conn.begin();
    await tx.run(sql`SET TRANSACTION READ ONLY`);
    await expectError(
      tx,
      "postgres",
      sql`INSERT INTO parents (id, name) VALUES (${7}, ${"ro"})`,
      OperationalError,
      { sqlite: "", postgres: "25006" },
    );
  }
  assert.equal(await conn.scalar(sql`SELECT count(*) AS n FROM parents`), 1);
});

scopedTest(
  "a savepoint rolled back after an error lets the transaction go on",
  async ({ db, open }) => {
    const engine = open();
    await family(engine);
    await engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO parents (id, name) VALUES (${2}, ${"grace"})`);
      const sp = await tx.begin();
      await assert.rejects(
        sp.run(sql`INSERT INTO parents (id, name) VALUES (${3}, ${"grace"})`),
        IntegrityError,
      );
      await sp.rollback();
      await tx.run(sql`INSERT INTO parents (id, name) VALUES (${3}, ${"linus"})`);
    });
    assert.deepEqual(await engine.all(sql`SELECT name FROM parents ORDER BY id`), [
      { name: "ada" },
      { name: "grace" },
      { name: "linus" },
    ]);
    if (db.dialect === "postgres") {
      // Without a savepoint, PostgreSQL refuses the rest of a failed transaction.
      await using conn = await engine.connect();
      await using tx = await conn.begin();
      await assert.rejects(tx.run(sql`SELECT * FROM nowhere`), ProgrammingError);
      await assert.rejects(tx.run(sql`SELECT 1`), (e) => {
        assert.ok(e instanceof OperationalError);
        assert.equal(e.code, "25P02");
        return true;
      });
      await tx.rollback();
      assert.equal(await conn.scalar(sql`SELECT count(*)::int AS n FROM parents`), 3);
    }
  },
);

scopedTest("a COMMIT refused by a deferred foreign key rolls back cleanly", async ({ open }) => {
  const texts: string[] = [];
  const engine = open({ echo: (e) => texts.push(e.text) });
  await engine.run(sql`CREATE TABLE dp (id INTEGER PRIMARY KEY)`);
  await engine.run(sql`CREATE TABLE dc (id INTEGER PRIMARY KEY,
    pid INTEGER REFERENCES dp (id) DEFERRABLE INITIALLY DEFERRED)`);
  const error = await engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO dc (id, pid) VALUES (${1}, ${99})`);
  }).then(() => null, (e) => e);
  assert.ok(error instanceof IntegrityError, String(error));
  assert.equal(error.sql, "COMMIT");
  // Nothing was committed, and the connection came back out of any transaction.
  assert.deepEqual(await engine.all(sql`SELECT * FROM dc`), []);
  await engine.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO dp (id) VALUES (${99})`);
    await tx.run(sql`INSERT INTO dc (id, pid) VALUES (${1}, ${99})`);
  });
  assert.deepEqual(await engine.all(sql`SELECT id, pid FROM dc`), [{ id: 1, pid: 99 }]);
  assert.equal(engine.checkedOut, 0);
  assert.ok(texts.includes("COMMIT"));
}, { on: ["sqlite", "sqlite-file", "postgres"] });

dbTest("a value PostgreSQL refuses is a DataError", async (db) => {
  const engine = db.engine();
  await expectError(engine, "postgres", sql`SELECT ${"abc"}::int AS n`, DataError, {
    sqlite: "",
    postgres: "22P02",
  });
  await expectError(engine, "postgres", sql`SELECT 1 / ${0}::int AS n`, DataError, {
    sqlite: "",
    postgres: "22012",
  });
}, { on: ["postgres"] });

Deno.test("NoResultFound and MultipleResultsFound are Retort errors, not database errors", async () => {
  await using engine = createEngine("sqlite::memory:");
  for (
    const [query, kind] of [
      [sql`SELECT 1 WHERE 0`, NoResultFound],
      [sql`SELECT 1 UNION ALL SELECT 2`, MultipleResultsFound],
    ] as const
  ) {
    const error = await engine.one(query).then(() => null, (e) => e);
    assert.ok(error instanceof kind);
    assert.ok(error instanceof RetortError);
    assert.ok(!(error instanceof DatabaseError));
    assert.equal(error.name, kind.name);
  }
});

Deno.test("driver errors map to the taxonomy by message and SQLSTATE class", () => {
  const lite = (message: string, extra: Record<string, unknown> = {}) =>
    translateSqliteError(Object.assign(new Error(message), extra), "SELECT ?", [1], false);
  assert.ok(lite("database is locked") instanceof OperationalError);
  assert.equal(lite("database is locked").code, "SQLITE_BUSY");
  assert.equal(lite("attempt to write a readonly database").code, "SQLITE_READONLY");
  assert.equal(lite("NOT NULL constraint failed: t.x").code, "SQLITE_CONSTRAINT_NOTNULL");
  assert.ok(lite("datatype mismatch") instanceof IntegrityError);
  assert.ok(lite("no such column: x") instanceof ProgrammingError);
  const odd = lite("something else", { errcode: 11 });
  assert.ok(odd instanceof OperationalError);
  assert.equal(odd.code, "SQLITE_11");
  assert.deepEqual(odd.params, [1]);
  assert.equal(translateSqliteError(new Error("x"), "S", [1], true).params, undefined);

  const pg = (code: string) =>
    translatePostgresError(Object.assign(new Error(code), { code }), "SELECT $1", [1], false);
  assert.ok(pg("23505") instanceof IntegrityError);
  assert.ok(pg("22003") instanceof DataError);
  assert.ok(pg("42883") instanceof ProgrammingError);
  assert.ok(pg("40001") instanceof OperationalError);
  assert.ok(pg("40P01") instanceof OperationalError);
  assert.ok(pg("57014") instanceof OperationalError);
  assert.ok(pg("ECONNREFUSED") instanceof OperationalError);
  assert.ok(pg("CONNECTION_CLOSED") instanceof OperationalError);
  const other = pg("XX000");
  assert.equal(other.constructor, DatabaseError);
  assert.equal(other.code, "XX000");
  const already = new IntegrityError("kept");
  assert.equal(translatePostgresError(already, "", [], false), already);
});

dbTest("a PostgreSQL database that does not exist is an OperationalError", async (db) => {
  const url = new URL(db.url);
  url.pathname = `/retort_missing_${crypto.randomUUID().replaceAll("-", "")}`;
  await using engine = createEngine(url.href);
  await assert.rejects(
    engine.scalar(sql`SELECT 1`),
    (e) => e instanceof OperationalError && e.code === "3D000" && /does not exist/.test(e.message),
  );
  await assert.rejects(engine.transaction((tx) => tx.scalar(sql`SELECT 1`)), OperationalError);
}, { on: ["postgres"] });

Deno.test({
  name: "the suite skips PostgreSQL, with a notice, where its database does not exist",
  ignore: Deno.env.get("RETORT_IN_SKIP_CHECK") === "1",
  fn: async () => {
    const base = new URL(Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test");
    base.pathname = "/retort_missing_database";
    const here = new URL("./like_test.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--no-check=remote", here],
      env: {
        DATABASE_URL: base.href,
        RETORT_REQUIRE_POSTGRES: "0",
        RETORT_IN_SKIP_CHECK: "1",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert(out.success, text);
    assert.match(text, /PostgreSQL is not reachable at .*does not exist.*skipping its tests/);
    assert.match(text, /\[postgres\] \.\.\. ignored/);
  },
});

dbTest("a value out of range or malformed is a DataError on both databases", async (db) => {
  const engine = db.engine();
  const bad: [string, ReturnType<typeof sql>][] = [
    [
      "integer overflow",
      db.dialect === "postgres"
        ? sql`SELECT 9223372036854775807::bigint + 1`
        : sql`SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)`,
    ],
    ["malformed JSON", db.dialect === "postgres" ? sql`SELECT '{'::json` : sql`SELECT json('{')`],
    [
      "a bigint parameter beyond 64 bits",
      db.dialect === "postgres" ? sql`SELECT ${2n ** 64n}::bigint` : sql`SELECT ${2n ** 64n}`,
    ],
  ];
  for (const [what, q] of bad) {
    const e = await engine.all(q).then(() => null, (x) => x);
    assert.ok(e instanceof DataError, `${what}: expected a DataError, got ${e}`);
  }
});

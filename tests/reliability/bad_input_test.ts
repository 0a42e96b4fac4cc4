/**
 * A catalogue of bad input, each refused with a clear, typed error and nothing written:
 * unknown column names in inserts and updates (builder and ORM), values of the wrong type for
 * a column, invalid engine URLs and unreachable databases, a missing table or column, and an
 * engine used after dispose.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  createEngine,
  eq,
  insert,
  IntegrityError,
  InvalidRequestError,
  Model,
  OperationalError,
  PendingRollbackError,
  ProgrammingError,
  type RetortError,
  select,
  sql,
  table,
  update,
} from "../../mod.ts";
import { PG_UP, PG_URL } from "../_db.ts";
import { relTest, StatementLog } from "./_support.ts";

const columns = () => ({
  id: column.integer().primaryKey(),
  name: column.text().unique(),
  qty: column.integer().default(0),
  big: column.bigint().nullable(),
  flag: column.boolean().nullable(),
  day: column.date().nullable(),
  code: column.uuid().nullable(),
  short: column.varchar(5).nullable(),
  mood: column.enum(["happy", "sad"]).nullable(),
  price: column.numeric(10, 2).nullable(),
  data: column.json().nullable(),
});
const Things = table("rel_bad_things", columns());
class Thing extends Model("rel_bad_orm", columns()) {}
const Missing = table("rel_bad_missing", { id: column.integer().primaryKey() });
class Absent extends Model("rel_bad_absent", { id: column.integer().primaryKey() }) {}

/** Values a column cannot hold, with what the message must say. */
const WRONG: [key: string, value: unknown, says: RegExp][] = [
  ["qty", "1", /qty expects an integer, got the string "1"/],
  ["qty", 1.5, /qty expects an integer/],
  ["qty", 2 ** 31, /qty expects a 32-bit integer/],
  ["qty", 2 ** 53, /qty expects a safe integer.*column\.bigint/],
  ["qty", NaN, /qty expects an integer/],
  ["big", 2n ** 63n, /big expects a 64-bit integer/],
  ["big", "12", /big expects a bigint/],
  ["flag", 1, /flag expects a boolean/],
  ["flag", "true", /flag expects a boolean/],
  ["day", "2024-01-01", /day expects a valid Date/],
  ["day", new Date(NaN), /day expects a valid Date/],
  ["code", "not-a-uuid", /code expects a UUID string/],
  ["short", "toolong", /short expects at most 5 characters, got 7/],
  ["mood", "angry", /mood expects one of "happy", "sad"/],
  ["price", "12,50", /price expects a decimal string/],
  ["price", Infinity, /price expects a decimal string/],
  ["data", () => 1, /data expects a JSON-serialisable value/],
  ["data", { n: 1n }, /data expects a JSON-serialisable value/],
  ["name", 42, /name expects a string, got number 42/],
  ["name", "\ud800", /name expects well-formed text/],
];

async function refused(
  what: string,
  log: StatementLog,
  kind: typeof RetortError,
  says: RegExp,
  attempt: () => unknown,
  sent = 0,
): Promise<void> {
  const before = log.count;
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof kind)) assert.fail(`${what}: expected ${kind.name}, got ${error}`);
    assert.match((error as Error).message, says, `${what}: the message`);
    if (sent === 0) assert.equal(log.count, before, `${what}: statements were sent`);
    return;
  }
  assert.fail(`${what} was accepted`);
}

relTest(
  "bad input: unknown columns, wrong types, missing tables, typed and nothing written",
  async (db) => {
    const log = new StatementLog();
    const engine = db.open({ echo: log.echo });
    await engine.createAll([Things, Thing]);
    await engine.run(insert(Things).values({ id: 1, name: "seed", qty: 1 }));
    {
      await using session = engine.session();
      session.add(new Thing({ id: 1, name: "seed", qty: 1 }));
      await session.commit();
    }
    let cases = 0;
    const check = async (...args: Parameters<typeof refused>) => {
      cases++;
      await refused(...args);
    };

    // Unknown column names.
    const unknown = /no column "nmae"; its columns are id, name, qty/;
    await check(
      "insert unknown",
      log,
      ArgumentError,
      unknown,
      () => engine.run(insert(Things).values({ nmae: "x" } as never)),
    );
    await check(
      "insert, second row unknown",
      log,
      ArgumentError,
      unknown,
      () => engine.run(insert(Things).values([{ name: "ok" }, { nmae: "x" }] as never)),
    );
    await check(
      "update unknown",
      log,
      ArgumentError,
      unknown,
      () => engine.run(update(Things).set({ nmae: "x" } as never)),
    );
    await check("upsert unknown", log, ArgumentError, unknown, () =>
      engine.run(
        insert(Things).values({ name: "x" }).onConflict(Things.c.name).doUpdate(
          { nmae: 1 } as never,
        ),
      ));
    await check(
      "new Thing unknown",
      log,
      ArgumentError,
      /Thing has no column or relationship "nmae"; its columns are id, name/,
      async () => {
        await using session = engine.session();
        session.add(new Thing({ name: "x", nmae: "x" } as never));
        await session.commit();
      },
    );
    // Raw SQL names the column itself: the database refuses it.
    await check(
      "sql.values unknown",
      log,
      ProgrammingError,
      /nmae/,
      () => engine.run(sql`INSERT INTO ${Things} ${sql.values([{ nmae: "x" }])}`),
      1,
    );

    // Values of the wrong type, in every place a value meets a column.
    for (const [key, value, says] of WRONG) {
      const label = `${key} = ${String(value)}`;
      await check(
        `insert ${label}`,
        log,
        ArgumentError,
        says,
        () => engine.run(insert(Things).values({ name: "x", [key]: value } as never)),
      );
      await check(
        `update ${label}`,
        log,
        ArgumentError,
        says,
        () => engine.run(update(Things).set({ [key]: value } as never).where(eq(Things.c.id, 1))),
      );
      await check(
        `where ${label}`,
        log,
        ArgumentError,
        says,
        () => engine.all(select(Things).where(eq(Things.c[key as "qty"], value as number))),
      );
      await check(`new Thing ${label}`, log, ArgumentError, says, async () => {
        await using session = engine.session();
        session.add(new Thing({ name: "x", [key]: value } as never));
        await session.commit();
      });
      await check(`thing.${label}`, log, ArgumentError, says, async () => {
        await using session = engine.session();
        const t = (await session.get(Thing, 1))!;
        (t as unknown as Record<string, unknown>)[key] = value;
        const before = log.count;
        await session.commit().finally(() => assert.equal(log.count, before, "sent at flush"));
      }, 1);
    }
    // NOT NULL: the database refuses it (an IntegrityError), and nothing is written.
    await check(
      "insert name null",
      log,
      IntegrityError,
      /null|NOT NULL/i,
      () => engine.run(insert(Things).values({ name: null as never })),
      1,
    );

    // A missing table, and a missing column.
    const missing = /rel_bad_missing|rel_bad_absent|nope/;
    await check(
      "select missing",
      log,
      ProgrammingError,
      missing,
      () => engine.all(select(Missing)),
      1,
    );
    await check(
      "insert missing",
      log,
      ProgrammingError,
      missing,
      () => engine.run(insert(Missing).values({ id: 1 })),
      1,
    );
    await check(
      "column missing",
      log,
      ProgrammingError,
      missing,
      () => engine.all(sql`SELECT nope FROM ${Things}`),
      1,
    );
    {
      await using session = engine.session();
      await check(
        "session.get missing",
        log,
        ProgrammingError,
        missing,
        () => session.get(Absent, 1),
        2,
      );
      await session.rollback();
      session.add(new Absent({ id: 1 }));
      await check("flush missing", log, ProgrammingError, missing, () => session.commit(), 3);
      await assert.rejects(session.commit(), PendingRollbackError);
      await session.rollback();
    }

    // Nothing was written by any of it.
    assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM ${Things}`)), 1);
    assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM ${Thing}`)), 1);
    const seed = await engine.one(select(Things).where(eq(Things.c.id, 1)));
    assert.deepEqual([seed.name, seed.qty, seed.flag, seed.short], ["seed", 1, null, null]);
    const orm = await engine.one(select(Thing.table).where(eq(Thing.c.id, 1)));
    assert.deepEqual([orm.name, orm.qty], ["seed", 1]);
    console.log(`  ${db.kind}: ${cases} bad inputs refused, typed, nothing written`);
  },
  { on: ["sqlite", "postgres"] },
);

Deno.test("bad input: invalid engine URLs are refused at once, secrets not echoed", () => {
  const urls = [
    "",
    "mysql://localhost/db",
    "mysql://user:hunter2@localhost/db",
    "sqlite:",
    "sqlite://relative.db",
    "sqlite:///",
    "sqlite:memory",
    "sqlite:///%zz",
    "SQLITE::MEMORY:",
    " sqlite::memory:",
    "postgres:/localhost",
    "postgresql:db",
    "http://example.com",
    "file:///tmp/x.db",
  ];
  for (const url of urls) {
    assert.throws(
      () => createEngine(url),
      (e: unknown) =>
        e instanceof ArgumentError && /Cannot create an engine/.test(e.message) &&
        /sqlite::memory:/.test(e.message) && !e.message.includes("hunter2"),
      JSON.stringify(url),
    );
  }
  for (const source of [42, null, undefined, {}, [], () => 1, Symbol("db")]) {
    assert.throws(() => createEngine(source as never), ArgumentError, String(source));
  }
});

Deno.test("bad input: unreachable databases fail typed on first use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "retort-bad-" });
  try {
    const cases: [string, typeof RetortError][] = [
      [`sqlite:///${dir}/no/such/dir/x.db`, OperationalError],
    ];
    if (PG_UP) {
      const url = new URL(PG_URL);
      const at = (change: (u: URL) => void) => {
        const u = new URL(url);
        change(u);
        return u.href;
      };
      cases.push(
        [at((u) => (u.port = "1")), OperationalError], // nothing listens
        [at((u) => (u.username = "no_such_role_retort")), OperationalError],
        // A database that does not exist (3D000): the connection's fault, not the statement's.
        [at((u) => (u.pathname = "/no_such_database_retort")), OperationalError],
        [at((u) => (u.hostname = "no-such-host.invalid")), OperationalError],
      );
    }
    for (const [url, kind] of cases) {
      const engine = createEngine(url);
      try {
        await assert.rejects(engine.scalar(sql`SELECT 1`), kind, url);
        await assert.rejects(
          async () => {
            await using session = engine.session();
            await session.execute(sql`SELECT 1`);
          },
          kind,
          url,
        );
      } finally {
        await engine.dispose();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

relTest("bad input: a disposed engine refuses every use with InvalidRequestError", async (db) => {
  const engine = db.open();
  await engine.createAll([Thing]);
  const session = engine.session();
  await session.get(Thing, 1); // holds a connection and a transaction
  await engine.dispose();
  const disposed = /disposed|closed/;
  const uses: [string, () => Promise<unknown>][] = [
    ["all", () => engine.all(sql`SELECT 1`)],
    ["run", () => engine.run(sql`SELECT 1`)],
    ["scalar", () => engine.scalar(sql`SELECT 1`)],
    ["connect", () => engine.connect()],
    ["transaction", () => engine.transaction(async () => {})],
    ["createAll", () => engine.createAll([Thing])],
    ["dropAll", () => engine.dropAll([Thing])],
    ["new session", async () => {
      await using s = engine.session();
      await s.get(Thing, 1);
    }],
    ["new session commit", async () => {
      await using s = engine.session();
      s.add(new Thing({ name: "late" }));
      await s.commit();
    }],
    ["open session", () => session.all(select(Thing))],
  ];
  for (const [what, use] of uses) {
    await assert.rejects(use, (e: unknown) => {
      assert.ok(e instanceof InvalidRequestError, `${what}: ${e}`);
      assert.match(e.message, disposed, what);
      return true;
    });
  }
  await session.close();
  await engine.dispose(); // twice is fine
}, { on: ["sqlite", "sqlite-file", "postgres"] });

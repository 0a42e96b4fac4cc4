/**
 * PGlite (`@electric-sql/pglite`, PostgreSQL in WebAssembly) through `pgliteDriver`: the
 * driver's own behaviour here, then the shared dialect suite on it, in a subprocess
 * (`RETORT_PGLITE=1`, only its `[pglite]` tests).
 *
 * Start-up cost: an in-memory PGlite runs `initdb` on every start, about 4 s on a quiet 2-core
 * machine and 7 s on a busy one. The suite pays it once: the first instance's data directory is
 * dumped (`dumpDataDir()`), and each test module loads that dump (`loadDataDir`), in about
 * 0.5 s. A program can do the same, or give PGlite a data directory to keep
 * (`new PGlite("./pgdata")`), where `initdb` runs only the first time.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  createEngine,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  sql,
} from "../mod.ts";
import { isPGlite, type PGliteClient, pgliteDriver } from "../dialects/postgres/pglite/mod.ts";
import { dumpPGlite, openPGlite } from "./_pglite.ts";

let instance: Promise<PGliteClient> | null = null;
/** One in-memory PGlite for this module's tests, its first start timed for the notice. */
function pglite(): Promise<PGliteClient> {
  return instance ??= (async () => {
    const start = performance.now();
    const db = await openPGlite();
    const ms = Math.round(performance.now() - start);
    console.log(`PGlite first start (initdb, in memory): ${ms} ms`);
    return db;
  })();
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "pglite: isPGlite tells a PGlite instance from the other clients",
  ...opts,
  fn: async () => {
    assert(isPGlite(await pglite()));
    const sqlite = new DatabaseSync(":memory:");
    assert(!isPGlite(sqlite));
    sqlite.close();
    assert(!isPGlite(null) && !isPGlite("postgres://x"));
  },
});

Deno.test({
  name: "pglite: the PostgreSQL dialect, typed rows, and errors in Retort's taxonomy",
  ...opts,
  fn: async () => {
    const db = await pglite();
    await using engine = createEngine(pgliteDriver(db));
    assert.equal((await engine.driver()).dialect.name, "postgres");
    assert.equal(await engine.scalar(sql`SELECT ${2}::int + 1`), 3);
    assert.equal(await engine.scalar(sql`SELECT pg_typeof(${true})::text`), "boolean");
    assert.equal(await engine.scalar(sql`SELECT ${9007199254740993n}::int8`), 9007199254740993n);
    await engine.run(sql`CREATE TABLE pglite_t (id int PRIMARY KEY)`);
    try {
      await engine.run(sql`INSERT INTO pglite_t VALUES (${1})`);
      await assert.rejects(
        engine.run(sql`INSERT INTO pglite_t VALUES (${1})`),
        (e) => e instanceof IntegrityError && e.code === "23505",
      );
      await assert.rejects(
        engine.run(sql`SELEC 1`),
        (e) => e instanceof ProgrammingError && e.code === "42601",
      );
    } finally {
      await engine.run(sql`DROP TABLE pglite_t`);
    }
  },
});

Deno.test({
  name: "pglite: hideParameters keeps values out of an error's message and cause",
  ...opts,
  fn: async () => {
    const db = await pglite();
    await using engine = createEngine(pgliteDriver(db, { hideParameters: true }));
    const secret = "s3cr3t-pglite-51";
    const error = await engine.all(sql`SELECT ${secret}::int`).catch((e) => e);
    assert(error instanceof DataError);
    assert.equal(error.message, 'invalid input syntax for type integer: "[hidden]"');
    const seen = new Set<unknown>();
    const walk = (v: unknown): string[] =>
      typeof v === "string"
        ? [v]
        : typeof v !== "object" || v === null || seen.has(v)
        ? []
        : (seen.add(v),
          Reflect.ownKeys(v).flatMap((k) => walk((v as Record<PropertyKey, unknown>)[k])));
    assert.deepEqual(walk(error).filter((t) => t.includes(secret)), []);
  },
});

Deno.test({
  name: "pglite: one connection: a transaction holds it, other work waits, then times out typed",
  ...opts,
  fn: async () => {
    const db = await pglite();
    await using engine = createEngine(pgliteDriver(db, { busyTimeout: 200 }));
    await using other = createEngine(pgliteDriver(db, { busyTimeout: 200 }));
    await engine.transaction(async (tx) => {
      await tx.run(sql`SELECT 1`);
      // The same instance through another engine: it shares the one connection.
      await assert.rejects(
        other.scalar(sql`SELECT 1`),
        (e) => e instanceof OperationalError && e.code === "PGLITE_BUSY",
      );
    });
    // Waiting work runs once the transaction ends.
    const held = engine.transaction(async (tx) => {
      await new Promise((r) => setTimeout(r, 20));
      return await tx.scalar(sql`SELECT ${1}::int`);
    });
    const waited = other.scalar(sql`SELECT ${2}::int`);
    assert.deepEqual(await Promise.all([held, waited]), [1, 2]);
  },
});

Deno.test({
  name: "pglite: the engine closes an owned instance on dispose, and leaves a given one open",
  ...opts,
  fn: async () => {
    const db = await pglite();
    const engine = createEngine(pgliteDriver(db));
    assert.equal(await engine.scalar(sql`SELECT 1`), 1);
    await engine.dispose();
    assert.equal((await db.query("SELECT 1 AS x")).rows.length, 1);
    const start = performance.now();
    const copy = await openPGlite({ dump: await dumpPGlite(db) });
    console.log(
      `PGlite start from a dump of a data directory: ${Math.round(performance.now() - start)} ms`,
    );
    const owned = createEngine(pgliteDriver(copy, { owned: true }));
    assert.equal(await owned.scalar(sql`SELECT 1`), 1);
    await owned.dispose();
    assert(copy.closed);
  },
});

/** The test modules of the shared suite (those that register tests through tests/_db.ts). */
const SHARED = [
  "builder_test.ts",
  "compile_test.ts",
  "dates_test.ts",
  "ddl_test.ts",
  "engine_test.ts",
  "errors_test.ts",
  "hidden_params_test.ts",
  "like_test.ts",
  "numbers_test.ts",
  "orm_relationships_test.ts",
  "orm_session_test.ts",
  "pg_fidelity_round4_test.ts",
  "pg_infinity_test.ts",
  "pg_round4b_test.ts",
  "sql_test.ts",
  "types_test.ts",
  "values_test.ts",
  "reliability/",
];

Deno.test({
  name: "pglite: the shared dialect suite passes on PGlite",
  ...opts,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "retort-pglite-" });
    try {
      Deno.writeFileSync(`${dir}/data.tar`, await dumpPGlite(await pglite()));
      const here = new URL(".", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "test",
          "-A",
          "--no-check=remote",
          "--filter",
          "[pglite]",
          ...SHARED.map((f) => here + f),
        ],
        env: { RETORT_PGLITE: "1", RETORT_PGLITE_DUMP: `${dir}/data.tar`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      // Indented, so that the child's summary line is not read as this run's.
      const text = (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr))
        .replaceAll("\n", "\n  ");
      const summary = /(\d+) passed \| (\d+) failed/.exec(text);
      assert(out.success && summary !== null, `the shared suite failed on PGlite:\n  ${text}`);
      assert(Number(summary[1]) >= 70, `too few PGlite tests ran:\n  ${text}`);
      console.log(`PGlite: ${summary[1]} tests of the shared suite ran.`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

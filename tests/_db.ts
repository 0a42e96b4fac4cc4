/**
 * The shared test harness: one suite, run on every database.
 *
 * `dbTest(name, fn)` registers `name [sqlite]` (in memory), `name [sqlite-file]` where asked,
 * and `name [postgres]` (at `DATABASE_URL`, by default the local server). Where PostgreSQL is
 * unreachable (no server answers, or it refuses the connection: an unknown database or role,
 * an OperationalError) its tests are skipped with a notice, except when
 * `RETORT_REQUIRE_POSTGRES=1` (as CI sets), where they fail.
 */
import { createEngine, type Engine, type EngineOptions, OperationalError, sql } from "../mod.ts";
import { pgliteDriver } from "../dialects/postgres/pglite/mod.ts";
import { PGLITE_SKIP, sharedPGlite } from "./_pglite.ts";

export const PG_URL: string = Deno.env.get("DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE_PG = Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";
/** Whether the suite also runs on PGlite, as `tests/pglite_test.ts` asks in a subprocess. */
const PGLITE = Deno.env.get("RETORT_PGLITE") === "1";

/** Why PostgreSQL cannot be used at `PG_URL`, or null when it can. */
async function probePostgres(): Promise<string | null> {
  try {
    const url = new URL(PG_URL);
    const conn = await Deno.connect({
      hostname: url.hostname || "127.0.0.1",
      port: Number(url.port || 5432),
    });
    conn.close();
  } catch {
    return "no server answers";
  }
  // A server that answers may still refuse: a database that does not exist, an unknown role.
  const engine = createEngine(PG_URL, { poolSize: 1 });
  try {
    await engine.scalar(sql`SELECT 1`);
    return null;
  } catch (error) {
    if (error instanceof OperationalError) return (error as Error).message;
    throw error;
  } finally {
    await engine.dispose();
  }
}

const PG_PROBLEM: string | null = await probePostgres();
export const PG_UP: boolean = PG_PROBLEM === null;
if (!PG_UP) {
  const what = REQUIRE_PG
    ? "its tests will FAIL (RETORT_REQUIRE_POSTGRES=1)"
    : "skipping its tests";
  console.warn(`PostgreSQL is not reachable at ${PG_URL} (${PG_PROBLEM}): ${what}.`);
}

/** The kinds of database the suite runs on. */
export type DbKind = "sqlite" | "sqlite-file" | "postgres" | "pglite";

/** One database a test runs on. */
export interface Db {
  readonly kind: DbKind;
  readonly dialect: "sqlite" | "postgres";
  readonly url: string;
  /** Opens an engine on this database; the harness disposes it after the test. */
  engine(options?: EngineOptions): Engine;
}

/** Options of `dbTest`. */
export interface DbTestOptions {
  /** The databases to run on; by default in-memory SQLite and PostgreSQL. */
  on?: DbKind[];
  /** Passed to Deno.test. */
  sanitizeOps?: boolean;
  sanitizeResources?: boolean;
}

function fileUrl(): { url: string; cleanup: () => void } {
  const dir = Deno.makeTempDirSync({ prefix: "retort-test-" });
  return {
    url: `sqlite:///${dir}/test.db`.replace("sqlite:////", "sqlite:////"),
    cleanup: () => Deno.removeSync(dir, { recursive: true }),
  };
}

/**
 * A schema of its own on the PostgreSQL server, first on the search path of every engine the
 * test opens, and dropped (with everything the test made in it) afterwards: the suite leaves
 * nothing behind in the database.
 */
async function pgScope(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const schema = `retort_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = createEngine(PG_URL);
  await admin.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
  const url = new URL(PG_URL);
  url.searchParams.set("search_path", schema);
  return {
    url: url.href,
    cleanup: async () => {
      try {
        await admin.run(sql`DROP SCHEMA ${sql.id(schema)} CASCADE`);
      } finally {
        await admin.dispose();
      }
    },
  };
}

/** A schema of its own on the process's PGlite instance, made the search path. */
async function pgliteScope() {
  const db = await sharedPGlite();
  const schema = `retort_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  return {
    url: "pglite:",
    open: (opts?: EngineOptions) =>
      createEngine(pgliteDriver(db, { busyTimeout: opts?.busyTimeout }), opts),
    cleanup: async () => {
      await db.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

/** Registers a test on each database. */
export function dbTest(
  name: string,
  fn: (db: Db) => Promise<void>,
  options: DbTestOptions = {},
): void {
  const kinds: DbKind[] = [...(options.on ?? ["sqlite", "postgres"])];
  // PGlite runs the shared suite (the tests on the default databases), less what only a
  // PostgreSQL server or postgres.js does (see tests/_pglite.ts).
  if (PGLITE && options.on === undefined && !PGLITE_SKIP.has(name)) kinds.push("pglite");
  for (const kind of kinds) {
    Deno.test({
      name: `${name} [${kind}]`,
      ignore: kind === "postgres" && !PG_UP && !REQUIRE_PG,
      sanitizeOps: options.sanitizeOps,
      sanitizeResources: options.sanitizeResources,
      fn: async () => {
        const engines: Engine[] = [];
        let cleanup: () => void | Promise<void> = () => {};
        let url: string;
        let open = (opts?: EngineOptions) => createEngine(url, opts);
        if (kind === "postgres") ({ url, cleanup } = await pgScope());
        else if (kind === "sqlite") url = "sqlite::memory:";
        else if (kind === "pglite") ({ url, open, cleanup } = await pgliteScope());
        else ({ url, cleanup } = fileUrl());
        const db: Db = {
          kind,
          dialect: kind === "postgres" || kind === "pglite" ? "postgres" : "sqlite",
          url,
          engine(opts) {
            const e = open(opts);
            engines.push(e);
            return e;
          },
        };
        try {
          await fn(db);
        } finally {
          for (const e of engines) await e.dispose();
          await cleanup();
        }
      },
    });
  }
}

/** Collects the statements an engine sends (pass as `echo`). */
export function statementLog(): { echo: (e: { text: string }) => void; texts: string[] } {
  const texts: string[] = [];
  return { echo: (e) => texts.push(e.text), texts };
}

/** One database for a test, in a scope of its own: on PostgreSQL, a fresh schema. */
export interface Scope {
  db: Db;
  open(options?: EngineOptions): Engine;
}

export function scopedTest(
  name: string,
  fn: (s: Scope) => Promise<void>,
  opts?: DbTestOptions,
): void {
  // Every PostgreSQL test runs in a schema of its own (see dbTest).
  dbTest(name, (db) => fn({ db, open: (o) => db.engine(o) }), opts);
}

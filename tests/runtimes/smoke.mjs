// The runtime smoke suite: plain JavaScript that Node.js 22 and 24, Bun and Deno all run.
//
//   node smoke.mjs             imports the installed package "@retort/orm" (from a tarball)
//   node smoke.mjs --source    imports the TypeScript source (Node.js 24, Bun): of the repository
//                              at RETORT_SOURCE (a file URL or path), by default ../../
//
// On each database it can reach (in-memory SQLite by URL, a node:sqlite DatabaseSync passed in,
// a bun:sqlite Database under Bun, PostgreSQL at DATABASE_URL in a schema of its own, dropped at
// the end) it maps classes, commits a session, loads a relationship with selectin, commits and
// rolls back a transaction, and catches an IntegrityError. The last line says how many checks
// passed; the exit code is 1 when any failed.
//
// With RETORT_SMOKE_PGLITE=1 it also runs on PGlite (installed beside it), in memory.
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a PostgreSQL that
// does not answer is skipped with a notice, or fails when RETORT_REQUIRE_POSTGRES=1.
import assert from "node:assert/strict";
import process from "node:process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { pathToFileURL } from "node:url";

const SOURCE = process.argv.includes("--source");
const ROOT = process.env.RETORT_SOURCE
  ? new URL(process.env.RETORT_SOURCE.replace(/\/?$/, "/"), pathToFileURL("/"))
  : new URL("../../", import.meta.url);
/** The entry points the suite loads: subpath -> source file. */
const ENTRIES = {
  "": "mod.ts",
  "/core": "core.ts",
  "/sqlite": "dialects/sqlite/mod.ts",
  "/postgres": "dialects/postgres/mod.ts",
  "/pglite": "dialects/postgres/pglite/mod.ts",
};
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE_PG = process.env.RETORT_REQUIRE_POSTGRES === "1";
const runtime = globalThis.Bun
  ? `Bun ${globalThis.Bun.version}`
  : globalThis.Deno
  ? `Deno ${globalThis.Deno.version.deno}`
  : `Node.js ${process.versions.node}`;
const [major, minor] = process.versions.node.split(".").map(Number);
/** Plain Node.js older than 22.5 has no node:sqlite (Bun and Deno report a recent version). */
const NO_NODE_SQLITE = !globalThis.Bun && !globalThis.Deno &&
  (major < 22 || (major === 22 && minor < 5));

function load(sub) {
  return SOURCE ? import(new URL(ENTRIES[sub], ROOT).href) : import(`@retort/orm${sub}`);
}

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).replaceAll("\n", "\n     ")}`);
  }
}

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 5432) });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const retort = await load("");
const { column, createEngine, IntegrityError, Model, relationship, select, selectin, sql } = retort;

class Author extends Model("smoke_authors", {
  id: column.integer().primaryKey(),
  name: column.text().unique(),
}) {
  static books = relationship(() => Book, { backPopulates: "author", cascade: "all" });
  greeting() {
    return `by ${this.name}`;
  }
}
class Book extends Model("smoke_books", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => Author.c.id),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
}

/** The suite on one engine. */
async function suite(label, open) {
  const engine = open();
  try {
    await check(`${label}: createAll`, async () => {
      await engine.dropAll([Author, Book]); // a second suite on the same database starts clean
      await engine.createAll([Author, Book]);
    });
    await check(`${label}: a session commits a graph`, async () => {
      const session = engine.session();
      try {
        const ursula = new Author({ name: "Ursula" });
        ursula.books.push(new Book({ title: "The Dispossessed" }));
        ursula.books.push(new Book({ title: "The Lathe of Heaven" }));
        session.add(ursula);
        await session.commit();
        assert.equal(typeof ursula.id, "number");
      } finally {
        await session.close();
      }
    });
    await check(`${label}: selectin loads the relationship, both ways`, async () => {
      const session = engine.session();
      try {
        const [author] = await session.all(
          select(Author).where(sql`${Author.c.name} = ${"Ursula"}`).options(selectin("books")),
        );
        assert.equal(author.greeting(), "by Ursula");
        assert.deepEqual(author.books.map((b) => b.title).sort(), [
          "The Dispossessed",
          "The Lathe of Heaven",
        ]);
        assert.equal(author.books[0].author, author);
      } finally {
        await session.close();
      }
    });
    await check(`${label}: a transaction commits, and rolls back when it throws`, async () => {
      await engine.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO smoke_authors (name) VALUES (${"Octavia"})`);
      });
      await assert.rejects(
        engine.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO smoke_authors (name) VALUES (${"Nobody"})`);
          throw new Error("undo");
        }),
        /undo/,
      );
      const names = await engine.all(sql`SELECT name FROM smoke_authors ORDER BY name`);
      assert.deepEqual(names.map((r) => r.name), ["Octavia", "Ursula"]);
    });
    await check(`${label}: integers are numbers, and bigints beyond 2^53`, async () => {
      const row = await engine.one(
        sql`SELECT CAST('9007199254740993' AS BIGINT) AS big, CAST('5' AS BIGINT) AS small`,
      );
      assert.equal(row.big, 9007199254740993n);
      assert.equal(row.small, 5);
    });
    await check(`${label}: JSON is stored as JSON and read back as the value`, async () => {
      const docs = retort.table("smoke_docs", {
        id: column.integer().primaryKey(),
        body: column.json(),
      });
      await engine.createAll([docs]);
      const body = { a: [1, { b: "c" }], s: 'x"y' };
      await engine.run(retort.insert(docs).values({ id: 1, body }));
      const [row] = await engine.all(select(docs.c.body));
      assert.deepEqual(row.body, body);
      if (engine.dialect.name === "postgres") {
        assert.equal(await engine.scalar(sql`SELECT json_typeof(body) FROM smoke_docs`), "object");
      } else {
        assert.equal(await engine.scalar(sql`SELECT json_type(body) FROM smoke_docs`), "object");
      }
      await engine.dropAll([docs]);
    });
    await check(`${label}: a duplicate is an IntegrityError`, async () => {
      const session = engine.session();
      try {
        session.add(new Author({ name: "Ursula" }));
        await assert.rejects(session.commit(), (e) => e instanceof IntegrityError);
      } finally {
        await session.close();
      }
    });
  } finally {
    await engine.dispose();
  }
}

console.log(`Retort smoke suite on ${runtime}, from ${SOURCE ? "the source" : "the package"}`);
await check("the entry points import", async () => {
  let subs = Object.keys(ENTRIES);
  if (SOURCE) subs = subs.filter((s) => s !== "/postgres"); // its bare "postgres" needs an install
  else {
    const manifest = JSON.parse(
      readFileSync(new URL(import.meta.resolve("@retort/orm/package.json")), "utf8"),
    );
    // Every subpath of the exports map but the manifest itself (the CLI, imported, runs nothing).
    subs = Object.keys(manifest.exports).map((k) => k.slice(1)).filter((s) =>
      s !== "/package.json"
    );
    assert.equal(manifest.engines.node, ">=22.5");
  }
  for (const sub of subs) {
    const m = await load(sub);
    assert(Object.keys(m).length > 0, `@retort/orm${sub} exports nothing`);
  }
});

if (NO_NODE_SQLITE) {
  await check("SQLite names Node.js 22.5 as its minimum", async () => {
    const engine = createEngine("sqlite::memory:");
    try {
      await assert.rejects(engine.scalar(sql`SELECT 1`), /22\.5/);
    } finally {
      await engine.dispose().catch(() => {});
    }
  });
} else {
  await suite("sqlite (URL)", () => createEngine("sqlite::memory:"));
  const { sqliteDriver } = await load("/sqlite");
  const { DatabaseSync } = await import("node:sqlite");
  await suite(
    "sqlite (node:sqlite DatabaseSync)",
    () => createEngine(sqliteDriver(new DatabaseSync(":memory:"))),
  );
  if (globalThis.Bun) {
    // bunSqlite: from the sqlite entry point once it exports it; the source has it in bun.ts.
    const bunSqlite = (await load("/sqlite")).bunSqlite ??
      (SOURCE ? (await import(new URL("dialects/sqlite/bun.ts", ROOT).href)).bunSqlite : null);
    if (bunSqlite) {
      const { Database } = await import("bun:sqlite");
      await suite(
        "sqlite (bun:sqlite Database)",
        () => createEngine(sqliteDriver(bunSqlite(new Database(":memory:")))),
      );
    } else console.log("bunSqlite is not exported by @retort/orm/sqlite yet: skipped.");
  }
}

if (process.env.RETORT_SMOKE_PGLITE === "1") {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pgliteDriver } = await load("/pglite");
  const db = await PGlite.create();
  try {
    await suite("pglite", () => createEngine(pgliteDriver(db)));
  } finally {
    await db.close();
  }
}

if (await reachable(PG_URL)) {
  // The source's URL driver imports "postgres" by its bare name, which resolves only where it
  // is installed: from the source, postgres.js clients of this folder's install are passed in.
  const postgres = SOURCE ? (await import("postgres")).default : null;
  const clients = [];
  const open = (url) => {
    if (!SOURCE) return createEngine(url);
    const client = postgres(url, { max: 4, onnotice: () => {} });
    clients.push(client);
    return createEngine(client);
  };
  const schema = `retort_smoke_${process.pid}_${Date.now()}`;
  const admin = open(PG_URL);
  await admin.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
  const url = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}search_path=${schema}`;
  try {
    await suite(SOURCE ? "postgres (postgres.js client)" : "postgres (URL)", () => open(url));
    if (!SOURCE) {
      // A postgres.js client of the user's own, passed in, behaves as one the engine opens.
      const postgres = (await import("postgres")).default;
      const client = postgres(url, { max: 4, onnotice: () => {} });
      clients.push(client);
      await suite("postgres (postgres.js client)", () => createEngine(client));
    }
  } finally {
    await admin.run(sql`DROP SCHEMA ${sql.id(schema)} CASCADE`);
    await admin.dispose();
    for (const client of clients) await client.end({ timeout: 5 });
  }
} else if (REQUIRE_PG) {
  await check("PostgreSQL answers", () => assert.fail(`no PostgreSQL at ${PG_URL}`));
} else {
  console.log(`PostgreSQL is not reachable at ${PG_URL}: skipped.`);
}

console.log(`smoke: ${passed} checks passed, ${failed} failed (${runtime})`);
process.exit(failed === 0 ? 0 : 1);

/**
 * Streaming: engine.stream and session.stream read a result in chunks (a declared cursor on
 * PostgreSQL, a stepped statement on SQLite), give the same rows as all(), release the
 * connection when the loop ends early or fails, and run selectin loaders per chunk.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  DatabaseError,
  type Engine,
  joined,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

class Author extends Model("st_authors", {
  id: column.integer().primaryKey(),
  name: column.text(),
  born: column.timestamp().nullable(),
}) {
  static books = relationship(() => Book, { backPopulates: "author" });
  declare books: Book[];
}

class Book extends Model("st_books", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => Author.c.id),
  title: column.text(),
}) {
  static author = relationship(() => Author, { backPopulates: "books" });
  declare author: Author;
}

const models = [Author, Book];

const numbers = (n: number) =>
  sql`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${n})
      SELECT x, 'r' || x AS label FROM n ORDER BY x`;

async function seed(engine: Engine) {
  await engine.createAll(models);
  await using session = engine.session();
  for (let i = 1; i <= 250; i++) {
    const a = new Author({ name: `a${i}`, born: new Date(Date.UTC(1900 + i, 0, 1)) });
    session.add(a);
    for (let j = 0; j < 2; j++) a.books.push(new Book({ title: `b${i}.${j}` }));
  }
  await session.commit();
}

scopedTest("engine.stream gives the rows of all(), in chunks", async ({ open }) => {
  const chunks: number[] = [];
  const engine = open();
  const all = await engine.all<{ x: number; label: string }>(numbers(2345));
  const streamed: { x: number; label: string }[] = [];
  for await (const row of engine.stream<{ x: number; label: string }>(numbers(2345))) {
    streamed.push(row);
  }
  assert.deepEqual(streamed, all);
  const conn = await engine.connect();
  for await (const rows of conn.streamChunks(numbers(2345), "values", 1000)) {
    chunks.push(rows.length);
    assert(Array.isArray(rows[0]), "values mode gives arrays");
  }
  await conn.close();
  assert.deepEqual(chunks, [1000, 1000, 345]);
  assert.equal(engine.checkedOut, 0);
});

scopedTest("engine.stream decodes column types as all() does", async ({ open }) => {
  const engine = open();
  await seed(engine);
  const q = select(Author.c.id, Author.c.born).orderBy(Author.c.id);
  const all = await engine.all(q);
  const streamed = [];
  for await (const row of engine.stream(q, { chunkSize: 7 })) streamed.push(row);
  assert.deepEqual(streamed, all);
  assert(streamed[0].born instanceof Date);
});

scopedTest("leaving a stream early gives its connection back", async ({ open }) => {
  const engine = open({ poolSize: 1 });
  for (let i = 0; i < 3; i++) {
    let seen = 0;
    for await (const row of engine.stream<{ x: number }>(numbers(5000), { chunkSize: 100 })) {
      seen = row.x;
      if (row.x === 150) break;
    }
    assert.equal(seen, 150);
    assert.equal(engine.checkedOut, 0);
    assert.equal(await engine.scalar(sql`SELECT ${41} + 1`), 42);
  }
  // A throw in the loop body too.
  await assert.rejects(async () => {
    for await (const _ of engine.stream(numbers(500), { chunkSize: 10 })) throw new Error("stop");
  }, /stop/);
  assert.equal(engine.checkedOut, 0);
  assert.equal(await engine.scalar(sql`SELECT 1`), 1);
});

scopedTest("a failing stream raises the database's error and releases", async ({ open }) => {
  const engine = open({ hideParameters: true });
  await assert.rejects(async () => {
    for await (const _ of engine.stream(sql`SELECT * FROM st_missing WHERE x = ${"secret"}`)) {
      // never reached
    }
  }, (e: unknown) => e instanceof DatabaseError && !String(e).includes("secret"));
  assert.equal(engine.checkedOut, 0);
});

scopedTest("a stream with a bad chunkSize is an ArgumentError", async ({ open }) => {
  const engine = open();
  await assert.rejects(async () => {
    for await (const _ of engine.stream(numbers(3), { chunkSize: 0 })) { /* never */ }
  }, (e: unknown) => e instanceof ArgumentError && /chunkSize/.test((e as Error).message));
});

scopedTest("echo reports a stream once, with its row count", async ({ open }) => {
  const seen: { text: string; rows?: number }[] = [];
  const engine = open({ echo: (e) => seen.push({ text: e.text, rows: e.rows }) });
  let n = 0;
  for await (const _ of engine.stream(numbers(1234), { chunkSize: 500 })) n++;
  const mine = seen.filter((e) => e.text.includes("WITH RECURSIVE"));
  assert.equal(mine.length, 1);
  assert.equal(mine[0].rows, 1234);
  assert.equal(n, 1234);
  assert(
    !seen.some((e) => /FETCH|DECLARE/.test(e.text)),
    "the cursor's own statements are not echoed",
  );
});

scopedTest(
  "a stream in a transaction sees its writes; other statements run between rows",
  async ({ open }) => {
    const engine = open();
    await engine.run(sql`CREATE TABLE st_t (x INTEGER)`);
    await engine.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO st_t (x) SELECT x FROM (${numbers(300)}) AS s`);
      let k = 0;
      for await (
        const row of tx.stream<{ x: number }>(sql`SELECT x FROM st_t ORDER BY x`, { chunkSize: 50 })
      ) {
        k++;
        assert.equal(row.x, k);
        if (k % 100 === 0) assert.equal(await tx.scalar(sql`SELECT count(*) FROM st_t`), 300);
      }
      assert.equal(k, 300);
    });
    assert.equal(engine.checkedOut, 0);
  },
);

scopedTest(
  "session.stream yields objects through the identity map, selectin per chunk",
  async ({ open }) => {
    const queries: string[] = [];
    const engine = open({ echo: (e) => queries.push(e.text) });
    await seed(engine);
    await using session = engine.session();
    const first = await session.get(Author, 1);
    const names: string[] = [];
    let books = 0;
    queries.length = 0;
    for await (
      const a of session.stream(select(Author).options(selectin("books")).orderBy(Author.c.id), {
        chunkSize: 100,
      })
    ) {
      assert(a instanceof Author);
      names.push(a.name);
      books += a.books.length;
      assert(a.books.every((b) => b.author === a));
    }
    assert.equal(names.length, 250);
    assert.equal(books, 500);
    assert.equal(names[0], "a1");
    assert.equal(await session.get(Author, 1), first, "one row, one object");
    // One stream and one selectin per chunk of 100: 3 chunks.
    assert.equal(queries.filter((t) => t.includes("st_books")).length, 3);
  },
);

scopedTest(
  "session.stream with expunge keeps one chunk; changes made in the loop are flushed",
  async ({ open }) => {
    const engine = open();
    await seed(engine);
    await using session = engine.session();
    let peak = 0;
    for await (
      const a of session.stream(select(Author).orderBy(Author.c.id), {
        chunkSize: 40,
        expunge: true,
      })
    ) {
      peak = Math.max(peak, session.identityCount);
      if (a.id % 50 === 0) a.name = `renamed ${a.id}`;
    }
    assert(peak <= 40 + 5, `the session held ${peak} objects`);
    assert.equal(session.identityCount, 5, "the changed objects stay to be flushed");
    await session.commit();
    assert.equal(
      await engine.scalar(sql`SELECT count(*) FROM st_authors WHERE name LIKE 'renamed%'`),
      5,
    );
  },
);

scopedTest("session.stream refuses what it cannot stream", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  await using session = engine.session();
  await assert.rejects(async () => {
    for await (const _ of session.stream(select(Author).options(joined("books")))) { /* never */ }
  }, (e: unknown) => e instanceof ArgumentError && /selectin/.test((e as Error).message));
  await assert.rejects(async () => {
    // deno-lint-ignore no-explicit-any
    for await (const _ of session.stream(select(Author.c.id) as any)) { /* never */ }
  }, (e: unknown) => e instanceof ArgumentError && /engine\.stream/.test((e as Error).message));
});

scopedTest("session.stream autoflushes first", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  await using session = engine.session();
  session.add(new Author({ name: "pending" }));
  const names: string[] = [];
  for await (const a of session.stream(select(Author))) names.push(a.name);
  assert.deepEqual(names, ["pending"]);
});

Deno.test("bench/stream.ts runs and shows what the loop keeps, per database", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      "--config",
      `${root}bench/deno.json`,
      `${root}bench/stream.ts`,
      "--rows",
      "3000",
      "--chunk",
      "500",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert(out.success, text);
  for (const db of ["sqlite", "postgres"]) {
    for (const how of ["engine.stream", "session.stream, expunge", "engine.all (contrast)"]) {
      assert.match(
        text,
        new RegExp(`\\| ${db} \\| ${how.replace(/[.()]/g, "\\$&")} \\| [0-9.]+ MB`),
      );
    }
  }
});

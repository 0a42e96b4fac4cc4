/**
 * EXISTS / NOT EXISTS with correlated subqueries, SQL functions (`fn`) and window functions
 * (`.over(...)`): the text per dialect, then run on both databases, through Core and the ORM.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  asc,
  column,
  compile,
  desc,
  eq,
  exists,
  fn,
  gt,
  insert,
  Model,
  not,
  notExists,
  postgresDialect,
  select,
  sqliteDialect,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Writer extends Model("xw_writers", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

class Note extends Model("xw_notes", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => Writer.c.id),
  words: column.integer(),
}) {}

const models = [Writer, Note];

async function seed(db: { engine(): import("../mod.ts").Engine }) {
  const engine = db.engine();
  await engine.createAll(models);
  await engine.run(
    insert(Writer).values([{ name: "ada" }, { name: "grace" }, { name: "idle" }]),
  );
  await engine.run(
    insert(Note).values([
      { authorId: 1, words: 10 },
      { authorId: 1, words: 30 },
      { authorId: 2, words: 20 },
      { authorId: 1, words: 20 },
    ]),
  );
  return engine;
}

const notesBy = select(Note.c.id).where(eq(Note.c.authorId, Writer.c.id));

Deno.test("exists and notExists compile a correlated subquery on both dialects", () => {
  const q = select(Writer.c.name).where(notExists(notesBy));
  const inner = 'SELECT "xw_notes"."id" FROM "xw_notes" WHERE "xw_notes"."author_id" = ' +
    '"xw_writers"."id"';
  const expected = `SELECT "xw_writers"."name" FROM "xw_writers" WHERE NOT EXISTS (${inner})`;
  assert.equal(compile(q, sqliteDialect).text, expected);
  assert.equal(compile(q, postgresDialect).text, expected);
  const both = select(Writer.c.id).where(exists(notesBy), gt(Writer.c.id, 1));
  assert.equal(
    compile(both, postgresDialect).text,
    `SELECT "xw_writers"."id" FROM "xw_writers" WHERE EXISTS (${inner}) AND "xw_writers"."id" > $1`,
  );
  assert.throws(() => notExists(Writer.c.id), ArgumentError);
  assert.throws(() => exists("x" as never), ArgumentError);
});

dbTest("exists / notExists filter rows by a correlated subquery (Core and ORM)", async (db) => {
  const engine = await seed(db);
  const some = await engine.all(
    select(Writer.c.name).where(exists(notesBy)).orderBy(Writer.c.name),
  );
  assert.deepEqual(some.map((r) => r.name), ["ada", "grace"]);
  const none = await engine.all(select(Writer.c.name).where(notExists(notesBy)));
  assert.deepEqual(none.map((r) => r.name), ["idle"]);
  // not(exists(...)) agrees with notExists.
  const negated = await engine.all(select(Writer.c.name).where(not(exists(notesBy))));
  assert.deepEqual(negated, none);
  // A subquery with its own filter.
  const wordy = select(Note.c.id).where(eq(Note.c.authorId, Writer.c.id), gt(Note.c.words, 25));
  const rows = await engine.all(select(Writer.c.name).where(exists(wordy)));
  assert.deepEqual(rows.map((r) => r.name), ["ada"]);

  await using session = engine.session();
  const writers = await session.all(select(Writer).where(notExists(notesBy)));
  assert.equal(writers.length, 1);
  assert.ok(writers[0] instanceof Writer);
  assert.equal(writers[0].name, "idle");
});

Deno.test("fn and over(...) compile per dialect", () => {
  const rn = fn.rowNumber().over({ partitionBy: Note.c.authorId, orderBy: desc(Note.c.id) });
  const text =
    'row_number() OVER (PARTITION BY "xw_notes"."author_id" ORDER BY "xw_notes"."id" DESC)';
  assert.equal(compile(rn, sqliteDialect).text, text);
  assert.equal(compile(rn, postgresDialect).text, text);
  assert.equal(compile(fn.count().over(), sqliteDialect).text, "count(*) OVER ()");
  assert.equal(
    compile(
      fn.sum(Note.c.words).over({ partitionBy: [Note.c.authorId], orderBy: [asc(Note.c.id)] }),
      postgresDialect,
    ).text,
    'sum("xw_notes"."words") OVER (PARTITION BY "xw_notes"."author_id" ORDER BY "xw_notes"."id" ASC)',
  );
  const lag = compile(fn.lag(Note.c.words, 2, 0).over({ orderBy: Note.c.id }), postgresDialect);
  assert.equal(lag.text, 'lag("xw_notes"."words", 2, $1) OVER (ORDER BY "xw_notes"."id")');
  assert.deepEqual(lag.params, [0]);
  assert.equal(
    compile(fn.countDistinct(Note.c.authorId), sqliteDialect).text,
    'count(DISTINCT "xw_notes"."author_id")',
  );
  // A select of functions of a column reads FROM the column's table.
  assert.equal(
    compile(select({ n: fn.count(Note.c.id), top: fn.max(Note.c.words) }), sqliteDialect).text,
    'SELECT count("xw_notes"."id") AS "n", max("xw_notes"."words") AS "top" FROM "xw_notes"',
  );
  assert.equal(
    compile(select({ nth: fn.rowNumber().over({ partitionBy: Note.c.authorId }) }), sqliteDialect)
      .text,
    'SELECT row_number() OVER (PARTITION BY "xw_notes"."author_id") AS "nth" FROM "xw_notes"',
  );
  assert.match(
    compile(select({ prev: fn.lag(Note.c.words).over() }), postgresDialect).text,
    / FROM "xw_notes"$/,
  );
  assert.equal(compile(select({ n: fn.count() }), sqliteDialect).text, 'SELECT count(*) AS "n"');
  assert.throws(() => fn.lag(Note.c.words, -1), ArgumentError);
  assert.throws(() => fn.lag(Note.c.words, 1, "x" as never), ArgumentError);
  assert.throws(() => fn.rank().over(null as never), ArgumentError);
  assert.throws(() => fn.sum(5 as never), ArgumentError);
});

dbTest("aggregates and window functions return typed, decoded values", async (db) => {
  const engine = await seed(db);
  const totals = await engine.one(
    select({
      n: fn.count(),
      authors: fn.countDistinct(Note.c.authorId),
      words: fn.sum(Note.c.words),
      mean: fn.avg(Note.c.words),
      least: fn.min(Note.c.words),
      most: fn.max(Note.c.words),
    }).from(Note),
  );
  const n: number = totals.n;
  const words: number | null = totals.words;
  assert.deepEqual({ ...totals }, {
    n: 4,
    authors: 2,
    words: 80,
    mean: 20,
    least: 10,
    most: 30,
  });
  assert.equal(typeof n, "number");
  assert.equal(typeof words, "number");

  const inferred = await engine.one(select({ n: fn.count(Note.c.id), most: fn.max(Note.c.words) }));
  assert.deepEqual({ ...inferred }, { n: 4, most: 30 });

  const perAuthor = await engine.all(
    select({ authorId: Note.c.authorId, n: fn.count(Note.c.id) })
      .groupBy(Note.c.authorId).orderBy(Note.c.authorId),
  );
  assert.deepEqual(perAuthor.map((r) => [r.authorId, r.n]), [[1, 3], [2, 1]]);

  const q = select({
    id: Note.c.id,
    nth: fn.rowNumber().over({ partitionBy: Note.c.authorId, orderBy: desc(Note.c.id) }),
    rank: fn.rank().over({ orderBy: Note.c.words }),
    dense: fn.denseRank().over({ orderBy: Note.c.words }),
    running: fn.sum(Note.c.words).over({ partitionBy: Note.c.authorId, orderBy: Note.c.id }),
    byAuthor: fn.count().over({ partitionBy: Note.c.authorId }),
    before: fn.lag(Note.c.words).over({ orderBy: Note.c.id }),
    after: fn.lead(Note.c.words, 1, -1).over({ orderBy: Note.c.id }),
  }).orderBy(Note.c.id);
  const rows = await engine.all(q);
  const nth: number = rows[0].nth;
  assert.equal(typeof nth, "number");
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { id: 1, nth: 3, rank: 1, dense: 1, running: 10, byAuthor: 3, before: null, after: 30 },
    { id: 2, nth: 2, rank: 4, dense: 3, running: 40, byAuthor: 3, before: 10, after: 20 },
    { id: 3, nth: 1, rank: 2, dense: 2, running: 20, byAuthor: 1, before: 30, after: 20 },
    { id: 4, nth: 1, rank: 2, dense: 2, running: 60, byAuthor: 3, before: 20, after: -1 },
  ]);

  // The latest note of each author, through a subquery over a window, in the ORM.
  const ranked = select({
    id: Note.c.id,
    nth: fn.rowNumber().over({ partitionBy: Note.c.authorId, orderBy: desc(Note.c.id) }),
  }).as("ranked");
  await using session = engine.session();
  const latest = await session.all(
    select(Note).join(ranked, eq(ranked.c.id, Note.c.id)).where(eq(ranked.c.nth, 1))
      .orderBy(Note.c.id),
  );
  assert.deepEqual(latest.map((x) => x.id), [3, 4]);
  assert.ok(latest[0] instanceof Note);
});

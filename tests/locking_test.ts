/**
 * Row locks: `select(...).forUpdate(...)` / `.forShare(...)`. The text per dialect (SQLite
 * renders none: a write transaction locks the whole database), and on PostgreSQL two
 * connections showing that SKIP LOCKED leaves out a locked row and NOWAIT fails with a typed
 * error.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  compile,
  eq,
  insert,
  Model,
  OperationalError,
  postgresDialect,
  select,
  sqliteDialect,
  table,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class Job extends Model("lk_jobs", {
  id: column.integer().primaryKey(),
  name: column.text(),
  done: column.boolean().default(false),
}) {}

const owners = table("lk_owners", {
  id: column.integer().primaryKey(),
  jobId: column.integer().references(() => Job.c.id),
});

Deno.test("forUpdate / forShare compile per dialect", () => {
  const base = 'SELECT "lk_jobs"."id", "lk_jobs"."name", "lk_jobs"."done" FROM "lk_jobs"';
  const claim = select(Job).where(eq(Job.c.done, false)).orderBy(Job.c.id).limit(2)
    .forUpdate({ skipLocked: true });
  const tail = ' WHERE "lk_jobs"."done" = $1 ORDER BY "lk_jobs"."id" LIMIT $2';
  assert.equal(compile(claim, postgresDialect).text, `${base}${tail} FOR UPDATE SKIP LOCKED`);
  assert.equal(compile(claim, sqliteDialect).text, `${base}${tail.replace(/\$\d/g, "?")}`);
  assert.equal(compile(select(Job).forUpdate(), postgresDialect).text, `${base} FOR UPDATE`);
  assert.equal(compile(select(Job).forUpdate(), sqliteDialect).text, base);
  assert.equal(
    compile(select(Job).forShare({ nowait: true }), postgresDialect).text,
    `${base} FOR SHARE NOWAIT`,
  );
  const joined = select(Job.c.id, owners.c.jobId).join(owners)
    .forUpdate({ of: [Job], nowait: true });
  assert.match(compile(joined, postgresDialect).text, / FOR UPDATE OF "lk_jobs" NOWAIT$/);
  const o2 = owners.as("o2");
  assert.match(
    compile(select(o2.c.id).forShare({ of: [Job.table, o2] }), postgresDialect).text,
    / FOR SHARE OF "lk_jobs", "o2"$/,
  );
  // The last lock asked for wins.
  assert.match(
    compile(select(Job).forUpdate().forShare(), postgresDialect).text,
    / FOR SHARE$/,
  );
  assert.throws(
    () => select(Job).forUpdate({ nowait: true, skipLocked: true }),
    (e) => e instanceof ArgumentError && /nowait or skipLocked, not both/.test(e.message),
  );
  assert.throws(() => select(Job).forUpdate({ of: [{} as never] }), ArgumentError);
  assert.throws(() => select(Job).forShare(null as never), ArgumentError);
});

async function seed(db: { engine(): import("../mod.ts").Engine }) {
  const engine = db.engine();
  await engine.createAll([Job, owners]);
  await engine.run(insert(Job).values([{ name: "a" }, { name: "b" }, { name: "c" }]));
  return engine;
}

dbTest("a locking select runs in Core and the ORM", async (db) => {
  const engine = await seed(db);
  await engine.transaction(async (tx) => {
    const rows = await tx.all(
      select(Job.c.id).orderBy(Job.c.id).limit(2).forUpdate({ skipLocked: true }),
    );
    assert.deepEqual(rows.map((r) => r.id), [1, 2]);
    const shared = await tx.all(select(Job.c.id).where(eq(Job.c.id, 3)).forShare());
    assert.deepEqual(shared.map((r) => r.id), [3]);
  });
  await using session = engine.session();
  const jobs = await session.all(
    select(Job).orderBy(Job.c.id).limit(2).forUpdate({ skipLocked: true }),
  );
  assert.deepEqual(jobs.map((j) => j.name), ["a", "b"]);
  assert.ok(jobs[0] instanceof Job);
  for (const j of jobs) j.done = true;
  await session.commit();
  const left = await engine.all(select(Job.c.id).where(eq(Job.c.done, false)));
  assert.deepEqual(left.map((r) => r.id), [3]);
});

dbTest("SKIP LOCKED leaves out rows another transaction locked; NOWAIT fails typed", async (db) => {
  const engine = await seed(db);
  const other = db.engine();
  await using first = await engine.connect();
  await using second = await other.connect();
  const a = await first.begin();
  const locked = await a.all(select(Job.c.id).where(eq(Job.c.id, 1)).forUpdate());
  assert.deepEqual(locked.map((r) => r.id), [1]);

  // Another connection skips the locked row, and locks the rows it gets.
  const b = await second.begin();
  const claimed = await b.all(
    select(Job.c.id).orderBy(Job.c.id).limit(1).forUpdate({ skipLocked: true }),
  );
  assert.deepEqual(claimed.map((r) => r.id), [2]);
  // The first transaction, in turn, skips the row the second one locked.
  const rest = await a.all(
    select(Job.c.id).where(eq(Job.c.id, 2)).forUpdate({ skipLocked: true }),
  );
  assert.deepEqual(rest, []);
  await b.rollback();

  // NOWAIT on the locked row fails at once with an OperationalError (55P03).
  const c = await second.begin();
  await assert.rejects(
    () => c.all(select(Job.c.id).where(eq(Job.c.id, 1)).forUpdate({ nowait: true })),
    (e) => e instanceof OperationalError && e.code === "55P03",
  );
  await c.rollback();
  // FOR SHARE NOWAIT conflicts with FOR UPDATE too.
  const d = await second.begin();
  await assert.rejects(
    () => d.all(select(Job.c.id).where(eq(Job.c.id, 1)).forShare({ nowait: true })),
    (e) => e instanceof OperationalError && e.code === "55P03",
  );
  await d.rollback();
  await a.rollback();

  // Shared locks do not conflict with each other.
  const e1 = await first.begin();
  await e1.all(select(Job.c.id).where(eq(Job.c.id, 3)).forShare());
  const e2 = await second.begin();
  const both = await e2.all(select(Job.c.id).where(eq(Job.c.id, 3)).forShare({ nowait: true }));
  assert.deepEqual(both.map((r) => r.id), [3]);
  await e2.rollback();
  await e1.rollback();

  // The ORM's sessions claim disjoint rows.
  await using s1 = engine.session();
  await using s2 = other.session();
  const claim = select(Job).orderBy(Job.c.id).limit(2).forUpdate({ skipLocked: true });
  const mine = await s1.all(claim);
  const theirs = await s2.all(claim);
  assert.deepEqual(mine.map((j) => j.id), [1, 2]);
  assert.deepEqual(theirs.map((j) => j.id), [3]);
}, { on: ["postgres"] });

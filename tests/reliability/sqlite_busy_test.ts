/**
 * SQLite busy: while another connection holds the write lock — a raw node:sqlite connection,
 * a second engine on the same file, or another session of the same engine — a write waits
 * for the busy timeout and fails with an OperationalError (SQLITE_BUSY); reads go on; the
 * session demands a rollback, and works again after it once the lock is free.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  column,
  createEngine,
  type Engine,
  Model,
  OperationalError,
  PendingRollbackError,
  sql,
} from "../../mod.ts";

class Note extends Model("rel_busy_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
}) {}

async function withFile(fn: (url: string, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retort-busy-" });
  try {
    await fn(`sqlite:///${dir}/busy.db`, `${dir}/busy.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A write that must fail busy, then the session's recovery once `free()` releases the lock. */
async function busyThenRecover(engine: Engine, free: () => Promise<void>, tag: string) {
  const count = async () => Number(await engine.scalar(sql`SELECT count(*) FROM ${Note}`));
  const before = await count(); // reads go on under the lock (WAL)
  await using session = engine.session();
  session.add(new Note({ body: `${tag}: blocked` }));
  const error = await session.commit().then(() => null, (e) => e);
  assert.ok(error instanceof OperationalError, `${tag}: ${error}`);
  assert.equal(error.code, "SQLITE_BUSY", `${tag}: ${error.message}`);
  assert.match(error.message, /locked|busy/i);
  await assert.rejects(session.commit(), PendingRollbackError);
  // Core writes fail the same way; reads do not.
  await assert.rejects(
    engine.run(sql`INSERT INTO ${Note} (body) VALUES (${"core write"})`),
    OperationalError,
  );
  assert.equal(await count(), before);
  await session.rollback();
  await free();
  session.add(new Note({ body: `${tag}: after` }));
  await session.commit();
  assert.equal(await count(), before + 2, `${tag}: the holder's row and the session's`);
}

Deno.test("SQLite busy: a raw connection holds the write lock", async () => {
  await withFile(async (url, path) => {
    await using engine = createEngine(url, { busyTimeout: 100 });
    await engine.createAll([Note]);
    const holder = new DatabaseSync(path);
    try {
      holder.exec("PRAGMA busy_timeout = 0");
      holder.exec("BEGIN IMMEDIATE");
      holder.exec("INSERT INTO rel_busy_notes (body) VALUES ('holder')");
      await busyThenRecover(engine, () => Promise.resolve(holder.exec("COMMIT")), "raw");
    } finally {
      holder.close();
    }
  });
});

Deno.test("SQLite busy: a second engine on the same file holds the write lock", async () => {
  await withFile(async (url) => {
    await using engine = createEngine(url, { busyTimeout: 100 });
    await using other = createEngine(url, { busyTimeout: 100 });
    await engine.createAll([Note]);
    const conn = await other.connect();
    const tx = await conn.begin();
    await tx.run(sql`INSERT INTO ${Note} (body) VALUES (${"other engine"})`);
    await busyThenRecover(engine, async () => {
      await tx.commit();
      await conn.close();
    }, "second engine");
  });
});

Deno.test("SQLite busy: another session of the same engine holds its transaction", async () => {
  await withFile(async (url) => {
    await using engine = createEngine(url, { busyTimeout: 100 });
    await engine.createAll([Note]);
    const holder = engine.session();
    holder.add(new Note({ body: "holder session" }));
    await holder.flush(); // the write lock is held until it commits
    await using session = engine.session();
    session.add(new Note({ body: "blocked" }));
    const error = await session.commit().then(() => null, (e) => e);
    assert.ok(error instanceof OperationalError, `${error}`);
    assert.equal(error.code, "SQLITE_BUSY");
    await assert.rejects(session.commit(), PendingRollbackError);
    await session.rollback();
    await holder.commit();
    await holder.close();
    session.add(new Note({ body: "after" }));
    await session.commit();
    assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM ${Note}`)), 2);
  });
});

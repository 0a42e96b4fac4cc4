/**
 * Leaks: 1,000 sessions and connections opened and disposed — committed, rolled back, left
 * through exceptions, failed in flush, closed and then misused. Afterwards no connection is
 * checked out, PostgreSQL holds no more connections than the pool (and none after dispose),
 * every closed session's identity map is empty and its objects detached, and (in a
 * subprocess that can force garbage collection) a closed session keeps none of its objects
 * alive. Deno's resource and op sanitizers stay on for every test here.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  inspect,
  IntegrityError,
  InvalidRequestError,
  Model,
  select,
  type Session,
  sql,
} from "../../mod.ts";
import { pgConnections, relTest, scale } from "./_support.ts";

class Owner extends Model("rel_leak_owners", {
  id: column.integer().primaryKey(),
  name: column.text().unique(),
}) {}

const ROUNDS = scale(1_000, 10_000);
class Boom extends Error {}

/** One round: a session or connection used one of seven ways, by `i`. */
async function round(engine: Engine, i: number, seen: object[]): Promise<Session | null> {
  switch (i % 7) {
    case 0: { // committed, then read back and changed
      await using session = engine.session();
      const o = new Owner({ name: `owner ${i}` });
      session.add(o);
      await session.commit();
      o.name = `owner ${i}!`;
      await session.commit();
      seen.push(o);
      return session;
    }
    case 1: { // left through an exception after a query
      let kept: Session | null = null;
      await assert.rejects(async () => {
        await using session = engine.session();
        kept = session;
        seen.push(...await session.all(select(Owner).limit(3)));
        throw new Boom();
      }, Boom);
      return kept;
    }
    case 2: { // a failed flush, left without rollback()
      let kept: Session | null = null;
      await assert.rejects(async () => {
        await using session = engine.session();
        kept = session;
        const o = new Owner({ name: "owner 0!" }); // taken by round 0
        seen.push(o);
        session.add(o);
        await session.commit().catch((e) => {
          assert.ok(e instanceof IntegrityError);
          throw e;
        });
      }, IntegrityError);
      return kept;
    }
    case 3: { // flushed, never committed: rolled back on dispose
      await using session = engine.session();
      const o = new Owner({ name: `pending ${i}` });
      session.add(o);
      await session.flush();
      seen.push(o);
      return session;
    }
    case 4: { // a connection whose transaction throws
      await assert.rejects(async () => {
        await using conn = await engine.connect();
        await using tx = await conn.begin();
        await tx.run(sql`INSERT INTO ${Owner} (name) VALUES (${`tx ${i}`})`);
        throw new Boom();
      }, Boom);
      return null;
    }
    case 5: { // engine.transaction that throws
      await assert.rejects(
        engine.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO ${Owner} (name) VALUES (${`tx ${i}`})`);
          throw new Boom();
        }),
        Boom,
      );
      return null;
    }
    default: { // closed explicitly, then misused
      const session = engine.session();
      const o = await session.get(Owner, 1);
      if (o) seen.push(o);
      await session.close();
      await assert.rejects(session.all(select(Owner)), InvalidRequestError);
      assert.throws(() => session.add(new Owner({ name: "late" })), InvalidRequestError);
      return session;
    }
  }
}

relTest("leaks: 1,000 sessions and connections leave nothing behind", async (db) => {
  const poolSize = db.kind === "sqlite" ? 1 : 4;
  const engine = db.open({ poolSize });
  await engine.createAll([Owner]);
  let sessions = 0;
  let peak = 0;
  // The first half one at a time, the second eight at a time.
  for (let i = 0; i < ROUNDS;) {
    const width = i < ROUNDS / 2 ? 1 : Math.min(8, ROUNDS - i);
    const seen: object[] = [];
    const done = await Promise.all(
      Array.from({ length: width }, (_, k) => round(engine, i + k, seen)),
    );
    assert.equal(engine.checkedOut, 0, `round ${i}: a connection is still checked out`);
    for (const session of done) {
      if (session === null) continue;
      sessions++;
      assert.equal(session.identityCount, 0, `round ${i}: the identity map kept objects`);
      assert.equal(session.inTransaction, false);
      assert.deepEqual([session.new.size, session.dirty.size, session.deleted.size], [0, 0, 0]);
    }
    for (const o of seen) {
      const info = inspect(o);
      assert.ok(!info.inSession, `round ${i}: an object is still in its session`);
      assert.ok(info.status === "detached" || info.status === "transient", info.status);
    }
    i += width;
    if (db.dialect === "postgres" && i % 8 === 0) {
      peak = Math.max(peak, await pgConnections(db.admin(), db.app));
      assert.ok(peak <= poolSize, `${peak} connections for a pool of ${poolSize}`);
    }
  }
  // Only the committed rounds wrote; everything else rolled back.
  const rows = Number(await engine.scalar(sql`SELECT count(*) FROM ${Owner}`));
  assert.equal(rows, Math.ceil(ROUNDS / 7));
  if (db.dialect === "postgres") {
    const open = await pgConnections(db.admin(), db.app);
    assert.ok(open <= poolSize, `${open} connections for a pool of ${poolSize}`);
    await engine.dispose();
    assert.equal(await pgConnections(db.admin(), db.app), 0, "connections left after dispose");
    peak = Math.max(peak, open);
  }
  console.log(
    `  ${db.kind}: ${ROUNDS} rounds (${sessions} sessions), 0 checked out, ` +
      `identity maps empty` +
      (db.dialect === "postgres"
        ? `; at most ${peak} server connections (pool ${poolSize}), 0 after dispose`
        : ""),
  );
}, { on: ["sqlite", "sqlite-file", "postgres"] });

/** The subprocess: objects of closed sessions must be collectable, of open ones not. */
const GC_CHILD = `
import { column, createEngine, Model, select } from ${
  JSON.stringify(import.meta.resolve("../../mod.ts"))
};
class Item extends Model("rel_gc_items", { id: column.integer().primaryKey(), v: column.text() }) {}
const engine = createEngine("sqlite::memory:");
await engine.createAll([Item]);
{
  await using s = engine.session();
  for (let i = 0; i < 200; i++) s.add(new Item({ v: "x".repeat(1000) }));
  await s.commit();
}
const closed = [];
const refs = [];
// In functions of their own, so that no suspended frame of this module holds a row.
async function load(s) {
  return (await s.all(select(Item))).map((o) => new WeakRef(o));
}
for (let round = 0; round < 20; round++) {
  const s = engine.session();
  refs.push(...await load(s));
  await s.close();
  closed.push(s); // the closed sessions stay reachable
}
const open = engine.session();
const held = await load(open);
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
const alive = refs.filter((r) => r.deref() !== undefined).length;
const heldAlive = held.filter((r) => r.deref() !== undefined).length;
console.log(JSON.stringify({ refs: refs.length, alive, held: held.length, heldAlive, closed: closed.length }));
await open.close();
await engine.dispose();
`;

Deno.test("leaks: a closed session keeps none of its objects alive (forced GC)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "retort-gc-" });
  try {
    const script = `${dir}/gc.ts`;
    await Deno.writeTextFile(script, GC_CHILD);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.equal(r.refs, 4000);
    assert.equal(r.alive, 0, `${r.alive} objects of closed sessions are still alive`);
    // The open session's identity map does hold its objects (the check can see retention).
    assert.equal(r.heldAlive, r.held);
    console.log(
      `  ${r.refs} objects of ${r.closed} closed sessions collected; an open session kept its ${r.held}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Savepoints of a session: a failed flush inside `beginNested()` rolls back to that savepoint
 * only, in the database and in memory, and the enclosing transaction goes on; a failure at
 * the top level still demands `rollback()`.
 */
import assert from "node:assert/strict";
import {
  column,
  eq,
  inspect,
  IntegrityError,
  Model,
  PendingRollbackError,
  select,
  type Session,
  sql,
  update,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as names, ready } from "./_support.ts";

class Member extends Model("sp_members", {
  id: column.integer().primaryKey(),
  name: column.text().unique(),
  note: column.text().default("none"),
}) {}

const MODELS = [Member];
const allNames = sql`SELECT ${Member.c.name} AS n FROM ${Member}`;
const noteOf = async (session: Session, name: string) =>
  (await session.execute<{ n: string }>(
    sql`SELECT ${Member.c.note} AS n FROM ${Member} WHERE ${Member.c.name} = ${name}`,
  )).rows[0]?.n;

scopedTest("a failed flush inside a savepoint rolls back to that savepoint only", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  const before = new Member({ name: "before" });
  session.add(before);
  await session.flush();
  const beforeId = before.id;
  {
    await using sp = await session.beginNested();
    before.note = "changed inside";
    const inside = new Member({ name: "inside" });
    session.add(inside);
    await session.flush();
    assert.equal(inspect(inside).status, "persistent");
    const dup = new Member({ name: "before" });
    session.add(dup);
    await assert.rejects(session.flush(), IntegrityError);
    assert.equal(sp.isActive, false, "the failed flush rolled the savepoint back");
    assert.equal(inspect(inside).status, "transient", "flushed in the savepoint: transient again");
    assert.equal(inside.id, undefined, "and its generated key is cleared");
    assert.equal(inspect(dup).status, "transient", "added in the savepoint: transient again");
    assert.equal(before.note, "none", "a change made in the savepoint is undone in memory");
    assert.equal(inspect(before).status, "persistent", "flushed before the savepoint: kept");
    assert.equal(before.id, beforeId);
  } // disposing the rolled-back savepoint undoes nothing more
  assert.equal(inspect(before).status, "persistent");
  assert.deepEqual(await names(session, allNames), ["before"], "the transaction is usable");
  assert.equal(await noteOf(session, "before"), "none");
  assert.equal(await session.get(Member, beforeId), before);
  await session.commit();
  assert.deepEqual(await names(engine, allNames), ["before"], "the outer commit succeeds");
  assert.equal(inspect(before).status, "persistent");
});

scopedTest(
  "after a failed savepoint, later statements stay in the transaction and are rolled back with it",
  async (s) => {
    const engine = await ready(s, MODELS);
    {
      await using session = engine.session();
      session.add(new Member({ name: "first" }));
      await session.flush();
      const sp = await session.beginNested();
      session.add(new Member({ name: "first" }));
      await assert.rejects(session.flush(), IntegrityError);
      await assert.rejects(sp.commit(), "a savepoint rolled back by a failed flush cannot commit");
      const later = new Member({ name: "later" });
      session.add(later);
      await session.flush();
      assert.equal(inspect(later).status, "persistent");
      assert.deepEqual(await names(session, allNames), ["first", "later"]);
      assert.ok(session.inTransaction, "the session is still in its transaction");
      if (s.db.kind === "postgres") {
        // Another connection sees nothing: no statement ran in autocommit.
        assert.deepEqual(await names(engine, allNames), []);
      }
    } // left without commit(): everything is rolled back
    assert.deepEqual(await names(engine, allNames), []);
  },
);

scopedTest("a savepoint whose commit fails in its flush is rolled back alone", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  const kept = new Member({ name: "kept" });
  session.add(kept);
  await session.flush();
  const sp = await session.beginNested();
  const lost = new Member({ name: "lost" });
  const dup = new Member({ name: "kept" });
  session.addAll([lost, dup]);
  await assert.rejects(sp.commit(), IntegrityError);
  assert.equal(sp.isActive, false);
  assert.equal(inspect(lost).status, "transient");
  assert.equal(inspect(dup).status, "transient");
  assert.equal(inspect(kept).status, "persistent");
  session.add(new Member({ name: "after" }));
  await session.commit();
  assert.deepEqual(await names(engine, allNames), ["after", "kept"]);
});

scopedTest("a failed flush at the top level still demands rollback()", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  const a = new Member({ name: "a" });
  session.add(a);
  await session.flush();
  const sp = await session.beginNested();
  const b = new Member({ name: "b" });
  session.add(b);
  await sp.commit(); // released: b belongs to the transaction now
  assert.equal(inspect(b).status, "persistent");
  session.add(new Member({ name: "a" }));
  await assert.rejects(session.flush(), IntegrityError);
  await assert.rejects(session.all(select(Member)), PendingRollbackError);
  await assert.rejects(session.commit(), PendingRollbackError);
  await assert.rejects(session.beginNested(), PendingRollbackError);
  assert.throws(() => session.add(new Member({ name: "c" })), PendingRollbackError);
  await session.rollback();
  assert.equal(inspect(a).status, "transient");
  assert.equal(inspect(b).status, "transient");
  assert.deepEqual(await names(session, allNames), []);
  session.add(new Member({ name: "fresh" }));
  await session.commit();
  assert.deepEqual(await names(engine, allNames), ["fresh"]);
});

scopedTest("three levels of savepoints, with commits, rollbacks and failures", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  const a = new Member({ name: "a" });
  session.add(a);
  await session.flush();
  const made = (name: string) => {
    const m = new Member({ name });
    session.add(m);
    return m;
  };
  const status = (...ms: Member[]) => ms.map((m) => inspect(m).status);
  let b: Member, c: Member, d: Member, e: Member, f: Member, g: Member;
  {
    await using sp1 = await session.beginNested();
    b = made("b");
    a.note = "sp1";
    {
      await using sp2 = await session.beginNested();
      c = made("c");
      await session.flush();
      {
        await using sp3 = await session.beginNested();
        d = made("d");
        a.note = "sp3";
        await session.flush();
        const dup = made("a");
        await assert.rejects(session.flush(), IntegrityError);
        assert.equal(sp3.isActive, false);
        assert.deepEqual(status(d, dup), ["transient", "transient"]);
      }
      assert.ok(sp2.isActive && sp1.isActive, "the enclosing savepoints are still open");
      assert.deepEqual(status(a, b, c), ["persistent", "persistent", "persistent"]);
      assert.equal(a.note, "sp1", "the change made in the failed savepoint is undone");
      assert.deepEqual(await names(session, allNames), ["a", "b", "c"]);
      e = made("e");
      await sp2.commit();
    }
    {
      await using sp2b = await session.beginNested();
      f = made("f");
      a.note = "sp2b";
      await session.flush();
      {
        await using sp3b = await session.beginNested();
        g = made("g");
        await sp3b.commit();
      }
      assert.deepEqual(await names(session, allNames), ["a", "b", "c", "e", "f", "g"]);
      await sp2b.rollback();
    }
    assert.deepEqual(status(f, g), ["transient", "transient"]);
    assert.equal(f.id, undefined);
    assert.equal(a.note, "sp1");
    await sp1.commit();
  }
  assert.deepEqual(status(a, b, c, e), ["persistent", "persistent", "persistent", "persistent"]);
  await session.commit();
  assert.deepEqual(await names(engine, allNames), ["a", "b", "c", "e"]);
  assert.equal(
    await engine.scalar(sql`SELECT ${Member.c.note} FROM ${Member} WHERE ${Member.c.name} = 'a'`),
    "sp1",
  );
});

scopedTest(
  "rolling back an outer savepoint undoes the inner ones it had committed",
  async (s) => {
    const engine = await ready(s, MODELS);
    await using session = engine.session();
    const a = new Member({ name: "a" });
    session.add(a);
    await session.commit();
    const sp1 = await session.beginNested();
    const b = new Member({ name: "b" });
    session.add(b);
    a.note = "outer";
    const sp2 = await session.beginNested();
    const c = new Member({ name: "c" });
    session.add(c);
    a.note = "inner";
    await sp2.commit();
    {
      await using sp3 = await session.beginNested();
      session.add(new Member({ name: "b" })); // fails: only sp3 goes
      await assert.rejects(session.flush(), IntegrityError);
      assert.equal(sp3.isActive, false);
    }
    assert.ok(sp1.isActive);
    assert.deepEqual(await names(session, allNames), ["a", "b", "c"]);
    await sp1.rollback();
    assert.equal(inspect(b).status, "transient");
    assert.equal(inspect(c).status, "transient");
    assert.equal(a.note, "none");
    assert.deepEqual(await names(session, allNames), ["a"]);
    assert.equal(await noteOf(session, "a"), "none");
    await session.commit();
    assert.deepEqual(await names(engine, allNames), ["a"]);
  },
);

scopedTest(
  "a new object flushed in a savepoint, then expunged, is left alone by its rollback",
  async (s) => {
    const engine = await ready(s, MODELS);
    await using session = engine.session();
    const kept = new Member({ name: "kept" });
    const gone = new Member({ name: "gone" });
    {
      await using sp = await session.beginNested();
      session.add(kept);
      session.add(gone);
      await session.flush(); // both saved in the savepoint's frame, note unset, no key
      assert.equal(gone.note, "none");
      const id = gone.id;
      session.expunge(gone);
      await sp.rollback();
      assert.equal(inspect(gone).status, "detached", "expunged: the rollback leaves it alone");
      assert.equal(gone.id, id, "with the key and values the flush gave it");
      assert.equal(gone.note, "none");
    }
    assert.equal(inspect(kept).status, "transient", "the other one is new again");
    assert.equal(kept.id, undefined, "with its generated key cleared");
    assert.deepEqual(await names(session, allNames), [], "both rows were rolled back");
    session.add(kept);
    await session.commit();
    assert.deepEqual(await names(session, allNames), ["kept"]);
  },
);

class Stock extends Model("sp_stock", {
  id: column.integer().primaryKey(),
  name: column.text(),
  qty: column.integer(),
}) {}

scopedTest(
  "a savepoint's rollback restores what expire and a bulk update changed of a changed object",
  async (s) => {
    const engine = await ready(s, [Stock]);
    await engine.run(sql`INSERT INTO sp_stock (id, name, qty) VALUES (1, 'a', 5), (2, 'b', 0)`);
    await using session = engine.session({ autoflush: false });
    const [one, two] = [(await session.get(Stock, 1))!, (await session.get(Stock, 2))!];
    {
      await using sp = await session.beginNested();
      one.name = "changed";
      session.expire(one, ["qty"]);
      two.name = "changed too";
      await session.execute(update(Stock).set({ qty: 9 }).where(eq(Stock.c.id, 2)));
      assert.equal(two.qty, 9);
      void sp; // disposed without commit: rolled back
    }
    assert.deepEqual([one.name, one.qty], ["a", 5], "expire undone, as the savepoint found it");
    assert.deepEqual([two.name, two.qty], ["b", 0], "the bulk update undone in memory too");
    await session.commit();
    const rows = await engine.all<{ qty: number }>(sql`SELECT qty FROM sp_stock ORDER BY id`);
    assert.deepEqual(rows.map((r) => Number(r.qty)), [5, 0]);
  },
);

/**
 * Bulk updates through the session and inheritance: the computed columns (expressions,
 * generated) of the objects a bulk update matched are expired and loaded again; a single-table
 * subclass's NOT NULL columns are required by the flush though the table has them nullable;
 * a bulk update of a joined subclass may name its parents' columns in its WHERE.
 */
import assert from "node:assert/strict";
import {
  column,
  defer,
  eq,
  type Fragment,
  inspect,
  IntegrityError,
  Model,
  NotLoadedError,
  or,
  select,
  sql,
  types,
  update,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class Sum extends Model("r3b_sums", {
  id: column.integer().primaryKey(),
  first: column.text(),
  last: column.text(),
  full: column.expression((t): Fragment => sql`${t.c.first} || ' ' || ${t.c.last}`, types.text),
  qty: column.integer(),
  price: column.integer(),
  total: column.integer().generatedAs(sql`qty * price`),
}) {}

async function sums(db: Parameters<Parameters<typeof dbTest>[1]>[0]) {
  const engine = db.engine();
  await engine.createAll([Sum]);
  await using s = engine.session();
  s.add(new Sum({ id: 1, first: "Bob", last: "K", qty: 3, price: 2 }));
  s.add(new Sum({ id: 2, first: "Ann", last: "L", qty: 1, price: 1 }));
  await s.commit();
  return engine;
}

for (const synchronize of ["evaluate", "fetch"] as const) {
  dbTest(`bulk update (${synchronize}) expires the computed columns it matched`, async (db) => {
    const engine = await sums(db);
    await using s = engine.session();
    const [w, other] = await s.all(select(Sum).orderBy(Sum.c.id));
    assert.equal(w.total, 6);
    await s.execute(update(Sum).where(eq(Sum.c.id, 1)).set({ first: "Zed", qty: 4 }), {
      synchronize,
    });
    assert.equal(w.first, "Zed");
    assert.deepEqual(inspect(w).unloaded, ["full", "total"]);
    assert.throws(() => w.total, NotLoadedError);
    assert.deepEqual([other.full, other.total], ["Ann L", 1], "objects not matched keep theirs");
    assert.equal(s.dirty.size, 0);
    // The next load of the row fills them in.
    assert.equal(await s.get(Sum, 1), w);
    assert.deepEqual([w.full, w.total], ["Zed K", 8]);
  });
}

dbTest("computed columns expired by a bulk update: a query, a refresh, a flush", async (db) => {
  const engine = await sums(db);
  await using s = engine.session();
  const w = (await s.get(Sum, 1))!;
  await s.execute(update(Sum).where(eq(Sum.c.id, 1)).set({ price: 5 }));
  await s.all(select(Sum));
  assert.equal(w.total, 15);
  await s.execute(update(Sum).where(eq(Sum.c.id, 1)).set({ last: "Q" }));
  await s.refresh(w, ["full"]);
  assert.equal(w.full, "Bob Q");
  // A flush of a later change reads the computed columns back.
  await s.execute(update(Sum).where(eq(Sum.c.id, 1)).set({ qty: 1 }));
  w.price = 7;
  await s.flush();
  assert.deepEqual([w.full, w.total], ["Bob Q", 7]);
  // A WHERE on a computed column is matched by the database's value, not a stale one.
  await s.execute(update(Sum).where(eq(Sum.c.id, 1)).set({ qty: 2 }));
  await s.execute(update(Sum).where(eq(Sum.c.total, 14)).set({ last: "R" }));
  assert.equal(w.last, "R");
  // A computed column the query left out stays unloaded, as it was.
  s.expungeAll();
  const [d] = await s.all(select(Sum).where(eq(Sum.c.id, 2)).options(defer(Sum.c.full)));
  await s.execute(update(Sum).where(eq(Sum.c.id, 2)).set({ first: "Eve" }));
  assert.deepEqual(inspect(d).unloaded, ["full", "total"]);
  await s.refresh(d);
  assert.equal(d.total, 1);
});

class Emp extends Model("r3b_emps", {
  id: column.integer().primaryKey(),
  kind: column.text().default("emp"),
  name: column.text(),
}, { polymorphicOn: "kind", polymorphicIdentity: "emp" }) {}
class Boss extends Emp.subclass("boss", {
  budget: column.integer(),
  note: column.text().nullable(),
}) {}
class Chief extends Boss.subclass("chief", { title: column.text().default("ceo") }) {}
class Hand extends Emp.subclass("hand", { skill: column.text().nullable() }) {}

dbTest("single-table subclass: its NOT NULL columns are required, NULL for others", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.createAll([Emp]);
  assert.equal(Boss.c.budget.config.nullable, true, "the table has it nullable");
  await using s = engine.session();
  log.texts.length = 0;
  s.add(new Boss({ id: 1, name: "b" } as never));
  await assert.rejects(
    s.flush(),
    (e: Error) =>
      e instanceof IntegrityError && /Boss\.budget is NOT NULL and has no value/.test(e.message),
  );
  assert.equal(log.texts.filter((t) => /INSERT/.test(t)).length, 0, "nothing was sent");
  await s.rollback();
  s.expungeAll();
  // A subclass of it requires it too; other classes' rows leave the column NULL.
  s.add(new Chief({ id: 2, name: "c" } as never));
  await assert.rejects(s.flush(), IntegrityError);
  await s.rollback();
  s.expungeAll();
  s.addAll([
    new Boss({ id: 1, name: "b", budget: 5 }),
    new Chief({ id: 2, name: "c", budget: 9 }),
    new Hand({ id: 3, name: "h" }),
    new Emp({ id: 4, name: "e" }),
  ]);
  await s.commit();
  const rows = await engine.all(sql`SELECT id, budget FROM r3b_emps ORDER BY id`);
  assert.deepEqual(rows.map((r) => [Number(r.id), r.budget === null ? null : Number(r.budget)]), [
    [1, 5],
    [2, 9],
    [3, null],
    [4, null],
  ]);
  const boss = (await s.get(Boss, 1))!;
  boss.budget = null as never;
  await assert.rejects(
    s.flush(),
    (e: Error) =>
      e instanceof IntegrityError && /Boss\.budget is NOT NULL and was set to null/.test(e.message),
  );
  await s.rollback();
});

dbTest("single-table subclass: its NOT NULL columns load, refresh, defer and sync", async (db) => {
  const engine = db.engine();
  await engine.createAll([Emp]);
  await using s = engine.session();
  s.addAll([new Boss({ id: 1, name: "b", budget: 5 }), new Hand({ id: 2, name: "h" })]);
  await s.commit();
  const boss = (await s.get(Boss, 1))!;
  s.expire(boss, ["budget"]);
  await s.refresh(boss, ["budget"]);
  assert.equal(boss.budget, 5);
  s.expungeAll();
  const [d] = await s.all(select(Boss).options(defer(Boss.c.budget)));
  assert.throws(() => d.budget, NotLoadedError);
  await s.all(select(Emp));
  assert.equal(d.budget, 5, "a later load fills the deferred column");
  await s.execute(update(Boss).where(eq(Boss.c.budget, 5)).set({ budget: 6 } as never), {
    synchronize: "evaluate",
  });
  assert.equal(d.budget, 6);
  await s.execute(update(Boss).where(eq(Boss.c.budget, 6)).set({ budget: 7 } as never), {
    synchronize: "fetch",
  });
  assert.equal(d.budget, 7);
  assert.equal(s.dirty.size, 0);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT budget FROM r3b_emps WHERE id = 1`), 7);
});

class Staff extends Model("r3b_staff", {
  id: column.integer().primaryKey(),
  kind: column.text().default("staff"),
  name: column.text(),
}, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {}
class Dev extends Staff.subclass("dev", { lang: column.text() }, { table: "r3b_devs" }) {}
class Lead extends Dev.subclass("lead", { team: column.text() }, { table: "r3b_leads" }) {}

async function staff(
  db: Parameters<Parameters<typeof dbTest>[1]>[0],
  echo?: (e: { text: string }) => void,
) {
  const engine = db.engine(echo ? { echo } : {});
  await engine.createAll([Staff, Dev, Lead]);
  await using s = engine.session();
  s.addAll([
    new Dev({ id: 1, name: "de", lang: "ts" }),
    new Dev({ id: 2, name: "xx", lang: "ts" }),
    new Lead({ id: 3, name: "de", lang: "go", team: "core" }),
    new Staff({ id: 4, name: "de" }),
  ]);
  await s.commit();
  return engine;
}

/** The devs' languages, read in the session's transaction. */
const langs = (s: { execute(q: Fragment): Promise<{ rows: Record<string, unknown>[] }> }) =>
  s.execute(sql`SELECT id, lang FROM r3b_devs ORDER BY id`).then((r) =>
    r.rows.map((row) => [Number(row.id), row.lang])
  );

for (const synchronize of ["evaluate", "fetch", false] as const) {
  dbTest(
    `joined subclass: a bulk update's WHERE on a parent's column (${synchronize})`,
    async (db) => {
      const log = statementLog();
      const engine = await staff(db, log.echo);
      await using s = engine.session();
      const [d1, d2, lead] = await s.all(select(Dev).orderBy(Dev.c.id));
      log.texts.length = 0;
      const r = await s.execute(update(Dev).where(eq(Dev.c.name, "de")).set({ lang: "rust" }), {
        synchronize,
      });
      assert.equal(r.rowsAffected, 2);
      const sent = log.texts.find((t) => t.startsWith("UPDATE"))!;
      assert.match(sent, /^UPDATE "r3b_devs" SET .* WHERE \("r3b_devs"\."id"\) IN \(SELECT /);
      const reads = log.texts.filter((t) => t.startsWith("SELECT")).length;
      assert.equal(reads, synchronize === "fetch" ? 1 : 0, "evaluated in memory, or fetched");
      assert.deepEqual(await langs(s), [[1, "rust"], [2, "ts"], [3, "rust"]]);
      const want = synchronize === false ? ["ts", "ts", "go"] : ["rust", "ts", "rust"];
      assert.deepEqual([d1.lang, d2.lang, lead.lang], want);
      assert.equal(s.dirty.size, 0);
    },
  );
}

dbTest("joined subclass: a bulk update's WHERE on columns of every table", async (db) => {
  const log = statementLog();
  const engine = await staff(db, log.echo);
  await using s = engine.session();
  const lead = (await s.get(Lead, 3))!;
  const where = or(eq(Lead.c.name, "zz"), eq(Lead.c.lang, "go"));
  const r = await s.execute(update(Lead).where(where, eq(Lead.c.team, "core")).set({ team: "db" }));
  assert.equal(r.rowsAffected, 1);
  assert.equal(lead.team, "db");
  // With RETURNING, and with no object of the table held.
  s.expungeAll();
  const back = await s.execute(
    update(Dev).where(eq(Dev.c.name, "de")).set({ lang: "c" }).returning(Dev.table.c.id),
  );
  assert.deepEqual(back.rows.map((x) => Number(x.id)).sort(), [1, 3]);
  assert.deepEqual(await langs(s), [[1, "c"], [2, "ts"], [3, "c"]]);
  // A WHERE on the class's own table alone is sent as it is.
  log.texts.length = 0;
  await s.execute(update(Dev).where(eq(Dev.c.lang, "ts")).set({ lang: "ml" }));
  const sent = log.texts.find((t) => t.startsWith("UPDATE"))!;
  assert.doesNotMatch(sent, /SELECT/);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT team FROM r3b_leads WHERE id = 3`), "db");
  await using after = engine.session();
  assert.deepEqual(await langs(after), [[1, "c"], [2, "ml"], [3, "c"]]);
});

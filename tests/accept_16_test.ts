/**
 * Acceptance of inheritance mapping, written from the text: single-table and
 * joined-table hierarchies load polymorphically (selects, `session.get`, relationships to the
 * base in both directions), share one identity map, and flush in table order.
 */
import assert from "node:assert/strict";
import {
  deleteFrom,
  eq,
  IntegrityError,
  joined,
  PendingRollbackError,
  select,
  selectin,
  sql,
  update,
} from "../mod.ts";
import { type Db, dbTest, statementLog } from "./_db.ts";
import { hierarchy } from "./_accept_16_models.ts";

const KINDS = ["single", "joined"] as const;

async function seed(db: Db, kind: "single" | "joined", echo?: (e: { text: string }) => void) {
  const h = hierarchy(kind);
  const engine = db.engine(echo ? { echo } : {});
  await engine.createAll(h.models);
  {
    await using s = engine.session();
    const d = new h.Dept({ id: 1, name: "r&d" });
    const mia = new h.Mgr({ id: 1, name: "mia", budget: 10, deptId: 1 });
    const eli = new h.Eng({ id: 2, name: "eli", lang: "ts", deptId: 1 });
    const eve = new h.Emp({ id: 3, name: "eve", deptId: 1 });
    s.addAll([d, mia, eli, eve]);
    s.addAll([
      new h.Ticket({ id: 1, title: "a", assigneeId: 1 }),
      new h.Ticket({ id: 2, title: "b", assigneeId: 2 }),
      new h.Ticket({ id: 3, title: "c", assigneeId: 3 }),
      new h.Project({ id: 1, label: "p", managerId: 1 }),
    ]);
    await s.commit();
  }
  return { ...h, engine };
}

for (const kind of KINDS) {
  dbTest(
    `${kind}: select(Base) loads each row as its class, select(Sub) only its own`,
    async (db) => {
      const { engine, Emp, Mgr, Eng } = await seed(db, kind);
      await using s = engine.session();
      const all = await s.all(select(Emp).orderBy(Emp.c.id));
      assert.deepEqual(all.map((e) => e.constructor), [Mgr, Eng, Emp]);
      assert.equal((all[0] as InstanceType<typeof Mgr>).budget, 10);
      assert.equal((all[1] as InstanceType<typeof Eng>).lang, "ts");
      const mgrs = await s.all(select(Mgr));
      assert.deepEqual(mgrs, [all[0]]);
      const engs = await s.all(select(Eng).where(eq(Eng.c.lang, "ts")));
      assert.deepEqual(engs, [all[1]]);
      assert.equal((await s.all(select(Mgr).where(eq(Mgr.c.name, "eli")))).length, 0);
    },
  );

  dbTest(`${kind}: session.get(Base, id) in a fresh session returns the subclass`, async (db) => {
    const { engine, Emp, Mgr, Eng } = await seed(db, kind);
    {
      await using s = engine.session();
      const m = await s.get(Emp, 1);
      assert(m instanceof Mgr, `got ${m?.constructor.name}`);
      assert.equal(m.budget, 10);
      const e = await s.get(Emp, 2);
      assert(e instanceof Eng);
      assert.equal(e.lang, "ts");
      assert.equal((await s.get(Emp, 3))?.constructor, Emp);
    }
    {
      await using s = engine.session();
      // Asking for the wrong subclass: not found, without a query's worth of confusion.
      assert.equal(await s.get(Eng, 1), null);
      assert.equal(await s.get(Mgr, 3), null);
      const m = await s.get(Mgr, 1);
      assert(m instanceof Mgr);
      assert.equal(await s.get(Emp, 1), m);
      assert.equal(await s.get(Eng, 1), null); // held as a manager: still not an engineer
    }
  });

  dbTest(`${kind}: the identity map is the base's: one row, one object`, async (db) => {
    const { engine, Emp, Mgr } = await seed(db, kind);
    await using s = engine.session();
    const viaSub = await s.one(select(Mgr).where(eq(Mgr.c.id, 1)));
    const viaBase = await s.one(select(Emp).where(eq(Emp.c.id, 1)));
    assert.equal(viaSub, viaBase);
    assert.equal(await s.get(Emp, 1), viaSub);
    assert.equal(s.identityCount, 1);
    viaBase.name = "mia2";
    await s.commit();
    assert.equal(
      await engine.scalar(sql`SELECT name FROM ${Emp} WHERE id = 1`),
      "mia2",
    );
  });

  dbTest(`${kind}: a one-to-many to the base loads subclass instances`, async (db) => {
    const { engine, Dept, Emp, Mgr, Eng } = await seed(db, kind);
    for (const how of ["selectin", "joined", "load"] as const) {
      await using s = engine.session();
      let d: InstanceType<typeof Dept>;
      if (how === "load") {
        d = (await s.get(Dept, 1))!;
        await s.load(d, "staff");
      } else {
        const opt = how === "selectin" ? selectin("staff") : joined("staff");
        d = await s.one(select(Dept).options(opt));
      }
      const staff = [...d.staff].sort((a, b) => a.id - b.id);
      assert.deepEqual(staff.map((e) => e.constructor), [Mgr, Eng, Emp], how);
      assert.equal((staff[0] as InstanceType<typeof Mgr>).budget, 10, how);
      assert.equal(staff[0].dept, d, how);
    }
  });

  dbTest(`${kind}: a many-to-one to the base loads the subclass`, async (db) => {
    const { engine, Ticket, Mgr, Eng, Emp } = await seed(db, kind);
    for (const how of ["selectin", "joined", "load"] as const) {
      await using s = engine.session();
      let ts: InstanceType<typeof Ticket>[];
      if (how === "load") {
        ts = await s.all(select(Ticket).orderBy(Ticket.c.id));
        await s.load(ts, "assignee");
      } else {
        const opt = how === "selectin" ? selectin("assignee") : joined("assignee");
        ts = await s.all(select(Ticket).options(opt).orderBy(Ticket.c.id));
      }
      assert.deepEqual(ts.map((t) => t.assignee.constructor), [Mgr, Eng, Emp], how);
      assert.equal((ts[1].assignee as InstanceType<typeof Eng>).lang, "ts", how);
      assert.equal(await s.get(Emp, 1), ts[0].assignee, how);
    }
  });

  dbTest(`${kind}: a subclass's own relationship, both directions`, async (db) => {
    const { engine, Mgr, Project } = await seed(db, kind);
    await using s = engine.session();
    const [m] = await s.all(select(Mgr).options(selectin("projects")));
    assert.deepEqual(m.projects.map((p) => p.label), ["p"]);
    s.expungeAll();
    const [p] = await s.all(select(Project).options(joined("manager")));
    assert(p.manager instanceof Mgr);
    assert.equal(p.manager.budget, 10);
    // New objects through the subclass relationship.
    await s.load(p.manager, "projects");
    p.manager.projects.push(new Project({ id: 2, label: "q" }));
    await s.commit();
    assert.equal(
      await engine.scalar(sql`SELECT count(*) AS n FROM ${Project} WHERE manager_id = 1`),
      2,
    );
  });

  dbTest(`${kind}: subclasses insert, update and delete through the base's session`, async (db) => {
    const { engine, Emp, Mgr, Eng, Ticket } = await seed(db, kind);
    await using s = engine.session();
    const m = (await s.get(Emp, 1)) as InstanceType<typeof Mgr>;
    m.budget = 99;
    m.name = "boss";
    const e = (await s.get(Emp, 2))!;
    s.delete((await s.get(Ticket, 2))!);
    s.delete(e);
    s.add(new Eng({ id: 4, name: "zed", lang: "rust" }));
    await s.commit();
    s.expungeAll();
    const again = await s.get(Mgr, 1);
    assert.equal(again?.budget, 99);
    assert.equal(again?.name, "boss");
    assert.equal(await s.get(Emp, 2), null);
    const zed = await s.get(Emp, 4);
    assert(zed instanceof Eng);
    assert.equal(zed.lang, "rust");
    assert.equal(zed.kind, "eng");
  });
}

dbTest("single: a subclass's NOT NULL column is nullable in the shared table", async (db) => {
  const { engine, Emp } = await seed(db, "single");
  // The employee row (id 3) has no budget: it was inserted, so the column admits NULL.
  assert.equal(await engine.scalar(sql`SELECT budget FROM ${Emp} WHERE id = 3`), null);
  // And raw rows of the base's identity load as the base.
  await engine.run(sql`INSERT INTO ${Emp} (id, kind, name) VALUES (9, 'emp', 'raw')`);
  await using s = engine.session();
  assert.equal((await s.get(Emp, 9))?.constructor, Emp);
});

dbTest("joined: insert parent row then child, delete child then parent", async (db) => {
  const log = statementLog();
  const { engine, Emp, Mgr } = await seed(db, "joined", log.echo);
  await using s = engine.session();
  log.texts.length = 0;
  const m = new Mgr({ id: 10, name: "new", budget: 5 });
  s.add(m);
  await s.flush();
  const inserts = log.texts.filter((t) => t.startsWith("INSERT"));
  assert.equal(inserts.length, 2);
  assert.match(inserts[0], /a16j_emps/);
  assert.match(inserts[1], /a16j_mgrs/);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT budget FROM a16j_mgrs WHERE id = ${m.id}`), 5);
  log.texts.length = 0;
  s.delete(m);
  await s.commit();
  const deletes = log.texts.filter((t) => t.startsWith("DELETE"));
  assert.equal(deletes.length, 2);
  assert.match(deletes[0], /a16j_mgrs/);
  assert.match(deletes[1], /a16j_emps/);
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Emp} WHERE id = ${m.id}`), 0);
});

dbTest("joined: a failed child insert leaves no parent row", async (db) => {
  const { engine, Emp, Mgr } = await seed(db, "joined");
  await using s = engine.session();
  s.add(new Mgr({ id: 10, name: "neg", budget: -1 })); // the child table's CHECK refuses it
  await assert.rejects(s.flush(), IntegrityError);
  await assert.rejects(s.all(select(Emp)), PendingRollbackError);
  await s.rollback();
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Emp}`), 3);
});

dbTest("single: bulk update and delete of a subclass touch its rows only", async (db) => {
  const { engine, Emp, Mgr, Eng, Ticket, Project } = await seed(db, "single");
  await using s = engine.session();
  const all = await s.all(select(Emp).orderBy(Emp.c.id));
  const r = await s.execute(update(Mgr).set({ name: "boss" }));
  assert.equal(r.rowsAffected, 1);
  assert.deepEqual(all.map((e) => e.name), ["boss", "eli", "eve"]);
  await s.execute(update(Eng).set({ name: sql`upper(${Eng.c.name})` }), { synchronize: "fetch" });
  await s.all(select(Emp));
  assert.deepEqual(all.map((e) => e.name), ["boss", "ELI", "eve"]);
  await s.execute(deleteFrom(Ticket));
  await s.execute(deleteFrom(Project));
  const d = await s.execute(deleteFrom(Mgr));
  assert.equal(d.rowsAffected, 1);
  await s.commit();
  const left = await engine.all<{ name: string }>(sql`SELECT name FROM ${Emp} ORDER BY id`);
  assert.deepEqual(left.map((x) => x.name), ["ELI", "eve"]);
});

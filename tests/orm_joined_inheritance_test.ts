/**
 * Joined-table inheritance: subclasses declared with Parent.subclass(identity, columns,
 * { table }) have a table of their own whose key refers to the parent's. The flush writes
 * each table in turn (parents first on insert, children first on delete, only the changed
 * tables on update); selects join the tables, and rows load as the class their
 * discriminator names.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  constraint,
  deleteFrom,
  desc,
  eq,
  fn,
  gt,
  InvalidRequestError,
  joined,
  loaderCriteria,
  Model,
  PendingRollbackError,
  relationship,
  select,
  selectin,
  sql,
  StaleDataError,
  table,
  update,
} from "../mod.ts";
import { checkSchema } from "../migrate.ts";
import { type Db, dbTest, statementLog } from "./_db.ts";

class Company extends Model("jti_companies", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static staff = relationship(() => Employee, { backPopulates: "company" });
  declare staff: Employee[];
}

class Employee extends Model("jti_employees", {
  id: column.integer().primaryKey(),
  kind: column.text().default("employee"),
  name: column.text(),
  companyId: column.integer().nullable().references(() => Company.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "employee" }) {
  static company = relationship(() => Company, { backPopulates: "staff" });
  declare company: Company | null;
}

class Manager extends Employee.subclass("manager", {
  budget: column.integer().check(sql`budget >= 0`),
}, { table: "jti_managers" }) {
  static reports = relationship(() => Engineer, { backPopulates: "boss" });
  declare reports: Engineer[];
}

class Engineer extends Employee.subclass("engineer", {
  lang: column.text(),
  bossId: column.integer().nullable().references(() => Manager.table.c.id),
}, { table: "jti_engineers" }) {
  static boss = relationship(() => Manager, { backPopulates: "reports" });
  declare boss: Manager | null;
}

class Senior extends Engineer.subclass("senior", { level: column.integer() }, {
  table: "jti_seniors",
}) {}

const models = [Company, Employee, Manager, Engineer, Senior];

/** The table each statement of a kind names, in order. */
function tablesOf(texts: readonly string[], kind: "INSERT INTO" | "UPDATE" | "DELETE FROM") {
  return texts.filter((t) => t.startsWith(kind)).map((t) => t.slice(kind.length).split('"')[1]);
}

async function open(db: Db, texts?: string[]) {
  const engine = db.engine(texts ? { echo: (e) => texts.push(e.text) } : {});
  await engine.createAll(models);
  return engine;
}

async function seed(engine: Awaited<ReturnType<typeof open>>) {
  await using session = engine.session();
  const acme = new Company({ name: "acme" });
  const mia = new Manager({ name: "mia", budget: 10 });
  const eli = new Engineer({ name: "eli", lang: "ts" });
  const sam = new Senior({ name: "sam", lang: "rust", level: 3 });
  const eve = new Employee({ name: "eve" });
  eli.boss = mia;
  sam.boss = mia;
  for (const o of [mia, eli, sam, eve]) o.company = acme;
  session.addAll([acme, mia, eli, sam, eve]);
  await session.commit();
  return { acme: acme.id, mia: mia.id, eli: eli.id, sam: sam.id, eve: eve.id };
}

dbTest("joined inheritance: a table per class, each key referring to its parent's", async (db) => {
  const m = new Manager({ name: "mia", budget: 3 });
  assert.equal(m.kind, "manager");
  assert(m instanceof Employee && m instanceof Manager);
  assert.equal(new Senior({ name: "s", lang: "c", level: 1 }).kind, "senior");
  // Types: a subclass's objects have its parents' columns and its own.
  const typed: { name: string; budget: number; kind: string } = m;
  const senior: { name: string; lang: string; level: number; bossId: number | null } = new Senior({
    name: "q",
    lang: "go",
    level: 2,
  });
  assert.equal(typed.budget, 3);
  assert.equal(senior.level, 2);
  // A manager has no lang: the constructor refuses it (the checker cannot, as it lets
  // relationships by name through).
  assert.throws(() => new Manager({ name: "x", budget: 1, lang: "ts" }), ArgumentError);
  // c has the parents' columns and the class's own; table is the class's own.
  assert.equal(Manager.c.name, Employee.c.name);
  assert.equal(Manager.c.budget.table, Manager.table);
  assert.equal(Senior.c.lang, Engineer.c.lang);
  assert.deepEqual(Object.keys(Employee.c), ["id", "kind", "name", "companyId"]);
  assert.deepEqual(Manager.table.columns.map((c) => c.name), ["id", "budget"]);

  const { echo, texts } = statementLog();
  const engine = db.engine({ echo });
  await engine.createAll(models);
  const ddl = (name: string) =>
    texts.find((t) => t.includes(`CREATE TABLE IF NOT EXISTS "${name}"`))!;
  assert.match(
    ddl("jti_managers"),
    /"id" INTEGER PRIMARY KEY.*REFERENCES "jti_employees" \("id"\)/,
  );
  assert.match(ddl("jti_seniors"), /REFERENCES "jti_engineers" \("id"\)/);
  assert.doesNotMatch(ddl("jti_employees"), /budget|lang/);
  assert.match(ddl("jti_engineers"), /"boss_id" INTEGER REFERENCES "jti_managers" \("id"\)/);
  // A child row needs its parent's.
  await assert.rejects(engine.run(sql`INSERT INTO jti_managers (id, budget) VALUES (${99}, ${1})`));
  // The metadata is what the database now has: a migration diff finds nothing.
  const drift = await checkSchema(engine, models);
  assert.deepEqual(drift.differences, []);
  assert.equal(drift.ok, true);
});

dbTest(
  "joined inheritance: inserts write the parent's row first, its key in the child's",
  async (db) => {
    const texts: string[] = [];
    const engine = await open(db, texts);
    texts.length = 0;
    const ids = await seed(engine);
    // Each object's rows: the parent's first (its generated key), then its class's tables.
    const inserts = tablesOf(texts, "INSERT INTO");
    assert.equal(inserts[0], "jti_companies");
    const order = (table: string) => inserts.indexOf(table);
    assert(order("jti_employees") < order("jti_managers"));
    assert(order("jti_managers") < order("jti_engineers"), "an engineer's boss is inserted first");
    assert(order("jti_engineers") < order("jti_seniors"));
    assert.equal(inserts.filter((t) => t === "jti_employees").length, 4);
    assert.equal(inserts.length, 9);
    const rows = await engine.all(sql`
    SELECT e.id, e.kind, e.name, m.budget, g.lang, g.boss_id AS "bossId", s.level
    FROM jti_employees e
    LEFT JOIN jti_managers m ON m.id = e.id
    LEFT JOIN jti_engineers g ON g.id = e.id
    LEFT JOIN jti_seniors s ON s.id = e.id
    ORDER BY e.id`);
    const plain = rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
      )
    );
    const byId = new Map(plain.map((r) => [r.id, r]));
    assert.deepEqual(byId.get(ids.mia), {
      id: ids.mia,
      kind: "manager",
      name: "mia",
      budget: 10,
      lang: null,
      bossId: null,
      level: null,
    });
    assert.deepEqual(byId.get(ids.sam), {
      id: ids.sam,
      kind: "senior",
      name: "sam",
      budget: null,
      lang: "rust",
      bossId: ids.mia,
      level: 3,
    });
    assert.equal(byId.get(ids.eve)!.kind, "employee");
  },
);

dbTest("joined inheritance: an update writes only the tables whose columns changed", async (db) => {
  const texts: string[] = [];
  const engine = await open(db, texts);
  const ids = await seed(engine);
  await using session = engine.session();
  const sam = (await session.get(Senior, ids.sam))!;
  const mia = (await session.get(Manager, ids.mia))!;
  texts.length = 0;
  mia.budget = 20;
  await session.flush();
  assert.deepEqual(tablesOf(texts, "UPDATE"), ["jti_managers"]);
  texts.length = 0;
  mia.name = "mía";
  await session.flush();
  assert.deepEqual(tablesOf(texts, "UPDATE"), ["jti_employees"]);
  texts.length = 0;
  sam.level = 4;
  sam.name = "sammy";
  await session.flush();
  assert.deepEqual(tablesOf(texts, "UPDATE"), ["jti_employees", "jti_seniors"]);
  texts.length = 0;
  sam.lang = "zig";
  await session.flush();
  assert.deepEqual(tablesOf(texts, "UPDATE"), ["jti_engineers"]);
  await session.commit();
  const row = await engine.one(sql`
    SELECT e.name, s.level, g.lang, m.budget FROM jti_employees e
    JOIN jti_seniors s ON s.id = e.id JOIN jti_engineers g ON g.id = e.id
    CROSS JOIN jti_managers m WHERE e.id = ${ids.sam} AND m.id = ${ids.mia}`);
  assert.deepEqual({ ...row, level: Number(row.level), budget: Number(row.budget) }, {
    name: "sammy",
    level: 4,
    lang: "zig",
    budget: 20,
  });
});

dbTest("joined inheritance: a delete removes the child's row, then the parents'", async (db) => {
  const texts: string[] = [];
  const engine = await open(db, texts);
  const ids = await seed(engine);
  await using session = engine.session();
  const sam = (await session.get(Employee, ids.sam))!;
  texts.length = 0;
  session.delete(sam);
  await session.commit();
  assert.deepEqual(tablesOf(texts, "DELETE FROM"), [
    "jti_seniors",
    "jti_engineers",
    "jti_employees",
  ]);
  for (const t of ["jti_employees", "jti_engineers", "jti_seniors"]) {
    const n = await engine.scalar(sql`SELECT count(*) FROM ${sql.id(t)} WHERE id = ${ids.sam}`);
    assert.equal(Number(n), 0, t);
  }
  // A manager and its report deleted in one flush: the report's rows go first.
  const mia = (await session.get(Manager, ids.mia))!;
  await session.load(mia, "reports");
  texts.length = 0;
  session.delete(mia.reports[0]);
  session.delete(mia);
  await session.commit();
  assert.deepEqual(tablesOf(texts, "DELETE FROM"), [
    "jti_engineers",
    "jti_employees",
    "jti_managers",
    "jti_employees",
  ]);
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM jti_employees`)), 1);
});

dbTest(
  "joined inheritance: select joins the tables and loads each row as its class",
  async (db) => {
    const texts: string[] = [];
    const engine = await open(db, texts);
    const ids = await seed(engine);
    await using session = engine.session();
    texts.length = 0;
    const all = await session.all(select(Employee).orderBy(Employee.c.name));
    assert.deepEqual(all.map((o) => `${o.name}:${o.constructor.name}`), [
      "eli:Engineer",
      "eve:Employee",
      "mia:Manager",
      "sam:Senior",
    ]);
    // select(Root) LEFT JOINs every subclass's table: each object has its columns loaded.
    const rootSelect = texts.at(-1)!;
    for (const t of ["jti_managers", "jti_engineers", "jti_seniors"]) {
      assert(rootSelect.includes(`LEFT JOIN "${t}"`), rootSelect);
    }
    const [eli, , mia, sam] = all as [Engineer, Employee, Manager, Senior];
    assert.equal(mia.budget, 10);
    assert.equal(eli.lang, "ts");
    assert.deepEqual([sam.lang, sam.level, sam.bossId], ["rust", 3, ids.mia]);
    // select(Sub) JOINs its own tables (and LEFT JOINs its subclasses'): its rows only.
    texts.length = 0;
    const engineers = await session.all(select(Engineer).orderBy(Engineer.c.id));
    assert.deepEqual(engineers, [eli, sam], "one row is one object whichever class asked");
    assert.match(
      texts[0],
      /FROM "jti_employees" JOIN "jti_engineers" ON .* LEFT JOIN "jti_seniors"/,
    );
    assert.doesNotMatch(texts[0], /jti_managers/);
    // Where on a subclass's columns, and on its parents' through the same c.
    assert.deepEqual(await session.all(select(Manager).where(eq(Manager.c.budget, 10))), [mia]);
    assert.deepEqual(await session.all(select(Manager).where(eq(Manager.c.budget, 5))), []);
    assert.deepEqual(await session.all(select(Senior).where(eq(Senior.c.name, "sam"))), [sam]);
    assert.deepEqual(
      await session.all(select(Engineer).where(eq(Engineer.c.lang, "rust"), eq(Senior.c.level, 3))),
      [sam],
    );
    // Ordering, limits and counting over the join.
    const top = await session.all(
      select(Engineer).orderBy(desc(Engineer.c.lang)).limit(1).offset(0),
    );
    assert.deepEqual(top, [eli]);
    const counted = await session.execute(
      select({ n: fn.count() }).from(
        select(Engineer).where(eq(Engineer.c.bossId, ids.mia)).as("e"),
      ),
    );
    assert.equal(Number(counted.rows[0].n), 2);
    const { rows: perCompany } = await session.execute(
      select({ name: Company.c.name, n: fn.count(Manager.c.budget) }).from(Company)
        .join(Employee).leftJoin(Manager.table, eq(Manager.table.c.id, Employee.c.id))
        .groupBy(Company.c.name),
    );
    assert.deepEqual(perCompany.map((r) => [r.name, Number(r.n)]), [["acme", 1]]);
  },
);

dbTest("joined inheritance: get returns the row's class, one object per row", async (db) => {
  const engine = await open(db);
  const ids = await seed(engine);
  {
    await using session = engine.session();
    const viaRoot = await session.get(Employee, ids.mia);
    assert(viaRoot instanceof Manager);
    assert.equal(viaRoot.budget, 10);
    assert.equal(await session.get(Manager, ids.mia), viaRoot);
    assert.equal(await session.get(Engineer, ids.mia), null, "a manager is not an engineer");
    const [again] = await session.all(select(Manager));
    assert.equal(again, viaRoot);
    // A refresh reads every table of the object.
    await session.run(sql`UPDATE jti_managers SET budget = ${77} WHERE id = ${ids.mia}`);
    await session.refresh(viaRoot);
    assert.equal(viaRoot.budget, 77);
    await session.rollback();
  }
  await using fresh = engine.session();
  assert.equal(await fresh.get(Engineer, ids.mia), null, "the join finds no engineers row");
  const sam = await fresh.get(Engineer, ids.sam);
  assert(sam instanceof Senior);
  assert.equal(sam.level, 3);
  assert.equal(await fresh.get(Employee, ids.sam), sam);
  assert.equal(await fresh.get(Senior, ids.sam), sam);
});

dbTest("joined inheritance: relationships load objects of every class", async (db) => {
  const engine = await open(db);
  const ids = await seed(engine);
  for (const strategy of [selectin, joined]) {
    await using session = engine.session();
    const [acme] = await session.all(select(Company).options(strategy("staff")));
    assert.deepEqual(acme.staff.map((o) => o.constructor.name).sort(), [
      "Employee",
      "Engineer",
      "Manager",
      "Senior",
    ]);
    const sam = acme.staff.find((o) => o.id === ids.sam) as Senior;
    assert.equal(sam.level, 3, strategy.name);
    const mia = acme.staff.find((o) => o.id === ids.mia) as Manager;
    assert.equal(mia.budget, 10);
    assert.equal(await session.get(Employee, ids.sam), sam);
    // Relationships of subclasses, to subclasses, in both directions.
    const engineers = await session.all(
      select(Engineer).options(strategy("boss"), strategy("company")),
    );
    assert.equal(engineers.length, 2);
    assert(engineers.every((e) => e.boss === mia && e.company === acme));
    const [boss] = await session.all(select(Manager).options(strategy("reports")));
    assert.equal(boss, mia);
    assert.deepEqual(mia.reports.map((e) => e.name).sort(), ["eli", "sam"]);
  }
  await using session = engine.session();
  const mia = (await session.get(Manager, ids.mia))!;
  await session.load(mia, "reports");
  const sam = mia.reports.find((e) => e.id === ids.sam)!;
  assert(sam instanceof Senior);
  assert.equal(sam.boss, mia);
  // A new report through the relationship: its rows get the boss's key.
  const ivy = new Senior({ name: "ivy", lang: "go", level: 1 });
  mia.reports.push(ivy);
  await session.commit();
  const row = await engine.one(sql`SELECT boss_id FROM jti_engineers WHERE id = ${ivy.id}`);
  assert.equal(Number(row.boss_id), ids.mia);
});

dbTest("joined inheritance: a failed child insert leaves no parent row", async (db) => {
  const texts: string[] = [];
  const engine = await open(db, texts);
  await seed(engine);
  await using session = engine.session();
  texts.length = 0;
  session.add(new Manager({ name: "neg", budget: -1 })); // the CHECK on jti_managers refuses it
  await assert.rejects(session.commit());
  assert.deepEqual(tablesOf(texts, "INSERT INTO"), ["jti_employees", "jti_managers"]);
  await assert.rejects(session.all(select(Employee)), PendingRollbackError);
  await session.rollback();
  const n = await engine.scalar(sql`SELECT count(*) FROM jti_employees WHERE name = ${"neg"}`);
  assert.equal(Number(n), 0, "the parent's row was rolled back with the child's");
  assert.equal((await session.all(select(Employee))).length, 4);
});

class Doc extends Model("jti_docs", {
  id: column.integer().primaryKey(),
  kind: column.text().default("doc"),
  title: column.text(),
  rev: column.integer().version(),
}, { polymorphicOn: "kind", polymorphicIdentity: "doc" }) {}

class Memo extends Doc.subclass("memo", { body: column.text() }, { table: "jti_memos" }) {}

dbTest("joined inheritance: the root's version column is checked and bumped", async (db) => {
  const { echo, texts } = statementLog();
  const engine = db.engine({ echo });
  await engine.createAll([Doc, Memo]);
  await using session = engine.session();
  const memo = new Memo({ title: "t", body: "b" });
  session.add(memo);
  await session.commit();
  assert.equal(memo.rev, 1);
  texts.length = 0;
  memo.body = "b2";
  await session.commit();
  assert.deepEqual(tablesOf(texts, "UPDATE"), ["jti_docs", "jti_memos"]);
  assert.match(texts.find((t) => t.startsWith('UPDATE "jti_docs"'))!, /"rev" = .* AND "rev" = /);
  assert.equal(memo.rev, 2);
  assert.doesNotMatch(texts.find((t) => t.startsWith('UPDATE "jti_memos"'))!, /rev/);
  // Another writer moved the version: the flush refuses, and nothing of it stays.
  await engine.run(sql`UPDATE jti_docs SET rev = rev + 1 WHERE id = ${memo.id}`);
  memo.body = "b3";
  await assert.rejects(session.commit(), StaleDataError);
  await session.rollback();
  const body = await engine.scalar(sql`SELECT body FROM jti_memos WHERE id = ${memo.id}`);
  assert.equal(body, "b2");
});

dbTest(
  "joined inheritance: bulk update syncs; bulk delete of a subclass is refused",
  async (db) => {
    const engine = await open(db);
    const ids = await seed(engine);
    await using session = engine.session();
    const mia = (await session.get(Manager, ids.mia))!;
    const sam = (await session.get(Senior, ids.sam))!;
    // The subclass's own table.
    await session.execute(
      update(Manager).set({ budget: 7 }).where(eq(Manager.table.c.id, ids.mia)),
    );
    assert.equal(mia.budget, 7);
    // The root's table: the session's objects of every class follow.
    await session.execute(
      update(Employee).set({ name: "x" }).where(eq(Employee.c.companyId, ids.acme)),
    );
    assert.deepEqual([mia.name, sam.name], ["x", "x"]);
    await session.execute(update(Senior).set({ level: 9 }));
    assert.equal(sam.level, 9);
    await assert.rejects(
      session.execute(deleteFrom(Manager).where(eq(Manager.table.c.id, ids.mia))),
      (e: unknown) => {
        assert(e instanceof InvalidRequestError);
        assert.match(e.message, /delete\(Manager\).*jti_managers only/);
        assert.match(e.message, /session\.delete\(obj\)/);
        return true;
      },
    );
    await session.commit();
    const budget = await engine.scalar(sql`SELECT budget FROM jti_managers WHERE id = ${ids.mia}`);
    assert.equal(Number(budget), 7);
  },
);

dbTest(
  "joined inheritance: the engine runs a subclass's update on its parents' columns, refuses its delete",
  async (db) => {
    const engine = await open(db);
    const ids = await seed(engine);
    // No session: the update alone puts the WHERE on the root's columns through the key.
    const r = await engine.execute(
      update(Manager).set({ budget: 3 }).where(eq(Manager.c.name, "mia")),
      "run",
    );
    assert.equal(r.rowsAffected, 1);
    const budget = await engine.scalar(sql`SELECT budget FROM jti_managers WHERE id = ${ids.mia}`);
    assert.equal(Number(budget), 3);
    await engine.execute(update(Senior).set({ level: 5 }).where(eq(Senior.c.lang, "rust")), "run");
    const level = await engine.scalar(sql`SELECT level FROM jti_seniors WHERE id = ${ids.sam}`);
    assert.equal(Number(level), 5);
    await assert.rejects(
      engine.execute(deleteFrom(Manager).where(eq(Manager.c.name, "mia")), "run"),
      (e: unknown) => {
        assert(e instanceof InvalidRequestError);
        assert.match(e.message, /delete\(Manager\).*jti_managers only.*jti_employees/);
        return true;
      },
    );
    const left = await engine.scalar(sql`SELECT count(*) FROM jti_managers`);
    assert.equal(Number(left), 1, "nothing was deleted");
  },
);

dbTest("joined inheritance: bad declarations are refused by name", async (db) => {
  class Shape extends Model("jti_shapes", {
    id: column.integer().primaryKey(),
    kind: column.text().default("shape"),
  }, { polymorphicOn: "kind", polymorphicIdentity: "shape" }) {}
  class Circle
    extends Shape.subclass("circle", { r: column.integer() }, { table: "jti_circles" }) {}
  assert.equal(new Circle({ r: 1 }).kind, "circle");
  assert.throws(() => Shape.subclass("square", { side: column.integer() }), (e: unknown) => {
    assert(e instanceof ArgumentError);
    assert.match(e.message, /maps a table per class.*\{ table: "<name>" \}/);
    return true;
  });
  assert.throws(
    () => Shape.subclass("ring", { r: column.integer() }, { table: "jti_rings" }),
    /the column r is already Circle's/,
  );
  assert.throws(
    () => Shape.subclass("circle", {}, { table: "jti_circles2" }),
    /"circle" is already Circle's/,
  );
  assert.throws(
    () => Circle.subclass("dot", { id: column.integer() }, { table: "jti_dots" }),
    /declare it with \.primaryKey\(\), or leave it out/,
  );
  assert.throws(
    () => Circle.subclass("dot", { n: column.integer().primaryKey() }, { table: "jti_dots" }),
    /n cannot be a primary key/,
  );
  class Flat extends Model("jti_flats", {
    id: column.integer().primaryKey(),
    kind: column.text().default("flat"),
  }, { polymorphicOn: "kind", polymorphicIdentity: "flat" }) {}
  class Studio extends Flat.subclass("studio", {}) {}
  assert.equal(new Studio({}).kind, "studio");
  assert.throws(
    () => Flat.subclass("loft", {}, { table: "jti_lofts" }),
    /already has subclasses in its table/,
  );
  // A key column declared by hand keeps its name and its reference's options.
  class Oval extends Shape.subclass("oval", {
    id: column.integer().primaryKey().named("shape_id").references(() => Shape.c.id, {
      onDelete: "cascade",
    }),
    ratio: column.real(),
  }, { table: "jti_ovals" }) {}
  assert.deepEqual(Oval.table.columns.map((c) => c.name), ["shape_id", "ratio"]);
  assert.equal(Oval.table.foreignKeys[0].options.onDelete, "cascade");
  const engine = db.engine();
  await engine.createAll([Shape, Circle, Oval]);
  assert.deepEqual((await checkSchema(engine, [Shape, Circle, Oval])).differences, []);
});

dbTest(
  "joined inheritance: a key column declared by hand, deleted by the database's cascade",
  async (db) => {
    class Pet extends Model("jti_pets", {
      id: column.integer().primaryKey(),
      kind: column.text().default("pet"),
      name: column.text(),
    }, { polymorphicOn: "kind", polymorphicIdentity: "pet" }) {}
    class Cat extends Pet.subclass("cat", {
      id: column.integer().primaryKey().named("pet_id").references(() => Pet.c.id, {
        onDelete: "cascade",
      }),
      lives: column.integer(),
    }, { table: "jti_cats" }) {}
    const engine = db.engine();
    await engine.createAll([Pet, Cat]);
    await using session = engine.session();
    const tom = new Cat({ name: "tom", lives: 9 });
    session.add(tom);
    await session.commit();
    const row = await engine.one(sql`SELECT pet_id, lives FROM jti_cats`);
    assert.equal(Number(row.pet_id), tom.id);
    assert.equal(await session.get(Pet, tom.id), tom);
    // delete(Root) through the session: the database's cascade removes the child's row.
    await session.execute(deleteFrom(Pet).where(eq(Pet.c.id, tom.id)));
    assert.equal(await session.get(Pet, tom.id), null);
    await session.commit();
    assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM jti_cats`)), 0);
  },
);

const projectMembers = table("jti_project_members", {
  projectId: column.integer().references(() => Project.c.id),
  engineerId: column.integer().references(() => Engineer.table.c.id),
}, (c) => [constraint.primaryKey(c.projectId, c.engineerId)]);

class Project extends Model("jti_projects", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static members = relationship(() => Engineer, { secondary: () => projectMembers });
  declare members: Engineer[];
}

dbTest("joined inheritance: many-to-many to a subclass, through its own table", async (db) => {
  const engine = db.engine();
  await engine.createAll([...models, Project, projectMembers]);
  const ids = await seed(engine);
  {
    await using session = engine.session();
    const [eli, sam] = await session.all(select(Engineer).orderBy(Engineer.c.id));
    const project = new Project({ name: "db" });
    project.members = [eli, sam];
    session.add(project);
    await session.commit();
  }
  for (const strategy of [selectin, joined]) {
    await using session = engine.session();
    const [p] = await session.all(select(Project).options(strategy("members")));
    const members = p.members.slice().sort((a, b) => a.id - b.id);
    assert.deepEqual(members.map((m) => m.constructor.name), ["Engineer", "Senior"]);
    assert.deepEqual(members.map((m) => m.lang), ["ts", "rust"]);
    assert.equal((members[1] as Senior).level, 3);
    assert.equal(await session.get(Employee, ids.sam), members[1]);
  }
});

dbTest("joined inheritance: loader criteria on a subclass see all its columns", async (db) => {
  const engine = await open(db);
  const ids = await seed(engine);
  await using session = engine.session({
    criteria: [
      loaderCriteria(Engineer, (t) => gt(t.c.id, 0)),
      loaderCriteria(Senior, (t) => eq(t.c.name, "nobody")),
    ],
  });
  assert.equal(await session.get(Senior, ids.sam), null, "the criteria on the root's column");
  assert.deepEqual((await session.all(select(Engineer))).map((e) => e.name).sort(), ["eli", "sam"]);
  assert.deepEqual(await session.all(select(Senior)), []);
  const mia = (await session.get(Manager, ids.mia))!;
  await session.load(mia, "reports");
  assert.deepEqual(mia.reports.map((e) => e.name).sort(), ["eli", "sam"]);
  session.addCriteria(loaderCriteria(Engineer, (t) => eq(t.c.lang, "ts")));
  const [boss] = await session.all(select(Manager).options(joined("reports")).populateExisting());
  assert.deepEqual(boss.reports.map((e) => e.name), ["eli"]);
});

dbTest("joined inheritance: a subclass declared after the root's first get", async (db) => {
  class Tool extends Model("jti_tools", {
    id: column.integer().primaryKey(),
    kind: column.text().default("tool"),
  }, { polymorphicOn: "kind", polymorphicIdentity: "tool" }) {}
  const engine = db.engine();
  await engine.createAll([Tool]);
  {
    await using session = engine.session();
    assert.equal(await session.get(Tool, 1), null);
  }
  class Saw extends Tool.subclass("saw", { teeth: column.integer() }, { table: "jti_saws" }) {}
  await engine.createAll([Saw]);
  await using session = engine.session();
  const saw = new Saw({ teeth: 40 });
  session.add(saw);
  await session.commit();
  session.expunge(saw);
  const again = await session.get(Tool, saw.id);
  assert(again instanceof Saw);
  assert.equal(again.teeth, 40);
});

/**
 * Single-table inheritance: a root mapped with polymorphicOn, subclasses declared with
 * Root.subclass(identity, columns); rows load as the class their discriminator names, one
 * row is one object whichever class asked, and bad mappings are refused by name.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  InvalidRequestError,
  joined,
  listen,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

class Company extends Model("inh_companies", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static staff = relationship(() => Employee, { backPopulates: "company" });
  declare staff: Employee[];
}

class Employee extends Model("inh_employees", {
  id: column.integer().primaryKey(),
  kind: column.text().default("employee"),
  name: column.text(),
  companyId: column.integer().nullable().references(() => Company.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "employee" }) {
  static company = relationship(() => Company, { backPopulates: "staff" });
  declare company: Company | null;
  greet(): string {
    return `hi, ${this.name}`;
  }
}

class Manager extends Employee.subclass("manager", { budget: column.integer() }) {
  static reports = relationship(() => Engineer, {
    backPopulates: "boss",
    direction: "one-to-many",
  });
  declare reports: Engineer[];
}

class Engineer extends Employee.subclass("engineer", {
  lang: column.text(),
  bossId: column.integer().nullable().references(() => Employee.c.id),
}) {
  static boss = relationship(() => Manager, {
    backPopulates: "reports",
    direction: "many-to-one",
  });
  declare boss: Manager | null;
}

class Principal extends Engineer.subclass("principal", { area: column.text() }) {}

const models = [Company, Employee, Manager, Engineer, Principal];

async function seed(session: { add(o: object): void; commit(): Promise<void> }) {
  const acme = new Company({ name: "acme" });
  const m = new Manager({ name: "mia", budget: 10 });
  const e = new Engineer({ name: "eli", lang: "ts" });
  const p = new Principal({ name: "pat", lang: "rust", area: "db" });
  const plain = new Employee({ name: "eve" });
  e.boss = m;
  for (const o of [m, e, p, plain]) o.company = acme;
  for (const o of [acme, m, e, p, plain]) session.add(o);
  await session.commit();
  return { acme, m, e, p, plain };
}

scopedTest(
  "inheritance: new objects carry their identity and both classes' columns",
  async ({ open }) => {
    const m = new Manager({ name: "mia", budget: 3 });
    assert.equal(m.kind, "manager");
    assert.equal(m.budget, 3);
    assert.equal(m.greet(), "hi, mia");
    assert(m instanceof Employee && m instanceof Manager);
    assert.equal(new Employee({ name: "x" }).kind, "employee");
    assert.equal(new Principal({ name: "p", lang: "c", area: "a" }).kind, "principal");
    assert.deepEqual(Object.keys(Employee.c).sort(), [
      "area",
      "bossId",
      "budget",
      "companyId",
      "id",
      "kind",
      "lang",
      "name",
    ]);
    // Types: a subclass's objects have its parents' columns and its own; its constructor
    // takes both, and its c has both.
    const typed: { name: string; budget: number; kind: string } = m;
    const principal: { lang: string; area: string; bossId: number | null } = new Principal({
      name: "q",
      lang: "go",
      area: "x",
    });
    assert.equal(typed.name, "mia");
    assert.equal(principal.area, "x");
    assert.equal(Principal.c.area.key, "area");
    assert.equal(Principal.c.lang.key, "lang");
    // A manager has no lang: the constructor refuses it (the checker cannot, as it lets
    // relationships by name through).
    assert.throws(() => new Manager({ name: "x", budget: 1, lang: "ts" }), ArgumentError);
    // @ts-expect-error budget is a number
    const wrong: string = new Manager({ name: "x", budget: 1 }).budget;
    assert.equal(wrong, 1);
    const engine = open();
    await engine.createAll(models);
    // One table holds every class's columns; the flush writes the discriminator.
    await using session = engine.session();
    session.add(m);
    await session.commit();
    const row = await engine.one(
      sql`SELECT kind, name, budget, lang FROM ${Employee} WHERE id = ${m.id}`,
    );
    assert.deepEqual({ ...row, budget: Number(row.budget) }, {
      kind: "manager",
      name: "mia",
      budget: 3,
      lang: null,
    });
  },
);

scopedTest("inheritance: select(Root) loads each row as its class", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  {
    await using session = engine.session();
    await seed(session);
  }
  await using session = engine.session();
  const all = await session.all(select(Employee).orderBy(Employee.c.name));
  assert.deepEqual(all.map((o) => `${o.name}:${o.constructor.name}`), [
    "eli:Engineer",
    "eve:Employee",
    "mia:Manager",
    "pat:Principal",
  ]);
  const [e, , m, p] = all as [Engineer, Employee, Manager, Principal];
  assert.equal(m.budget, 10);
  assert.equal(e.lang, "ts");
  assert.equal(p.area, "db");
  assert.equal(p.lang, "rust");
  assert(p instanceof Engineer);
  // A subclass's select filters on its identities, its descendants' included.
  const engineers = await session.all(select(Engineer).orderBy(Engineer.c.id));
  assert.deepEqual(engineers.map((o) => o.name), ["eli", "pat"]);
  assert.equal(engineers[0], e, "one row is one object whichever class asked");
  const managers = await session.all(select(Manager));
  assert.deepEqual(managers.map((o) => o.name), ["mia"]);
  // where on a subclass column.
  const rich = await session.all(select(Manager).where(sql`${Manager.c.budget} > ${5}`));
  assert.equal(rich[0], m);
  const rust = await session.all(select(Engineer).where(sql`${Engineer.c.lang} = ${"rust"}`));
  assert.deepEqual(rust, [p]);
});

scopedTest("inheritance: get returns the row's class, one object per row", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  let ids: { m: number; e: number };
  {
    await using session = engine.session();
    const s = await seed(session);
    ids = { m: s.m.id, e: s.e.id };
  }
  {
    await using session = engine.session();
    const viaBase = await session.get(Employee, ids.m);
    assert(viaBase instanceof Manager);
    assert.equal(await session.get(Manager, ids.m), viaBase);
    assert.equal(await session.get(Engineer, ids.m), null, "a manager is not an engineer");
  }
  await using fresh = engine.session();
  assert.equal(await fresh.get(Engineer, ids.m), null, "the database is asked with a filter");
  const e = await fresh.get(Engineer, ids.e);
  assert(e instanceof Engineer);
  assert.equal(await fresh.get(Employee, ids.e), e);
});

scopedTest("inheritance: relationships to the root load subclass objects", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  {
    await using session = engine.session();
    await seed(session);
  }
  await using session = engine.session();
  const [acme] = await session.all(select(Company).options(selectin("staff")));
  assert.deepEqual(
    acme.staff.map((o) => o.constructor.name).sort(),
    ["Employee", "Engineer", "Manager", "Principal"],
  );
  const m = acme.staff.find((o) => o instanceof Manager) as Manager;
  await session.load(m, "reports");
  assert.deepEqual(m.reports.map((o) => o.name), ["eli"]);
  assert.equal(m.reports[0].boss, m);
  // The subclass's relationship is its own; the root's is inherited.
  const engineers = await session.all(
    select(Engineer).options(selectin("boss"), selectin("company")),
  );
  assert.equal(engineers.find((o) => o.name === "eli")!.boss, m);
  assert.equal(engineers[0].company, acme);
});

scopedTest("inheritance: updates, deletes and rollback", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  let id: number;
  {
    await using session = engine.session();
    id = (await seed(session)).m.id;
  }
  {
    await using session = engine.session();
    const m = (await session.get(Manager, id))!;
    m.budget = 99;
    m.name = "mía";
    await session.commit();
  }
  {
    await using session = engine.session();
    const m = (await session.get(Employee, id)) as Manager;
    assert.equal(m.budget, 99);
    assert.equal(m.name, "mía");
    m.budget = 1;
    await session.flush();
    await session.rollback();
    assert.equal(m.budget, 99, "a rollback restores the subclass column");
  }
  {
    await using session = engine.session();
    const m = (await session.get(Manager, id))!;
    for (const r of await session.all(select(Engineer))) r.bossId = null as never;
    await session.flush();
    session.delete(m);
    await session.commit();
    assert.equal(await session.get(Employee, id), null);
  }
});

scopedTest("inheritance: bad mappings and rows get clear errors", async ({ open }) => {
  assert.throws(() => Employee.subclass("manager", {}), (e: unknown) => {
    assert(e instanceof ArgumentError);
    assert.match(e.message, /"manager" is already Manager's/);
    return true;
  });
  class Admin extends Manager {}
  assert.throws(() => new Admin({ name: "a", budget: 1 }), (e: unknown) => {
    assert(e instanceof ArgumentError);
    assert.match(e.message, /Admin extends Manager.*Manager\.subclass\("<identity>"/);
    return true;
  });
  assert.throws(() => select(Admin) && mapperless(Admin), ArgumentError);
  class Plain extends Model("inh_plain", { id: column.integer().primaryKey() }) {}
  assert.throws(() => Plain.subclass("x", {}), /not mapped for inheritance/);
  class Bad extends Model("inh_bad", { id: column.integer().primaryKey() }, {
    polymorphicOn: "nope" as "id",
  }) {}
  assert.throws(() => new Bad({}), /polymorphicOn names "nope"/);
  assert.throws(() => Employee.subclass("dup", { name: column.text() }), /already declared/);

  const engine = open();
  await engine.createAll(models);
  await engine.run(
    sql`INSERT INTO ${Employee} (id, kind, name) VALUES (${1}, ${"intern"}, ${"ivy"})`,
  );
  await using session = engine.session();
  await assert.rejects(session.all(select(Employee)), (e: unknown) => {
    assert(e instanceof InvalidRequestError);
    assert.match(e.message, /kind = "intern"/);
    assert.match(e.message, /"employee", "manager", "engineer", "principal"/);
    return true;
  });
});

scopedTest("inheritance: joined loading to and from a hierarchy", async ({ open }) => {
  const engine = open();
  await engine.createAll(models);
  {
    await using session = engine.session();
    await seed(session);
  }
  await using session = engine.session();
  const [acme] = await session.all(select(Company).options(joined("staff")));
  assert.deepEqual(
    acme.staff.map((o) => o.constructor.name).sort(),
    ["Employee", "Engineer", "Manager", "Principal"],
  );
  const engineers = await session.all(select(Engineer).options(joined("company"), joined("boss")));
  assert.equal(engineers.length, 2);
  assert(engineers.every((e) => e.company === acme));
  assert(engineers.find((e) => e.name === "eli")!.boss instanceof Manager);
  // A subclass's columns are read where its select lists them, the joins' columns after.
  assert.deepEqual(engineers.map((e) => [e.lang, e.bossId === null]).sort(), [
    ["rust", true],
    ["ts", false],
  ]);
});

scopedTest("inheritance: afterLoad runs for loaded objects of each class", async ({ open }) => {
  const seen: string[] = [];
  const stop = listen(Employee, "afterLoad", (e) => seen.push(e.name));
  try {
    const engine = open();
    await engine.createAll(models);
    {
      await using session = engine.session();
      await seed(session);
    }
    await using session = engine.session();
    await session.all(select(Employee));
    assert.deepEqual(seen.sort(), ["eli", "eve", "mia", "pat"]);
  } finally {
    stop();
  }
});

/** Configuring a class's mapping happens on first use: a session call does it. */
function mapperless(cls: unknown): never {
  new (cls as new (o: object) => object)({});
  throw new Error("unreachable");
}

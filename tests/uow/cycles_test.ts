/**
 * Mutually referencing tables and rows: inserted, updated and deleted in one flush, the cycle
 * broken by a post-update step (a nullable foreign key written NULL, then set by a second
 * UPDATE; cleared before a DELETE), by itself or asked for with `postUpdate: true`.
 */
import assert from "node:assert/strict";
import {
  type Collection,
  type Column,
  column,
  type Engine,
  inspect,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { count, logged } from "./_support.ts";

class Person extends Model("cy_people", {
  id: column.integer().primaryKey(),
  name: column.text(),
  avatarId: column.integer().nullable().references((): Column => Picture.c.id),
}) {
  static avatar = relationship((): typeof Picture => Picture, {
    foreignKey: (): Column => Person.c.avatarId,
  });
  declare avatar: Picture | null;
  static pictures = relationship((): typeof Picture => Picture, {
    foreignKey: (): Column => Picture.c.ownerId,
    backPopulates: "owner",
    cascade: "all, delete-orphan",
  });
  declare pictures: Collection<Picture>;
}

class Picture extends Model("cy_pictures", {
  id: column.integer().primaryKey(),
  url: column.text(),
  ownerId: column.integer().references((): Column => Person.c.id), // NOT NULL
}) {
  static owner = relationship((): typeof Person => Person, {
    foreignKey: (): Column => Picture.c.ownerId,
    backPopulates: "pictures",
  });
  declare owner: Person;
}

class Node extends Model("cy_nodes", {
  id: column.integer().primaryKey(),
  name: column.text(),
  nextId: column.integer().nullable().references((self) => self.c.id),
}) {
  static next = relationship((): typeof Node => Node, {
    direction: "many-to-one",
    foreignKey: (): Column => Node.c.nextId,
    postUpdate: true,
  });
  declare next: Node | null;
}

const MODELS = [Person, Picture, Node];

const links = (engine: Engine) =>
  engine.all<{ name: string; avatar: string | null; pictures: string }>(sql`
    SELECT ${Person.c.name} AS name,
      (SELECT ${Picture.c.url} FROM ${Picture} WHERE ${Picture.c.id} = ${Person.c.avatarId}) AS avatar,
      (SELECT count(*) FROM ${Picture} WHERE ${Picture.c.ownerId} = ${Person.c.id}) AS pictures
    FROM ${Person} ORDER BY ${Person.c.name}`);

scopedTest(
  "mutually referencing tables: insert, update and delete in one flush each",
  async (s) => {
    const { engine, log } = await logged(s, MODELS);
    {
      await using session = engine.session();
      const ann = new Person({ name: "ann" });
      const face = new Picture({ url: "face.png" });
      ann.pictures.push(face);
      ann.avatar = face;
      session.add(ann);
      await session.commit(); // not "Cannot order the flush"
      assert.equal(ann.avatarId, face.id);
      assert.equal(face.ownerId, ann.id);
      const updates = log.filter((e) => /^UPDATE/i.test(e.text));
      assert.equal(updates.length, 1, "the nullable foreign key is set by a second UPDATE");
      assert.match(updates[0].text, /cy_people/);
    }
    assert.deepEqual(
      (await links(engine)).map((r) => ({ ...r, pictures: Number(r.pictures) })),
      [{ name: "ann", avatar: "face.png", pictures: 1 }],
    );
    {
      await using session = engine.session();
      const [ann] = await session.all(select(Person).options(selectin("pictures")));
      const [face] = ann.pictures;
      const beach = new Picture({ url: "beach.png" });
      ann.pictures.push(beach);
      ann.avatar = beach; // the new avatar, and the old picture goes, in one flush
      ann.pictures.remove(face);
      await session.commit();
      assert.equal(inspect(face).status, "detached");
      assert.equal(ann.avatarId, beach.id);
    }
    assert.deepEqual(
      (await links(engine)).map((r) => ({ ...r, pictures: Number(r.pictures) })),
      [{ name: "ann", avatar: "beach.png", pictures: 1 }],
    );
    {
      await using session = engine.session();
      const [ann] = await session.all(select(Person).options(selectin("pictures")));
      session.delete(ann); // and its pictures, one of which it refers to
      await session.commit();
    }
    assert.equal(await count(engine, sql`SELECT count(*) FROM ${Person}`), 0);
    assert.equal(await count(engine, sql`SELECT count(*) FROM ${Picture}`), 0);
  },
);

scopedTest("a cycle of tables with many rows in one flush", async (s) => {
  const { engine } = await logged(s, MODELS);
  await using session = engine.session();
  const people = Array.from({ length: 5 }, (_, i) => new Person({ name: `p${i}` }));
  for (const p of people) {
    const a = new Picture({ url: `${p.name}-a` });
    const b = new Picture({ url: `${p.name}-b` });
    p.pictures.push(a, b);
    p.avatar = b;
  }
  session.addAll(people);
  await session.commit();
  for (const p of people) assert.equal(p.avatarId, p.pictures[1].id);
  const rows = await links(engine);
  assert.deepEqual(rows.map((r) => r.avatar), people.map((p) => `${p.name}-b`));
  for (const p of people) session.delete(p);
  await session.commit();
  assert.equal(await count(engine, sql`SELECT count(*) FROM ${Picture}`), 0);
  assert.equal(await count(engine, sql`SELECT count(*) FROM ${Person}`), 0);
});

scopedTest("postUpdate: true breaks a cycle of rows in one table", async (s) => {
  const { engine } = await logged(s, MODELS);
  {
    await using session = engine.session();
    const a = new Node({ name: "a" });
    const b = new Node({ name: "b" });
    const c = new Node({ name: "c" });
    a.next = b;
    b.next = c;
    c.next = a; // a ring
    session.addAll([a, b, c]);
    await session.commit();
    assert.equal(a.nextId, b.id);
    assert.equal(b.nextId, c.id);
    assert.equal(c.nextId, a.id);
  }
  const ring = await engine.all<{ n: string; next: string }>(sql`
    SELECT x.name AS n, y.name AS next FROM ${Node} x JOIN ${Node} y ON y.id = x.next_id
    ORDER BY x.name`);
  assert.deepEqual(ring.map((r) => `${r.n}>${r.next}`), ["a>b", "b>c", "c>a"]);
  {
    await using session = engine.session();
    const [a, b, c] = await session.all(select(Node).orderBy(Node.c.name));
    c.next = b; // update: b and c now point at each other
    a.next = null;
    await session.commit();
  }
  const after = await engine.all<{ n: string; next: string | null }>(sql`
    SELECT x.name AS n, y.name AS next FROM ${Node} x LEFT JOIN ${Node} y ON y.id = x.next_id
    ORDER BY x.name`);
  assert.deepEqual(after.map((r) => `${r.n}>${r.next}`), ["a>null", "b>c", "c>b"]);
  {
    await using session = engine.session();
    for (const n of await session.all(select(Node))) session.delete(n); // all in one flush
    await session.commit();
  }
  assert.equal(await count(engine, sql`SELECT count(*) FROM ${Node}`), 0);
});

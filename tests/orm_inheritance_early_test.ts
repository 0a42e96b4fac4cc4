/**
 * A subclass's class (the one extending `Root.subclass(...)`) is known once it is first used.
 * Rows of its identity loaded before that are instances of the class `subclass` returned; once
 * the class is known, those objects become instances of it: `instanceof`, its methods, its
 * relationships, and `session.get(Sub, key)` finding them. Each test declares its classes
 * afresh, since a class is known for the rest of the process once used.
 */
import assert from "node:assert/strict";
import {
  column,
  type Engine,
  type JoinedTableOptions,
  Model,
  relationship,
  select,
  sql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

/** A hierarchy whose subclasses no code has used yet; `joined`: a table per subclass. */
function hierarchy(prefix: string, joined: boolean) {
  class Owner extends Model(`${prefix}_owners`, {
    id: column.integer().primaryKey(),
    name: column.text(),
  }) {}
  class Animal extends Model(`${prefix}_animals`, {
    id: column.integer().primaryKey(),
    kind: column.text(),
    name: column.text(),
    ownerId: column.integer().nullable().references(() => Owner.c.id),
  }, { polymorphicOn: "kind", polymorphicIdentity: "animal" }) {}
  const DogBase = Animal.subclass(
    "dog",
    { bark: column.text() },
    (joined ? { table: `${prefix}_dogs` } : undefined) as JoinedTableOptions, // undefined: one table
  );
  const CatBase = Animal.subclass(
    "cat",
    { lives: column.integer() },
    (joined ? { table: `${prefix}_cats` } : undefined) as JoinedTableOptions,
  );
  const classes = () => {
    class Dog extends DogBase {
      static owner = relationship(() => Owner);
      declare owner: Owner | null;
      woof(): string {
        return `${this.name} says ${this.bark}`;
      }
    }
    class Cat extends CatBase {}
    return { Dog, Cat };
  };
  return { Owner, Animal, tables: [Owner, Animal, DogBase, CatBase], classes };
}

async function seed(engine: Engine, prefix: string, joined: boolean): Promise<void> {
  await engine.run(sql.unsafe(`INSERT INTO ${prefix}_owners (id, name) VALUES (1, 'ann')`));
  if (joined) {
    await engine.run(sql.unsafe(
      `INSERT INTO ${prefix}_animals (id, kind, name, owner_id) VALUES ` +
        `(1, 'animal', 'ant', NULL), (2, 'dog', 'rex', 1), (3, 'cat', 'tom', NULL)`,
    ));
    await engine.run(sql.unsafe(`INSERT INTO ${prefix}_dogs (id, bark) VALUES (2, 'loud')`));
    await engine.run(sql.unsafe(`INSERT INTO ${prefix}_cats (id, lives) VALUES (3, 9)`));
  } else {
    await engine.run(sql.unsafe(
      `INSERT INTO ${prefix}_animals (id, kind, name, owner_id, bark, lives) VALUES ` +
        `(1, 'animal', 'ant', NULL, NULL, NULL), (2, 'dog', 'rex', 1, 'loud', NULL), ` +
        `(3, 'cat', 'tom', NULL, NULL, 9)`,
    ));
  }
}

for (const joined of [false, true]) {
  const how = joined ? "joined-table" : "single-table";
  const prefix = joined ? "early_j" : "early_s";

  dbTest(
    `${how} inheritance: rows loaded before their class is known become its instances`,
    async (db) => {
      const h = hierarchy(prefix, joined);
      const engine = db.engine();
      await engine.createAll(h.tables);
      await seed(engine, prefix, joined);
      await using session = engine.session();
      const early = await session.all(select(h.Animal).orderBy(h.Animal.c.id));
      assert.equal(early.length, 3);
      const [ant, rex, tom] = early;

      const { Dog, Cat } = h.classes(); // first use below
      assert.equal(await session.get(Dog, 2), rex, "get of the known class finds the early object");
      assert.ok(rex instanceof Dog);
      assert.ok(!(rex instanceof Cat));
      assert.equal((rex as InstanceType<typeof Dog>).woof(), "rex says loud");
      assert.equal(rex.constructor, Dog);
      assert.equal(await session.get(Cat, 2), null, "a dog is not a cat");
      assert.equal(await session.get(Dog, 3), null);
      const cat = await session.get(Cat, 3);
      assert.equal(cat, tom);
      assert.ok(tom instanceof Cat);
      assert.equal(cat?.lives, 9);
      assert.ok(!(ant instanceof Dog) && !(ant instanceof Cat), "the root's own row stays a root");
      assert.equal(ant.constructor, h.Animal);
      // A plain class below Dog is no mapped class of its own: instanceof answers, no more.
      class Puppy extends Dog {}
      assert.equal(rex instanceof Puppy, false);

      // One row, one object, through a query of the subclass too.
      const dogs = await session.all(select(Dog));
      assert.deepEqual(dogs, [rex]);
      assert.equal(dogs[0], rex);
    },
  );

  dbTest(
    `${how} inheritance: an early object has its class's relationships, and its edits flush`,
    async (db) => {
      const h = hierarchy(`${prefix}2`, joined);
      const engine = db.engine();
      await engine.createAll(h.tables);
      await seed(engine, `${prefix}2`, joined);
      {
        await using session = engine.session();
        const rex = (await session.get(h.Animal, 2))!;
        const ann = (await session.get(h.Owner, 1))!;
        const { Dog } = h.classes();
        const dog = rex as InstanceType<typeof Dog>;
        assert.ok(dog instanceof Dog);
        // The relationship the class declares, on the object loaded before it: its owner is in
        // the identity map, so it reads with no query.
        assert.equal(dog.owner, ann);
        dog.bark = "soft";
        dog.name = "rexy";
        await session.commit();
      }
      const rows = await engine.all<{ name: string; bark: string }>(sql.unsafe(
        joined
          ? `SELECT a.name, d.bark FROM ${prefix}2_animals a JOIN ${prefix}2_dogs d ON d.id = a.id`
          : `SELECT name, bark FROM ${prefix}2_animals WHERE id = 2`,
      ));
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ name: "rexy", bark: "soft" }]);
      // A later session loads the row as the class at once.
      await using later = engine.session();
      const again = await later.all(select(h.Animal).where(sql`${h.Animal.c.id} = ${2}`));
      assert.equal(again[0].constructor.name, "Dog");
    },
  );
}

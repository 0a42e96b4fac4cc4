/**
 * Type-level guarantees of mapped classes. `deno test` type-checks this file: each
 * `@ts-expect-error` must meet an error, or the check fails.
 */
import assert from "node:assert/strict";
import { column, createEngine, Model, relationship, select } from "../mod.ts";

class Person extends Model("types_people", {
  id: column.integer().primaryKey(),
  name: column.text(),
  nickname: column.text().nullable(),
  score: column.integer().default(0),
  born: column.date().nullable(),
  data: column.json<{ tags: string[] }>().nullable(),
}) {
  static pets = relationship(() => Pet, { backPopulates: "owner" });
  declare pets: Pet[];
}

class Pet extends Model("types_pets", {
  id: column.integer().primaryKey(),
  ownerId: column.integer().references(() => Person.c.id),
  kind: column.enum(["cat", "dog"]),
}) {
  static owner = relationship(() => Person, { backPopulates: "pets" });
  declare owner: Person;
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
const check = <T extends true>(): T => true as T;

Deno.test("instance property types are inferred exactly from the schema", () => {
  const p = new Person({ name: "ada" });
  check<Equal<typeof p.id, number>>();
  check<Equal<typeof p.name, string>>();
  check<Equal<typeof p.nickname, string | null>>();
  check<Equal<typeof p.born, Date | null>>();
  check<Equal<typeof p.data, { tags: string[] } | null>>();
  check<Equal<typeof p.pets, Pet[]>>();
  const pet = new Pet({ kind: "cat" });
  check<Equal<typeof pet.kind, "cat" | "dog">>();
  check<Equal<typeof pet.owner, Person>>();
  assert.equal(p.name, "ada");
});

Deno.test("the constructor requires exactly the columns without a default", () => {
  // id (generated key), nickname (nullable), score (default) and born may be left out.
  const ok = new Person({ name: "x" });
  // @ts-expect-error name is required
  assert.throws(() => new Person({ nickname: "n" }).name.toString());
  // @ts-expect-error a value of the wrong type
  new Person({ name: 5 });
  // A foreign key may be left out: a relationship may fill it at flush.
  new Pet({ kind: "dog" });
  // @ts-expect-error not a member of the enum
  new Pet({ kind: "cow" });
  assert.equal(ok.score, undefined, "defaults apply at flush");
});

Deno.test("a misspelled backPopulates does not compile", () => {
  class Shelter extends Model("types_shelters", { id: column.integer().primaryKey() }) {
    // @ts-expect-error Pet has no key "shelterz"
    static pets = relationship(() => Pet, { backPopulates: "shelterz" });
  }
  assert.ok(Shelter.pets);
});

Deno.test("queries return instances of the class", async () => {
  await using engine = createEngine("sqlite::memory:");
  await engine.createAll([Person, Pet]);
  await using session = engine.session();
  const people = await session.all(select(Person));
  check<Equal<typeof people, Person[]>>();
  const one = await session.get(Person, 1);
  check<Equal<typeof one, Person | null>>();
  assert.deepEqual(people, []);
  assert.equal(one, null);
});

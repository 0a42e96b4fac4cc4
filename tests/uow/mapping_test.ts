/**
 * Robustness of the mapping: a polluted Object.prototype, attribute names that would hide
 * members of Model or Object.prototype, two classes for one table, `select(Sub)` of an
 * unmapped subclass, and loader options that name no relationship.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Collection,
  column,
  inspect,
  joined,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, messageOf, ready } from "./_support.ts";

class Owner extends Model("mp_owners", {
  id: column.integer().primaryKey(),
  name: column.text(),
  meta: column.json<Record<string, unknown>>().nullable(),
}) {
  static pets = relationship(() => Pet, { backPopulates: "owner", cascade: "all, delete-orphan" });
  declare pets: Collection<Pet>;
}

class Pet extends Model("mp_pets", {
  id: column.integer().primaryKey(),
  name: column.text(),
  ownerId: column.integer().references(() => Owner.c.id),
}) {
  static owner = relationship(() => Owner, { backPopulates: "pets" });
  declare owner: Owner;
}

const MODELS = [Owner, Pet];
const petNames = sql`SELECT ${Pet.c.name} FROM ${Pet}`;
const ownerNames = sql`SELECT ${Owner.c.name} FROM ${Owner}`;

scopedTest("a polluted Object.prototype does not break add, flush or commit", async (s) => {
  const engine = await ready(s, MODELS);
  const proto = Object.prototype as Record<string, unknown>;
  proto.polluted = { hostile: true };
  proto.alsoPolluted = () => "hostile";
  try {
    assert.ok("polluted" in {} && Object.keys(Object.prototype).includes("polluted"));
    await using session = engine.session();
    const ann = new Owner({ name: "ann", meta: { a: 1 } });
    ann.pets.push(new Pet({ name: "rex" }), new Pet({ name: "tom" }));
    session.add(ann);
    await session.flush();
    ann.name = "anna";
    ann.pets[0].name = "rex ii";
    await session.commit();
    const [loaded] = await session.all(select(Owner).options(selectin("pets")));
    assert.equal(loaded, ann);
    ann.pets.remove(ann.pets[1]); // an orphan
    session.add(new Owner({ name: "bob" }));
    await session.commit();
    assert.deepEqual(await values(session, petNames), ["rex ii"]);
    await session.rollback();
  } finally {
    delete proto.polluted;
    delete proto.alsoPolluted;
  }
  assert.ok(!("polluted" in {}));
  assert.deepEqual(await values(engine, ownerNames), ["anna", "bob"]);
  assert.deepEqual(await values(engine, petNames), ["rex ii"]);
});

const RESERVED = [
  "constructor",
  "toJSON",
  "then",
  "__proto__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toString",
  "toLocaleString",
  "valueOf",
  "__defineGetter__",
  "__lookupSetter__",
];

Deno.test("a column named like a member of Model or Object.prototype is refused", () => {
  RESERVED.forEach((name, i) => {
    const columns = { id: column.integer().primaryKey() } as Record<string, unknown>;
    // Defined as an own property: `{ __proto__: ... }` in a literal would set the prototype.
    Object.defineProperty(columns, name, {
      value: column.text(),
      enumerable: true,
      configurable: true,
      writable: true,
    });
    assert.ok(Object.keys(columns).includes(name));
    assert.throws(
      () => Model(`mp_reserved_${i}`, columns as never),
      (e: unknown) => {
        assert.match(messageOf(e), new RegExp(JSON.stringify(name)), `the error names ${name}`);
        return true;
      },
      `a column named ${name}`,
    );
  });
  // The database name can stay: only the attribute is renamed.
  class Fine extends Model("mp_fine", {
    id: column.integer().primaryKey(),
    ctor: column.text().named("constructor"),
  }) {}
  assert.equal(new Fine({ ctor: "x" }).ctor, "x");
});

scopedTest(
  "a relationship named like a member is refused when the class is first used",
  async (s) => {
    const engine = await ready(s, MODELS);
    const base = () => ({ id: column.integer().primaryKey() });
    class Thenable extends Model("mp_rel_then", base()) {
      static then = relationship(() => Owner, { secondary: () => Owner });
    }
    class Json extends Model("mp_rel_json", base()) {
      static toJSON = relationship(() => Owner, { secondary: () => Owner });
    }
    class Shadow extends Model("mp_rel_valueof", base()) {
      static ["__proto__"] = relationship(() => Owner, { secondary: () => Owner });
    }
    await using session = engine.session();
    for (
      const [cls, name] of [[Thenable, "then"], [Json, "toJSON"], [Shadow, "__proto__"]] as const
    ) {
      assert.throws(
        () => session.add(new cls({})),
        (e: unknown) => {
          assert.match(messageOf(e), new RegExp(`"${name}"`));
          return true;
        },
      );
    }
  },
);

scopedTest("two classes for one table are refused when one session meets both", async (s) => {
  const engine = await ready(s, MODELS);
  class Other extends Model("mp_owners", {
    id: column.integer().primaryKey(),
    name: column.text(),
    meta: column.json<Record<string, unknown>>().nullable(),
  }) {}
  {
    await using session = engine.session();
    session.add(new Owner({ name: "ann" }));
    await session.commit();
  }
  await using session = engine.session();
  const [ann] = await session.all(select(Owner));
  assert.ok(ann instanceof Owner);
  await assert.rejects(async () => {
    await session.all(select(Other));
  }, (e: unknown) => {
    assert.match(messageOf(e), /mp_owners/, "the error names the table");
    return true;
  });
  await assert.rejects(async () => {
    session.add(new Other({ name: "twin" }));
    await session.flush();
  }, /mp_owners/);
  await session.rollback();
  // Each class alone is fine, in a session of its own.
  {
    await using alone = engine.session();
    assert.deepEqual((await alone.all(select(Other))).map((o) => o.name), ["ann"]);
  }
  assert.deepEqual(await values(engine, ownerNames), ["ann"], "the twin was not written");
});

scopedTest("a class may share a Table deliberately: Model(A.table)", async (s) => {
  const engine = await ready(s, MODELS);
  class OwnerView extends Model(Owner.table) {
    get shout(): string {
      return this.name.toUpperCase();
    }
  }
  await using session = engine.session();
  session.add(new Owner({ name: "ann" }));
  await session.flush();
  const [view] = await session.all(select(OwnerView));
  assert.ok(view instanceof OwnerView);
  assert.equal(view.shout, "ANN");
  assert.ok((await session.all(select(Owner)))[0] instanceof Owner);
  session.add(new OwnerView({ name: "bob" }));
  await session.commit();
  assert.deepEqual(await values(engine, ownerNames), ["ann", "bob"]);
});

scopedTest("select(Sub) of a subclass with no inheritance mapping is an error", async (s) => {
  const engine = await ready(s, MODELS);
  class Special extends Owner {}
  {
    await using session = engine.session();
    session.add(new Owner({ name: "plain" }));
    await session.commit();
  }
  await using session = engine.session();
  await assert.rejects(() => session.all(select(Special)), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(messageOf(e), /Special/, "the error names the subclass");
    return true;
  });
  await assert.rejects(() => session.first(select(Special)));
  const owners = await session.all(select(Owner));
  assert.equal(owners.length, 1);
  assert.ok(!(owners[0] instanceof Special));
  assert.equal(inspect(owners[0]).status, "persistent");
});

scopedTest("a loader option that names no relationship is an ArgumentError", async (s) => {
  const engine = await ready(s, MODELS);
  await using session = engine.session();
  const nope = "nope" as never;
  // No rows come back: still an error.
  await assert.rejects(() => session.all(select(Owner).options(selectin(nope))), ArgumentError);
  await assert.rejects(() => session.all(select(Owner).options(joined(nope))), ArgumentError);
  await assert.rejects(
    () => session.all(select(Owner).options(selectin("pets", selectin(nope)))),
    ArgumentError,
    "nested, under a relationship that loads nothing",
  );
  await assert.rejects(() => session.all(select(Owner).options(selectin("name" as never))), /name/);
  session.add(new Owner({ name: "ann" }));
  await session.flush();
  await assert.rejects(
    () => session.all(select(Owner).options(selectin(nope))),
    (e: unknown) => e instanceof ArgumentError && /nope/.test(messageOf(e)),
  );
  assert.equal((await session.all(select(Owner).options(selectin("pets")))).length, 1);
});

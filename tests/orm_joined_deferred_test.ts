/**
 * Joined-table inheritance with the other ways of loading and writing: deferred columns of a
 * subclass table, loader criteria on a hierarchy read through its joins, and bulk updates of
 * a subclass kept in sync.
 */
import assert from "node:assert/strict";
import {
  column,
  defer,
  eq,
  gt,
  Model,
  NotLoadedError,
  relationship,
  select,
  selectin,
  undefer,
  update,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

class Person extends Model("jd_people", {
  id: column.integer().primaryKey(),
  kind: column.text().default("person"),
  name: column.text(),
  teamId: column.integer().nullable().references(() => Team.c.id),
}, { polymorphicOn: "kind", polymorphicIdentity: "person" }) {
  static team = relationship(() => Team, { backPopulates: "members" });
  declare team: Team | null;
}

class Writer extends Person.subclass("writer", {
  pen: column.text(),
  bio: column.text().nullable().deferred(),
  words: column.integer().default(0),
}, { table: "jd_writers" }) {}

class Team extends Model("jd_teams", {
  id: column.integer().primaryKey(),
  title: column.text(),
}) {
  static members = relationship(() => Person, {
    backPopulates: "team",
    orderBy: () => Person.c.id,
  });
  declare members: Person[];
}

const MODELS = [Team, Person, Writer];

dbTest("joined inheritance: a subclass's deferred column stays out of every load", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll(MODELS);
  await engine.createAll(MODELS);
  try {
    {
      await using session = engine.session();
      const t = new Team({ title: "t" });
      session.add(t);
      await session.flush();
      session.addAll([
        new Writer({ name: "w", pen: "p", bio: "long text", teamId: t.id }),
        new Person({ name: "p", teamId: t.id }),
      ]);
      await session.commit();
    }
    await using session = engine.session();
    log.texts.length = 0;
    const all = await session.all(select(Person).orderBy(Person.c.id));
    assert.equal(all.length, 2);
    const w = all[0] as Writer;
    assert.ok(w instanceof Writer);
    assert.equal(w.pen, "p");
    assert.ok(!/"bio"/.test(log.texts.join("\n")), "the deferred column is not selected");
    assert.throws(() => w.bio, NotLoadedError);
    // Through a relationship to the root class, selectin-loaded.
    const [team] = await session.all(select(Team).options(selectin("members")));
    assert.equal(team.members[0], w);
    await session.refresh(w, ["bio"]);
    assert.equal(w.bio, "long text");
    await session.commit(); // one connection on in-memory SQLite: let the next session have it
    // undefer loads it with the rows; defer leaves out another column.
    await using other = engine.session();
    const [w2] = await other.all(
      select(Writer).options(undefer(Writer.c.bio), defer(Writer.c.pen)),
    );
    assert.equal(w2.bio, "long text");
    assert.throws(() => w2.pen, NotLoadedError);
    // Writing an unloaded column's neighbour writes only it.
    w2.words = 5;
    log.texts.length = 0;
    await other.commit();
    const updates = log.texts.filter((t) => t.startsWith("UPDATE"));
    assert.equal(updates.length, 1);
    assert.match(updates[0], /jd_writers/);
    assert.ok(!/"pen"/.test(updates[0]), "the unloaded column is not written");
  } finally {
    await engine.dropAll(MODELS);
    await engine.dispose();
  }
});

dbTest(
  "joined inheritance: a bulk update of a subclass keeps loaded objects in sync",
  async (db) => {
    const engine = db.engine();
    await engine.dropAll(MODELS);
    await engine.createAll(MODELS);
    try {
      await using session = engine.session();
      const ws = [1, 2, 3].map((n) => new Writer({ name: `w${n}`, pen: "p", words: n }));
      session.addAll(ws);
      await session.commit();
      for (const synchronize of ["evaluate", "fetch"] as const) {
        if (synchronize === "evaluate") {
          // Conditions on a subclass's own table: evaluated, or fetched where they cannot be.
          await session.execute(update(Writer).set({ pen: "q" }).where(gt(Writer.c.words, 1)));
        } else {
          await session.execute(update(Writer).set({ pen: "r" }).where(eq(Writer.c.words, 3)), {
            synchronize,
          });
        }
      }
      assert.deepEqual(ws.map((w) => w.pen), ["p", "q", "r"]);
      await session.commit();
      await using fresh = engine.session();
      const back = await fresh.all(select(Writer).orderBy(Writer.c.id));
      assert.deepEqual(back.map((w) => w.pen), ["p", "q", "r"]);
    } finally {
      await engine.dropAll(MODELS);
      await engine.dispose();
    }
  },
);

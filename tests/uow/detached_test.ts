/**
 * Detached and re-added objects: changes made while an object is out of a session are
 * written when it is added to another; `session.merge(obj)` copies a detached object's state
 * onto the session's own object for its key; an object deleted and flushed cannot come back.
 */
import assert from "node:assert/strict";
import {
  type Collection,
  column,
  type Engine,
  inspect,
  InvalidRequestError,
  Model,
  relationship,
  select,
  selectin,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, count, logged, messageOf, ready } from "./_support.ts";

class Person extends Model("dt_people", {
  id: column.integer().primaryKey(),
  name: column.text(),
  email: column.text(),
  phone: column.text().nullable(),
}) {
  static notes = relationship(() => Note, { backPopulates: "person", cascade: "all" });
  declare notes: Collection<Note>;
}

class Note extends Model("dt_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
  personId: column.integer().references(() => Person.c.id),
}) {
  static person = relationship(() => Person, { backPopulates: "notes" });
  declare person: Person;
}

const MODELS = [Person, Note];
const ID = 4242;

async function seed(engine: Engine) {
  await using session = engine.session();
  const p = new Person({ id: ID, name: "ann", email: "ann@old", phone: "123" });
  p.notes.push(new Note({ body: "first" }));
  session.add(p);
  await session.commit();
}

const person = (engine: Engine) =>
  engine.one<{ name: string; email: string; phone: string | null }>(
    sql`SELECT ${Person.c.name} AS name, ${Person.c.email} AS email, ${Person.c.phone} AS phone
      FROM ${Person} WHERE ${Person.c.id} = ${ID}`,
  );

scopedTest("changes made after session.close() are written when re-added", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  const first = engine.session();
  const p = (await first.get(Person, ID))!;
  await first.close();
  assert.equal(inspect(p).status, "detached");
  p.email = "ann@new";
  p.phone = null;
  {
    await using second = engine.session();
    second.add(p);
    assert.equal(inspect(p).status, "persistent");
    assert.equal(await second.get(Person, ID), p, "it is this session's object for its key");
    await second.commit();
  }
  assert.deepEqual({ ...(await person(engine)) }, { name: "ann", email: "ann@new", phone: null });
});

scopedTest("changes made after expunge() are written when re-added", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  await using session = engine.session();
  const p = (await session.get(Person, ID))!;
  session.expunge(p);
  assert.equal(inspect(p).status, "detached");
  p.name = "anna";
  session.add(p); // back into the same session
  await session.commit();
  assert.equal((await person(engine)).name, "anna");
  session.expunge(p);
  p.email = "anna@elsewhere";
  {
    await using other = engine.session();
    other.add(p); // or into another one
    await other.commit();
  }
  assert.equal((await person(engine)).email, "anna@elsewhere");
});

scopedTest(
  "an object loaded in one session and edited before it is added to another is written",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    let p: Person;
    {
      await using first = engine.session();
      [p] = await first.all(select(Person).options(selectin("notes")));
      await first.commit();
    }
    p.name = "edited";
    const added = new Note({ body: "second" });
    p.notes.push(added);
    {
      await using second = engine.session();
      second.add(p); // the new note comes along
      assert.equal(inspect(added).status, "pending");
      await second.commit();
    }
    assert.equal((await person(engine)).name, "edited");
    assert.equal(added.personId, ID);
    assert.deepEqual(
      await values(
        engine,
        sql`SELECT ${Note.c.body} FROM ${Note} WHERE ${Note.c.personId} = ${ID}`,
      ),
      ["first", "second"],
    );
  },
);

scopedTest(
  "adding a detached object cascades to the detached objects of its loaded collections",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    let p: Person;
    {
      await using first = engine.session();
      [p] = await first.all(select(Person).options(selectin("notes")));
    }
    const [note] = p.notes;
    assert.equal(inspect(note).status, "detached");
    note.body = "first, edited while detached";
    {
      await using second = engine.session();
      second.add(p); // save-update cascades along Person.notes, as in SQLAlchemy
      assert.equal(inspect(note).status, "persistent");
      await second.commit();
    }
    assert.deepEqual(
      await values(engine, sql`SELECT ${Note.c.body} FROM ${Note}`),
      ["first, edited while detached"],
    );
  },
);

scopedTest("merge() copies a detached object onto the session's persistent object", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  const first = engine.session();
  const detached = (await first.get(Person, ID))!;
  await first.close();
  detached.email = "merged@x";
  await using session = engine.session();
  const own = (await session.get(Person, ID))!;
  assert.notEqual(own, detached);
  const merged = await session.merge(detached);
  assert.equal(merged, own, "merge returns the session's object for that key");
  assert.equal(merged.email, "merged@x");
  assert.equal(inspect(merged).status, "persistent");
  assert.equal(inspect(detached).status, "detached", "the given object is left out of the session");
  assert.ok(inspect(merged).modified.includes("email"));
  await session.commit();
  assert.equal((await person(engine)).email, "merged@x");
  detached.email = "not written"; // still detached: changing it changes nothing
  await session.commit();
  assert.equal((await person(engine)).email, "merged@x");
});

scopedTest("merge() loads the persistent object when the session does not hold it", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  await seed(engine);
  const first = engine.session();
  const detached = (await first.get(Person, ID))!;
  await first.close();
  detached.name = "from detached";
  // Someone else changes the row meanwhile; merge copies the detached object's state over it.
  await engine.run(sql`UPDATE ${Person} SET ${sql.set({ phone: "999" })}`);
  await using session = engine.session();
  log.splice(0);
  const merged = await session.merge(detached);
  assert.ok(log.some((e) => /^SELECT/i.test(e.text)), "the row was loaded");
  assert.notEqual(merged, detached);
  assert.equal(inspect(merged).status, "persistent");
  assert.equal(merged.id, ID);
  assert.equal(merged.name, "from detached");
  assert.equal(merged.phone, "123", "the detached object's state is copied, all of it");
  assert.equal(await session.get(Person, ID), merged, "it is in the identity map");
  await session.commit();
  assert.deepEqual({ ...(await person(engine)) }, {
    name: "from detached",
    email: "ann@old",
    phone: "123",
  });
});

const namesTheObject = (e: unknown) => {
  assert.ok(e instanceof InvalidRequestError, `expected an InvalidRequestError, got ${e}`);
  assert.match(messageOf(e), /Person/, "the message names the class");
  assert.match(messageOf(e), new RegExp(String(ID)), "and the object's key");
  return true;
};

scopedTest("re-adding an object deleted and flushed is an InvalidRequestError", async (s) => {
  const engine = await ready(s, MODELS);
  await seed(engine);
  await using session = engine.session();
  const p = (await session.get(Person, ID))!;
  session.delete(p); // cascades to the note
  await session.flush();
  assert.equal(inspect(p).status, "deleted");
  await assert.rejects(async () => {
    session.add(p);
    await session.flush();
  }, namesTheObject);
  assert.equal(
    await count(session, sql`SELECT count(*) FROM ${Person}`),
    0,
    "not re-inserted",
  );
  assert.equal(inspect(p).status, "deleted", "still deleted");
  await session.commit();
  assert.equal(await count(engine, sql`SELECT count(*) FROM ${Person}`), 0);
  assert.equal(inspect(p).status, "detached");
});

scopedTest(
  "re-adding an object whose deletion was committed is an InvalidRequestError",
  async (s) => {
    const engine = await ready(s, MODELS);
    await seed(engine);
    let p: Person;
    {
      await using session = engine.session();
      p = (await session.get(Person, ID))!;
      session.delete(p);
      await session.commit();
      await assert.rejects(async () => {
        session.add(p); // the same session, after the commit
        await session.flush();
      }, namesTheObject);
    }
    await using other = engine.session();
    await assert.rejects(async () => {
      other.add(p); // another session
      await other.commit();
    }, namesTheObject);
    assert.equal(inspect(p).status, "detached");
    // The session is still usable, and nothing came back.
    assert.deepEqual(await other.all(select(Person)), []);
    await other.commit();
    assert.equal(await count(engine, sql`SELECT count(*) FROM ${Person}`), 0);
  },
);

class Shelf extends Model("dt_shelves", { id: column.integer().primaryKey() }) {
  static books = relationship(() => Book, { backPopulates: "shelf" });
  declare books: Collection<Book>;
  static boxes = relationship(() => Box, { backPopulates: "shelf", cascade: "all, delete-orphan" });
  declare boxes: Collection<Box>;
}

class Book extends Model("dt_books", {
  id: column.integer().primaryKey(),
  shelfId: column.integer().nullable().references(() => Shelf.c.id),
}) {
  static shelf = relationship(() => Shelf, { backPopulates: "books" });
  declare shelf: Shelf | null;
}

class Box extends Model("dt_boxes", {
  id: column.integer().primaryKey(),
  shelfId: column.integer().nullable().references(() => Shelf.c.id),
}) {
  static shelf = relationship(() => Shelf, { backPopulates: "boxes" });
  declare shelf: Shelf | null;
}

scopedTest(
  "an item removed from a collection while its owner is detached is let go when it is re-added",
  async (s) => {
    const engine = await ready(s, [Shelf, Book, Box]);
    const shelf = new Shelf({});
    const [b1, b2, b3] = [new Book({}), new Book({}), new Book({})];
    const [x1, x2] = [new Box({}), new Box({})];
    shelf.books.push(b1, b2, b3);
    shelf.boxes.push(x1, x2);
    {
      await using session = engine.session();
      session.add(shelf);
      await session.commit();
    }
    // Detached now: one book removed, one moved to a new shelf; one box removed (an orphan).
    shelf.books.remove(b2);
    const other = new Shelf({});
    other.books.push(b3);
    shelf.boxes.remove(x2);
    const never = new Book({}); // pushed and removed again while detached: never a row
    shelf.books.push(never);
    shelf.books.remove(never);
    {
      await using session = engine.session();
      session.add(shelf);
      session.add(other);
      await session.commit();
      assert.equal(inspect(never).status, "transient");
    }
    const books = await engine.all<{ id: number; shelf_id: number | null }>(
      sql`SELECT id, shelf_id FROM ${Book} ORDER BY id`,
    );
    assert.deepEqual(books.map((r) => ({ ...r })), [
      { id: b1.id, shelf_id: shelf.id },
      { id: b2.id, shelf_id: null },
      { id: b3.id, shelf_id: other.id },
    ]);
    assert.deepEqual(await values(engine, sql`SELECT id FROM ${Box}`), [String(x1.id)]);
    assert.equal(b2.shelfId, null);
    assert.equal(inspect(x2).status, "detached", "the orphan's row was deleted");
  },
);

/**
 * What `session.merge()` copies and what the flush writes on its own: a merged object's
 * version is checked against its row's, never copied (StaleDataError when they differ, as
 * SQLAlchemy raises); read-only columns (expressions, generated) are never copied nor
 * written; an association proxy's list methods take their arguments as an Array does; and
 * validators see the user's values, not the foreign keys the flush sets itself.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  associationProxy,
  type Collection,
  column,
  type Engine,
  type Fragment,
  inspect,
  InvalidRequestError,
  Model,
  relationship,
  select,
  selectin,
  sql,
  StaleDataError,
  types,
  validates,
  ValidationError,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

class FxaDoc extends Model("fxa_docs", {
  id: column.integer().primaryKey(),
  body: column.text(),
  v: column.integer().version(),
}) {}

/** Saves doc 1 ("a", version 1) and returns it as loaded by a session since closed. */
async function detachedDoc(engine: Engine): Promise<FxaDoc> {
  await engine.createAll([FxaDoc]);
  {
    await using s = engine.session();
    s.add(new FxaDoc({ id: 1, body: "a" }));
    await s.commit();
  }
  await using s = engine.session();
  return (await s.get(FxaDoc, 1))!;
}

const docRow = (engine: Engine) => engine.all(sql`SELECT id, body, v FROM fxa_docs ORDER BY id`);

dbTest("merge of a stale versioned object raises StaleDataError, writes nothing", async (db) => {
  const engine = db.engine();
  const detached = await detachedDoc(engine);
  {
    await using s = engine.session();
    (await s.get(FxaDoc, 1))!.body = "other";
    await s.commit(); // the row is at version 2 now
  }
  detached.body = "mine";
  await using s = engine.session();
  await assert.rejects(
    () => s.merge(detached),
    (e: Error) =>
      e instanceof StaleDataError && /FxaDoc\.v 1/.test(e.message) &&
      /version 2/.test(e.message),
  );
  await s.commit();
  assert.deepEqual(await docRow(engine), [{ id: 1, body: "other", v: 2 }]);
  // The session's own object, older than the one merged, is refused the same way...
  const newer = async () => {
    await using s = engine.session();
    return (await s.get(FxaDoc, 1))!;
  };
  await using kept = engine.session();
  const own = (await kept.get(FxaDoc, 1))!;
  await kept.commit();
  await engine.run(sql`UPDATE fxa_docs SET v = 3 WHERE id = 1`);
  const current = await newer();
  await assert.rejects(() => kept.merge(current), StaleDataError);
  assert.equal(own.v, 2);
  // ...but one expired (by the commit) is refreshed first, as session.get does.
  await using fresh = engine.session({ expireOnCommit: true });
  const mine = (await fresh.get(FxaDoc, 1))!;
  await fresh.commit();
  await engine.run(sql`UPDATE fxa_docs SET v = 4 WHERE id = 1`);
  const later = await newer();
  later.body = "later";
  assert.equal(await fresh.merge(later), mine);
  assert.equal(mine.v, 4);
  await fresh.commit();
  assert.deepEqual(await docRow(engine), [{ id: 1, body: "later", v: 5 }]);
});

dbTest("merge never copies the version: the flush moves it on from the row's", async (db) => {
  const engine = db.engine();
  const detached = await detachedDoc(engine);
  detached.body = "mine";
  {
    await using s = engine.session();
    const merged = await s.merge(detached);
    assert.equal(merged.v, 1);
    assert.deepEqual(inspect(merged).modified, ["body"]);
    await s.commit();
    assert.equal(merged.v, 2);
  }
  assert.deepEqual(await docRow(engine), [{ id: 1, body: "mine", v: 2 }]);
  // A version left unset is not checked, and not copied.
  {
    await using s = engine.session();
    const merged = await s.merge(new FxaDoc({ id: 1, body: "unversioned" }));
    assert.deepEqual(inspect(merged).modified, ["body"]);
    await s.commit();
  }
  assert.deepEqual(await docRow(engine), [{ id: 1, body: "unversioned", v: 3 }]);
  // An object whose row is gone is inserted again, its version counting from the start.
  const gone = await (async () => {
    await using s = engine.session();
    return (await s.get(FxaDoc, 1))!;
  })();
  await engine.run(sql`DELETE FROM fxa_docs`);
  {
    await using s = engine.session();
    const merged = await s.merge(gone);
    assert.equal(inspect(merged).status, "pending");
    await s.commit();
  }
  assert.deepEqual(await docRow(engine), [{ id: 1, body: "unversioned", v: 1 }]);
});

class FxaW extends Model("fxa_w", {
  id: column.integer().primaryKey(),
  first: column.text(),
  last: column.text(),
  full: column.expression((t): Fragment => sql`${t.c.first} || ' ' || ${t.c.last}`, types.text),
  qty: column.integer(),
  dbl: column.integer().generatedAs(sql`qty * 2`),
}) {}

dbTest("merge never copies read-only columns, and the flush never writes them", async (db) => {
  const engine = db.engine();
  await engine.createAll([FxaW]);
  {
    await using s = engine.session();
    s.add(new FxaW({ id: 1, first: "A", last: "L", qty: 1 }));
    await s.commit();
  }
  const detached = await (async () => {
    await using s = engine.session();
    return (await s.get(FxaW, 1))!;
  })();
  assert.deepEqual([detached.full, detached.dbl], ["A L", 2]);
  await engine.run(sql`UPDATE fxa_w SET first = 'B', qty = 5 WHERE id = 1`);
  {
    await using s = engine.session();
    const merged = await s.merge(detached);
    assert.deepEqual(inspect(merged).modified, ["first", "qty"]);
    assert.deepEqual([merged.full, merged.dbl], ["B L", 10], "as the row computes them");
    await s.commit();
    assert.deepEqual([merged.first, merged.full, merged.dbl], ["A", "A L", 2]);
  }
  assert.deepEqual(await engine.all(sql`SELECT id, first, qty, dbl FROM fxa_w`), [
    { id: 1, first: "A", qty: 1, dbl: 2 },
  ]);
  // A merged object whose row is gone is inserted, its computed columns read back.
  await engine.run(sql`DELETE FROM fxa_w`);
  detached.qty = 4;
  {
    await using s = engine.session();
    const merged = await s.merge(detached);
    await s.commit();
    assert.deepEqual([merged.full, merged.dbl], ["A L", 8]);
  }
  assert.deepEqual(await engine.all(sql`SELECT id, qty, dbl FROM fxa_w`), [
    { id: 1, qty: 4, dbl: 8 },
  ]);
});

class FxaUser extends Model("fxa_users", { id: column.integer().primaryKey() }) {
  static kw = relationship(() => FxaWord, { backPopulates: "user", cascade: "all, delete-orphan" });
  declare kw: FxaWord[];
  static words = associationProxy("kw", "word");
  declare words: Collection<string>;
}

class FxaWord extends Model("fxa_words", {
  id: column.integer().primaryKey(),
  word: column.text(),
  userId: column.integer().references(() => FxaUser.c.id),
}) {
  static user = relationship(() => FxaUser, { backPopulates: "kw" });
  declare user: FxaUser | null;
}

/** `list.splice()` with no arguments, which the types do not allow. */
const spliceNone = (list: unknown[]): unknown[] => (list.splice as () => unknown[]).call(list);

Deno.test("a proxy's list methods take their arguments as an Array does", () => {
  const start = ["a", "b", "c", "d"];
  const cases: [string, (l: string[]) => unknown][] = [
    ["splice()", (l) => spliceNone(l)],
    ["splice(1)", (l) => l.splice(1)],
    ["splice(1, undefined)", (l) => l.splice(1, undefined as unknown as number)],
    ["splice(1, undefined, x)", (l) => l.splice(1, undefined as unknown as number, "x")],
    ["splice(undefined)", (l) => l.splice(undefined as unknown as number)],
    ["splice(-1, 1)", (l) => l.splice(-1, 1)],
    ["splice(-9, 2)", (l) => l.splice(-9, 2)],
    ["splice(1, -1, x)", (l) => l.splice(1, -1, "x")],
    ['splice("1", "2")', (l) => l.splice("1" as unknown as number, "2" as unknown as number)],
    ["splice(1, Infinity)", (l) => l.splice(1, Infinity)],
    ["splice(NaN, 1)", (l) => l.splice(NaN, 1)],
    ["splice(2, 0, x, y)", (l) => l.splice(2, 0, "x", "y")],
    ["push()", (l) => l.push()],
    ["push(x, y)", (l) => l.push("x", "y")],
    ["unshift()", (l) => l.unshift()],
    ["unshift(x)", (l) => l.unshift("x")],
    ["pop()", (l) => l.pop()],
    ["shift()", (l) => l.shift()],
    ["length = 2", (l) => (l.length = 2)],
    ["length = '1'", (l) => (l.length = "1" as unknown as number)],
    ["length = 4", (l) => (l.length = 4)],
    ["[4] = x", (l) => (l[4] = "x")],
  ];
  for (const [what, op] of cases) {
    const native = start.slice();
    const u = new FxaUser({});
    u.words.push(...start);
    const expected = op(native);
    const got = op(u.words);
    assert.deepEqual(got, expected, `${what} returns what an Array's does`);
    assert.deepEqual([...u.words], native, `${what} leaves what an Array's does`);
    assert.deepEqual(u.kw.map((k) => k.word), native, `${what} writes the collection`);
  }
  const empty = new FxaUser({});
  assert.equal(empty.words.pop(), undefined);
  assert.equal(empty.words.shift(), undefined);
  assert.deepEqual(spliceNone(empty.words), []);
  // A length an Array refuses is refused, and changes nothing.
  const u = new FxaUser({});
  u.words.push("a", "b");
  for (const bad of [-1, 1.5, NaN, "x", Symbol("n")]) {
    assert.throws(() => (u.words.length = bad as number), ArgumentError, String(bad));
  }
  assert.throws(() => (u.words.length = 3), InvalidRequestError, "no holes");
  assert.deepEqual([...u.words], ["a", "b"]);
});

dbTest("a proxy's splice() with no arguments deletes no rows", async (db) => {
  const engine = db.engine();
  await engine.createAll([FxaUser, FxaWord]);
  await using s = engine.session();
  const u = new FxaUser({ id: 1 });
  u.words.push("a", "b", "c");
  s.add(u);
  await s.commit();
  assert.deepEqual(spliceNone(u.words), []);
  assert.deepEqual(u.words.splice(1, undefined as unknown as number), []);
  await s.commit();
  const count = () => engine.scalar(sql`SELECT count(*) FROM fxa_words`).then(Number);
  assert.equal(await count(), 3);
  assert.deepEqual(u.words.splice(2), ["c"]);
  await s.commit();
  assert.equal(await count(), 2);
  await using s2 = engine.session();
  const [again] = await s2.all(select(FxaUser).options(selectin("kw")));
  assert.deepEqual([...again.words].sort(), ["a", "b"]);
});

const fkSeen: unknown[] = [];

class FxaA extends Model("fxa_va", { id: column.integer().primaryKey() }) {
  static bs = relationship(() => FxaB, { backPopulates: "a" });
  declare bs: FxaB[];
}

class FxaB extends Model("fxa_vb", {
  id: column.integer().primaryKey(),
  aId: column.integer().nullable().references(() => FxaA.c.id),
}) {
  static validators = validates<FxaB>({
    aId: (v) => {
      fkSeen.push(v);
      if (v === null) throw "must have an owner";
    },
  });
  static a = relationship(() => FxaA, { backPopulates: "bs" });
  declare a: FxaA | null;
}

dbTest("validators see the user's values, not the foreign keys the flush sets", async (db) => {
  const engine = db.engine();
  await engine.createAll([FxaA, FxaB]);
  fkSeen.length = 0;
  await using s = engine.session();
  const a = new FxaA({ id: 1 });
  const b = new FxaB({ id: 1 });
  a.bs.push(b);
  s.add(a);
  await s.commit();
  assert.equal(b.aId, 1);
  assert.deepEqual(fkSeen, [], "the flush set aId without the validator");
  // Removing the child: the flush sets its key NULL itself, and the commit goes through.
  a.bs.splice(0, 1);
  await s.commit();
  assert.equal(b.aId, null);
  assert.equal(await engine.scalar(sql`SELECT a_id FROM fxa_vb`), null);
  assert.deepEqual(fkSeen, []);
  // What the user assigns and constructs with is still validated.
  assert.throws(() => (b.aId = null), ValidationError);
  assert.throws(() => new FxaB({ id: 2, aId: null }), ValidationError);
  b.aId = 1;
  assert.deepEqual(fkSeen, [null, null, 1]);
  await s.commit();
  assert.equal(await engine.scalar(sql`SELECT a_id FROM fxa_vb`).then(Number), 1);
});

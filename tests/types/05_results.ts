/**
 * Issue 14, item 5: results never lie.
 *
 * `engine.all(select(Post))` is typed `Post[]`; what it returns must have what that type
 * says (here: `authorId`, by property key). This file is written for the resolution "return
 * what the type says"; if the resolution is to type what is returned instead, rewrite [5.1]
 * and [5.2] to state that type. `session.all(select(User.c.id))` is written for "does not
 * compile" (the session's queries return objects of a class; Core rows go through
 * `session.execute`).
 */
import assert from "node:assert/strict";
import { column, fn, insert, Model, select, type Session, sql } from "../../mod.ts";
import { check, type Equal, events, freshEngine, Post, User } from "./_models.ts";

/** A nullable integer and a numeric (decimal string) column, for the aggregates. */
class Score extends Model("tt_scores", {
  id: column.integer().primaryKey(),
  points: column.integer().nullable(),
  amount: column.numeric(10, 2),
}) {}

/** A single-table and a joined-table subclass, for Core rows of subclasses. */
class Staff extends Model("tt_staff", {
  id: column.integer().primaryKey(),
  kind: column.text().default("staff"),
  name: column.text(),
}, { polymorphicOn: "kind", polymorphicIdentity: "staff" }) {}
class Clerk extends Staff.subclass("clerk", { desk: column.integer().nullable() }) {}
class Crew extends Model("tt_crew", {
  id: column.integer().primaryKey(),
  kind: column.text().default("crew"),
  name: column.text(),
}, { polymorphicOn: "kind", polymorphicIdentity: "crew" }) {}
class Chief extends Crew.subclass("chief", { budget: column.integer() }, { table: "tt_chiefs" }) {}

/** Never called: these lines are only type-checked. */
export async function mustNotCompile(session: Session): Promise<void> {
  // @ts-expect-error [5.3] session.all takes a select of a class, not of columns
  await session.all(select(User.c.id));
  // @ts-expect-error [5.4] nor does session.first
  await session.first(select(User.c.id, User.c.username));
  // @ts-expect-error [5.5] nor session.one, given a Core table
  await session.one(select(events));
  // @ts-expect-error [5.8] a Core row of select(Model) has no methods (it is a plain row)
  (await session.execute(select(User))).rows[0].greeting();
  // @ts-expect-error [5.9] nor relationships
  (await session.execute(select(Post))).rows[0].author;
  // @ts-expect-error [5.10] session.scalar of several columns is one of their values, not a row
  (await session.scalar(select(User.c.id, User.c.username)))?.username;
  // @ts-expect-error [5.11] session.scalars of SQL says nothing of its type: not any type
  const notADate: Date = (await session.scalars(sql`SELECT 1`))[0];
  // @ts-expect-error [5.12] sum of a text column's value is not a number
  const n: number | null = (await session.execute(select({ s: fn.sum(events.c.kind) }))).rows[0].s;
  return [notADate, n] as never;
}

/** Never called: these lines must compile. */
export async function mustCompile(session: Session): Promise<void> {
  // [5.6] session queries of a class return its objects; execute returns typed rows
  const users = await session.all(select(User));
  check<Equal<typeof users, User[]>>();
  const { rows } = await session.execute(select(User.c.id, User.c.username));
  check<Equal<typeof rows, { id: number; username: string }[]>>();
  // [5.13] a Core row of select(Model) holds its columns; scalars of SQL are unknown
  const [post] = (await session.execute(select(Post))).rows;
  check<Equal<typeof post, { id: number; title: string; authorId: number }>>();
  const first = await session.scalar(select(User.c.id, User.c.email));
  check<Equal<typeof first, number | string | null>>();
  check<Equal<Awaited<ReturnType<typeof session.scalars<unknown>>>, unknown[]>>();
  // [5.15] a Core row of a subclass holds its own columns and its parents'
  const [clerk] = (await session.execute(select(Clerk))).rows;
  check<Equal<typeof clerk, { id: number; kind: string; name: string; desk: number | null }>>();
  const [chief] = (await session.execute(select(Chief))).rows;
  check<Equal<typeof chief, { id: number; kind: string; name: string; budget: number }>>();
  // [5.14] sum and avg of nullable and numeric columns
  const totals = select({
    s: fn.sum(Score.c.points),
    a: fn.avg(Score.c.points),
    m: fn.sum(Score.c.amount),
  }).from(Score);
  const [t] = (await session.execute(totals)).rows;
  check<Equal<typeof t, { s: number | null; a: number | null; m: string | null }>>();
}

Deno.test("[5.1] engine.all(select(Post)) returns what its type says", async () => {
  await using engine = await freshEngine();
  await engine.run(insert(User).values({ username: "ann" }));
  await engine.run(insert(Post).values({ title: "hello", authorId: 1 }));
  const rows = await engine.all(select(Post));
  const row = rows[0];
  assert.equal(row.title, "hello");
  assert.equal(row.authorId, 1, "authorId, as the type says");
  assert.ok(!("author_id" in row), "no key the type does not have");
});

Deno.test("[5.2] engine.one(select(Post)) too", async () => {
  await using engine = await freshEngine();
  await engine.run(insert(User).values({ username: "ann" }));
  await engine.run(insert(Post).values({ title: "hello", authorId: 1 }));
  const row = await engine.one(select(Post));
  assert.equal(row.authorId, 1);
});

Deno.test("[5.7] rows of columns, of a table and of a class through the session hold", async () => {
  await using engine = await freshEngine();
  await engine.run(insert(User).values({ username: "ann" }));
  const cols = await engine.all(select(User.c.id, User.c.username));
  check<Equal<typeof cols, { id: number; username: string }[]>>();
  assert.deepEqual(cols, [{ id: 1, username: "ann" }]);
  await engine.run(insert(events).values({ kind: "created" }));
  const [event] = await engine.all(select(events));
  assert.equal(event.kind, "created");
  assert.ok(event.at instanceof Date);
  await using session = engine.session();
  const [u] = await session.all(select(User));
  assert.ok(u instanceof User);
  assert.equal(u.username, "ann");
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

/**
 * Issue 14, item 4: `session.get(Model, key)` types the key from the primary key: the
 * column's type for a single-column key, a tuple in key order for a composite one.
 */
import assert from "node:assert/strict";
import type { Session } from "../../mod.ts";
import { check, type Equal, freshEngine, Keyed, Pair, User } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export async function mustNotCompile(session: Session): Promise<void> {
  // @ts-expect-error [4.1] a string for an integer key
  await session.get(User, "1");
  // @ts-expect-error [4.2] an object for an integer key
  await session.get(User, { id: 1 });
  // @ts-expect-error [4.3] a one-element tuple for a single-column key
  await session.get(User, [1]);
  // @ts-expect-error [4.4] undefined for a key
  await session.get(User, undefined);
  // @ts-expect-error [4.5] a number for a text key
  await session.get(Keyed, 1);
  // @ts-expect-error [4.6] one value for a composite key
  await session.get(Pair, 1);
  // @ts-expect-error [4.7] a composite key of the wrong arity
  await session.get(Pair, [1]);
  // @ts-expect-error [4.8] a composite key of the wrong arity
  await session.get(Pair, [1, 2, 3]);
  // @ts-expect-error [4.9] a composite key with a value of the wrong type
  await session.get(Pair, [1, "2"]);
  // @ts-expect-error [4.10] a composite key as an object
  await session.get(Pair, { a: 1, b: 2 });
}

/** Never called: these lines must compile. */
export async function mustCompile(session: Session): Promise<void> {
  // [4.11] keys of the primary key's types, and results of the class or null
  const u = await session.get(User, 1);
  check<Equal<typeof u, User | null>>();
  const k = await session.get(Keyed, "k");
  check<Equal<typeof k, Keyed | null>>();
  const p = await session.get(Pair, [1, 2]);
  check<Equal<typeof p, Pair | null>>();
  const key: [number, number] = [1, 2];
  await session.get(Pair, key);
  await session.get(User, 1, { populateExisting: true });
}

Deno.test("[4] session.get finds rows by single and composite keys", async () => {
  await using engine = await freshEngine();
  await using session = engine.session();
  session.add(new Pair({ a: 1, b: 2, label: "one-two" }));
  session.add(new Keyed({ code: "k" }));
  await session.flush();
  assert.equal((await session.get(Pair, [1, 2]))?.label, "one-two");
  assert.equal((await session.get(Keyed, "k"))?.code, "k");
  assert.equal(await session.get(User, 1), null);
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

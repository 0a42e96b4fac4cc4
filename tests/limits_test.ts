/**
 * Limits that never fail late: IN lists of any length, and long AND/OR chains built one
 * condition at a time.
 */
import assert from "node:assert/strict";
import {
  and,
  ArgumentError,
  column,
  compile,
  eq,
  inList,
  insert,
  notIn,
  or,
  postgresDialect,
  select,
  sql,
  sqliteDialect,
  table,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

const items = table("lim_items", { id: column.integer().primaryKey(), name: column.text() });

scopedTest(
  "IN lists of any length work, as one parameter past a share of the limit",
  async ({ open }) => {
    const engine = open();
    await engine.createAll([items]);
    await engine.run(
      insert(items).values(Array.from({ length: 50 }, (_, i) => ({ name: `n${i}` }))),
    );
    const ids = Array.from({ length: 40_000 }, (_, i) => i + 1); // past either limit
    const found = await engine.all(select(items.c.id).where(inList(items.c.id, ids)));
    assert.equal(found.length, 50);
    const missing = await engine.all(select(items.c.id).where(notIn(items.c.id, ids.slice(1))));
    assert.deepEqual(missing, [{ id: 1 }]);
    const names = Array.from({ length: 500 }, (_, i) => `n${i * 2}`);
    assert.equal(
      (await engine.all(select(items.c.id).where(inList(items.c.name, names)))).length,
      25,
    );
    const raw = await engine.all(sql`SELECT id FROM ${items} WHERE id IN ${sql.list(ids)}`);
    assert.equal(raw.length, 50);
    // The text does not change with the length, so prepared statements stay few.
    const text = (n: number) =>
      compile(select(items.c.id).where(inList(items.c.id, ids.slice(0, n))), engine.dialect).text;
    assert.equal(text(20_000), text(40_000));
    assert.equal(
      compile(select(items.c.id).where(inList(items.c.id, [1, 2])), engine.dialect).params.length,
      2,
    );
  },
);

Deno.test("a statement over the parameter limit is an ArgumentError before anything is sent", () => {
  const many = Array.from({ length: 40_000 }, (_, i) => sql`${i}`);
  assert.throws(
    () => compile(sql`SELECT ${sql.join(many)}`, sqliteDialect),
    (e: unknown) => e instanceof ArgumentError && /32766/.test(e.message),
  );
});

scopedTest(
  "and() and or() of hundreds of conditions built with reduce compile and run",
  async ({ open }) => {
    const engine = open();
    await engine.createAll([items]);
    await engine.run(insert(items).values([{ name: "a" }, { name: "b" }]));
    const conditions = Array.from({ length: 600 }, (_, i) => eq(items.c.name, `x${i}`));
    const anyOf = [...conditions, eq(items.c.name, "b")].reduce((a, b) => or(a, b));
    assert.deepEqual(await engine.all(select(items.c.name).where(anyOf)), [{ name: "b" }]);
    const allOf = Array.from({ length: 600 }, () => eq(items.c.name, "a")).reduce((a, b) =>
      and(a, b)
    );
    assert.deepEqual(await engine.all(select(items.c.name).where(allOf)), [{ name: "a" }]);
    for (const dialect of [sqliteDialect, postgresDialect]) {
      assert.equal(compile(anyOf, dialect).params.length, 601);
    }
  },
);

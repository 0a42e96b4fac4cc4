/**
 * A compound select's ORDER BY (UNION, UNION ALL, INTERSECT, EXCEPT) names its result columns,
 * as SQLAlchemy's CompoundSelect writes it: a column a member selects is written as the
 * result column it is (unqualified, or its label), and `asc`/`desc` take a result key too,
 * with their nulls options. It runs alike on SQLite and PostgreSQL, which refused a
 * table-qualified ORDER BY ("missing FROM-clause entry").
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  asc,
  column,
  compile,
  desc,
  type Engine,
  gt,
  insert,
  lt,
  postgresDialect,
  select,
  sql,
  sqliteDialect,
  table,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const items = table("fxd_u_items", {
  id: column.integer().primaryKey(),
  name: column.text().nullable(),
});
const extras = table("fxd_u_extras", {
  id: column.integer().primaryKey(),
  title: column.text().nullable(),
});

async function setUp(engine: Engine): Promise<void> {
  await engine.dropAll([items, extras]);
  await engine.createAll([items, extras]);
  await engine.run(
    insert(items).values([
      { id: 1, name: "b" },
      { id: 2, name: null },
      { id: 3, name: "d" },
    ]),
  );
  await engine.run(insert(extras).values([{ id: 4, title: "a" }, { id: 5, title: null }]));
}

const texts = (q: Parameters<typeof compile>[0]) => [
  compile(q, sqliteDialect).text,
  compile(q, postgresDialect).text,
];

dbTest("a union ordered by a member's column orders by its result column", async (db) => {
  const engine = db.engine();
  await setUp(engine);
  const q = select(items.c.id).where(lt(items.c.id, 2)).union(
    select(items.c.id).where(gt(items.c.id, 2)),
  );
  const byDesc = q.orderBy(desc(items.c.id));
  for (const text of texts(byDesc)) assert.match(text, / ORDER BY "id" DESC$/);
  assert.deepEqual(await engine.all(byDesc), [{ id: 3 }, { id: 1 }]);
  assert.deepEqual(await engine.all(q.orderBy(items.c.id)), [{ id: 1 }, { id: 3 }]);
  assert.deepEqual(await engine.all(q.orderBy(asc(items.c.id))), [{ id: 1 }, { id: 3 }]);
  // With LIMIT, and on the other set operators.
  assert.deepEqual(await engine.all(q.orderBy(desc(items.c.id)).limit(1)), [{ id: 3 }]);
  const all = select(items.c.id);
  assert.deepEqual(
    await engine.all(
      all.except(select(items.c.id).where(lt(items.c.id, 2))).orderBy(
        desc(items.c.id),
      ),
    ),
    [{ id: 3 }, { id: 2 }],
  );
  assert.deepEqual(
    await engine.all(
      all.intersect(select(items.c.id).where(gt(items.c.id, 1))).orderBy(
        desc(items.c.id),
      ),
    ),
    [{ id: 3 }, { id: 2 }],
  );
});

dbTest(
  "a union orders by a result key, ascending or descending, with nulls options",
  async (db) => {
    const engine = db.engine();
    await setUp(engine);
    const q = select({ s: items.c.name }).unionAll(select({ s: extras.c.title }));
    const got = async (...order: Parameters<typeof q.orderBy>) =>
      (await engine.all(q.orderBy(...order))).map((r) => r.s);
    assert.deepEqual(await got(desc("s", { nulls: "last" })), ["d", "b", "a", null, null]);
    assert.deepEqual(await got(desc("s", { nulls: "first" })), [null, null, "d", "b", "a"]);
    assert.deepEqual(await got(asc("s", { nulls: "first" })), [null, null, "a", "b", "d"]);
    assert.deepEqual(await got(asc("s", { nulls: "last" })), ["a", "b", "d", null, null]);
    // A labelled column, of the first member or of another, is written as its label.
    for (const col of [items.c.name, extras.c.title]) {
      const ordered = q.orderBy(desc(col, { nulls: "last" }));
      for (const text of texts(ordered)) assert.match(text, / ORDER BY "s" DESC NULLS LAST$/);
      assert.deepEqual((await engine.all(ordered)).map((r) => r.s), ["d", "b", "a", null, null]);
    }
    for (const text of texts(q.orderBy("s", desc("s")))) {
      assert.match(text, / ORDER BY "s", "s" DESC$/);
    }
  },
);

dbTest("a nested compound and a subquery's columns order by their result columns", async (db) => {
  const engine = db.engine();
  await setUp(engine);
  const nested = select({ n: items.c.id }).union(
    select({ n: extras.c.id }).intersect(select({ n: extras.c.id }).where(gt(extras.c.id, 4))),
  );
  assert.deepEqual(
    (await engine.all(nested.orderBy(desc(extras.c.id)))).map((r) => r.n),
    [5, 3, 2, 1],
  );
  const sub = select({ k: items.c.id }).where(gt(items.c.id, 1)).as("fxd_u_sub");
  const q = select(sub.c.k).from(sub).unionAll(select({ k: extras.c.id }));
  const ordered = q.orderBy(desc(sub.c.k));
  for (const text of texts(ordered)) assert.match(text, / ORDER BY "k" DESC$/);
  assert.deepEqual((await engine.all(ordered)).map((r) => r.k), [5, 4, 3, 2]);
  // Raw SQL goes as written.
  assert.deepEqual(
    (await engine.all(q.orderBy(sql`1 DESC`))).map((r) => r.k),
    [5, 4, 3, 2],
  );
});

dbTest(
  "a union refuses an ORDER BY that names no result column, saying what to write",
  async (db) => {
    const engine = db.engine();
    await setUp(engine);
    const q = select(items.c.id).union(select(extras.c.id));
    assert.throws(() => q.orderBy(desc(items.c.name)), {
      name: "ArgumentError",
      message: /UNION's ORDER BY names its result columns.*"id".*desc\("id"\)/,
    });
    assert.throws(() => q.orderBy(extras.c.title), ArgumentError);
    assert.throws(() => q.orderBy("nope"), {
      name: "ArgumentError",
      message: /UNION's orderBy\("nope"\): no result column has that key; its keys are "id"/,
    });
    assert.throws(() => q.orderBy(asc("nope", { nulls: "first" })), ArgumentError);
    assert.throws(() => q.orderBy(42 as never), /orderBy's item 1 is not SQL/);
    assert.throws(() => desc("id", { nulls: "middle" as never }), ArgumentError);
    assert.throws(() => desc(""), ArgumentError);
  },
);

dbTest("asc and desc of a result key order a plain select too", async (db) => {
  const engine = db.engine();
  await setUp(engine);
  const q = select({ label: items.c.name, id: items.c.id }).orderBy(
    desc("label", { nulls: "last" }),
  );
  for (const text of texts(q)) assert.match(text, / ORDER BY "label" DESC NULLS LAST$/);
  assert.deepEqual((await engine.all(q)).map((r) => r.id), [3, 1, 2]);
  assert.deepEqual(
    (await engine.all(select(items.c.id).orderBy(desc("id")))).map((r) => r.id),
    [3, 2, 1],
  );
});

/**
 * A value compared with a column is bound as the database compares it, not as the column
 * stores it: a `numeric(p, s)` operand is not rounded to the scale, nor refused for its
 * precision. Both databases answer alike. (A `varchar(n)` operand longer than `n` is refused,
 * as a value of the wrong type is wherever it meets the column.)
 */
import assert from "node:assert/strict";
import {
  between,
  column,
  eq,
  gt,
  inList,
  insert,
  lt,
  Model,
  ne,
  notIn,
  select,
  type SqlSource,
  table,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const items = table("co_items", {
  id: column.integer().primaryKey(),
  price: column.numeric(10, 2),
  qty: column.numeric(5),
  code: column.varchar(3),
});

class Item extends Model(items) {}

dbTest("comparison operands of numeric(p, s) are not rounded to its scale", async (db) => {
  const engine = db.engine();
  await engine.createAll([items]);
  await engine.run(
    insert(items).values([
      { id: 1, price: "1.01", qty: "2", code: "abc" },
      { id: 2, price: "1.00", qty: "3", code: "xyz" },
    ]),
  );
  const ids = async (where: SqlSource<boolean>) =>
    (await engine.all<{ id: number }>(
      select({ id: items.c.id }).from(items).where(where).orderBy(items.c.id),
    )).map((r) => Number(r.id));
  assert.deepEqual(await ids(eq(items.c.price, "1.005")), []);
  assert.deepEqual(await ids(ne(items.c.price, "1.005")), [1, 2]);
  assert.deepEqual(await ids(inList(items.c.price, ["1.005", "1.00"])), [2]);
  assert.deepEqual(await ids(notIn(items.c.price, ["1.005"])), [1, 2]);
  assert.deepEqual(await ids(lt(items.c.price, "1.005")), [2]);
  assert.deepEqual(await ids(eq(items.c.qty, "1.5")), []);
  assert.deepEqual(await ids(gt(items.c.qty, "2.5")), [2]);
  assert.deepEqual(await ids(between(items.c.qty, "2.5", "3.5")), [2]);
  assert.deepEqual(await ids(lt(items.c.price, "123456789012.5")), [1, 2], "beyond its precision");
  assert.throws(() => eq(items.c.code, "abcd"), /at most 3 characters/);

  // Stored values are still rounded to the scale, and refused beyond the precision.
  await engine.run(insert(items).values({ id: 3, price: "2.005", qty: "1", code: "q" }));
  await using session = engine.session();
  const found = await session.all(select(Item).where(eq(Item.c.price, "1.005")));
  assert.deepEqual(found, []);
  assert.equal((await session.get(Item, 3))?.price, "2.01");
  assert.throws(() =>
    insert(items).values({ id: 4, price: "123456789012.5", qty: "1", code: "q" })
  );
  assert.throws(() => insert(items).values({ id: 4, price: "1", qty: "1", code: "abcd" }));
});

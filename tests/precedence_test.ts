/**
 * Conditions nest as they read: a comparison, a NOT or an AND/OR list used as the operand of
 * another operator is parenthesised, so it binds the same on every database (PostgreSQL reads
 * `a > 1 IN (...)` as `a > (1 IN (...))`, SQLite as `(a > 1) IN (...)`), whatever form the
 * list takes (short, empty, or one array parameter).
 */
import assert from "node:assert/strict";
import {
  and,
  between,
  column,
  compile,
  eq,
  gt,
  inList,
  isNull,
  like,
  lt,
  ne,
  not,
  notIn,
  or,
  postgresDialect,
  select,
  sql,
  sqliteDialect,
  table,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

const nums = table("prec_nums", {
  n: column.integer().primaryKey(),
  s: column.text().nullable(),
});

const LONG = 40_000; // past the share of the parameter limit where a list is one parameter

dbTest("a condition used as an operand binds as it reads, on every list form", async (db) => {
  const engine = db.engine();
  await engine.createAll([nums]);
  await engine.execute(
    sql`INSERT INTO ${nums} (n, s) VALUES (1, 'a'), (2, NULL), (3, 'c'), (4, 'd')`,
    "run",
  );
  const ns = async (where: Parameters<ReturnType<typeof select>["where"]>[0]) =>
    (await engine.all(select(nums.c.n).where(where).orderBy(nums.c.n))).map((r) => Number(r.n));

  const big = gt(nums.c.n, 2); // true for 3 and 4
  assert.deepEqual(await ns(eq(big, true)), [3, 4]);
  assert.deepEqual(await ns(ne(big, true)), [1, 2]);
  assert.deepEqual(await ns(inList(big, [true])), [3, 4]);
  assert.deepEqual(await ns(notIn(big, [true])), [1, 2]);
  assert.deepEqual(await ns(inList(big, [])), []);
  assert.deepEqual(await ns(notIn(big, [])), [1, 2, 3, 4]);
  const longTrue = Array.from({ length: LONG }, () => true);
  assert.deepEqual(await ns(inList(big, longTrue)), [3, 4]);
  assert.deepEqual(await ns(notIn(big, longTrue)), [1, 2]);
  assert.deepEqual(await ns(eq(and(big, lt(nums.c.n, 4)), true)), [3]);
  assert.deepEqual(await ns(eq(or(big, eq(nums.c.n, 1)), false)), [2]);
  assert.deepEqual(await ns(eq(not(big), true)), [1, 2]);
  assert.deepEqual(await ns(eq(isNull(nums.c.s), true)), [2]);
  assert.deepEqual(await ns(eq(like(nums.c.s, "c%"), true)), [3]);
  assert.deepEqual(await ns(eq(between(nums.c.n, 2, 3), false)), [1, 4]);
  assert.deepEqual(await ns(eq(big, eq(nums.c.n, 4))), [1, 2, 4]);
});

Deno.test("operands get parentheses only where they need them", () => {
  const big = gt(nums.c.n, 2);
  for (const d of [sqliteDialect, postgresDialect]) {
    const p = d === sqliteDialect ? "?" : "$1";
    assert.equal(compile(eq(nums.c.n, 1), d).text, `"prec_nums"."n" = ${p}`);
    assert.equal(compile(and(big, eq(nums.c.n, 3)), d).text.includes('("prec'), false);
    assert.equal(compile(not(big), d).text, `NOT ("prec_nums"."n" > ${p})`);
    assert.match(compile(eq(big, true), d).text, /^\("prec_nums"\."n" > .+\) = /);
    assert.match(compile(inList(big, []), d).text, /^\("prec_nums"\."n" > /);
  }
});

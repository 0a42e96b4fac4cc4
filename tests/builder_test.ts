/**
 * The statement builder: text and parameters per dialect, then executed on both databases.
 */
import assert from "node:assert/strict";
import {
  and,
  ArgumentError,
  asc,
  between,
  type Column,
  column,
  compile,
  deleteFrom,
  desc,
  type Dialect,
  eq,
  excluded,
  exists,
  ge,
  gt,
  ilike,
  inList,
  insert,
  isNotNull,
  isNull,
  le,
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
  type SqlSource,
  table,
  typed,
  types,
  union,
  unionAll,
  update,
  withCte,
  withRecursive,
} from "../mod.ts";
import { dbTest, statementLog } from "./_db.ts";

const users = table("bld_users", {
  id: column.integer().primaryKey(),
  name: column.text(),
  email: column.text().unique(),
  managerId: column.integer().nullable().references((): Column => users.c.id),
  active: column.boolean().default(true),
  score: column.integer().nullable(),
});

const posts = table("bld_posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => users.c.id, { onDelete: "cascade" }),
  title: column.text(),
  views: column.integer().default(0),
  editedAt: column.timestamptz().nullable().onUpdate(() => new Date("2024-01-02T03:04:05.000Z")),
});

const S = sqliteDialect;
const P = postgresDialect;
const text = (q: SqlSource<unknown>, d: Dialect): string => compile(q, d).text;
const params = (q: SqlSource<unknown>, d: Dialect): unknown[] => compile(q, d).params;

Deno.test("select: text and params per dialect", () => {
  const q = select(users.c.id, users.c.name)
    .where(eq(users.c.name, "ada"), or(gt(users.c.score, 10), isNull(users.c.score)))
    .orderBy(desc(users.c.id), asc(users.c.name, { nulls: "last" }))
    .limit(5)
    .offset(10);
  assert.equal(
    text(q, S),
    'SELECT "bld_users"."id", "bld_users"."name" FROM "bld_users" WHERE "bld_users"."name" = ? ' +
      'AND ("bld_users"."score" > ? OR "bld_users"."score" IS NULL) ' +
      'ORDER BY "bld_users"."id" DESC, "bld_users"."name" ASC NULLS LAST LIMIT ? OFFSET ?',
  );
  assert.equal(
    text(q, P),
    'SELECT "bld_users"."id", "bld_users"."name" FROM "bld_users" WHERE "bld_users"."name" = $1 ' +
      'AND ("bld_users"."score" > $2 OR "bld_users"."score" IS NULL) ' +
      'ORDER BY "bld_users"."id" DESC, "bld_users"."name" ASC NULLS LAST LIMIT $3 OFFSET $4',
  );
  assert.deepEqual(params(q, S), ["ada", 10, 5, 10]);
  assert.deepEqual(params(q, P), ["ada", 10, 5, 10]);

  // A whole table: keys are property keys, aliased where the column name differs.
  assert.equal(
    text(select(users), S),
    'SELECT "bld_users"."id", "bld_users"."name", "bld_users"."email", ' +
      '"bld_users"."manager_id" AS "managerId", "bld_users"."active", "bld_users"."score" ' +
      'FROM "bld_users"',
  );
  // Offset without limit differs by dialect.
  const off = select(users.c.id).offset(3);
  assert.equal(text(off, S), 'SELECT "bld_users"."id" FROM "bld_users" LIMIT -1 OFFSET ?');
  assert.equal(text(off, P), 'SELECT "bld_users"."id" FROM "bld_users" OFFSET $1');
  // Records, distinct, group by, having.
  const g = select({ author: posts.c.authorId, n: sql`count(*)` })
    .from(posts)
    .groupBy(posts.c.authorId)
    .having(sql`count(*) > ${1}`)
    .distinct();
  assert.equal(
    text(g, P),
    'SELECT DISTINCT "bld_posts"."author_id" AS "author", count(*) AS "n" FROM "bld_posts" ' +
      'GROUP BY "bld_posts"."author_id" HAVING count(*) > $1',
  );
});

Deno.test("select is immutable; where calls AND together", () => {
  const base = select(users.c.id);
  const a = base.where(eq(users.c.id, 1));
  const b = a.where(eq(users.c.name, "x"));
  assert.equal(text(base, S), 'SELECT "bld_users"."id" FROM "bld_users"');
  assert.equal(text(a, S), 'SELECT "bld_users"."id" FROM "bld_users" WHERE "bld_users"."id" = ?');
  assert.equal(
    text(b, S),
    'SELECT "bld_users"."id" FROM "bld_users" WHERE "bld_users"."id" = ? AND "bld_users"."name" = ?',
  );
  const opts = base.options("x" as never);
  assert.deepEqual(base.loadOptions, []);
  assert.deepEqual(opts.options("y" as never).loadOptions, ["x", "y"]);
  assert.deepEqual(opts.loadOptions, ["x"]);
  assert.equal(opts.populateExisting().populateExistingRows, true);
  assert.equal(opts.populateExistingRows, false);
});

Deno.test("operators: every helper, as text", () => {
  const c = users.c;
  const cases: [SqlSource<unknown>, string, string][] = [
    [eq(c.id, 1), '"bld_users"."id" = ?', '"bld_users"."id" = $1'],
    [eq(c.score, null), '"bld_users"."score" IS NULL', '"bld_users"."score" IS NULL'],
    [ne(c.id, 1), '"bld_users"."id" <> ?', '"bld_users"."id" <> $1'],
    [ne(c.score, null), '"bld_users"."score" IS NOT NULL', '"bld_users"."score" IS NOT NULL'],
    [lt(c.id, 1), '"bld_users"."id" < ?', '"bld_users"."id" < $1'],
    [le(c.id, 1), '"bld_users"."id" <= ?', '"bld_users"."id" <= $1'],
    [gt(c.id, 1), '"bld_users"."id" > ?', '"bld_users"."id" > $1'],
    [ge(c.id, 1), '"bld_users"."id" >= ?', '"bld_users"."id" >= $1'],
    [inList(c.id, [1, 2]), '"bld_users"."id" IN (?, ?)', '"bld_users"."id" IN ($1, $2)'],
    [inList(c.id, []), '"bld_users"."id" IN ()', `"bld_users"."id" = ANY('{}')`],
    [notIn(c.id, []), '"bld_users"."id" NOT IN ()', `"bld_users"."id" <> ALL('{}')`],
    [like(c.name, "a%"), '"bld_users"."name" LIKE ?', '"bld_users"."name" LIKE $1'],
    [ilike(c.name, "a%"), 'lower("bld_users"."name") LIKE lower(?)', '"bld_users"."name" ILIKE $1'],
    [isNotNull(c.score), '"bld_users"."score" IS NOT NULL', '"bld_users"."score" IS NOT NULL'],
    [between(c.id, 1, 5), '"bld_users"."id" BETWEEN ? AND ?', '"bld_users"."id" BETWEEN $1 AND $2'],
    [not(eq(c.id, 1)), 'NOT ("bld_users"."id" = ?)', 'NOT ("bld_users"."id" = $1)'],
    [and(), "TRUE", "TRUE"],
    [or(), "FALSE", "FALSE"],
    [and(eq(c.id, 1), undefined, false), '"bld_users"."id" = ?', '"bld_users"."id" = $1'],
    [
      or(and(eq(c.id, 1), eq(c.id, 2)), sql`1 = 1`),
      '("bld_users"."id" = ? AND "bld_users"."id" = ?) OR (1 = 1)',
      '("bld_users"."id" = $1 AND "bld_users"."id" = $2) OR (1 = 1)',
    ],
    [
      eq(c.id, select(posts.c.authorId).limit(1)),
      '"bld_users"."id" = (SELECT "bld_posts"."author_id" AS "authorId" FROM "bld_posts" LIMIT ?)',
      '"bld_users"."id" = (SELECT "bld_posts"."author_id" AS "authorId" FROM "bld_posts" LIMIT $1)',
    ],
    [excluded(c.name), 'excluded."name"', 'excluded."name"'],
  ];
  for (const [frag, lite, pg] of cases) {
    assert.equal(text(frag, S), lite);
    assert.equal(text(frag, P), pg);
  }
  // Values compared with a column are checked and encoded with its type.
  assert.throws(() => eq(c.id, "1" as never), {
    name: "ArgumentError",
    message: 'bld_users.id expects an integer, got the string "1".',
  });
  assert.throws(() => inList(c.name, ["a", 2 as never]), /bld_users\.name \(item 2 of inList\)/);
  assert.deepEqual(params(eq(c.active, true), S), [1]);
  assert.deepEqual(params(eq(c.active, true), P), [true]);
});

Deno.test("joins: the ON clause follows from the one foreign key", () => {
  assert.equal(
    text(select(users.c.name, posts.c.title).join(posts), S),
    'SELECT "bld_users"."name", "bld_posts"."title" FROM "bld_users" ' +
      'JOIN "bld_posts" ON "bld_posts"."author_id" = "bld_users"."id"',
  );
  assert.equal(
    text(select(posts.c.title).leftJoin(users), P),
    'SELECT "bld_posts"."title" FROM "bld_posts" ' +
      'LEFT JOIN "bld_users" ON "bld_posts"."author_id" = "bld_users"."id"',
  );
  // A self-reference is ambiguous both ways: an error names both keys and asks for ON.
  const boss = users.as("boss");
  assert.throws(() => select(users.c.name).join(boss), {
    name: "ArgumentError",
    message: /2 foreign keys link them .*Pass the ON condition/,
  });
  assert.equal(
    text(
      select({ name: users.c.name, boss: boss.c.name }).join(
        boss,
        eq(users.c.managerId, boss.c.id),
      ),
      S,
    ),
    'SELECT "bld_users"."name", "boss"."name" AS "boss" FROM "bld_users" ' +
      'JOIN "bld_users" AS "boss" ON "bld_users"."manager_id" = "boss"."id"',
  );
  const lonely = table("bld_lonely", { id: column.integer().primaryKey() });
  assert.throws(() => select(users.c.id).join(lonely), /no foreign key links them/);
  assert.throws(
    () => (select as (...items: unknown[]) => unknown)(users.c.id, posts.c.id),
    /two columns under the key "id"/,
  );
});

Deno.test("subqueries, CTEs, recursive CTEs, unions, exists: text", () => {
  const counts = select({ authorId: posts.c.authorId, n: sql`count(*)` })
    .from(posts).groupBy(posts.c.authorId).as("counts");
  assert.equal(
    text(select(users.c.name, counts.c.n).join(counts, eq(counts.c.authorId, users.c.id)), S),
    'SELECT "bld_users"."name", "counts"."n" FROM "bld_users" JOIN (SELECT "bld_posts"."author_id" ' +
      'AS "authorId", count(*) AS "n" FROM "bld_posts" GROUP BY "bld_posts"."author_id") AS "counts" ' +
      'ON "counts"."authorId" = "bld_users"."id"',
  );
  const busy = withCte("busy", select(posts.c.authorId).where(gt(posts.c.views, 100)));
  assert.equal(
    text(select(users.c.name).where(inList(users.c.id, select(busy.c.authorId))), P),
    'SELECT "bld_users"."name" FROM "bld_users" WHERE "bld_users"."id" IN (WITH "busy" AS (SELECT ' +
      '"bld_posts"."author_id" AS "authorId" FROM "bld_posts" WHERE "bld_posts"."views" > $1) ' +
      'SELECT "busy"."authorId" FROM "busy")',
  );
  const chain = withRecursive(
    "chain",
    select(users.c.id, users.c.managerId).where(eq(users.c.id, 3)),
    (self) => select(users.c.id, users.c.managerId).join(self, eq(users.c.id, self.c.managerId)),
  );
  assert.equal(
    text(select(chain.c.id), S),
    'WITH RECURSIVE "chain" AS (SELECT "bld_users"."id", "bld_users"."manager_id" AS "managerId" ' +
      'FROM "bld_users" WHERE "bld_users"."id" = ? UNION ALL SELECT "bld_users"."id", ' +
      '"bld_users"."manager_id" AS "managerId" FROM "bld_users" JOIN "chain" ON "bld_users"."id" = ' +
      '"chain"."managerId") SELECT "chain"."id" FROM "chain"',
  );
  const u = union(select({ s: users.c.name }), select({ s: posts.c.title })).orderBy("s").limit(3);
  assert.equal(
    text(u, P),
    'SELECT "bld_users"."name" AS "s" FROM "bld_users" UNION SELECT "bld_posts"."title" AS "s" ' +
      'FROM "bld_posts" ORDER BY "s" LIMIT $1',
  );
  assert.equal(
    text(
      select(users.c.id).where(exists(select(posts.c.id).where(eq(posts.c.authorId, users.c.id)))),
      S,
    ),
    'SELECT "bld_users"."id" FROM "bld_users" WHERE EXISTS (SELECT "bld_posts"."id" FROM ' +
      '"bld_posts" WHERE "bld_posts"."author_id" = "bld_users"."id")',
  );
  assert.throws(
    () => union(select(users.c.id), select(users.c.id, users.c.name) as never),
    /same number/,
  );
});

Deno.test("insert, upsert, update, delete: text and params per dialect", () => {
  const ins = insert(users).values([
    { name: "a", email: "a@x" },
    { name: "b", email: "b@x", active: false },
  ]).returning(users.c.id);
  assert.equal(
    text(ins, S),
    'INSERT INTO "bld_users" ("name", "email", "active") VALUES (?, ?, ?), (?, ?, ?) ' +
      'RETURNING "bld_users"."id"',
  );
  assert.deepEqual(params(ins, S), ["a", "a@x", 1, "b", "b@x", 0]); // default applied, encoded
  assert.deepEqual(params(ins, P), ["a", "a@x", true, "b", "b@x", false]);
  const upsert = insert(users).values({ name: "a", email: "a@x" })
    .onConflict(users.c.email).doUpdate({ name: excluded(users.c.name), score: 1 });
  assert.equal(
    text(upsert, P),
    'INSERT INTO "bld_users" ("name", "email", "active") VALUES ($1, $2, $3) ON CONFLICT ("email") ' +
      'DO UPDATE SET "name" = excluded."name", "score" = $4',
  );
  assert.equal(
    text(insert(users).values({ name: "a", email: "a@x" }).onConflict().doNothing(), S),
    'INSERT INTO "bld_users" ("name", "email", "active") VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  assert.equal(
    text(insert(users).values({ name: "a", email: "a@x" }).onConflict(users.c.email).doUpdate(), S),
    'INSERT INTO "bld_users" ("name", "email", "active") VALUES (?, ?, ?) ON CONFLICT ("email") ' +
      'DO UPDATE SET "name" = excluded."name", "active" = excluded."active"',
  );
  assert.throws(
    () => insert(users).values({ name: "a", email: "a" }).onConflict().doUpdate(),
    /target/,
  );

  const up = update(posts).set({ title: "T" }).where(eq(posts.c.id, 1)).returning();
  assert.equal(
    text(up, S),
    'UPDATE "bld_posts" SET "title" = ?, "edited_at" = ? WHERE "bld_posts"."id" = ? RETURNING ' +
      '"bld_posts"."id", "bld_posts"."author_id" AS "authorId", "bld_posts"."title", ' +
      '"bld_posts"."views", "bld_posts"."edited_at" AS "editedAt"',
  );
  assert.deepEqual(params(up, S), ["T", "2024-01-02T03:04:05.000Z", 1]);
  assert.ok(params(up, P)[1] instanceof Date);
  assert.equal(
    text(update(posts).set({ views: sql`${posts.c.views} + ${1}` }), P),
    'UPDATE "bld_posts" SET "views" = "bld_posts"."views" + $1, "edited_at" = $2',
  );
  assert.equal(
    text(deleteFrom(posts).where(lt(posts.c.views, 1)).returning({ gone: posts.c.id }), P),
    'DELETE FROM "bld_posts" WHERE "bld_posts"."views" < $1 RETURNING "bld_posts"."id" AS "gone"',
  );
});

Deno.test("insert checks rows before anything is built", () => {
  assert.throws(() => insert(users).values({ name: "a", email: "a", nope: 1 } as never), {
    name: "ArgumentError",
    message: /Table bld_users has no column "nope"; its columns are id, name, email, managerId/,
  });
  assert.throws(() => insert(users).values({ name: 5, email: "a" } as never), {
    name: "ArgumentError",
    message: "bld_users.name expects a string, got number 5.",
  });
  assert.throws(() => insert(users).values([]), /at least one row/);
  assert.throws(() => update(users).set({ score: 1.5 }), /bld_users\.score expects/);
  assert.throws(() => compile(update(users), S), /sets nothing/);
  // Rows that set different columns are several statements.
  const mixed = insert(users).values([{ name: "a", email: "a" }, {
    name: "b",
    email: "b",
    score: 1,
  }]);
  assert.equal(mixed.batches(S).length, 2);
  assert.throws(() => compile(mixed, S), /different columns/);
});

dbTest("builder statements run: insert returning, typed and decoded rows", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.dropAll([users, posts]);
  await engine.createAll([users, posts]);
  const ids = await engine.all(
    insert(users).values([
      { name: "Ada", email: "ada@x", score: 50 },
      { name: "Grace", email: "grace@x", active: false },
      { name: "Linus", email: "linus@x", score: 5 },
    ]).returning(users.c.id, users.c.active),
  );
  assert.deepEqual(ids, [{ id: 1, active: true }, { id: 2, active: false }, {
    id: 3,
    active: true,
  }]);
  await engine.run(update(users).set({ managerId: 1 }).where(inList(users.c.id, [2, 3])));
  await engine.run(update(users).set({ managerId: 2 }).where(eq(users.c.id, 3)));
  await engine.run(
    insert(posts).values([
      { authorId: 1, title: "Notes", views: 500 },
      { authorId: 1, title: "Engines", views: 20 },
      { authorId: 3, title: "Kernels", views: 1000 },
    ]),
  );

  const rows = await engine.all(
    select(users.c.id, users.c.name, users.c.active).orderBy(users.c.id),
  );
  assert.deepEqual(rows, [
    { id: 1, name: "Ada", active: true },
    { id: 2, name: "Grace", active: false },
    { id: 3, name: "Linus", active: true },
  ]);
  const one = await engine.one(select(users).where(eq(users.c.email, "grace@x")));
  assert.deepEqual(one, {
    id: 2,
    name: "Grace",
    email: "grace@x",
    managerId: 1,
    active: false,
    score: null,
  });
  assert.equal(await engine.first(select(users.c.id).where(eq(users.c.id, 99))), null);

  // Joins with the inferred ON clause, ordering, limits.
  const joined = await engine.all(
    select(users.c.name, posts.c.title).join(posts).orderBy(desc(posts.c.views)).limit(2),
  );
  assert.deepEqual(joined, [{ name: "Linus", title: "Kernels" }, { name: "Ada", title: "Notes" }]);
  const left = await engine.all(
    select({ name: users.c.name, title: posts.c.title }).leftJoin(posts)
      .where(isNull(posts.c.id)),
  );
  assert.deepEqual(left, [{ name: "Grace", title: null }]);
  const paged = await engine.all(select(users.c.id).orderBy(users.c.id).offset(1));
  assert.deepEqual(paged.map((r) => r.id), [2, 3]);

  // Operators against real data.
  const names = async (...where: SqlSource<unknown>[]) =>
    (await engine.all(select(users.c.name).where(...where).orderBy(users.c.id))).map((r) => r.name);
  assert.deepEqual(await names(inList(users.c.id, [])), []);
  assert.deepEqual(await names(notIn(users.c.id, [])), ["Ada", "Grace", "Linus"]);
  assert.deepEqual(await names(ilike(users.c.name, "%A%")), ["Ada", "Grace"]);
  assert.deepEqual(await names(like(users.c.name, "L%")), ["Linus"]);
  assert.deepEqual(await names(between(users.c.score, 1, 10)), ["Linus"]);
  assert.deepEqual(await names(or(eq(users.c.active, false), ge(users.c.score, 50))), [
    "Ada",
    "Grace",
  ]);
  assert.deepEqual(await names(not(eq(users.c.active, true))), ["Grace"]);
  assert.deepEqual(await names(isNotNull(users.c.managerId), ne(users.c.id, 2)), ["Linus"]);
  assert.deepEqual(
    await names(exists(select(posts.c.id).where(eq(posts.c.authorId, users.c.id)))),
    ["Ada", "Linus"],
  );
  assert.deepEqual(await names(inList(users.c.id, select(posts.c.authorId))), ["Ada", "Linus"]);

  // Group by, having, a subquery joined, a scalar subquery.
  const counts = select({
    authorId: posts.c.authorId,
    n: typed<number>(sql`count(*)`, types.integer),
  })
    .from(posts).groupBy(posts.c.authorId).as("counts");
  const withCounts = await engine.all(
    select(users.c.name, counts.c.n).join(counts, eq(counts.c.authorId, users.c.id))
      .orderBy(users.c.name),
  );
  assert.deepEqual(withCounts, [{ name: "Ada", n: 2 }, { name: "Linus", n: 1 }]);
  const top = await engine.all(
    select({
      name: users.c.name,
      best: select({ v: sql`max(${posts.c.views})` }).from(posts)
        .where(eq(posts.c.authorId, users.c.id)).scalarSubquery(),
    }).orderBy(users.c.id),
  );
  assert.deepEqual(top.map((r) => [r.name, r.best === null ? null : Number(r.best)]), [
    ["Ada", 500],
    ["Grace", null],
    ["Linus", 1000],
  ]);
  const having = await engine.all(
    select({ authorId: posts.c.authorId }).groupBy(posts.c.authorId).having(sql`count(*) > ${1}`),
  );
  assert.deepEqual(having, [{ authorId: 1 }]);
});

dbTest("CTEs, recursive CTEs, unions and exists run", async (db) => {
  const engine = db.engine();
  await engine.dropAll([users, posts]);
  await engine.createAll([users, posts]);
  await engine.run(
    insert(users).values([
      { id: 1, name: "root", email: "r" },
      { id: 2, name: "mid", email: "m", managerId: 1 },
      { id: 3, name: "leaf", email: "l", managerId: 2 },
      { id: 4, name: "other", email: "o" },
    ]),
  );
  await engine.run(
    insert(posts).values([
      { authorId: 2, title: "p1", views: 200 },
      { authorId: 3, title: "p2", views: 5 },
    ]),
  );
  const busy = withCte("busy", select(posts.c.authorId).where(gt(posts.c.views, 100)));
  assert.deepEqual(
    await engine.all(select(users.c.name).join(busy, eq(busy.c.authorId, users.c.id))),
    [{ name: "mid" }],
  );
  const chain = withRecursive(
    "chain",
    select(users.c.id, users.c.managerId).where(eq(users.c.id, 3)),
    (self) => select(users.c.id, users.c.managerId).join(self, eq(users.c.id, self.c.managerId)),
  );
  const up = await engine.all(select(chain.c.id).orderBy(chain.c.id));
  assert.deepEqual(up, [{ id: 1 }, { id: 2 }, { id: 3 }]);
  const nums = withRecursive(
    "nums",
    select({ n: typed<number>(sql`1`) }),
    (self) => select({ n: sql`${self.c.n} + 1` }).from(self).where(lt(self.c.n, 5)),
  );
  assert.deepEqual((await engine.all(select(nums.c.n))).map((r) => Number(r.n)), [1, 2, 3, 4, 5]);

  const both = await engine.all(
    unionAll(select({ s: users.c.name }).where(eq(users.c.id, 4)), select({ s: posts.c.title }))
      .orderBy("s"),
  );
  assert.deepEqual(both.map((r) => r.s), ["other", "p1", "p2"]);
  const distinct = await engine.all(
    union(select({ a: posts.c.authorId }), select({ a: posts.c.authorId })).orderBy("a"),
  );
  assert.deepEqual(distinct, [{ a: 2 }, { a: 3 }]);
  const inter = await engine.all(
    select(users.c.id).intersect(select({ id: posts.c.authorId })).orderBy("id"),
  );
  assert.deepEqual(inter, [{ id: 2 }, { id: 3 }]);
  const except = await engine.all(
    select(users.c.id).except(select({ id: posts.c.authorId })).orderBy("id"),
  );
  assert.deepEqual(except, [{ id: 1 }, { id: 4 }]);
  const limited = await engine.all(
    select(users.c.id).where(eq(users.c.id, 4))
      .unionAll(select(users.c.id).orderBy(desc(users.c.id)).limit(1)),
  );
  assert.deepEqual(limited, [{ id: 4 }, { id: 4 }]);
  assert.equal(
    await engine.scalar(select({ e: exists(select(users.c.id).where(eq(users.c.id, 1))) })),
    db.dialect === "sqlite" ? 1 : true,
  );
});

dbTest("upsert reads the same on both dialects", async (db) => {
  const engine = db.engine();
  await engine.dropAll([users, posts]);
  await engine.createAll([users, posts]);
  await engine.run(insert(users).values({ name: "Ada", email: "ada@x", score: 1 }));
  const skipped = await engine.all(
    insert(users).values({ name: "Other", email: "ada@x" }).onConflict(users.c.email).doNothing()
      .returning(users.c.id),
  );
  assert.deepEqual(skipped, []);
  const merged = await engine.all(
    insert(users).values({ name: "Ada L.", email: "ada@x" }).onConflict(users.c.email)
      .doUpdate({ name: excluded(users.c.name), score: sql`${users.c.score} + ${10}` })
      .returning(users.c.id, users.c.name, users.c.score),
  );
  assert.deepEqual(merged, [{ id: 1, name: "Ada L.", score: 11 }]);
  const all = await engine.all(
    insert(users).values([
      { name: "Ada 3", email: "ada@x", active: false },
      { name: "Bob", email: "bob@x" },
    ]).onConflict(users.c.email).doUpdate().returning(users.c.email, users.c.name, users.c.active),
  );
  assert.deepEqual(all, [
    { email: "ada@x", name: "Ada 3", active: false },
    { email: "bob@x", name: "Bob", active: true },
  ]);
  const guarded = await engine.all(
    insert(users).values({ name: "Never", email: "bob@x" }).onConflict(users.c.email)
      .doUpdate({ name: excluded(users.c.name) }, { where: eq(users.c.active, false) })
      .returning(),
  );
  assert.deepEqual(guarded, []);
  assert.equal(await engine.scalar(select(users.c.name).where(eq(users.c.email, "bob@x"))), "Bob");
});

dbTest("update and delete with returning; onUpdate applied", async (db) => {
  const engine = db.engine();
  await engine.dropAll([users, posts]);
  await engine.createAll([users, posts]);
  await engine.run(insert(users).values({ name: "Ada", email: "ada@x" }));
  await engine.run(
    insert(posts).values([
      { authorId: 1, title: "a" },
      { authorId: 1, title: "b", views: 3 },
    ]),
  );
  const changed = await engine.all(
    update(posts).set({ views: sql`${posts.c.views} + ${1}` }).where(eq(posts.c.title, "b"))
      .returning(posts.c.views, posts.c.editedAt),
  );
  assert.deepEqual(changed, [{ views: 4, editedAt: new Date("2024-01-02T03:04:05.000Z") }]);
  const r = await engine.run(update(posts).set({ title: "c" }).where(eq(posts.c.title, "zzz")));
  assert.equal(r.rowsAffected, 0);
  const gone = await engine.all(deleteFrom(posts).where(eq(posts.c.title, "a")).returning());
  assert.equal(gone.length, 1);
  assert.equal(gone[0].title, "a");
  assert.equal(gone[0].editedAt, null);
  const r2 = await engine.run(deleteFrom(users));
  assert.equal(r2.rowsAffected, 1);
  assert.equal(Number(await engine.scalar(select({ n: sql`count(*)` }).from(posts))), 0);
});

dbTest("a value the column cannot hold is refused before anything is sent", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  await engine.createAll([users, posts]);
  const before = log.texts.length;
  await assert.rejects(
    async () => await engine.run(insert(users).values({ name: "a", email: 5 as never })),
    { name: "ArgumentError", message: "bld_users.email expects a string, got number 5." },
  );
  await assert.rejects(
    async () => await engine.all(select(users.c.id).where(eq(users.c.active, "yes" as never))),
    ArgumentError,
  );
  await assert.rejects(
    async () => await engine.run(update(users).set({ managerId: 2 ** 40 })),
    /32-bit integer/,
  );
  assert.equal(log.texts.length, before);
});

dbTest("a 40,000-row insert is split under the parameter limit", async (db) => {
  const log = statementLog();
  const engine = db.engine({ echo: log.echo });
  const big = table("bld_big", { id: column.integer().primaryKey(), n: column.integer() });
  await engine.dropTable(big);
  await engine.createTable(big);
  const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: i + 1, n: i }));
  const q = insert(big).values(rows).returning(big.c.id);
  const expected = db.dialect === "sqlite" ? 3 : 2; // 80,000 parameters: 32,766 / 65,533 each
  assert.equal(q.batches(db.dialect === "sqlite" ? S : P).length, expected);
  log.texts.length = 0;
  const ids = await engine.all(q);
  assert.equal(log.texts.filter((t) => t.startsWith("INSERT")).length, expected);
  assert.deepEqual(log.texts.filter((t) => !t.startsWith("INSERT")), ["BEGIN", "COMMIT"]);
  assert.equal(ids.length, 40_000);
  assert.ok(ids.every((r, i) => r.id === i + 1), "returning rows come back in order");
  assert.equal(Number(await engine.scalar(select({ n: sql`count(*)` }).from(big))), 40_000);

  // Inside a transaction the batches share it; a failure rolls all of them back.
  log.texts.length = 0;
  const dup = Array.from({ length: 40_000 }, (_, i) => ({ id: 40_001 + i, n: i }));
  dup.push({ id: 1, n: 0 }); // conflicts, in the last batch
  await assert.rejects(engine.run(insert(big).values(dup)));
  assert.equal(Number(await engine.scalar(select({ n: sql`count(*)` }).from(big))), 40_000);
  await engine.transaction(async (tx) => {
    const r = await tx.run(insert(big).values(dup.slice(0, -1)));
    assert.equal(r.rowsAffected, 40_000);
  });
  assert.equal(Number(await engine.scalar(select({ n: sql`count(*)` }).from(big))), 80_000);
  await engine.dropTable(big);
});

dbTest("select(Model): the entity, its columns by property key, decoded", async (db) => {
  const engine = db.engine();
  class User {
    static table = users;
  }
  await engine.dropAll([users, posts]);
  await engine.createAll([User, posts]);
  await engine.run(insert(User).values({ name: "Ada", email: "a", active: false }));
  const q = select(User).where(eq(users.c.name, "Ada")).options("loader" as never);
  assert.equal(q.entity, User);
  assert.deepEqual(q.loadOptions, ["loader"]);
  assert.equal(
    text(q, S),
    'SELECT "bld_users"."id", "bld_users"."name", "bld_users"."email", "bld_users"."manager_id" ' +
      'AS "managerId", "bld_users"."active", "bld_users"."score" FROM "bld_users" WHERE ' +
      '"bld_users"."name" = ?',
  );
  const [row] = await engine.all(q) as unknown as Record<string, unknown>[];
  assert.deepEqual(row, {
    id: 1,
    name: "Ada",
    email: "a",
    managerId: null,
    active: false,
    score: null,
  });
});

dbTest(
  "defaults: a value, a function per row, a fragment; serverDefault left to the database",
  async (db) => {
    const engine = db.engine();
    let n = 0;
    const t = table("bld_defaults", {
      id: column.integer().primaryKey(),
      a: column.text().default("x"),
      b: column.integer().default(() => ++n),
      c: column.text().default(sql`lower(${"ABC"})`),
      d: column.text().serverDefault(sql`${"server"}`),
      e: column.integer().nullable().onUpdate(sql`${7} * 6`),
    });
    const q = insert(t).values([{}, { a: "y" }]);
    // Both rows get every default they lack, so they set the same columns: one statement.
    assert.equal(
      text(q, S),
      'INSERT INTO "bld_defaults" ("a", "b", "c") VALUES (?, ?, lower(?)), (?, ?, lower(?))',
    );
    assert.deepEqual(params(q, P), ["x", 1, "ABC", "y", 2, "ABC"]);
    await engine.dropTable(t);
    await engine.createTable(t);
    const rows = await engine.all(q.returning(t.c.a, t.c.b, t.c.c, t.c.d, t.c.e));
    assert.deepEqual(rows, [
      { a: "x", b: 1, c: "abc", d: "server", e: null },
      { a: "y", b: 2, c: "abc", d: "server", e: null },
    ]);
    const updated = await engine.all(
      update(t).set({ a: "z" }).where(eq(t.c.id, 1)).returning(t.c.e),
    );
    assert.deepEqual(updated, [{ e: 42 }]);
    await engine.dropTable(t);
  },
);

Deno.test("a join to a table the select reads already is refused; an alias reads it twice", () => {
  const a = table("bld_twice_a", { id: column.integer().primaryKey() });
  const b = table("bld_twice_b", {
    id: column.integer().primaryKey(),
    aId: column.integer().references(() => a.c.id),
  });
  const twice = /bld_twice_a is read already in this select; .*bld_twice_a\.as\("other"\)/;
  assert.throws(() => select(a.c.id).from(a).join(b).join(a), twice);
  assert.throws(() => select(a.c.id).from(a).join(a), twice);
  const other = a.as("other");
  const q = select(a.c.id).from(a).join(b).join(other, eq(other.c.id, b.c.aId));
  assert.match(compile(q, sqliteDialect).text, /JOIN "bld_twice_a" AS "other" ON/);
});

/**
 * The failure classes of Drizzle Kit's tracker, replayed on both databases, each from a
 * model change through `generate` and `up`:
 * - #1313, #5822, #4147: a table change that rebuilds the table (SQLite) in the same
 *   migration as a new column must not copy the column the old table lacks;
 * - #5360: a new UNIQUE column filled with its own name as a string literal;
 * - #4932: renaming a foreign-key column loses its data.
 * (#3065, foreign keys that stay on during a rebuild, is in sqlite_rebuild_test.ts.)
 */
import assert from "node:assert/strict";
import { column, type Engine, IntegrityError, Model, sql, table } from "../../mod.ts";
import { checkSchema, generate, memorySource, up } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";

/** Generates a migration for the models and applies it, as a user would. */
async function migrateTo(
  engine: Engine,
  applied: { id: string; text: string }[],
  models: Parameters<typeof generate>[1],
  name: string,
  renames?: Parameters<typeof generate>[2]["renames"],
): Promise<string> {
  const files = memorySourceFrom(applied);
  const result = await generate(engine, models, {
    name,
    migrations: files,
    renames,
    now: new Date(Date.UTC(2026, 11, 1, 15, applied.length)),
  });
  const text = files.written.get(result.id!)!;
  applied.push({ id: result.id!, text });
  await up(engine, { migrations: memorySourceFrom(applied) });
  return text;
}

/** Migrations from generated texts, loaded as modules (data: URLs, as files would be). */
function memorySourceFrom(texts: { id: string; text: string }[]) {
  const source = memorySource([]);
  return {
    ...source,
    written: source.written,
    list: () =>
      Promise.resolve(texts.map((t) => ({
        id: t.id,
        text: t.text,
        load: () =>
          import(
            `data:application/typescript;base64,${btoa(unescape(encodeURIComponent(t.text)))}`
          ),
      }))),
  };
}

scopedTest(
  "migrate: a rebuild and a new column in one migration (#1313, #5822, #4147)",
  async ({ open }) => {
    const engine = open();
    const applied: { id: string; text: string }[] = [];
    class V1 extends Model("test", {
      id: column.integer().primaryKey(),
      column1: column.text(),
      column2: column.text(),
    }) {}
    await migrateTo(engine, applied, [V1], "init");
    await engine.run(sql`INSERT INTO test (column1, column2) VALUES ('a', 'b'), ('c', 'd')`);
    class V2 extends Model("test", {
      id: column.integer().primaryKey(),
      column1: column.text(),
      column2: column.text().nullable(), // a rebuild on SQLite
      column3: column.text().nullable(), // added in the same migration
    }) {}
    const text = await migrateTo(engine, applied, [V2], "relax");
    assert.match(text, /op\.addColumn\("test", \{ name: "column3"/);
    assert.deepEqual(
      await engine.all(sql`SELECT column1, column2, column3 FROM test ORDER BY id`),
      [
        { column1: "a", column2: "b", column3: null },
        { column1: "c", column2: "d", column3: null },
      ],
    );
    assert.equal((await checkSchema(engine, [V2])).ok, true);
  },
);

scopedTest("migrate: a new unique column is NULL, not its own name (#5360)", async ({ open }) => {
  const engine = open();
  const applied: { id: string; text: string }[] = [];
  class V1 extends Model("user", { id: column.text().primaryKey(), email: column.text() }) {}
  await migrateTo(engine, applied, [V1], "init");
  await engine.run(sql`INSERT INTO "user" (id, email) VALUES ('1', 'a@x'), ('2', 'b@x')`);
  class V2 extends Model("user", {
    id: column.text().primaryKey(),
    email: column.text(),
    referralCode: column.text().nullable().unique(),
  }) {}
  await migrateTo(engine, applied, [V2], "referral");
  assert.deepEqual(await engine.all(sql`SELECT referral_code FROM "user" ORDER BY id`), [
    { referral_code: null },
    { referral_code: null },
  ]);
  await engine.run(sql`UPDATE "user" SET referral_code = 'X' WHERE id = '1'`);
  await assert.rejects(
    engine.run(sql`UPDATE "user" SET referral_code = 'X' WHERE id = '2'`),
    IntegrityError,
  );
});

scopedTest("migrate: renaming a foreign-key column keeps its data (#4932)", async ({ open }) => {
  const engine = open();
  const applied: { id: string; text: string }[] = [];
  const models = (fk: "userId" | "uId") => {
    class User
      extends Model("usersabc", { id: column.integer().primaryKey(), name: column.text() }) {}
    const ref = column.integer().references(() => User.c.id);
    const posts = fk === "userId"
      ? table("posts", { id: column.integer().primaryKey(), userId: ref, title: column.text() })
      : table("posts", { id: column.integer().primaryKey(), uId: ref, title: column.text() });
    return [User, posts];
  };
  await migrateTo(engine, applied, models("userId"), "init");
  await engine.run(sql`INSERT INTO usersabc (id, name) VALUES (1, 'ann'), (2, 'bob')`);
  await engine.run(sql`INSERT INTO posts (user_id, title) VALUES (1, 'a'), (2, 'b'), (2, 'c')`);
  const text = await migrateTo(engine, applied, models("uId"), "rename_fk", {
    columns: [{ table: "posts", from: "user_id", to: "u_id" }],
  });
  assert.match(text, /op\.renameColumn\("posts", "user_id", "u_id"\)/);
  assert.doesNotMatch(text, /dropColumn|Destructive/);
  assert.deepEqual(await engine.all(sql`SELECT u_id, title FROM posts ORDER BY id`), [
    { u_id: 1, title: "a" },
    { u_id: 2, title: "b" },
    { u_id: 2, title: "c" },
  ]);
  await assert.rejects(
    engine.run(sql`INSERT INTO posts (u_id, title) VALUES (9, 'x')`),
    IntegrityError,
  );
  assert.equal((await checkSchema(engine, models("uId"))).ok, true);
});

scopedTest(
  "migrate: without a rename hint the column is dropped, and that is refused",
  async ({ open }) => {
    const engine = open();
    const applied: { id: string; text: string }[] = [];
    class V1 extends Model("people", { id: column.integer().primaryKey(), name: column.text() }) {}
    await migrateTo(engine, applied, [V1], "init");
    class V2
      extends Model("people", { id: column.integer().primaryKey(), fullName: column.text() }) {}
    await assert.rejects(
      migrateTo(engine, applied, [V2], "rename"),
      /would lose data:[\s\S]*drop column people\.name[\s\S]*--rename old=new[\s\S]*--allow-destructive/,
    );
  },
);

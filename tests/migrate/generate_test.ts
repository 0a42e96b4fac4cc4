/**
 * `generate` from models to files on disk, then `up` and `down`; destructive changes
 * flagged from the data; renames only from hints; and the files load as a user's would.
 */
import assert from "node:assert/strict";
import { column, type Engine, InvalidRequestError, Model, sql, table } from "../../mod.ts";
import { checkSchema, directorySource, down, generate, status, up } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { migrationFiles, withDir } from "./_support.ts";

const files = migrationFiles(new Date(Date.UTC(2026, 11, 1, 12)));

class UserV1 extends Model("users", {
  id: column.integer().primaryKey(),
  name: column.varchar(200),
}) {}
class UserV2 extends Model("users", {
  id: column.integer().primaryKey(),
  name: column.varchar(200),
  email: column.text().nullable().unique(),
}) {}

scopedTest("migrate: generate, up, generate again, down, on files", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const first = await generate(engine, [UserV1], files(dir, "init"));
    assert.match(first.id!, /^20261201T12\d\d_init$/);
    assert.ok((await Deno.readTextFile(first.path!)).includes("op.createTable"));
    await up(engine, { migrations: directorySource(dir) });
    assert.equal((await checkSchema(engine, [UserV1])).ok, true);
    const none = await generate(engine, [UserV1], files(dir, "nothing"));
    assert.equal(none.id, null);
    await engine.run(sql`INSERT INTO users (name) VALUES ('ann'), ('bob')`);
    const second = await generate(engine, [UserV2], files(dir, "add_email"));
    const text = await Deno.readTextFile(second.path!);
    assert.match(text, new RegExp(`parent: "${first.id}"`));
    assert.match(text, /op\.addColumn\("users", \{ name: "email"/);
    assert.match(text, /op\.addUnique\("users"/);
    assert.match(
      text,
      /down: \(\{ op \}\) => \[[\s\S]*op\.dropUnique[\s\S]*op\.dropColumn\("users", "email"\)/,
    );
    assert.equal((await checkSchema(engine, [UserV2])).ok, false);
    await up(engine, { migrations: directorySource(dir) });
    assert.equal((await checkSchema(engine, [UserV2])).ok, true);
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM users`), 2);
    await down(engine, { migrations: directorySource(dir) });
    assert.equal((await checkSchema(engine, [UserV1])).ok, true);
    assert.equal(await engine.scalar(sql`SELECT count(*) FROM users`), 2);
    // An applied file, edited on disk, is reported.
    await Deno.writeTextFile(first.path!, (await Deno.readTextFile(first.path!)) + "\n// edited\n");
    const s = await status(engine, { migrations: directorySource(dir) });
    assert.equal(s.migrations[0].state, "edited");
  });
});

scopedTest("migrate: generate refuses while migrations are pending", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    await generate(engine, [UserV1], files(dir, "init"));
    const error = await generate(engine, [UserV2], files(dir, "next")).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.match(error.message, /not applied yet.*retort up/s);
  });
});

async function applied(engine: Engine, dir: string, models: Parameters<typeof generate>[1]) {
  await generate(engine, models, files(dir, "init"));
  await up(engine, { migrations: directorySource(dir) });
}

scopedTest("migrate: destructive changes are flagged from the data", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const v1 = table("notes", {
      id: column.integer().primaryKey(),
      title: column.varchar(200).nullable(),
      body: column.text().nullable(),
      n: column.integer(),
      gone: column.text().nullable(),
    });
    await applied(engine, dir, [v1]);
    await engine.run(sql`INSERT INTO notes (title, body, n) VALUES ('a', NULL, 1), ('b', 'x', 2)`);
    const v2 = table("notes", {
      id: column.integer().primaryKey(),
      title: column.varchar(20).nullable(), // narrowed
      body: column.text(), // NOT NULL, and one row holds NULL
      n: column.bigint(), // widened: fine
    });
    const error = await generate(engine, [v2], files(dir, "tighten")).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.match(error.message, /narrows notes\.title from .*200.* to .*20/);
    assert.match(error.message, /makes notes\.body NOT NULL.*\(1 row holds NULL\)/);
    assert.match(error.message, /drops notes\.gone/);
    assert.doesNotMatch(error.message, /notes\.n /);
    const forced = await generate(engine, [v2], {
      ...files(dir, "tighten"),
      allowDestructive: true,
    });
    const text = await Deno.readTextFile(forced.path!);
    const [upPart, downPart] = text.split("down:");
    assert.equal(upPart.match(/\/\/ Destructive:/g)?.length, 3);
    assert.match(downPart, /Destructive: narrows notes\.n from/); // going back narrows n
  });
});

scopedTest("migrate: NOT NULL on a column without NULLs is not destructive", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const v1 = table("t", { id: column.integer().primaryKey(), x: column.text().nullable() });
    await applied(engine, dir, [v1]);
    await engine.run(sql`INSERT INTO t (x) VALUES ('a')`);
    const v2 = table("t", {
      id: column.integer().primaryKey(),
      x: column.text(),
      y: column.text().serverDefault(sql`'z'`),
    });
    const result = await generate(engine, [v2], files(dir, "tighten"));
    assert.deepEqual(result.changes.map((c) => c.destructive), [undefined, undefined]);
    await up(engine, { migrations: directorySource(dir) });
    assert.equal(await engine.scalar(sql`SELECT y FROM t`), "z");
  });
});

scopedTest("migrate: a table rename comes from a hint and keeps the rows", async ({ open }) => {
  const engine = open();
  await withDir(async (dir) => {
    const people = table("people", { id: column.integer().primaryKey(), name: column.text() });
    await applied(engine, dir, [people]);
    await engine.run(sql`INSERT INTO people (name) VALUES ('ann')`);
    const users = table("users", { id: column.integer().primaryKey(), name: column.text() });
    await assert.rejects(generate(engine, [users], files(dir, "rename")), /drops table people/);
    const result = await generate(engine, [users], {
      ...files(dir, "rename"),
      renames: { tables: [{ from: "people", to: "users" }] },
    });
    assert.deepEqual(result.changes.map((c) => c.op.kind), ["renameTable"]);
    await up(engine, { migrations: directorySource(dir) });
    assert.equal(await engine.scalar(sql`SELECT name FROM users`), "ann");
    await down(engine, { migrations: directorySource(dir) });
    assert.equal(await engine.scalar(sql`SELECT name FROM people`), "ann");
  });
});

scopedTest(
  "migrate: tables in another PostgreSQL schema, generated, applied and reverted",
  async ({ open }) => {
    const engine = open();
    const audit = `${await engine.scalar<string>(sql`SELECT current_schema()`)}_audit`;
    await engine.run(sql`CREATE SCHEMA ${sql.id(audit)}`);
    try {
      class Account extends Model("accounts", { id: column.integer().primaryKey() }) {}
      const events = (extra: boolean) =>
        table(
          "events",
          {
            id: column.bigint().primaryKey(),
            kind: column.enum(["login", "logout"]),
            accountId: column.integer().references(() => Account.c.id),
            ...(extra ? { note: column.text().nullable() } : {}),
          },
          undefined,
          { schema: audit },
        );
      await withDir(async (dir) => {
        await generate(engine, [Account, events(false)], files(dir, "init"));
        await up(engine, { migrations: directorySource(dir) });
        assert.equal((await checkSchema(engine, [Account, events(false)])).ok, true);
        await engine.run(sql`INSERT INTO accounts (id) VALUES (1)`);
        await engine.run(
          sql`INSERT INTO ${sql.id(audit, "events")} (kind, account_id) VALUES ('login', 1)`,
        );
        const next = await generate(engine, [Account, events(true)], files(dir, "note"));
        assert.match(
          next.text!,
          new RegExp(`op\\.addColumn\\(\\{ schema: "${audit}", name: "events" \\}`),
        );
        await up(engine, { migrations: directorySource(dir) });
        assert.equal((await checkSchema(engine, [Account, events(true)])).ok, true);
        await down(engine, { migrations: directorySource(dir), steps: 2 });
        assert.equal(
          await engine.scalar(sql`SELECT count(*) FROM pg_tables WHERE schemaname = ${audit}`),
          0,
        );
      });
    } finally {
      await engine.run(sql`DROP SCHEMA ${sql.id(audit)} CASCADE`);
    }
  },
  { on: ["postgres"] },
);

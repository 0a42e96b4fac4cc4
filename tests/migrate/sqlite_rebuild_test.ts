/**
 * SQLite's table rebuild keeps every row: a table with data, indexes, a trigger, a view, an
 * AUTOINCREMENT key, foreign keys pointing out of it and foreign keys (ON DELETE CASCADE)
 * pointing into it. A rebuild that fails leaves nothing changed, and foreign keys are on
 * again afterwards. A host that ignores `PRAGMA foreign_keys = OFF` (Drizzle Kit #3065) is
 * refused before anything changes; one that claims to honour it and does not is caught by
 * the row counts of the tables that refer to the rebuilt one.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createEngine, type Driver, type Engine, IntegrityError, sql } from "../../mod.ts";
import { sqliteDriver } from "../../dialects/sqlite/mod.ts";
import { MigrationError, op, reflect, up } from "../../migrate.ts";
import { chain } from "./_support.ts";

async function schema(engine: Engine): Promise<void> {
  for (
    const text of [
      `CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
      `CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE,
        team_id INTEGER REFERENCES teams (id),
        CHECK (length(email) > 3)
      )`,
      `CREATE INDEX ix_users_name ON users (name)`,
      `CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL
      )`,
      `CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        body TEXT
      )`,
      `CREATE TABLE audit (msg TEXT)`,
      `CREATE TRIGGER users_renamed AFTER UPDATE OF name ON users
        BEGIN INSERT INTO audit VALUES ('renamed ' || new.name); END`,
      `CREATE TRIGGER posts_added AFTER INSERT ON posts
        BEGIN INSERT INTO audit SELECT 'post by ' || name FROM users WHERE id = new.user_id; END`,
      `CREATE VIEW user_posts AS SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id`,
    ]
  ) await engine.run(sql.unsafe(text));
  await engine.run(sql`INSERT INTO teams VALUES (1, 'core'), (2, 'web')`);
  for (let i = 1; i <= 50; i++) {
    await engine.run(
      sql`INSERT INTO users (name, email, team_id) VALUES (${`u${i}`}, ${`u${i}@x.org`}, ${
        (i % 2) + 1
      })`,
    );
    await engine.run(sql`INSERT INTO posts (user_id, title) VALUES (${i}, ${`p${i}`})`);
    await engine.run(sql`INSERT INTO comments (post_id, body) VALUES (${i}, ${`c${i}`})`);
  }
  await engine.run(sql`DELETE FROM comments WHERE post_id = 50`);
  await engine.run(sql`DELETE FROM posts WHERE user_id = 50`);
  await engine.run(sql`DELETE FROM users WHERE id = 50`); // AUTOINCREMENT must not reuse 50
  await engine.run(sql`DELETE FROM audit`);
}

const count = async (engine: Engine, table: string) =>
  Number(await engine.scalar(sql`SELECT count(*) FROM ${sql.id(table)}`));

/** A migration that makes SQLite rebuild users, and adds a column in the same rebuild. */
const rebuildUsers = chain([{
  id: "20261201T1530_users",
  up: ({ op }) => [
    op.alterColumn("users", "name", { nullable: true }),
    op.addColumn("users", { name: "bio", type: "TEXT", nullable: false, default: "'none'" }),
    op.addCheck("users", { name: "bio_short", expression: "length(bio) < 500" }),
  ],
}]);

Deno.test("migrate [sqlite]: a rebuild keeps rows, indexes, triggers, views and foreign keys", async () => {
  await using engine = createEngine("sqlite::memory:");
  await schema(engine);
  const progress: string[] = [];
  await up(engine, { migrations: rebuildUsers, progress: (l) => progress.push(l) });
  assert.ok(progress.includes("  rebuilding table users (3 changes)"));
  assert.equal(await count(engine, "users"), 49);
  assert.equal(await count(engine, "posts"), 49); // ON DELETE CASCADE did not run
  assert.equal(await count(engine, "comments"), 49);
  assert.equal(await engine.scalar(sql`SELECT bio FROM users WHERE id = 7`), "none");
  assert.equal(await engine.scalar(sql`SELECT email FROM users WHERE id = 7`), "u7@x.org");
  const users = (await reflect(engine)).tables.find((t) => t.name === "users")!;
  assert.equal(users.columns.find((c) => c.name === "name")!.nullable, true);
  assert.deepEqual(users.indexes.map((i) => i.name), ["ix_users_name"]);
  assert.deepEqual(users.uniques, [{ columns: ["email"] }]);
  assert.equal(users.columns[0].generated, "autoincrement");
  assert.equal(users.checks.length, 2);
  // Triggers on the table and on others, the view, and foreign keys both ways still work.
  await engine.run(sql`UPDATE users SET name = 'ann' WHERE id = 1`);
  await engine.run(sql`INSERT INTO posts (user_id, title) VALUES (2, 'more')`);
  assert.deepEqual(
    (await engine.all(sql`SELECT msg FROM audit ORDER BY rowid`)).map((r) => r.msg),
    [
      "renamed ann",
      "post by u2",
    ],
  );
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM user_posts`), 50);
  await assert.rejects(
    engine.run(sql`INSERT INTO users (name, email, team_id) VALUES ('x', 'x@x.org', 99)`),
    IntegrityError,
  );
  await assert.rejects(
    engine.run(sql`INSERT INTO posts (user_id, title) VALUES (999, 'orphan')`),
    IntegrityError,
  );
  await engine.run(sql`INSERT INTO users (name, email) VALUES ('new', 'new@x.org')`);
  assert.equal(await engine.scalar(sql`SELECT max(id) FROM users`), 51); // 50 not reused
  assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
  await engine.run(sql`DELETE FROM users WHERE id = 3`); // cascades again, as declared
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM posts WHERE user_id = 3`), 0);
});

Deno.test("migrate [sqlite]: a failed rebuild changes nothing and turns foreign keys back on", async () => {
  await using engine = createEngine("sqlite::memory:");
  await schema(engine);
  await engine.run(sql`UPDATE users SET team_id = NULL WHERE id = 4`);
  const before = await reflect(engine);
  const migrations = chain([{
    id: "20261201T1530_team_required",
    up: ({ op }) => [
      op.addColumn("users", { name: "x", type: "TEXT", nullable: true }),
      op.alterColumn("users", "team_id", { nullable: false }),
    ],
  }]);
  const error = await up(engine, { migrations }).catch((e) => e);
  assert.ok(error instanceof MigrationError, String(error));
  assert.ok(error.cause instanceof IntegrityError);
  assert.match(error.message, /does not fit the new definition.*NOT NULL/s);
  assert.match(error.message, /nothing of it was applied/);
  assert.deepEqual(await reflect(engine, { exclude: ["retort_migrations"] }), before);
  assert.equal(await count(engine, "users"), 49);
  assert.equal(await count(engine, "posts"), 49);
  assert.equal(await engine.scalar(sql`PRAGMA foreign_keys`), 1);
  assert.equal(await engine.scalar(sql`SELECT count(*) FROM retort_migrations`), 0);
});

/** A driver for a host that swallows `PRAGMA foreign_keys = OFF` (and may lie about it). */
function ignoringForeignKeysOff(inner: Driver, lie: boolean): Driver {
  const fake = (text: string) => {
    if (/PRAGMA foreign_keys\s*=\s*OFF/i.test(text)) return { rows: [], rowsAffected: 0 };
    if (lie && /^PRAGMA foreign_keys$/i.test(text.trim())) {
      return { rows: [{ foreign_keys: 0 }], rowsAffected: 1 };
    }
    return null;
  };
  return {
    dialect: inner.dialect,
    poolSize: inner.poolSize,
    async connect() {
      const conn = await inner.connect();
      return {
        query: (t, p, m) => {
          const f = fake(t);
          return f ? Promise.resolve(f) : conn.query(t, p, m);
        },
        release: () => conn.release(),
      };
    },
    query: (t, p, m) => {
      const f = fake(t);
      return f ? Promise.resolve(f) : inner.query(t, p, m);
    },
    close: () => inner.close(),
  };
}

Deno.test("migrate [sqlite]: a host that ignores PRAGMA foreign_keys = OFF is refused (#3065)", async () => {
  await using engine = createEngine(
    ignoringForeignKeysOff(sqliteDriver(new DatabaseSync(":memory:")), false),
  );
  await schema(engine);
  const error = await up(engine, { migrations: rebuildUsers }).catch((e) => e);
  assert.match(String(error?.message), /PRAGMA foreign_keys = OFF had no effect/);
  assert.equal(await count(engine, "posts"), 49);
  assert.equal(await count(engine, "comments"), 49);
  assert.equal((await reflect(engine)).tables.find((t) => t.name === "users")!.columns.length, 4);
});

Deno.test("migrate [sqlite]: a host that claims foreign keys are off is caught by the counts", async () => {
  await using engine = createEngine(
    ignoringForeignKeysOff(sqliteDriver(new DatabaseSync(":memory:")), true),
  );
  await schema(engine);
  const error = await up(engine, { migrations: rebuildUsers }).catch((e) => e);
  assert.ok(error instanceof MigrationError);
  assert.match(error.message, /removed 49 rows of posts/);
  assert.equal(await count(engine, "posts"), 49); // rolled back: the cascade is undone
  assert.equal(await count(engine, "comments"), 49);
  assert.equal(await count(engine, "users"), 49);
});

Deno.test("migrate [sqlite]: dropping a table others refer to leaves no dangling rows", async () => {
  await using engine = createEngine("sqlite::memory:");
  await schema(engine);
  const migrations = chain([{ id: "20261201T1530_drop", up: ({ op }) => [op.dropTable("users")] }]);
  const error = await up(engine, { migrations }).catch((e) => e);
  assert.ok(error instanceof MigrationError);
  assert.match(error.message, /foreign keys point nowhere/);
  assert.equal(await count(engine, "users"), 49);
  assert.equal(await count(engine, "posts"), 49);
});

Deno.test("migrate [sqlite]: a rebuild with no column in common refuses to lose rows", async () => {
  await using engine = createEngine("sqlite::memory:");
  await engine.run(sql`CREATE TABLE t (a TEXT, b TEXT)`);
  await engine.run(sql`INSERT INTO t VALUES ('1', '2')`);
  const migrations = chain([{
    id: "20261201T1530_swap",
    up: () => [
      op.addColumn("t", { name: "c", type: "TEXT", nullable: false, default: "(lower('X'))" }),
      op.dropColumn("t", "a"),
      op.dropColumn("t", "b"),
    ],
  }]);
  await assert.rejects(up(engine, { migrations }), /shares no column with the old one/);
  assert.equal(await engine.scalar(sql`SELECT a FROM t`), "1");
});

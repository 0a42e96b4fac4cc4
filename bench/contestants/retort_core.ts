/**
 * Retort Core: `createEngine` and `sql` templates, as a user writes them.
 *
 * @module
 */
import { createEngine, sql } from "../../mod.ts";
import {
  type AdminRow,
  chunks,
  type Contestant,
  type Handle,
  joinPosts,
  type Post,
  type Target,
  type User,
} from "../contestant.ts";

function handle(target: Target): Handle {
  const engine = createEngine(target.db === "sqlite" ? "sqlite::memory:" : target.url);
  return {
    async exec(statements) {
      for (const s of statements) await engine.run(sql.unsafe(s));
    },
    async rows(text) {
      return await engine.all<AdminRow>(sql.unsafe(text));
    },
    async insertOneByOne(rows) {
      await engine.transaction(async (tx) => {
        for (const r of rows) {
          await tx.run(sql`INSERT INTO users (username, email) VALUES (${r.username}, ${r.email})`);
        }
      });
    },
    async insertBulk(rows) {
      await engine.transaction(async (tx) => {
        for (const chunk of chunks(rows, 2, engine.dialect.maxParams)) {
          await tx.run(sql`INSERT INTO users ${sql.values(chunk)}`);
        }
      });
    },
    async selectAll() {
      return await engine.all<User>(sql`SELECT id, username, email FROM users ORDER BY id`);
    },
    async pointLookups(ids) {
      const out: User[] = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        out[i] = await engine.one<User>(
          sql`SELECT id, username, email FROM users WHERE id = ${ids[i]}`,
        );
      }
      return out;
    },
    async usersWithPosts(limit) {
      const users = await engine.all<User>(
        sql`SELECT id, username, email FROM users ORDER BY id LIMIT ${limit}`,
      );
      const posts = await engine.all<Post & { author_id: number }>(
        sql`SELECT id, author_id, title FROM posts
            WHERE author_id IN ${sql.list(users.map((u) => u.id))} ORDER BY id`,
      );
      return joinPosts(users, posts, (p) => p.author_id);
    },
    async updateEmails(limit) {
      await engine.transaction(async (tx) => {
        const users = await tx.all<User>(
          sql`SELECT id, username, email FROM users ORDER BY id LIMIT ${limit}`,
        );
        for (const u of users) {
          await tx.run(sql`UPDATE users SET email = ${"new." + u.email} WHERE id = ${u.id}`);
        }
      });
    },
    async close() {
      await engine.dispose();
    },
  };
}

/** Retort Core. */
export const contestant: Contestant = {
  name: "retort-core",
  packages: [],
  notes: {
    sqlite: 'createEngine("sqlite::memory:") (node:sqlite, statement cache).',
    postgres: "createEngine(url) (postgres.js underneath, pool of 10).",
    W1: "engine.transaction(tx => tx.run(sql`INSERT ...`) per row).",
    W1b: "tx.run(sql`INSERT INTO users ${sql.values(chunk)}`) under the parameter limit.",
    W4: "no relational API in Core: two queries (sql.list for the IN) and a JS join.",
    W5: "engine.transaction: tx.all(SELECT), then tx.run(UPDATE) per user.",
  },
  open(target: Target): Promise<Handle> {
    return Promise.resolve(handle(target));
  },
};

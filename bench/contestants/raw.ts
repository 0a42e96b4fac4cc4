/**
 * The baseline: the drivers themselves. SQLite: `node:sqlite` prepared statements, each
 * prepared once and reused, run synchronously. PostgreSQL: postgres.js tagged templates (which
 * prepare named statements on the server).
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import postgres from "postgres";
import {
  type AdminRow,
  chunks,
  type Contestant,
  type Handle,
  joinPosts,
  MAX_PARAMS,
  type NewUser,
  type Post,
  type Target,
  type User,
  type UserWithPosts,
} from "../contestant.ts";

const COLUMNS = "id, username, email";

function sqliteHandle(): Handle {
  const db = new DatabaseSync(":memory:");
  const cache = new Map<string, StatementSync>();
  const prepare = (text: string): StatementSync => {
    let stmt = cache.get(text);
    if (stmt === undefined) cache.set(text, stmt = db.prepare(text));
    return stmt;
  };
  const insert = "INSERT INTO users (username, email) VALUES (?, ?)";
  const selectAll = `SELECT ${COLUMNS} FROM users ORDER BY id`;
  const byId = `SELECT ${COLUMNS} FROM users WHERE id = ?`;
  const firstUsers = `SELECT ${COLUMNS} FROM users ORDER BY id LIMIT ?`;
  const update = "UPDATE users SET email = ? WHERE id = ?";
  const begin = prepare("BEGIN");
  const commit = prepare("COMMIT");
  const rollback = prepare("ROLLBACK");
  const transaction = (fn: () => void): void => {
    begin.run();
    try {
      fn();
    } catch (error) {
      rollback.run();
      throw error;
    }
    commit.run();
  };
  return {
    exec(statements) {
      for (const s of statements) db.exec(s);
      return Promise.resolve();
    },
    rows(text) {
      return Promise.resolve(db.prepare(text).all() as AdminRow[]);
    },
    insertOneByOne(rows) {
      const stmt = prepare(insert);
      transaction(() => {
        for (const r of rows) stmt.run(r.username, r.email);
      });
      return Promise.resolve();
    },
    insertBulk(rows) {
      transaction(() => {
        for (const chunk of chunks(rows, 2, MAX_PARAMS.sqlite)) {
          const stmt = prepare(
            "INSERT INTO users (username, email) VALUES " + chunk.map(() => "(?, ?)").join(", "),
          );
          const params: SQLInputValue[] = [];
          for (const r of chunk) params.push(r.username, r.email);
          stmt.run(...params);
        }
      });
      return Promise.resolve();
    },
    selectAll() {
      return Promise.resolve(prepare(selectAll).all() as unknown as User[]);
    },
    pointLookups(ids) {
      const stmt = prepare(byId);
      const out: User[] = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) out[i] = stmt.get(ids[i]) as unknown as User;
      return Promise.resolve(out);
    },
    usersWithPosts(limit) {
      const users = prepare(firstUsers).all(limit) as unknown as User[];
      const ids = users.map((u) => u.id);
      const posts = prepare(
        `SELECT id, author_id, title FROM posts WHERE author_id IN (${
          ids.map(() => "?").join(", ")
        }) ORDER BY id`,
      ).all(...ids) as unknown as (Post & { author_id: number })[];
      return Promise.resolve(joinPosts(users, posts, (p) => p.author_id) as UserWithPosts[]);
    },
    updateEmails(limit) {
      transaction(() => {
        const users = prepare(firstUsers).all(limit) as unknown as User[];
        const stmt = prepare(update);
        for (const u of users) stmt.run("new." + u.email, u.id);
      });
      return Promise.resolve();
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

function postgresHandle(url: string): Handle {
  const sql = postgres(url, { onnotice: () => {} });
  return {
    async exec(statements) {
      for (const s of statements) await sql.unsafe(s);
    },
    async rows(text) {
      return [...await sql.unsafe(text)] as AdminRow[];
    },
    async insertOneByOne(rows) {
      await sql.begin(async (tx) => {
        for (const r of rows) {
          await tx`INSERT INTO users (username, email) VALUES (${r.username}, ${r.email})`;
        }
      });
    },
    async insertBulk(rows) {
      await sql.begin(async (tx) => {
        for (const chunk of chunks(rows, 2, MAX_PARAMS.postgres)) {
          await tx`INSERT INTO users ${tx(chunk as NewUser[], "username", "email")}`;
        }
      });
    },
    async selectAll() {
      return await sql<User[]>`SELECT id, username, email FROM users ORDER BY id`;
    },
    async pointLookups(ids) {
      const out: User[] = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        [out[i]] = await sql<User[]>`SELECT id, username, email FROM users WHERE id = ${ids[i]}`;
      }
      return out;
    },
    async usersWithPosts(limit) {
      const users = await sql<User[]>`
        SELECT id, username, email FROM users ORDER BY id LIMIT ${limit}`;
      const posts = await sql<(Post & { author_id: number })[]>`
        SELECT id, author_id, title FROM posts
        WHERE author_id IN ${sql(users.map((u) => u.id))} ORDER BY id`;
      return joinPosts([...users], posts, (p) => p.author_id);
    },
    async updateEmails(limit) {
      await sql.begin(async (tx) => {
        const users = await tx<User[]>`
          SELECT id, username, email FROM users ORDER BY id LIMIT ${limit}`;
        for (const u of users) {
          await tx`UPDATE users SET email = ${"new." + u.email} WHERE id = ${u.id}`;
        }
      });
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** The raw drivers. */
export const contestant: Contestant = {
  name: "raw",
  packages: ["postgres"],
  notes: {
    sqlite: "node:sqlite DatabaseSync; statements prepared once and reused; synchronous calls.",
    postgres: "postgres.js tagged templates (named prepared statements), pool of 10.",
    W1b: "one multi-row INSERT per chunk (postgres.js: sql(rows, columns)).",
    W4: "two queries (users; posts WHERE author_id IN (...ids)) and a JS join by author id.",
    W5: "BEGIN; SELECT the users; one UPDATE per user; COMMIT.",
  },
  open(target: Target): Promise<Handle> {
    return Promise.resolve(target.db === "sqlite" ? sqliteHandle() : postgresHandle(target.url));
  },
};

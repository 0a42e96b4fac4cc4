/**
 * Drizzle ORM. PostgreSQL: `drizzle-orm/postgres-js`. SQLite: Drizzle has no `node:sqlite`
 * driver (its SQLite drivers are better-sqlite3, which is native, libsql, bun, d1, expo, op,
 * sql.js and durable objects), so it runs through `drizzle-orm/sqlite-proxy` with a callback
 * over a `node:sqlite` DatabaseSync. The callback keeps prepared statements by SQL text and
 * returns rows as arrays, which is what the proxy driver expects; Drizzle's own
 * better-sqlite3 driver prepares a statement on every call, so this favours Drizzle if
 * anything.
 *
 * @module
 */
import { asc, eq, lte, relations } from "drizzle-orm";
import * as pgCore from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import * as sqliteCore from "drizzle-orm/sqlite-core";
import { drizzle as drizzleProxy } from "drizzle-orm/sqlite-proxy";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import postgres from "postgres";
import {
  type AdminRow,
  chunks,
  type Contestant,
  type Handle,
  MAX_PARAMS,
  type Target,
} from "../contestant.ts";

const sqliteUsers = sqliteCore.sqliteTable("users", {
  id: sqliteCore.integer("id").primaryKey(),
  username: sqliteCore.text("username").notNull().unique(),
  email: sqliteCore.text("email").notNull(),
});
const sqlitePosts = sqliteCore.sqliteTable("posts", {
  id: sqliteCore.integer("id").primaryKey(),
  authorId: sqliteCore.integer("author_id").notNull().references(() => sqliteUsers.id),
  title: sqliteCore.text("title").notNull(),
});
const sqliteSchema = {
  users: sqliteUsers,
  posts: sqlitePosts,
  usersRelations: relations(sqliteUsers, ({ many }) => ({ posts: many(sqlitePosts) })),
  postsRelations: relations(sqlitePosts, ({ one }) => ({
    author: one(sqliteUsers, { fields: [sqlitePosts.authorId], references: [sqliteUsers.id] }),
  })),
};

const pgUsers = pgCore.pgTable("users", {
  id: pgCore.integer("id").primaryKey().generatedByDefaultAsIdentity(),
  username: pgCore.text("username").notNull().unique(),
  email: pgCore.text("email").notNull(),
});
const pgPosts = pgCore.pgTable("posts", {
  id: pgCore.integer("id").primaryKey().generatedByDefaultAsIdentity(),
  authorId: pgCore.integer("author_id").notNull().references(() => pgUsers.id),
  title: pgCore.text("title").notNull(),
});
const pgSchema = {
  users: pgUsers,
  posts: pgPosts,
  usersRelations: relations(pgUsers, ({ many }) => ({ posts: many(pgPosts) })),
  postsRelations: relations(pgPosts, ({ one }) => ({
    author: one(pgUsers, { fields: [pgPosts.authorId], references: [pgUsers.id] }),
  })),
};

/** The sqlite-proxy callback over node:sqlite, with a statement cache. */
function nodeSqliteProxy(db: DatabaseSync) {
  const cache = new Map<string, StatementSync>();
  return (text: string, params: unknown[], method: "run" | "all" | "values" | "get") => {
    let stmt = cache.get(text);
    if (stmt === undefined) {
      stmt = db.prepare(text);
      // Present in node:sqlite (Node 22.16+, Deno 2.x), missing from Deno's bundled types.
      (stmt as StatementSync & { setReturnArrays(on: boolean): void }).setReturnArrays(true);
      cache.set(text, stmt);
    }
    const args = params as SQLInputValue[];
    if (method === "run") {
      stmt.run(...args);
      return Promise.resolve({ rows: [] });
    }
    // deno-lint-ignore no-explicit-any
    if (method === "get") return Promise.resolve({ rows: stmt.get(...args) as any });
    return Promise.resolve({ rows: stmt.all(...args) });
  };
}

function sqliteHandle(): Handle {
  const client = new DatabaseSync(":memory:");
  const db = drizzleProxy(nodeSqliteProxy(client), { schema: sqliteSchema });
  const users = sqliteUsers;
  return {
    exec(statements) {
      for (const s of statements) client.exec(s);
      return Promise.resolve();
    },
    rows(text) {
      return Promise.resolve(client.prepare(text).all() as AdminRow[]);
    },
    async insertOneByOne(rows) {
      await db.transaction(async (tx) => {
        for (const r of rows) await tx.insert(users).values(r);
      });
    },
    async insertBulk(rows) {
      await db.transaction(async (tx) => {
        // Drizzle writes the missing id as a literal (null, or default on PostgreSQL).
        for (const chunk of chunks(rows, 2, MAX_PARAMS.sqlite)) {
          await tx.insert(users).values(chunk);
        }
      });
    },
    async selectAll() {
      return await db.select().from(users).orderBy(users.id);
    },
    async pointLookups(ids) {
      const out = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        out[i] = await db.select().from(users).where(eq(users.id, ids[i])).get();
      }
      return out;
    },
    async usersWithPosts(limit) {
      return await db.query.users.findMany({
        orderBy: [asc(users.id)],
        limit,
        with: { posts: { orderBy: [asc(sqlitePosts.id)] } },
      });
    },
    async updateEmails(limit) {
      await db.transaction(async (tx) => {
        const loaded = await tx.select().from(users).where(lte(users.id, limit)).orderBy(
          users.id,
        );
        for (const u of loaded) {
          await tx.update(users).set({ email: "new." + u.email }).where(eq(users.id, u.id));
        }
      });
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

function postgresHandle(url: string): Handle {
  const client = postgres(url, { onnotice: () => {} });
  const db = drizzlePostgres(client, { schema: pgSchema });
  const users = pgUsers;
  return {
    async exec(statements) {
      for (const s of statements) await client.unsafe(s);
    },
    async rows(text) {
      return [...await client.unsafe(text)] as AdminRow[];
    },
    async insertOneByOne(rows) {
      await db.transaction(async (tx) => {
        for (const r of rows) await tx.insert(users).values(r);
      });
    },
    async insertBulk(rows) {
      await db.transaction(async (tx) => {
        for (const chunk of chunks(rows, 2, MAX_PARAMS.postgres)) {
          await tx.insert(users).values(chunk);
        }
      });
    },
    async selectAll() {
      return await db.select().from(users).orderBy(users.id);
    },
    async pointLookups(ids) {
      const out = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        [out[i]] = await db.select().from(users).where(eq(users.id, ids[i]));
      }
      return out;
    },
    async usersWithPosts(limit) {
      return await db.query.users.findMany({
        orderBy: [asc(users.id)],
        limit,
        with: { posts: { orderBy: [asc(pgPosts.id)] } },
      });
    },
    async updateEmails(limit) {
      await db.transaction(async (tx) => {
        const loaded = await tx.select().from(users).where(lte(users.id, limit)).orderBy(
          users.id,
        );
        for (const u of loaded) {
          await tx.update(users).set({ email: "new." + u.email }).where(eq(users.id, u.id));
        }
      });
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** Drizzle ORM. */
export const contestant: Contestant = {
  name: "drizzle",
  packages: ["drizzle-orm", "postgres"],
  notes: {
    sqlite: "drizzle-orm/sqlite-proxy over node:sqlite (Drizzle has no node:sqlite driver); " +
      "the proxy callback caches prepared statements by text and returns rows as arrays.",
    postgres: "drizzle-orm/postgres-js, pool of 10.",
    W1: "db.transaction(tx => tx.insert(users).values(row) per row).",
    W1b: "tx.insert(users).values(chunk).",
    W3:
      "db.select().from(users).where(eq(users.id, id)) per id (the query builder, not .prepare()).",
    W4: "relational queries: db.query.users.findMany({ with: { posts: true } }) " +
      "(one query with a JSON subquery).",
    W5: "tx.select() the users, then tx.update(users).set({ email }).where(eq(id)) per user.",
  },
  open(target: Target): Promise<Handle> {
    return Promise.resolve(target.db === "sqlite" ? sqliteHandle() : postgresHandle(target.url));
  },
};

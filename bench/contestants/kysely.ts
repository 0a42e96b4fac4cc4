/**
 * Kysely. PostgreSQL: `kysely-postgres-js` over postgres.js. SQLite: Kysely's own
 * `SqliteDialect`, which takes a better-sqlite3-shaped database; `node:sqlite` differs in two
 * ways (statements have no `reader` flag, and take parameters spread rather than as one
 * array), so a small adapter below bridges them. Like Kysely with better-sqlite3 it would
 * prepare a statement per query; the adapter keeps prepared statements by SQL text, as
 * Retort's driver does, which favours Kysely if anything.
 *
 * @module
 */
import {
  type Generated,
  Kysely,
  ParseJSONResultsPlugin,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from "kysely";
import { jsonArrayFrom as pgJsonArrayFrom } from "kysely/helpers/postgres";
import { jsonArrayFrom as sqliteJsonArrayFrom } from "kysely/helpers/sqlite";
import { PostgresJSDialect } from "kysely-postgres-js";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import postgres from "postgres";
import {
  type AdminRow,
  chunks,
  type Contestant,
  type Handle,
  MAX_PARAMS,
  type Target,
  type UserWithPosts,
} from "../contestant.ts";

interface Database {
  users: { id: Generated<number>; username: string; email: string };
  posts: { id: Generated<number>; author_id: number; title: string };
}

/** A `node:sqlite` DatabaseSync in the shape Kysely's SqliteDialect takes. */
function kyselyNodeSqlite(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(text) {
      let adapted = cache.get(text);
      if (adapted === undefined) {
        const stmt = db.prepare(text);
        adapted = {
          reader: stmt.columns().length > 0,
          all: (params) => stmt.all(...params as SQLInputValue[]),
          run: (params) => stmt.run(...params as SQLInputValue[]),
          iterate: (params) => stmt.iterate(...params as SQLInputValue[]),
        };
        cache.set(text, adapted);
      }
      return adapted;
    },
  };
}

function kyselyHandle(
  db: Kysely<Database>,
  dbKind: "sqlite" | "postgres",
  admin: Pick<Handle, "exec" | "rows" | "close">,
): Handle {
  const maxParams = MAX_PARAMS[dbKind];
  const jsonArrayFrom = dbKind === "sqlite" ? sqliteJsonArrayFrom : pgJsonArrayFrom;
  return {
    ...admin,
    async insertOneByOne(rows) {
      await db.transaction().execute(async (trx) => {
        for (const r of rows) await trx.insertInto("users").values(r).execute();
      });
    },
    async insertBulk(rows) {
      await db.transaction().execute(async (trx) => {
        for (const chunk of chunks(rows, 2, maxParams)) {
          await trx.insertInto("users").values(chunk).execute();
        }
      });
    },
    async selectAll() {
      return await db.selectFrom("users").select(["id", "username", "email"]).orderBy("id")
        .execute();
    },
    async pointLookups(ids) {
      const out = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        out[i] = await db.selectFrom("users").select(["id", "username", "email"])
          .where("id", "=", ids[i]).executeTakeFirstOrThrow();
      }
      return out;
    },
    async usersWithPosts(limit) {
      let query = db.selectFrom("users")
        .select((eb) => [
          "users.id",
          "users.username",
          "users.email",
          jsonArrayFrom(
            eb.selectFrom("posts")
              .select(["posts.id", "posts.author_id", "posts.title"])
              .whereRef("posts.author_id", "=", "users.id")
              .orderBy("posts.id"),
          ).as("posts"),
        ])
        .orderBy("users.id")
        .limit(limit);
      // SQLite returns the JSON array as text; Kysely's documented fix is this plugin.
      if (dbKind === "sqlite") query = query.withPlugin(new ParseJSONResultsPlugin());
      return await query.execute() as UserWithPosts[];
    },
    async updateEmails(limit) {
      await db.transaction().execute(async (trx) => {
        const users = await trx.selectFrom("users").select(["id", "username", "email"])
          .orderBy("id").limit(limit).execute();
        for (const u of users) {
          await trx.updateTable("users").set({ email: "new." + u.email })
            .where("id", "=", u.id).execute();
        }
      });
    },
  };
}

function sqliteHandle(): Handle {
  const client = new DatabaseSync(":memory:");
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: kyselyNodeSqlite(client) }),
  });
  return kyselyHandle(db, "sqlite", {
    exec(statements) {
      for (const s of statements) client.exec(s);
      return Promise.resolve();
    },
    rows(text) {
      return Promise.resolve(client.prepare(text).all() as AdminRow[]);
    },
    async close() {
      await db.destroy();
    },
  });
}

function postgresHandle(url: string): Handle {
  const client = postgres(url, { onnotice: () => {} });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
  return kyselyHandle(db, "postgres", {
    async exec(statements) {
      for (const s of statements) await client.unsafe(s);
    },
    async rows(text) {
      return [...await client.unsafe(text)] as AdminRow[];
    },
    async close() {
      await db.destroy();
    },
  });
}

/** Kysely. */
export const contestant: Contestant = {
  name: "kysely",
  packages: ["kysely", "kysely-postgres-js", "postgres"],
  notes: {
    sqlite: "Kysely's SqliteDialect over node:sqlite through a small adapter " +
      "(adds the `reader` flag, spreads parameters, caches prepared statements by text).",
    postgres: "kysely-postgres-js (PostgresJSDialect) over postgres.js, pool of 10.",
    W1: "db.transaction().execute(trx => trx.insertInto('users').values(row).execute() per row).",
    W1b: "trx.insertInto('users').values(chunk).execute().",
    W4: "one query: jsonArrayFrom (kysely/helpers/sqlite or /postgres) subquery; on SQLite " +
      "with ParseJSONResultsPlugin.",
    W5: "transaction: selectFrom the users, then updateTable(...).set({ email }) per user.",
  },
  open(target: Target): Promise<Handle> {
    return Promise.resolve(target.db === "sqlite" ? sqliteHandle() : postgresHandle(target.url));
  },
};

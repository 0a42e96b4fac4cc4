/**
 * Retort ORM: mapped classes and a Session, as a user writes them. Every workload opens a
 * fresh session, so the identity map starts empty.
 *
 * @module
 */
import { column, createEngine, Model, relationship, select, selectin, sql } from "../../mod.ts";
import type { AdminRow, Contestant, Handle, Target, User, UserWithPosts } from "../contestant.ts";

class BenchUser extends Model("users", {
  id: column.integer().primaryKey(),
  username: column.text().unique(),
  email: column.text(),
}) {
  static posts = relationship(() => BenchPost, {
    backPopulates: "author",
    orderBy: () => BenchPost.c.id,
  });
  declare posts: BenchPost[];
}

class BenchPost extends Model("posts", {
  id: column.integer().primaryKey(),
  authorId: column.integer().references(() => BenchUser.c.id),
  title: column.text(),
}) {
  static author = relationship(() => BenchUser, { backPopulates: "posts" });
  declare author: BenchUser;
}

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
      await using session = engine.session();
      for (const r of rows) session.add(new BenchUser({ username: r.username, email: r.email }));
      await session.commit();
    },
    async insertBulk(rows) {
      await using session = engine.session();
      session.addAll(rows.map((r) => new BenchUser({ username: r.username, email: r.email })));
      await session.commit();
    },
    async selectAll() {
      await using session = engine.session();
      const users = await session.all(select(BenchUser).orderBy(BenchUser.c.id));
      await session.commit();
      return users as User[];
    },
    async pointLookups(ids) {
      await using session = engine.session();
      const out: User[] = new Array(ids.length);
      for (let i = 0; i < ids.length; i++) out[i] = (await session.get(BenchUser, ids[i]))!;
      await session.commit();
      return out;
    },
    async usersWithPosts(limit) {
      await using session = engine.session();
      const users = await session.all(
        select(BenchUser).orderBy(BenchUser.c.id).limit(limit).options(selectin("posts")),
      );
      await session.commit();
      return users as unknown as UserWithPosts[];
    },
    async updateEmails(limit) {
      await using session = engine.session();
      const users = await session.all(select(BenchUser).orderBy(BenchUser.c.id).limit(limit));
      for (const u of users) u.email = "new." + u.email;
      await session.commit();
    },
    async hold() {
      const session = engine.session();
      const rows = await session.all(select(BenchUser).orderBy(BenchUser.c.id));
      return { rows, release: () => session.close() };
    },
    async close() {
      await engine.dispose();
    },
  };
}

/** Retort ORM. */
export const contestant: Contestant = {
  name: "retort-orm",
  packages: [],
  notes: {
    sqlite: 'createEngine("sqlite::memory:"); a fresh session per workload.',
    postgres: "createEngine(url); a fresh session per workload.",
    W1:
      "session.add(new User(...)) × 10,000, then commit (one flush: multi-row INSERT ... RETURNING).",
    W1b: "session.addAll(users), then commit.",
    W2: "session.all(select(User).orderBy(User.c.id)): tracked instances in the identity map.",
    W3: "session.get(User, id) per id, the identity map empty.",
    W4: 'select(User).limit(1000).options(selectin("posts")): two queries.',
    W5:
      "load 1,000 users, assign each email, commit: one UPDATE ... FROM (VALUES ...) of them all.",
  },
  open(target: Target): Promise<Handle> {
    return Promise.resolve(handle(target));
  },
};

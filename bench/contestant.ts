/**
 * The one interface every contestant implements: a way to open a database and one method per
 * workload. A contestant is one file in `bench/contestants/`.
 *
 * @module
 */

/** The databases a cell runs on. */
export type DbKind = "sqlite" | "postgres";

/** Where a contestant connects: in-memory SQLite of its own, or a PostgreSQL URL. */
export type Target =
  | { readonly db: "sqlite" }
  | {
    readonly db: "postgres";
    /** A URL whose `search_path` names the benchmark's own schema. */
    readonly url: string;
  };

/** The workloads, by id. */
export type WorkloadId = "W1" | "W1b" | "W2" | "W3" | "W4" | "W5";

/**
 * A user as inserted (the database assigns the id). A type alias, not an interface, so that
 * it fits `Record<string, unknown>` (which `sql.values` takes).
 */
export type NewUser = {
  username: string;
  email: string;
};

/** A user as read back. */
export interface User {
  id: number;
  username: string;
  email: string;
}

/** A post as read back; the name of the author column is the contestant's own. */
export interface Post {
  id: number;
  title: string;
}

/** A user loaded with their posts. */
export interface UserWithPosts extends User {
  posts: Post[];
}

/** A row of an untimed admin query. */
export type AdminRow = Record<string, unknown>;

/**
 * An open contestant on one database. The workload methods are timed; `exec` and `rows` are
 * the untimed side door the runner uses to create tables, reset and seed them, and check
 * results. Every method is awaited to completion before the clock stops.
 */
export interface Handle {
  /** Runs statements without parameters, one by one (DDL, reset, seeding). Untimed. */
  exec(statements: readonly string[]): Promise<void>;
  /** Runs one query without parameters and returns its rows as objects. Untimed. */
  rows(text: string): Promise<AdminRow[]>;

  /** W1: insert the rows one at a time through the normal API, in one transaction. */
  insertOneByOne(rows: readonly NewUser[]): Promise<void>;
  /** W1b: insert the same rows through the bulk (multi-row) API, in one transaction. */
  insertBulk(rows: readonly NewUser[]): Promise<void>;
  /** W2: every user, ordered by id, as objects. */
  selectAll(): Promise<User[]>;
  /** W3: one primary-key lookup per id, in the order given; returns what each found. */
  pointLookups(ids: readonly number[]): Promise<User[]>;
  /** W4: the first `limit` users by id with their posts (ordered by id), eagerly. */
  usersWithPosts(limit: number): Promise<UserWithPosts[]>;
  /**
   * W5: in one transaction, load the first `limit` users by id, set each one's email to
   * `"new." + email`, and commit.
   */
  updateEmails(limit: number): Promise<void>;

  /**
   * The memory figure: every user loaded and kept as the contestant keeps them (the ORM: in
   * one open session); `release` lets them go. Contestants without one use `selectAll`.
   */
  hold?(): Promise<{ rows: readonly unknown[]; release(): Promise<void> }>;

  /** Closes the contestant's connections. */
  close(): Promise<void>;
}

/** A library under test. */
export interface Contestant {
  /** A short name for tables and flags, such as `"retort-core"`. */
  readonly name: string;
  /** The npm packages whose versions the report names. */
  readonly packages: readonly string[];
  /** How the contestant does each workload, where it is not obvious; printed in RESULTS.md. */
  readonly notes: Readonly<Partial<Record<WorkloadId | DbKind, string>>>;
  /** Opens the contestant on a database. */
  open(target: Target): Promise<Handle>;
}

/** Splits rows into chunks that stay under a statement's parameter limit. */
export function chunks<T>(rows: readonly T[], columns: number, maxParams: number): T[][] {
  const size = Math.max(1, Math.floor(maxParams / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Groups posts under their users by author id, keeping both orders: the JS join of a
 * two-query eager load. Each user row gets a `posts` array (the rows are mutated, not copied).
 */
export function joinPosts<U extends User, P extends Post>(
  users: readonly U[],
  posts: readonly P[],
  authorOf: (post: P) => number,
): (U & { posts: P[] })[] {
  const byId = new Map<number, P[]>();
  const out = users as (U & { posts: P[] })[];
  for (const u of out) {
    const list: P[] = [];
    u.posts = list;
    byId.set(u.id, list);
  }
  for (const p of posts) byId.get(authorOf(p))?.push(p);
  return out;
}

/** The SQLite and PostgreSQL limits on bound parameters per statement. */
export const MAX_PARAMS: Readonly<Record<DbKind, number>> = { sqlite: 32766, postgres: 65535 };

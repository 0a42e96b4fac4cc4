/**
 * The mapped classes the type-level cases share, and the helpers to state a type exactly.
 * This file compiles as it is; the cases are in the numbered files beside it.
 */
import {
  type Collection,
  column,
  constraint,
  createEngine,
  type Engine,
  Model,
  relationship,
  type Relationships,
  table,
} from "../../mod.ts";

/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2)
  ? true
  : false;

/** Compiles only when given `true`: `check<Equal<typeof x, number>>()`. */
export const check = <T extends true>(): T => true as T;

/** Type-checks its argument's type and does nothing with it: `expectType<number>(x)`. */
export const expectType = <T>(_value: T): void => {};

export class User extends Model("tt_users", {
  id: column.integer().primaryKey(),
  username: column.text().unique(),
  email: column.text().nullable(),
  active: column.boolean().default(true),
}) implements Relationships<typeof User> {
  static posts = relationship(() => Post, { backPopulates: "author", cascade: "all" });
  declare posts: Post[];
  static profile = relationship(() => Profile, { backPopulates: "user", uselist: false });
  declare profile: Profile | null;

  greeting(): string {
    return `hello, ${this.username}`;
  }
}

export class Post extends Model("tt_posts", {
  id: column.integer().primaryKey(),
  title: column.text(),
  authorId: column.integer().references(() => User.c.id, { onDelete: "cascade" }),
}) implements Relationships<typeof Post> {
  static author = relationship(() => User, { backPopulates: "posts" });
  declare author: User | null;
  static tags = relationship(() => Tag, { secondary: () => PostTag, backPopulates: "posts" });
  declare tags: Collection<Tag>;
  static comments = relationship(() => Comment, { backPopulates: "post" });
  declare comments: Comment[];

  summary(): string {
    return this.title.slice(0, 10);
  }
}

export class Comment extends Model("tt_comments", {
  id: column.integer().primaryKey(),
  body: column.text(),
  postId: column.integer().references(() => Post.c.id, { onDelete: "cascade" }),
}) implements Relationships<typeof Comment> {
  static post = relationship(() => Post, { backPopulates: "comments" });
  declare post: Post | null;
}

export class Tag extends Model("tt_tags", {
  id: column.integer().primaryKey(),
  label: column.text(),
}) implements Relationships<typeof Tag> {
  static posts = relationship(() => Post, { secondary: () => PostTag, backPopulates: "tags" });
  declare posts: Post[];
}

export class PostTag extends Model("tt_post_tags", {
  postId: column.integer().references(() => Post.c.id, { onDelete: "cascade" }),
  tagId: column.integer().references(() => Tag.c.id, { onDelete: "cascade" }),
}, { constraints: (c) => [constraint.primaryKey(c.postId, c.tagId)] }) {}

/** A one-to-one over a nullable foreign key: the user may be missing. */
export class Profile extends Model("tt_profiles", {
  id: column.integer().primaryKey(),
  bio: column.text(),
  userId: column.integer().nullable().unique().references(() => User.c.id),
}) implements Relationships<typeof Profile> {
  static user = relationship(() => User, { backPopulates: "profile" });
  declare user: User | null;
}

/** A composite integer primary key: neither column is generated. */
export class Pair extends Model("tt_pairs", {
  a: column.integer(),
  b: column.integer(),
  label: column.text(),
}, { constraints: (c) => [constraint.primaryKey(c.a, c.b)] }) {}

/** A composite primary key of two integer columns marked primaryKey(): neither is generated. */
export class Grid extends Model("tt_grid", {
  x: column.integer().primaryKey(),
  y: column.integer().primaryKey(),
  value: column.text(),
}) {}

/** Every column may be left out of a new row. */
export class Note extends Model("tt_notes", {
  id: column.integer().primaryKey(),
  body: column.text().nullable(),
  pinned: column.boolean().default(false),
}) {}

/** A text primary key. */
export class Keyed extends Model("tt_keyed", {
  code: column.text().primaryKey(),
  value: column.integer().default(0),
}) {}

/** A Core table (no class). */
export const events = table("tt_events", {
  id: column.integer().primaryKey(),
  kind: column.enum(["created", "deleted"]),
  at: column.timestamptz().default(() => new Date()),
});

export const ALL = [User, Post, Comment, Tag, PostTag, Profile, Pair, Grid, Note, Keyed, events];

/** An in-memory SQLite engine with every table created. */
export async function freshEngine(): Promise<Engine> {
  const engine = createEngine("sqlite::memory:");
  await engine.createAll(ALL);
  return engine;
}

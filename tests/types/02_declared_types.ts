/**
 * Issue 14, item 2: the declared instance type of a relationship agrees with the
 * relationship.
 *
 * A one-to-many declared as a single object or as another class's array, a many-to-one
 * declared as an array, a non-null declaration over a nullable foreign key, and a one-to-one
 * (`uselist: false`) declared as an array must not compile. A new object's unset many-to-one
 * is typed as what it holds (null until set).
 *
 * Each bad class is written on one line (`deno-fmt-ignore`), so that the expected error,
 * wherever in the class the checker reports it (the class name, the static, the declare),
 * is on the line after `@ts-expect-error`.
 */
import assert from "node:assert/strict";
import { type Collection, column, Model, relationship, type Relationships } from "../../mod.ts";
import { check, type Equal, Post, PostTag, Profile, Tag, User } from "./_models.ts";

/** Never called: these lines are only type-checked. */
export function mustNotCompile(): void {
  // @ts-expect-error [2.1] a one-to-many declared as one object, not an array
  // deno-fmt-ignore
  class A1 extends Model("tt_a1", { id: column.integer().primaryKey() }) implements Relationships<typeof A1> { static posts = relationship(() => Post, {}); declare posts: Post; }
  // @ts-expect-error [2.2] a one-to-many to Post declared as an array of Tag
  // deno-fmt-ignore
  class A2 extends Model("tt_a2", { id: column.integer().primaryKey() }) implements Relationships<typeof A2> { static posts = relationship(() => Post, {}); declare posts: Tag[]; }
  // @ts-expect-error [2.3] a non-null many-to-one over a nullable foreign key
  // deno-fmt-ignore
  class A3 extends Model("tt_a3", { id: column.integer().primaryKey(), userId: column.integer().nullable().references(() => User.c.id) }) implements Relationships<typeof A3> { static user = relationship(() => User, {}); declare user: User; }
  // @ts-expect-error [2.4] a many-to-one declared as an array
  // deno-fmt-ignore
  class A4 extends Model("tt_a4", { id: column.integer().primaryKey(), userId: column.integer().references(() => User.c.id) }) implements Relationships<typeof A4> { static user = relationship(() => User, {}); declare user: User[]; }
  // @ts-expect-error [2.5] a one-to-one (uselist: false) declared as an array
  // deno-fmt-ignore
  class A5 extends Model("tt_a5", { id: column.integer().primaryKey() }) implements Relationships<typeof A5> { static profile = relationship(() => Profile, { uselist: false }); declare profile: Profile[]; }
  // @ts-expect-error [2.6] a many-to-many declared as one object
  // deno-fmt-ignore
  class A6 extends Model("tt_a6", { id: column.integer().primaryKey() }) implements Relationships<typeof A6> { static tags = relationship(() => Tag, { secondary: () => PostTag }); declare tags: Tag; }

  const fresh = new Post({ title: "new" });
  // @ts-expect-error [2.7] a new object's unset many-to-one holds null: not a User yet
  fresh.author.username;
  // @ts-expect-error [2.8] nor is a nullable one-to-one's target always there
  new User({ username: "u" }).profile.bio;
  assert.ok([A1, A2, A3, A4, A5, A6]);
}

/** Never called: these lines must compile. */
export function mustCompile(): void {
  // [2.9] the declarations that agree with their relationships
  // deno-fmt-ignore
  class B1 extends Model("tt_b1", { id: column.integer().primaryKey() }) implements Relationships<typeof B1> { static posts = relationship(() => Post, {}); declare posts: Post[]; }
  // deno-fmt-ignore
  class B2 extends Model("tt_b2", { id: column.integer().primaryKey() }) implements Relationships<typeof B2> { static posts = relationship(() => Post, {}); declare posts: Collection<Post>; }
  // deno-fmt-ignore
  class B3 extends Model("tt_b3", { id: column.integer().primaryKey(), userId: column.integer().nullable().references(() => User.c.id) }) implements Relationships<typeof B3> { static user = relationship(() => User, {}); declare user: User | null; }
  // deno-fmt-ignore
  class B4 extends Model("tt_b4", { id: column.integer().primaryKey(), userId: column.integer().references(() => User.c.id) }) implements Relationships<typeof B4> { static user = relationship(() => User, {}); declare user: User; }
  // deno-fmt-ignore
  class B5 extends Model("tt_b5", { id: column.integer().primaryKey() }) implements Relationships<typeof B5> { static profile = relationship(() => Profile, { uselist: false }); declare profile: Profile | null; }
  assert.ok([B1, B2, B3, B4, B5]);
  // [2.11] self-referential relationships, and subclasses (single-table and joined) with
  // relationships of their own, checked the same way
  class Node extends Model("tt_nodes", {
    id: column.integer().primaryKey(),
    parentId: column.integer().nullable().references((self) => self.c.id),
    kind: column.text(),
  }, { polymorphicOn: "kind", polymorphicIdentity: "node" }) implements Relationships<typeof Node> {
    static parent = relationship(() => Node, { backPopulates: "children" });
    declare parent: Node | null;
    static children = relationship(() => Node, { backPopulates: "parent" });
    declare children: Node[];
  }
  class Leaf extends Node.subclass("leaf", { weight: column.integer().nullable() })
    implements Relationships<typeof Leaf> {
    static owner = relationship(() => User, {});
    declare owner: User | null;
  }
  class Big extends Node.subclass("big", { size: column.integer() }, { table: "tt_big" })
    implements Relationships<typeof Big> {
    static posts = relationship(() => Post, {});
    declare posts: Post[];
  }
  assert.ok([Leaf, Big]);
  // [2.10] the shared models' declarations are what they say
  const u = new User({ username: "u" });
  check<Equal<typeof u.posts, Post[]>>();
  check<Equal<typeof u.profile, Profile | null>>();
  const p = new Post({ title: "t" });
  check<Equal<typeof p.tags, Collection<Tag>>>();
  if (p.author !== null) assert.ok(p.author.username);
}

Deno.test("[2] a new object's relationships: empty collections, null many-to-ones", () => {
  const fresh = new Post({ title: "new" });
  assert.deepEqual(fresh.tags, []);
  assert.equal(fresh.author, null); // what [2.7] asks the type to say
  assert.equal(new User({ username: "u" }).profile, null);
  assert.equal(typeof mustNotCompile, "function");
  assert.equal(typeof mustCompile, "function");
});

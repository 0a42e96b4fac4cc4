/**
 * Retort: a Deno-first ORM for TypeScript, after SQLAlchemy 2.0. One package, two layers.
 *
 * **Core.** The `sql` tag builds safe, immutable, composable fragments: every interpolated
 * value is a bound parameter, identifiers are quoted (`sql.id`), and `sql.list`, `sql.join`,
 * `sql.set`, `sql.values` and `sql.json` cover the usual shapes; only `sql.unsafe` puts raw
 * text in. One compile step turns a fragment into `{ text, params }` per dialect, cached per
 * call site. `createEngine(url)` gives an Engine that runs fragments (`all`, `first`, `one`,
 * `scalar`, `run`), with connections, transactions, savepoints to any depth and `echo`
 * logging. Tables and columns (`table`, `column`) interpolate as quoted names, create
 * themselves in foreign-key order (`engine.createAll`), and feed the statement builder
 * (`select`, `insert` with upsert, `update`, `deleteFrom`, and operators such as `eq`).
 *
 * **ORM.** `class User extends Model("users", { ...columns }) { ...methods }` maps a class to
 * a table, with instance types inferred from the columns. `relationship(...)` declares
 * one-to-many, many-to-one, one-to-one and many-to-many relationships, kept in sync in memory
 * with `backPopulates`. A Session (`sessionMaker(engine)`, used with `await using`) is a unit
 * of work with an identity map: it autobegins, flushes changes in foreign-key order, commits,
 * and rolls back on dispose. Relationships load only when asked (`selectin`, `joined`,
 * `session.load`); reading one that was never loaded throws `NotLoadedError`, never queries.
 *
 * **Databases.** SQLite through `node:sqlite` (`"sqlite:///:memory:"`, `"sqlite:///app.db"`)
 * or a `@db/sqlite` Database passed in, and PostgreSQL through `npm:postgres`
 * (`"postgres://..."`, pooled). Each driver loads only when used; errors form one taxonomy
 * (`IntegrityError`, `OperationalError`, `ProgrammingError`, ...) over both.
 *
 * @example Core: the `sql` tag and the Engine
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, sql } from "@retort/orm";
 * await using engine = createEngine("sqlite:///:memory:");
 * await engine.run(sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
 * await engine.run(sql`INSERT INTO users (name) VALUES (${"ada"}), (${"grace"})`);
 * const names = await engine.all<{ name: string }>(
 *   sql`SELECT name FROM users WHERE id IN ${sql.list([1, 2])} ORDER BY id`,
 * );
 * assert(names.map((r) => r.name).join() === "ada,grace");
 * ```
 *
 * @example ORM: mapped classes, a session, relationships
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, relationship, select, selectin, sql } from "@retort/orm";
 *
 * class Author extends Model("module_doc_authors", {
 *   id: column.integer().primaryKey(),
 *   name: column.text(),
 * }) {
 *   static books = relationship(() => Book, { backPopulates: "author", cascade: "all" });
 *   declare books: Book[];
 * }
 * class Book extends Model("module_doc_books", {
 *   id: column.integer().primaryKey(),
 *   title: column.text(),
 *   authorId: column.integer().references(() => Author.c.id),
 * }) {
 *   static author = relationship(() => Author, { backPopulates: "books" });
 *   declare author: Author;
 * }
 *
 * await using engine = createEngine("sqlite:///:memory:");
 * await engine.createAll([Author, Book]);
 * {
 *   await using session = engine.session();
 *   const ursula = new Author({ name: "Ursula" });
 *   ursula.books.push(new Book({ title: "The Dispossessed" }));
 *   session.add(ursula); // the book comes along
 *   await session.commit();
 * }
 * await using session = engine.session();
 * const [author] = await session.all(
 *   select(Author).where(sql`${Author.c.name} = ${"Ursula"}`).options(selectin("books")),
 * );
 * assert.equal(author.books[0].title, "The Dispossessed");
 * assert.equal(author.books[0].author, author);
 * ```
 *
 * @module
 */
export * from "./core.ts";
export { createEngine } from "./connect/orm.ts";
export { Engine as CoreEngine } from "./core/engine/engine.ts";
export { Engine } from "./orm/engine.ts";
export {
  AssociationProxy,
  associationProxy,
  type AssociationProxyOptions,
  type Check,
  check,
  type ClassEvent,
  type Collection,
  type ColumnOption,
  type ColumnsOf,
  defer,
  type EntityKey,
  type EntityQuery,
  type ExecuteOptions,
  type ExecuteResult,
  inspect,
  type InstanceInfo,
  joined,
  type JoinedSubclass,
  type JoinedTableOptions,
  listen,
  type LoaderCriteria,
  loaderCriteria,
  type LoaderOption,
  loadOnly,
  Model,
  type ModelClass,
  type ModelObject,
  type ModelOptions,
  type ObjectStatus,
  type ObjectsView,
  type OwnColumns,
  Relationship,
  relationship,
  type RelationshipKind,
  type RelationshipOptions,
  type Relationships,
  type Secondary,
  selectin,
  Session,
  type SessionEvent,
  type SessionListener,
  sessionMaker,
  type SessionOptions,
  type SessionSavepoint,
  type SessionScalar,
  type SessionStreamOptions,
  type Subclass,
  undefer,
  validates,
  type Validator,
  type Validators,
  withoutCriteria,
} from "./orm/mod.ts";

/**
 * Shared pieces of the migration tests: models covering every column type and constraint
 * kind, and migrations held in memory.
 */
import { column, constraint, Model, relationship, sql, table } from "../../mod.ts";
import {
  memorySource,
  type Migration,
  type MigrationTools,
  type Operation,
} from "../../migrate.ts";

/** Every column type and constraint kind Retort has, in two related models. */
export function everyKind() {
  class Author extends Model("authors", {
    id: column.integer().primaryKey(),
    name: column.text(),
    email: column.varchar(200).unique(),
    active: column.boolean().serverDefault(sql`TRUE`),
    motto: column.text().serverDefault(sql`${"it's"}`),
    joined: column.timestamptz().serverDefault(sql`CURRENT_TIMESTAMP`),
    born: column.date().nullable(),
    seen: column.timestamp().nullable(),
    rating: column.real().nullable(),
    score: column.double().nullable(),
    balance: column.numeric(10, 2).nullable(),
    big: column.bigint().nullable(),
    prefs: column.json().nullable(),
    tags: column.jsonb().nullable(),
    token: column.uuid().nullable(),
    avatar: column.blob().nullable(),
    mood: column.enum(["happy", "sad"]).serverDefault(sql`'happy'`),
    mentorId: column.integer().nullable().references((self) => self.c.id, {
      onDelete: "set null",
    }),
  }) {
    static books = relationship(() => Book, { backPopulates: "author" });
    declare books: Book[];
  }
  class Book extends Model("books", {
    id: column.integer().primaryKey().autoincrement(),
    authorId: column.integer().references(() => Author.c.id, {
      onDelete: "cascade",
      onUpdate: "cascade",
    }),
    title: column.text().index(),
    pages: column.integer().check(sql`pages > ${0}`),
    genre: column.enum(["fiction", "essay", "poetry"]),
  }, {
    constraints: (c) => [
      constraint.unique(c.authorId, c.title),
      constraint.check("pages_small", sql`pages < 100000`),
      constraint.index("ix_books_pages_genre", [c.pages, c.genre], { unique: true }),
    ],
  }) {
    static author = relationship(() => Author, { backPopulates: "books" });
    declare author: Author;
  }
  const tags = table("book_tags", {
    bookId: column.integer().references(() => Book.c.id),
    tag: column.varchar(40),
  }, (c) => [constraint.primaryKey(c.bookId, c.tag)]);
  return { Author, Book, tags, all: [Author, Book, tags] };
}

/** One migration held in memory. */
export interface Step {
  id: string;
  up: (t: MigrationTools) => Operation[];
  down?: (t: MigrationTools) => Operation[];
  text?: string;
}

/** Migrations in memory, each following the one before. */
export function chain(steps: Step[]): ReturnType<typeof memorySource> {
  return memorySource(steps.map((s, i) => {
    const migration: Migration = { parent: i === 0 ? null : steps[i - 1].id, up: s.up };
    if (s.down) migration.down = s.down;
    return { id: s.id, migration, text: s.text };
  }));
}

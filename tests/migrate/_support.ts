/**
 * Shared pieces of the migration tests: models covering every column type and constraint
 * kind, and migrations held in memory.
 */
import { column, constraint, Model, relationship, sql, Table, table } from "../../mod.ts";
import {
  directorySource,
  type GenerateOptions,
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

/**
 * Options of generate with files in a folder of their own, each call a minute after the last
 * from `start`, so that their timestamps are distinct.
 */
export function migrationFiles(start: Date): (dir: string, name: string) => GenerateOptions {
  let minute = 0;
  return (dir, name) => ({
    name,
    migrations: directorySource(dir),
    now: new Date(start.getTime() + 60_000 * minute++),
  });
}

/** Runs `fn` with a temporary folder, removed afterwards. */
export async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "retort-migrations-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Loads pulled source as a module, importing this repository's Retort. */
export async function loadPulled(source: string): Promise<(Table | { table: Table })[]> {
  const dir = await Deno.makeTempDir({ prefix: "retort-pull-" });
  try {
    const path = `${dir}/models.ts`;
    await Deno.writeTextFile(path, source);
    const mod = await import(`file://${path}`);
    return Object.values(mod).filter((v) =>
      v instanceof Table || (v as { table?: unknown }).table instanceof Table
    ) as (Table | { table: Table })[];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Your own `@db/sqlite` Database, passed to Retort: Retort recognises it by its shape and never
 * imports `@db/sqlite` itself.
 *
 * Run it with `deno run -A examples/db_sqlite.ts`. The module is imported from the
 * `DB_SQLITE_MODULE` environment variable, by default `jsr:@db/sqlite@0.13` (which needs
 * access to JSR and `--allow-ffi`, included in `-A`).
 */
import { column, createEngine, Model, select, sql, type SqliteClient } from "../mod.ts";

const specifier = Deno.env.get("DB_SQLITE_MODULE") ?? "jsr:@db/sqlite@0.13";
const { Database } = await import(specifier) as {
  Database: new (path: string) => SqliteClient;
};

// Open the database as you normally would: a file path, or ":memory:".
const db = new Database(":memory:");

// Retort turns foreign keys on for it, and closes it when the engine is disposed.
await using engine = createEngine(db);
console.log("dialect:", engine.dialect.name);
console.log("foreign keys:", await engine.scalar(sql`PRAGMA foreign_keys`));

class Note extends Model("notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
  pinned: column.boolean().default(false),
  created: column.timestamptz().default(() => new Date()),
}) {}

await engine.createAll([Note]);
{
  await using session = engine.session();
  session.addAll([
    new Note({ body: "Buy milk" }),
    new Note({ body: "Ship Retort", pinned: true }),
  ]);
  await session.commit();
}
{
  await using session = engine.session();
  const pinned = await session.all(select(Note).where(sql`${Note.c.pinned}`));
  console.log("pinned:", pinned.map((n) => `${n.body} (${typeof n.pinned})`).join(", "));
  console.log("created is a Date:", pinned[0].created instanceof Date);
}
console.log("notes:", await engine.scalar(sql`SELECT count(*) FROM ${Note}`));

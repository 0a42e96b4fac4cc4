/**
 * Index names past PostgreSQL's 63 bytes: two long names that begin alike stay two indexes
 * (a hash of the whole name ends each cut name), and a migration check after createAll finds
 * nothing to do.
 */
import assert from "node:assert/strict";
import { column, Model, sql } from "../mod.ts";
import { checkSchema } from "../migrate.ts";
import { dbTest } from "./_db.ts";

class Event extends Model("events_of_the_processing_pipeline_for_year_2024", {
  id: column.integer().primaryKey(),
  processedAtUtc: column.text().index(),
  processedAtLocal: column.text().index(),
}) {}

dbTest("two long index names that begin alike are two indexes", async (db) => {
  const engine = db.engine();
  await engine.createAll([Event]);
  const names = db.dialect === "postgres"
    ? (await engine.all<{ indexname: string }>(
      sql`SELECT indexname FROM pg_indexes WHERE tablename = ${Event.table.name}`,
    )).map((r) => r.indexname)
    : (await engine.all<{ name: string }>(
      sql`SELECT name FROM pragma_index_list(${Event.table.name})`,
    )).map((r) => r.name);
  const ix = names.filter((n) => n.startsWith("ix_")).sort();
  assert.equal(ix.length, 2, `two indexes, got ${JSON.stringify(names)}`);
  for (const n of ix) assert.ok(new TextEncoder().encode(n).length <= 63, n);
  assert.notEqual(ix[0], ix[1]);
  assert.equal((await checkSchema(engine, [Event])).ok, true);
});

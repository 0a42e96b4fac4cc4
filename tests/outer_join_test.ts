/**
 * The other side of a LEFT JOIN: `orNull(column)` types it as possibly NULL and decodes it as
 * the column, on every database.
 */
import assert from "node:assert/strict";
import { column, orNull, select, sql, table } from "../mod.ts";
import { dbTest } from "./_db.ts";

const people = table("oj_people", { id: column.integer().primaryKey(), name: column.text() });
const visits = table("oj_visits", {
  id: column.integer().primaryKey(),
  at: column.timestamptz(),
  personId: column.integer().references(() => people.c.id),
});

dbTest("orNull: a left join's missing side is null, a present one decoded", async (db) => {
  const engine = db.engine();
  await engine.createAll([people, visits]);
  await engine.run(sql`INSERT INTO oj_people (id, name) VALUES (1, 'ann'), (2, 'bo')`);
  const at = new Date("2024-03-01T10:00:00.000Z");
  await engine.run(sql`INSERT INTO oj_visits (id, at, person_id) VALUES (1, ${at}, 1)`);
  const q = select({ name: people.c.name, at: orNull(visits.c.at) })
    .from(people).leftJoin(visits).orderBy(people.c.id);
  const rows = await engine.all(q);
  const first: Date | null = rows[0].at;
  assert.ok(first instanceof Date && first.getTime() === at.getTime(), "decoded as the column");
  assert.equal(rows[1].at, null);
  assert.deepEqual(rows.map((r) => r.name), ["ann", "bo"]);
});

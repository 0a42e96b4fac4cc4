/**
 * Under `hideParameters: true`, no parameter's value is anywhere in what an error holds: not
 * in `error.params`, not in its message or stack, not in its cause (PostgreSQL echoes a value
 * it refuses, `invalid input syntax for type integer: "secret"`, and puts it in the detail,
 * `Key (name)=(secret) already exists.`; postgres.js keeps the parameters on its error). The
 * test walks every string reachable from the error, through own properties enumerable or not.
 */
import assert from "node:assert/strict";
import { column, DatabaseError, insert, sql, table } from "../mod.ts";
import { scopedTest } from "./_db.ts";
import { strings } from "./_strings.ts";

const SECRET = "s3cr3t-Value-7f9";

const leaks = (error: unknown): string[] => strings(error).filter((s) => s.includes(SECRET));

const vault = table("hid_vault", {
  id: column.integer().primaryKey(),
  name: column.text().unique(),
  note: column.text(),
  mood: column.enum(["calm", "busy"]).nullable(),
});

scopedTest(
  "hideParameters: no value in an error's message, stack or cause",
  async ({ db, open }) => {
    const hidden = open({ hideParameters: true });
    const shown = open();
    await hidden.createTable(vault);
    await hidden.run(insert(vault).values({ id: 1, name: SECRET, note: SECRET }));
    const pg = db.dialect === "postgres";
    const failing: [string, (e: typeof hidden) => Promise<unknown>][] = [
      ["unique", (e) => e.run(insert(vault).values({ id: 2, name: SECRET, note: "x" }))],
      [
        "primary key",
        (e) => e.run(sql`INSERT INTO ${vault} VALUES (${1}, ${"b"}, ${SECRET}, NULL)`),
      ],
      [
        "not null",
        (e) => e.run(sql`INSERT INTO ${vault} (id, name, note) VALUES (3, ${SECRET}, NULL)`),
      ],
      ["check", (e) => e.run(sql`INSERT INTO ${vault} VALUES (4, 'c', ${SECRET}, ${SECRET})`)],
      [
        "json",
        (e) => e.all(pg ? sql`SELECT ${`{"a": ${SECRET}}`}::json` : sql`SELECT json(${SECRET})`),
      ],
      ["missing column", (e) => e.all(sql`SELECT nope FROM ${vault} WHERE name = ${SECRET}`)],
    ];
    if (pg) {
      failing.push(
        ["integer", (e) => e.all(sql`SELECT ${SECRET}::int`)],
        ["date", (e) => e.all(sql`SELECT ${SECRET}::date`)],
        ["array", (e) => e.all(sql`SELECT ${`{${SECRET}`}::int[]`)],
        ["uuid", (e) => e.all(sql`SELECT ${SECRET}::uuid`)],
      );
    }
    for (const [what, attempt] of failing) {
      let error: unknown;
      try {
        await attempt(hidden);
      } catch (e) {
        error = e;
      }
      assert(error instanceof DatabaseError, `${what}: expected a DatabaseError, got ${error}`);
      assert.equal(error.params, undefined, what);
      assert.deepEqual(leaks(error), [], `${what}: the value is in the error`);
      assert(error.message.length > 10, what);
    }
    // The same errors, without hideParameters, do hold the value (so the walk above can find it).
    let shownError: unknown;
    try {
      await shown.run(insert(vault).values({ id: 2, name: SECRET, note: "x" }));
    } catch (e) {
      shownError = e;
    }
    assert(leaks(shownError).length > 0);
    if (pg) {
      const e = await shown.all(sql`SELECT ${SECRET}::int`).catch((e) => e);
      assert.match((e as Error).message, new RegExp(SECRET));
      const h = await hidden.all(sql`SELECT ${SECRET}::int`).catch((e) => e);
      assert.equal((h as Error).message, 'invalid input syntax for type integer: "[hidden]"');
      assert.equal((h as DatabaseError).code, "22P02");
    }
  },
);

scopedTest(
  "hideParameters: bytes stay out of errors, in the hex a server prints",
  async ({ db, open }) => {
    const hidden = open({ hideParameters: true });
    const bytes = new TextEncoder().encode("s3cr3t");
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const failing = db.dialect === "postgres"
      ? sql`SELECT ${bytes}::text::int`
      : sql`SELECT length(${bytes}) + json('{')`;
    const error = await hidden.all(failing).then(() => null, (e) => e);
    assert.ok(error instanceof DatabaseError, `expected a DatabaseError, got ${error}`);
    const found = strings(error).filter((s) => s.includes(hex));
    assert.deepEqual(found, [], "the bytes' hex is hidden");
  },
);

/**
 * Engine ownership: a client passed to createEngine stays open when the engine is disposed,
 * unless `closeClient: true` asks the engine to close it; what the engine opens itself from
 * a URL, it closes.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { createEngine, sql } from "../mod.ts";
import { PG_UP, PG_URL } from "./_db.ts";

const REQUIRE_PG = Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";

Deno.test("a node:sqlite client passed in stays open after dispose, unless closeClient", async () => {
  const db = new DatabaseSync(":memory:");
  {
    await using engine = createEngine(db);
    assert.equal(await engine.scalar(sql`SELECT ${1}`), 1);
  }
  assert.equal((db.prepare("SELECT 2 AS n").get() as { n: number }).n, 2);
  {
    await using engine = createEngine(db, { closeClient: true });
    assert.equal(await engine.scalar(sql`SELECT ${3}`), 3);
  }
  assert.throws(() => db.prepare("SELECT 4"), /not open|closed/i);
});

Deno.test({
  name: "a postgres.js client passed in stays open after dispose, unless closeClient",
  ignore: !PG_UP && !REQUIRE_PG,
  fn: async () => {
    const client = postgres(PG_URL, { max: 2, onnotice: () => {} });
    try {
      {
        await using engine = createEngine(client);
        assert.equal(await engine.scalar(sql`SELECT ${1}::int`), 1);
      }
      assert.equal((await client`SELECT 2 AS n`)[0].n, 2);
      {
        await using engine = createEngine(client, { closeClient: true });
        assert.equal(await engine.scalar(sql`SELECT ${3}::int`), 3);
      }
      await assert.rejects(async () => await client`SELECT 4`);
    } finally {
      await client.end({ timeout: 1 }).catch(() => {});
    }
  },
});

/**
 * JSON that means what the value means, and secrets that stay secret: a value JSON would drop or
 * change is refused before anything is sent; under hideParameters no parameter value appears in
 * what the engine reports or raises.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  type EchoEntry,
  insert,
  Model,
  select,
  sql,
  table,
} from "../mod.ts";
import { scopedTest } from "./_db.ts";

const docs = table("js_docs", { id: column.integer().primaryKey(), body: column.json() });

const lossy: [string, unknown][] = [
  ["toJSON() giving undefined", { toJSON: () => undefined }],
  ["toJSON() giving a function", { toJSON: () => () => 1 }],
  ["toJSON() giving a symbol", { toJSON: () => Symbol("s") }],
  ["a nested undefined", { a: 1, b: undefined }],
  ["a nested function", { a: () => 1 }],
  ["an undefined in an array", [1, undefined]],
  ["NaN", { n: NaN }],
  ["a bigint", { n: 1n }],
  [
    "a cycle",
    (() => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    })(),
  ],
];

scopedTest(
  "JSON a database cannot hold exactly is an ArgumentError before anything is sent",
  async ({ open }) => {
    const sent: string[] = [];
    const engine = open({ echo: (e) => sent.push(e.text) });
    await engine.createAll([docs]);
    const before = sent.length;
    for (const [what, value] of lossy) {
      assert.throws(() => insert(docs).values({ body: value }), ArgumentError, what);
      assert.throws(() => sql`SELECT ${sql.json(value)}`, ArgumentError, what);
    }
    assert.equal(sent.length, before, "nothing was sent");
    await engine.run(insert(docs).values({ body: { toJSON: () => ({ kept: [1, "two", null] }) } }));
    assert.deepEqual((await engine.one(select(docs.c.body))).body, { kept: [1, "two", null] });
  },
);

class Login extends Model("js_logins", {
  id: column.integer().primaryKey(),
  password: column.varchar(8),
  tries: column.integer().version(),
}) {}

/** Every string reachable from a value: messages, causes, properties, nested. */
function strings(v: unknown, seen = new Set<unknown>()): string[] {
  if (typeof v === "string") return [v];
  if (typeof v !== "object" || v === null || seen.has(v)) return [];
  seen.add(v);
  const out: string[] = [];
  for (const key of Object.getOwnPropertyNames(v)) {
    out.push(...strings((v as Record<string, unknown>)[key], seen));
  }
  if (v instanceof Error) out.push(v.message, ...strings(v.cause, seen));
  return out;
}

scopedTest(
  "under hideParameters no secret appears in echo or in what a flush raises",
  async ({ open }) => {
    const secret = "s3cr3t-pass-9000";
    const entries: EchoEntry[] = [];
    const engine = open({ hideParameters: true, echo: (e) => entries.push(e) });
    await engine.createAll([Login]);
    await using session = engine.session();
    const bad = new Login({ password: secret }); // longer than varchar(8)
    session.add(bad);
    const refused = await session.flush().then(() => null, (e) => e);
    assert.ok(refused instanceof ArgumentError);
    assert.match(refused.message, /Login\.password expects at most 8 characters/);
    assert.ok(!strings(refused).some((s) => s.includes(secret)), refused.message);
    session.expunge(bad); // refused before anything was sent: the session goes on

    const login = new Login({ password: "ok" });
    session.add(login);
    await session.commit();
    await engine.run(sql`UPDATE ${Login} SET ${sql.id("tries")} = 99`); // someone else's write
    login.password = "pw-12345";
    const stale = await session.commit().then(() => null, (e) => e);
    assert.equal(stale?.name, "StaleDataError");
    assert.ok(!strings(stale).some((s) => s.includes("pw-12345")));
    await session.rollback();
    for (const e of entries) {
      assert.ok(e.params === undefined || e.params.length === 0, e.text);
      assert.ok(!strings(e).some((s) => s.includes(secret) || s.includes("pw-12345")), e.text);
    }
  },
);

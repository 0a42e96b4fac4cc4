/**
 * A client passed in (`createEngine(postgres(url))`, `createEngine(new DatabaseSync(path))`)
 * stores and reads every column type exactly as an engine Retort opens from a URL; the
 * client's own settings stay where Retort does not need them changed; clients Retort cannot
 * use (Bun's SQL, a postgres.js client with a result transform) are refused; a missing
 * postgres.js is an OperationalError saying how to install it.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import {
  ArgumentError,
  column,
  createEngine,
  type Engine,
  inList,
  insert,
  Model,
  OperationalError,
  select,
  sql,
  table,
} from "../mod.ts";
import { postgresDriver } from "../dialects/postgres/mod.ts";
import { postgresImportError } from "../dialects/postgres/connect.ts";
import { sqlitePathOf } from "../dialects/sqlite/url.ts";
import { type Db, dbTest } from "./_db.ts";

const COLUMNS = {
  id: column.integer().primaryKey(),
  int: column.integer(),
  big: column.bigint(),
  small: column.bigint(),
  r: column.real(),
  dbl: column.double(),
  n: column.numeric(12, 2),
  t: column.text(),
  v: column.varchar(10),
  b: column.boolean(),
  day: column.date(),
  ts: column.timestamp(),
  tz: column.timestamptz(),
  j: column.json(),
  jb: column.jsonb(),
  js: column.jsonb(),
  u: column.uuid(),
  bytes: column.blob(),
  e: column.enum(["red", "green"]),
};

class Everything extends Model("fxpg_all", COLUMNS) {}
const jsonRows = table("fxpg_json", { id: column.integer().primaryKey(), jb: column.jsonb() });

const VALUES = {
  int: -7,
  big: 9007199254740993n,
  small: 42n,
  r: 1.5,
  dbl: 0.1,
  n: "1234.50",
  t: `it's "quoted" \\ é`,
  v: "short",
  b: true,
  day: new Date("0050-01-02T00:00:00Z"),
  ts: new Date("2001-02-03T04:05:06.789Z"),
  tz: new Date("1999-12-31T23:59:59.123Z"),
  j: [1, { a: "x" }],
  jb: { b: [2], s: "t", n: null },
  js: "just text", // a JSON string: stored as one, not as an object's text
  u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  bytes: new Uint8Array([0, 255, 10]),
  e: "red" as const,
};
type Key = keyof typeof VALUES;
const KEYS = Object.keys(VALUES) as Key[];

/** Each engine to compare, by name: the URL's, and engines on clients passed in. */
interface Contender {
  readonly name: string;
  readonly engine: Engine;
  close(): Promise<void> | void;
}

function contenders(db: Db): Contender[] {
  const byUrl = { name: "url", engine: db.engine(), close: () => {} };
  if (db.dialect === "sqlite") {
    const file = new DatabaseSync(sqlitePathOf(db.url)!);
    return [byUrl, { name: "DatabaseSync", engine: createEngine(file), close: () => file.close() }];
  }
  const own = postgres(db.url, { onnotice: () => {} });
  const noTypes = postgres(db.url, { onnotice: () => {}, fetch_types: false });
  return [
    byUrl,
    { name: "postgres.js", engine: createEngine(own), close: () => own.end() },
    {
      name: "postgres.js fetch_types:false",
      engine: createEngine(noTypes),
      close: () => noTypes.end(),
    },
  ];
}

/** How every column is stored, as SQL sees it: its text, and its JSON's type. */
function storedSql(dialect: "sqlite" | "postgres") {
  const q = (k: string) => sql.id(k);
  const parts = KEYS.map((k) =>
    k === "bytes"
      ? dialect === "postgres"
        ? sql`encode(${q(k)}, 'hex') AS ${q(k)}`
        : sql`hex(${q(k)}) AS ${q(k)}`
      : dialect === "postgres"
      ? sql`${q(k)}::text AS ${q(k)}`
      : sql`CAST(${q(k)} AS TEXT) AS ${q(k)}`
  );
  const types = dialect === "postgres"
    ? sql`json_typeof(j) AS j_type, jsonb_typeof(jb) AS jb_type, jsonb_typeof(js) AS js_type`
    : sql`json_type(j) AS j_type, json_type(jb) AS jb_type, json_type(js) AS js_type`;
  return sql`SELECT id, ${sql.join(parts, sql`, `)}, ${types} FROM ${Everything} ORDER BY id`;
}

/** Raw values of every kind, as the engine's driver decodes them. */
function rawSql(dialect: "sqlite" | "postgres") {
  if (dialect === "sqlite") {
    return sql`SELECT 9007199254740993 AS big, 5 AS small, count(*) AS c, ${sql.json({ a: 1 })}
      AS j, 1.5 AS n, x'00ff' AS b, ${new Uint8Array([1, 2])} AS p FROM ${Everything}`;
  }
  return sql`SELECT 9007199254740993::int8 AS big, 5::int8 AS small, count(*) AS c,
    '{"a":1}'::jsonb AS jb, '[1]'::json AS j, 1.50::numeric AS n, '\\x00ff'::bytea AS b,
    ${new Uint8Array([1, 2])}::bytea AS p, '0001-01-01'::date AS d,
    '2001-02-03 04:05:06.789'::timestamp AS ts, ARRAY[1, NULL]::int[] AS ints,
    ARRAY['x', NULL, 'NULL']::text[] AS texts, ARRAY[1, 9007199254740993]::int8[] AS bigs,
    ARRAY['{"a":1}']::jsonb[] AS jsons, ARRAY['0001-01-01']::date[] AS days,
    ${[1, 2, 3]}::int[] AS param_ints, ${["a", "b,c", 'q"u']}::text[] AS param_texts,
    ${[true, false]}::boolean[] AS param_bools, ${[new Date("0050-01-02T00:00:00Z")]}::date[]
    AS param_days, jsonb_typeof(${sql.json({ a: 2 })}) AS json_param,
    jsonb_typeof(${sql.json("s")}::jsonb) AS json_string_param FROM ${Everything}`;
}

dbTest(
  "pg client: a client passed in stores and reads every column type as a URL engine does",
  async (db) => {
    const all = contenders(db);
    const [byUrl] = all;
    try {
      await byUrl.engine.createAll([Everything, jsonRows]);
      // Each writes two rows (by the ORM, by Core's insert) and JSON by sql.json.
      for (const [i, c] of all.entries()) {
        const s = c.engine.session();
        s.add(new Everything({ id: 10 * i + 1, ...VALUES }));
        await s.commit();
        await s.close();
        await c.engine.run(insert(Everything).values({ id: 10 * i + 2, ...VALUES }));
        await c.engine.run(insert(jsonRows).values({ id: 10 * i + 1, jb: { a: 1 } }));
        await c.engine.run(sql`INSERT INTO ${jsonRows} (id, jb) VALUES (${10 * i + 2},
          ${sql.json({ a: 2 })})`);
      }

      // Stored: the same SQL values whoever wrote them, and JSON as JSON values.
      const stored = await byUrl.engine.all<Record<string, unknown>>(storedSql(db.dialect));
      assert.equal(stored.length, 2 * all.length);
      const { id: _, ...first } = stored[0];
      for (const row of stored) {
        const { id, ...rest } = row;
        assert.deepEqual(rest, first, `row ${id} is stored as the URL engine's is`);
      }
      const stringType = db.dialect === "postgres" ? "string" : "text";
      assert.deepEqual([first.j_type, first.jb_type, first.js_type], [
        "array",
        "object",
        stringType,
      ]);
      const jsonType = db.dialect === "postgres" ? sql`jsonb_typeof(jb)` : sql`json_type(jb)`;
      const types = await byUrl.engine.all(sql`SELECT DISTINCT ${jsonType} AS t FROM ${jsonRows}`);
      assert.deepEqual(types, [{ t: "object" }]);

      // Read: the values written, by every engine, through the ORM, Core and raw SQL.
      let raw: unknown;
      for (const c of all) {
        const s = c.engine.session();
        const objects = await s.all(select(Everything).orderBy(Everything.c.id));
        await s.close();
        const rows = await c.engine.all(select(Everything).orderBy(Everything.c.id));
        assert.equal(objects.length, stored.length);
        for (const [o, row] of objects.map((o, i) => [o, rows[i]] as const)) {
          for (const k of KEYS) {
            assert.deepEqual(o[k], VALUES[k], `${c.name} ORM reads ${k}`);
            assert.deepEqual(row[k], VALUES[k], `${c.name} Core reads ${k}`);
          }
        }
        const jsons = await c.engine.all(select(jsonRows.c.jb).orderBy(jsonRows.c.id));
        assert.deepEqual(jsons.map((r) => r.jb), all.flatMap(() => [{ a: 1 }, { a: 2 }]));
        const mine = await c.engine.one(rawSql(db.dialect));
        if (raw === undefined) raw = mine;
        else assert.deepEqual(mine, raw, `${c.name} decodes raw values as the URL engine does`);
        // A long IN list goes as one array parameter on PostgreSQL.
        const ids = Array.from({ length: 20_000 }, (_, i) => i);
        const hits = await c.engine.all(
          select(Everything.c.id).where(inList(Everything.c.id, ids)),
        );
        assert.equal(hits.length, stored.length, `${c.name} runs a long IN list`);
      }
      if (db.dialect === "postgres") {
        const r = raw as Record<string, unknown>;
        assert.deepEqual(
          [r.big, r.small, r.c, r.ints, r.texts, r.bigs, r.jsons, r.json_param],
          [
            9007199254740993n,
            5,
            stored.length,
            [1, null],
            ["x", null, "NULL"],
            [
              1,
              9007199254740993n,
            ],
            [{ a: 1 }],
            "object",
          ],
        );
        assert.equal(r.json_string_param, "string");
        assert.deepEqual(r.param_texts, ["a", "b,c", 'q"u']);
        assert.deepEqual((r.days as Date[])[0].toISOString(), "0001-01-01T00:00:00.000Z");
        assert.deepEqual((r.param_days as Date[])[0].toISOString(), "0050-01-02T00:00:00.000Z");
      }
    } finally {
      for (const c of all.slice(1)) {
        await c.engine.dispose();
        await c.close();
      }
    }
  },
  { on: ["sqlite-file", "postgres"] },
);

dbTest(
  "pg client: the client's own settings stay where Retort does not need them changed",
  async (db) => {
    const replacerCalls: unknown[] = [];
    const onnotice = () => {};
    const client = postgres(db.url, {
      max: 3,
      onnotice,
      types: {
        bigint: postgres.BigInt,
        json: {
          to: 114,
          from: [114, 3802],
          serialize: (x: unknown) => (replacerCalls.push(x), JSON.stringify(x)),
          parse: (x: string) => ({ parsed: JSON.parse(x) }),
        },
      },
    });
    try {
      const engine = createEngine(client);
      const again = createEngine(client); // installing twice changes nothing more
      assert.equal(engine.poolSize, 3);
      assert.equal(await engine.scalar(sql`SELECT 5::int8`), 5n, "postgres.BigInt stays");
      assert.deepEqual(await engine.scalar(sql`SELECT '[1]'::jsonb`), { parsed: [1] });
      // Retort's JSON text is sent as it is; anything else goes to the client's serializer.
      await again.run(sql`CREATE TABLE fxpg_own (id int PRIMARY KEY, jb jsonb)`);
      await again.run(sql`INSERT INTO fxpg_own VALUES (1, ${sql.json({ a: 1 })})`);
      await client.unsafe("INSERT INTO fxpg_own VALUES (2, $1)", [{ b: 2 } as never]);
      assert.deepEqual(replacerCalls, [{ b: 2 }]);
      assert.deepEqual(
        await engine.all(sql`SELECT jsonb_typeof(jb) AS t, jb::text AS text FROM fxpg_own
          ORDER BY id`),
        [{ t: "object", text: '{"a": 1}' }, { t: "object", text: '{"b": 2}' }],
      );
      assert.equal(client.options.onnotice, onnotice);
      assert.equal(client.options.max, 3);
      await engine.dispose();
      await again.dispose();
    } finally {
      await client.end();
    }
  },
  { on: ["postgres"] },
);

Deno.test("pg client: a postgres.js client with a result transform is refused", async () => {
  const url = "postgres://postgres@127.0.0.1:5432/test";
  const camel = postgres(url, { transform: postgres.camel });
  const rows = postgres(url, { transform: { row: (r: unknown) => r } as never });
  const undefinedAsNull = postgres(url, { transform: { undefined: null } });
  try {
    for (const client of [camel, rows]) {
      assert.throws(() => createEngine(client), (e: Error) => {
        assert(e instanceof ArgumentError);
        assert.match(e.message, /transform/);
        assert.match(e.message, /without `transform`/);
        return true;
      });
      assert.throws(() => postgresDriver(client), ArgumentError);
    }
    await createEngine(undefinedAsNull).dispose(); // changes no result: accepted
  } finally {
    for (const c of [camel, rows, undefinedAsNull]) await c.end();
  }
});

Deno.test("pg client: clients shaped like postgres.js that are not it are refused", () => {
  const lookalike = (options: Record<string, unknown>) =>
    Object.assign(() => {}, {
      unsafe: () => Promise.resolve([]),
      reserve: () => Promise.resolve({}),
      begin: () => {},
      end: () => Promise.resolve(),
      close: () => Promise.resolve(),
      options,
    });
  // Bun's SQL: postgres.js's methods, Bun's options.
  const bun = lookalike({ adapter: "postgres", max: 10 });
  const other = lookalike({ max: 10 });
  for (const [client, what] of [[bun, /Bun's own SQL client/], [other, /not a postgres\.js/]]) {
    assert.throws(() => createEngine(client as never), (e: Error) => {
      assert(e instanceof ArgumentError);
      assert.match(e.message, what as RegExp);
      assert.match(e.message, /a postgres\.js client .* or a postgres:\/\/ URL/);
      return true;
    });
    assert.throws(() => postgresDriver(client as never), ArgumentError);
  }
  assert.throws(() => createEngine({} as never), /got a plain object\./);
  assert.throws(() => createEngine(new Map() as never), /got an object of class Map\./);
  assert.throws(() => createEngine(42 as never), /got a number\./);
});

Deno.test("pg client: a missing postgres.js is an OperationalError saying how to add it", () => {
  const notFound = [
    // Node.js, Bun, Deno
    Object.assign(new Error("Cannot find package 'postgres' imported from /app/chunk.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    }),
    Object.assign(new Error("Cannot find package 'postgres' from '/app/x.ts'"), {
      code: "ERR_MODULE_NOT_FOUND",
    }),
    Object.assign(new TypeError('Import "postgres" not a dependency'), {
      code: "ERR_MODULE_NOT_FOUND",
    }),
  ];
  for (const error of notFound) {
    const e = postgresImportError(error);
    assert(e instanceof OperationalError, String(e));
    assert.equal(e.code, "DRIVER_MISSING");
    assert.equal(e.cause, error);
    assert.match(e.message, /postgres\.js/);
    assert.match(e.message, /deno add npm:postgres/); // this runs on Deno
  }
  // Other errors stay themselves: another package missing, postgres.js failing to load.
  const other = Object.assign(new Error("Cannot find package 'pg' imported from /app/a.js"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
  const broken = new SyntaxError("Unexpected token in postgres/src/index.js");
  for (const error of [other, broken]) assert.equal(postgresImportError(error), error);
});

Deno.test("pg client: a postgres:// URL where postgres.js cannot load fails on first use", async () => {
  // Without deno.json's import map, `import("postgres")` cannot resolve.
  const dir = await Deno.makeTempDir({ prefix: "fxpg-" });
  const script = `${dir}/main.ts`;
  const mod = new URL("../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { createEngine, OperationalError, sql } from ${JSON.stringify(mod)};
const engine = createEngine("postgres://postgres@127.0.0.1:5432/test");
try {
  await engine.scalar(sql\`SELECT 1\`);
  console.log("ran");
} catch (e) {
  console.log(JSON.stringify({ typed: e instanceof OperationalError, code: e.code, message: e.message }));
}
await engine.dispose();
`,
  );
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-lock", "-A", script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(text);
    assert.equal(result.typed, true);
    assert.equal(result.code, "DRIVER_MISSING");
    assert.match(result.message, /deno add npm:postgres/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

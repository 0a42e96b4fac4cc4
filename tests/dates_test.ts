/**
 * Dates and times read back exactly on both databases, whatever the process's time zone:
 *
 * - PostgreSQL: years 1 to 99 and BC (postgres.js's own parser makes 0001-01-01 2001-01-01 and
 *   BC an Invalid Date); a `timestamp` is its wall-clock time read as UTC, also in a
 *   spring-forward gap of the process's zone;
 * - SQLite: `CURRENT_TIMESTAMP` and `datetime('now')` defaults (UTC without a zone) read as UTC;
 * - both: a Date outside the years 0000 (1 BC) to 9999 is refused with an ArgumentError before
 *   anything is sent.
 *
 * The module runs once in the test process and again in subprocesses under several `TZ`
 * values (and, on PostgreSQL, with the session's TimeZone set to the same zone).
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  createEngine,
  DataError,
  eq,
  insert,
  select,
  sql,
  table,
} from "../mod.ts";
import { dbTest, scopedTest, statementLog } from "./_db.ts";

const TZ = Deno.env.get("TZ") ?? "";
const CHILD = Deno.env.get("RETORT_TZ_CHILD") === "1";
const ZONES = ["UTC", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"];

const when = table("dt_when", {
  id: column.integer().primaryKey(),
  day: column.date().nullable(),
  at: column.timestamp().nullable(),
  atTz: column.timestamptz().nullable(),
});

const utc = (iso: string): Date => new Date(iso);
/** A Date in a year below 100, which `new Date(y, ...)` and `Date.UTC` would move to 19yy. */
const year = (y: number, iso = "-01-01T00:00:00.000Z"): Date => {
  const d = new Date(`2000${iso}`);
  d.setUTCFullYear(y);
  return d;
};

const VALUES: [string, Date][] = [
  ["0001-01-01, a common sentinel", year(1)],
  ["year 50, midday", year(50, "-06-15T12:34:56.789Z")],
  ["1 BC (the year 0)", year(0, "-03-01T00:00:00.000Z")],
  ["New York's spring-forward gap", utc("2024-03-10T02:30:00.000Z")],
  ["Auckland's spring-forward gap", utc("2024-09-29T02:30:00.000Z")],
  ["9999-12-31", utc("9999-12-31T23:59:59.999Z")],
];

/** The database's URL; on PostgreSQL, with the session in the process's time zone too. */
function urlFor(db: { url: string; dialect: string }): string {
  if (db.dialect !== "postgres" || TZ === "" || db.url.startsWith("pglite")) return db.url;
  return `${db.url}${db.url.includes("?") ? "&" : "?"}TimeZone=${encodeURIComponent(TZ)}`;
}

scopedTest(`dates: exact round trips (TZ=${TZ || "unset"})`, async ({ db, open }) => {
  const engine = db.kind === "postgres" ? open() : db.engine();
  const zoned = db.kind === "postgres" ? createEngine(urlFor(db)) : engine;
  try {
    await engine.createTable(when);
    let id = 0;
    for (const [what, value] of VALUES) {
      id++;
      const day = new Date(value);
      day.setUTCHours(0, 0, 0, 0);
      await zoned.run(insert(when).values({ id, day, at: value, atTz: value }));
      const row = await zoned.one(select(when).where(eq(when.c.id, id)));
      assert.equal(row.day?.toISOString(), day.toISOString(), `${what}: date`);
      assert.equal(row.at?.toISOString(), value.toISOString(), `${what}: timestamp`);
      assert.equal(row.atTz?.toISOString(), value.toISOString(), `${what}: timestamptz`);
      // The value also finds its row, bound as a parameter.
      assert.equal(await zoned.scalar(select(when.c.id).where(eq(when.c.at, value))), id, what);
      if (db.dialect === "postgres") {
        // Raw SQL: the driver's own parsers, with no column types.
        const raw = await zoned.one<Record<string, Date>>(
          sql`SELECT day, at, at_tz FROM ${when} WHERE id = ${id}`,
        );
        assert.equal(raw.day.toISOString(), day.toISOString(), `${what}: raw date`);
        assert.equal(raw.at.toISOString(), value.toISOString(), `${what}: raw timestamp`);
        assert.equal(raw.at_tz.toISOString(), value.toISOString(), `${what}: raw timestamptz`);
      }
    }
    if (db.dialect === "postgres") {
      // 1 BC is stored as PostgreSQL writes it.
      assert.equal(
        await zoned.scalar(sql`SELECT day::text FROM ${when} WHERE id = 3`),
        "0001-03-01 BC",
      );
    } else {
      assert.equal(
        await engine.scalar(sql`SELECT at FROM ${when} WHERE id = 3`),
        "0000-03-01T00:00:00.000Z",
      );
    }
  } finally {
    if (zoned !== engine) await zoned.dispose();
  }
});

dbTest(
  `dates: PostgreSQL reads years 1 to 99 and BC written in SQL (TZ=${TZ || "unset"})`,
  async (db) => {
    const engine = createEngine(urlFor(db));
    try {
      const row = await engine.one<Record<string, Date>>(sql`SELECT
      '0001-01-01'::date AS sentinel,
      '0044-03-15 BC'::date AS ides,
      '0001-01-01 00:00:00+00'::timestamptz AS first,
      '0044-03-15 12:00:00 BC'::timestamp AS noon,
      '0044-03-15 12:00:00+00 BC'::timestamptz AS noon_tz,
      '2024-03-10 02:30:00'::timestamp AS gap`);
      assert.equal(row.sentinel.toISOString(), "0001-01-01T00:00:00.000Z");
      assert.equal(row.ides.toISOString(), "-000043-03-15T00:00:00.000Z"); // 44 BC is year -43
      assert.equal(row.first.toISOString(), "0001-01-01T00:00:00.000Z");
      assert.equal(row.noon.toISOString(), "-000043-03-15T12:00:00.000Z");
      assert.equal(row.noon_tz.toISOString(), "-000043-03-15T12:00:00.000Z");
      assert.equal(row.gap.toISOString(), "2024-03-10T02:30:00.000Z");
    } finally {
      await engine.dispose();
    }
  },
  { on: ["postgres"] },
);

scopedTest(
  "dates: outside the years 0000 to 9999, refused on both before anything is sent",
  async ({ open }) => {
    const log = statementLog();
    const engine = open({ echo: log.echo });
    await engine.createTable(when);
    const sent = log.texts.length;
    const outside = [year(-1), year(10000), utc("+275760-09-13T00:00:00.000Z")];
    for (const value of outside) {
      for (const key of ["day", "at", "atTz"] as const) {
        await assert.rejects(
          async () => await engine.run(insert(when).values({ id: 1, [key]: value })),
          (e) => e instanceof ArgumentError && /years 0000 \(1 BC\) to 9999/.test(e.message),
          `${key} ${value.toISOString()}`,
        );
      }
    }
    assert.equal(log.texts.length, sent, "nothing was sent");
    // A Date bound in SQL of one's own is refused by the driver, before the database sees it.
    for (const value of outside) {
      await assert.rejects(
        async () => await engine.all(sql`SELECT ${value} AS v`),
        (e) => e instanceof ArgumentError && /A Date parameter/.test(e.message),
      );
      await assert.rejects(
        engine.all(sql`SELECT 1 WHERE ${value} IN ${sql.list([value])}`),
        ArgumentError,
      );
    }
  },
);

dbTest("dates: SQLite's CURRENT_TIMESTAMP and datetime('now') defaults read as UTC", async (db) => {
  const engine = db.engine();
  const stamped = table("dt_stamped", {
    id: column.integer().primaryKey(),
    a: column.timestamp().serverDefault(sql`CURRENT_TIMESTAMP`),
    b: column.timestamptz().serverDefault(sql`(datetime('now'))`),
    c: column.date().serverDefault(sql`CURRENT_DATE`),
  });
  await engine.createTable(stamped);
  await engine.run(sql`INSERT INTO ${stamped} (id) VALUES (1)`);
  const row = await engine.one(select(stamped));
  // What SQLite itself says the text means, in seconds since the epoch (UTC).
  const epoch = await engine.one<{ a: number; b: number; c: number }>(
    sql`SELECT unixepoch(a) AS a, unixepoch(b) AS b, unixepoch(c) AS c FROM ${stamped}`,
  );
  assert.equal(row.a.getTime(), epoch.a * 1000);
  assert.equal(row.b.getTime(), epoch.b * 1000);
  assert.equal(row.c.getTime(), epoch.c * 1000);
  assert.match(
    String(await engine.scalar(sql`SELECT a FROM ${stamped}`)),
    /^\d{4}-\d\d-\d\d \d\d:/,
  );
}, { on: ["sqlite", "sqlite-file"] });

Deno.test({
  name: "dates: the same answers under TZ=UTC, America/New_York, Pacific/Auckland, Asia/Kolkata",
  ignore: CHILD,
  fn: async () => {
    const here = new URL("./dates_test.ts", import.meta.url).pathname;
    const runs = ZONES.map(async (zone) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["test", "-A", "--no-check=remote", "--filter", "dates:", here],
        env: { TZ: zone, RETORT_TZ_CHILD: "1", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      const summary = /(\d+) passed \| (\d+) failed/.exec(text);
      assert(out.success && summary !== null, `TZ=${zone}:\n  ${text.replaceAll("\n", "\n  ")}`);
      assert(text.includes(`TZ=${zone}`), `TZ=${zone}: the child did not see its zone`);
      return Number(summary[1]);
    });
    const passed = await Promise.all(runs);
    assert(passed.every((n) => n >= 4), `too few tests ran: ${passed.join(", ")}`);
  },
});

dbTest(
  `dates: a postgres.js instance passed in gets Retort's parsers (TZ=${TZ || "unset"})`,
  async (db) => {
    const { default: postgres } = await import("postgres");
    const plain = postgres(urlFor(db), { max: 1, onnotice: () => {} });
    // One that parses dates itself is left as it is.
    const own = postgres(urlFor(db), {
      max: 1,
      onnotice: () => {},
      types: {
        day: { to: 1082, from: [1082], serialize: String, parse: (x: string) => `day ${x}` },
      },
    });
    try {
      await using engine = createEngine(plain);
      const d = await engine.scalar<Date>(sql`SELECT '0001-01-01'::date`);
      assert.equal(d.toISOString(), "0001-01-01T00:00:00.000Z");
      const bc = await engine.scalar<Date>(sql`SELECT '0044-03-15 12:00:00+00 BC'::timestamptz`);
      assert.equal(bc.toISOString(), "-000043-03-15T12:00:00.000Z");
      await using mine = createEngine(own);
      assert.equal(await mine.scalar(sql`SELECT '0001-01-01'::date`), "day 0001-01-01");
    } finally {
      await plain.end();
      await own.end();
    }
  },
  { on: ["postgres"] },
);

Deno.test("dates: SQLite text no Date reads is a DataError, never an Invalid Date", async () => {
  const t = table("dt_unreadable", {
    id: column.integer().primaryKey(),
    at: column.timestamptz(),
    day: column.date(),
  });
  await using engine = createEngine("sqlite::memory:");
  await engine.createAll([t]);
  await engine.run(sql`INSERT INTO dt_unreadable VALUES (1, 'infinity', '2024-01-01')`);
  await engine.run(sql`INSERT INTO dt_unreadable VALUES (2, '2024-01-01T00:00:00Z', 'x')`);
  for (const id of [1, 2]) {
    await assert.rejects(
      engine.all(select(t).where(eq(t.c.id, id))),
      (e) => e instanceof DataError && /is not a date: select it as text/.test(e.message),
    );
  }
  assert.equal(await engine.scalar(sql`SELECT 1`), 1, "the connection goes on");
});

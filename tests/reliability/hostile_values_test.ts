/**
 * Hostile values: at least 10,000 generated strings (quotes, backslashes, NUL, lone
 * surrogates, `?`, `$1`, `:name`, `--`, `/*`, megabyte-long strings) and byte strings, in
 * every value position — `sql` parameters, builder inserts, updates and conditions, ORM
 * attributes through flush, `session.get` keys — on both dialects. Each value round-trips
 * byte for byte or fails with a typed error, and no statement text ever holds a value: every
 * text the engine sends is checked to be template text only.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  asc,
  type Column,
  column,
  DataError,
  type Engine,
  eq,
  inList,
  insert,
  Model,
  PendingRollbackError,
  RetortError,
  select,
  sql,
  table,
  update,
} from "../../mod.ts";
import {
  type Fate,
  fateOf,
  hostileBytes,
  hostileStrings,
  megabyteString,
  type RelDb,
  relTest,
  rngFor,
  sameBytes,
  scale,
  show,
  StatementLog,
  templateOnly,
} from "./_support.ts";

const rng = rngFor("hostile values");
/** Text columns per row: each statement carries several values. */
const W = 8;
const STRINGS = hostileStrings(scale(13_000, 130_000), rng);
const BIG = [megabyteString(rng), megabyteString(rng, (1 << 20) + 7) + "😀'", "'".repeat(1 << 20)];
const BIG_BYTES = [Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + 7) & 0xff)];
const OK = STRINGS.filter((s) => fateOf(s) === "ok");
const BAD = STRINGS.filter((s) => fateOf(s) !== "ok");
const ROWS = Math.ceil(OK.length / W);
const BYTES = hostileBytes(ROWS, rng);

interface Row {
  k: number;
  s: (string | null)[];
  b: Uint8Array | null;
}

/** The OK strings laid out W to a row, each row with a byte string; `shift` permutes them. */
function layout(shift = 0): Row[] {
  const rows: Row[] = [];
  for (let r = 0; r < ROWS; r++) {
    const s: (string | null)[] = [];
    for (let i = 0; i < W; i++) {
      const n = r * W + i;
      s.push(n < OK.length ? OK[(n + shift) % OK.length] : null);
    }
    rows.push({ k: r + 1, s, b: BYTES[(r + shift) % BYTES.length] });
  }
  return rows;
}

const S = Array.from({ length: W }, (_, i) => `s${i}`);
function columns(): Record<string, Column> {
  const cols: Record<string, Column> = { k: column.integer().primaryKey().autoincrement(false) };
  for (const name of S) cols[name] = column.text().nullable();
  cols.b = column.blob().nullable();
  return cols;
}
const Tag = table("rel_hv_tag", columns());
const Built = table("rel_hv_built", columns());
class Wide extends Model("rel_hv_orm", columns()) {}
class Keyed extends Model("rel_hv_keyed", {
  key: column.text().primaryKey(),
  n: column.integer(),
}) {}

const IDS = new Set([
  "rel_hv_tag",
  "rel_hv_built",
  "rel_hv_orm",
  "rel_hv_keyed",
  "k",
  "b",
  "key",
  "v",
  "n",
  ...S,
]);

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Opens an engine whose every statement text is checked, and creates the tables. */
async function setUp(db: RelDb): Promise<{ engine: Engine; log: StatementLog }> {
  const log = new StatementLog();
  const engine = db.open({ echo: log.echo });
  await engine.createAll([Tag, Built, Wide, Keyed]);
  log.expect((text) => templateOnly(text, IDS));
  return { engine, log };
}

/** Asserts that a log saw only template text. */
function assertNoValueInText(log: StatementLog): void {
  assert.deepEqual(log.bad, [], "statement texts that are not template text only");
}

/** Compares rows read back (by column name) with the rows written. */
function assertRows(actual: Record<string, unknown>[], expected: Row[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  let checked = 0;
  for (let r = 0; r < expected.length; r++) {
    const row = actual[r];
    const want = expected[r];
    assert.equal(Number(row.k), want.k, `${what}: key order`);
    for (let i = 0; i < W; i++) {
      const got = row[S[i]];
      if (want.s[i] === null) assert.equal(got, null);
      else if (!sameBytes(got, want.s[i])) {
        assert.fail(`${what}: ${show(want.s[i])} came back as ${show(got)}`);
      }
      checked++;
    }
    if (!sameBytes(row.b, want.b)) {
      assert.fail(`${what}: bytes ${show(want.b)} came back as ${show(row.b)}`);
    }
  }
  assert.ok(checked >= OK.length);
}

/** Runs `attempt` and asserts the fate: it succeeds, or fails with the expected class. */
async function expectFate(
  fate: Fate,
  value: string,
  log: StatementLog,
  attempt: () => Promise<unknown>,
): Promise<void> {
  const before = log.count;
  if (fate === "ok") {
    await attempt();
    return;
  }
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof fate)) {
      assert.fail(`${show(value)}: expected ${fate.name}, got ${error}`);
    }
    // Refused before sending: no statement went out.
    if (fate === ArgumentError) assert.equal(log.count, before, `${show(value)} was sent`);
    return;
  }
  assert.fail(`${show(value)} was accepted; expected ${fate.name}`);
}

const ON = { on: ["sqlite", "postgres"] as ("sqlite" | "postgres")[] };

relTest("hostile values: sql tag parameters round-trip or fail typed", async (db) => {
  const { engine, log } = await setUp(db);
  const rows = layout();
  const names = sql.join(["k", ...S, "b"].map((n) => sql.id(n)));
  for (const chunk of chunks(rows, 200)) {
    await engine.run(
      sql`INSERT INTO ${Tag} (${names}) VALUES ${
        sql.join(chunk.map((r) => sql`(${sql.join([r.k, ...r.s, r.b])})`))
      }`,
    );
  }
  const back = await engine.all(sql`SELECT * FROM ${Tag} ORDER BY ${sql.id("k")}`);
  assertRows(back, rows, "sql tag");

  // In conditions: IN lists and equality find exactly the rows holding the values.
  for (let i = 0; i < W; i++) {
    const col = sql.id(S[i]);
    const column = rows.map((r) => r.s[i]).filter((v): v is string => v !== null);
    for (const chunk of chunks(column, 500)) {
      const found = await engine.all<{ v: string }>(
        sql`SELECT ${col} AS ${sql.id("v")} FROM ${Tag} WHERE ${col} IN ${sql.list(chunk)}`,
      );
      const wanted = new Set(chunk);
      assert.ok(found.length >= chunk.length);
      for (const f of found) assert.ok(wanted.has(f.v), `IN matched ${show(f.v)}`);
    }
  }
  for (const v of column0Sample(rows)) {
    const n = await engine.scalar(sql`SELECT count(*) FROM ${Tag} WHERE ${sql.id("s0")} = ${v}`);
    assert.ok(Number(n) >= 1, `= ${show(v)} matched nothing`);
  }

  // Megabyte strings and bytes, one a statement.
  let k = ROWS + 1;
  for (const big of [...BIG, ...BIG_BYTES]) {
    const col = typeof big === "string" ? sql.id("s0") : sql.id("b");
    await engine.run(sql`INSERT INTO ${Tag} (${sql.id("k")}, ${col}) VALUES (${k}, ${big})`);
    const got = await engine.scalar(sql`SELECT ${col} FROM ${Tag} WHERE ${sql.id("k")} = ${k}`);
    assert.ok(sameBytes(got, big), `a ${show(big)} value did not round-trip`);
    k++;
  }

  // Values no database stores exactly: refused, in a value and in a condition.
  for (const bad of BAD) {
    const fate = fateOf(bad);
    await expectFate(
      fate,
      bad,
      log,
      () =>
        engine.run(sql`INSERT INTO ${Tag} (${sql.id("k")}, ${sql.id("s0")}) VALUES (${k}, ${bad})`),
    );
    await expectFate(
      fate,
      bad,
      log,
      () => engine.all(sql`SELECT ${sql.id("k")} FROM ${Tag} WHERE ${sql.id("s0")} = ${bad}`),
    );
  }
  const count = await engine.scalar(sql`SELECT count(*) FROM ${Tag}`);
  assert.equal(Number(count), ROWS + BIG.length + BIG_BYTES.length, "a refused value was written");
  assertNoValueInText(log);
  console.log(
    `  ${db.kind}: ${OK.length} strings and ${BYTES.length} byte strings round-tripped, ` +
      `${BAD.length} refused, ${BIG.length + BIG_BYTES.length} megabyte values; ` +
      `${log.count} statements, all template text only`,
  );
}, ON);

function column0Sample(rows: Row[]): string[] {
  return rows.slice(0, 300).map((r) => r.s[0]).filter((v): v is string => v !== null);
}

relTest(
  "hostile values: builder insert, update and conditions round-trip or fail typed",
  async (db) => {
    const { engine, log } = await setUp(db);
    const rows = layout();
    const objects = (list: Row[]) =>
      list.map((r) => {
        const o: Record<string, unknown> = { k: r.k, b: r.b };
        S.forEach((name, i) => (o[name] = r.s[i]));
        return o;
      });
    await engine.run(insert(Built).values(objects(rows) as never));
    const q = select(Built).orderBy(asc(Built.c.k));
    assertRows(await engine.all(q) as never, rows, "builder insert");

    // Every row updated to other values, one UPDATE a row.
    const next = layout(1 + Math.floor(OK.length / 3));
    await engine.transaction(async (tx) => {
      for (const o of objects(next)) {
        const { k, ...set } = o;
        await tx.run(update(Built).set(set as never).where(eq(Built.c.k, k as number)));
      }
    });
    assertRows(await engine.all(q) as never, next, "builder update");

    // Conditions: IN lists and equality.
    for (let i = 0; i < W; i++) {
      const col = Built.c[S[i]] as Column<string | null>;
      const values = next.map((r) => r.s[i]).filter((v): v is string => v !== null);
      for (const chunk of chunks(values, 500)) {
        const found = await engine.all(select({ v: col }).from(Built).where(inList(col, chunk)));
        const wanted = new Set(chunk);
        assert.ok(found.length >= chunk.length);
        for (const f of found) assert.ok(wanted.has(f.v as string), `IN matched ${show(f.v)}`);
      }
    }
    for (const v of column0Sample(next)) {
      const found = await engine.all(select(Built.c.k).from(Built).where(eq(Built.c.s0, v)));
      assert.ok(found.length >= 1, `eq(${show(v)}) matched nothing`);
    }

    // Megabyte values through insert and update.
    let k = ROWS + 1;
    for (const big of [...BIG, ...BIG_BYTES]) {
      const key = typeof big === "string" ? "s0" : "b";
      await engine.run(insert(Built).values({ k, [key]: big } as never));
      await engine.run(
        update(Built).set({ [key === "s0" ? "s1" : "b"]: big } as never).where(eq(Built.c.k, k)),
      );
      const row = await engine.one(select(Built).where(eq(Built.c.k, k))) as Record<
        string,
        unknown
      >;
      assert.ok(sameBytes(row[key], big) && sameBytes(row[key === "s0" ? "s1" : "b"], big));
      k++;
    }

    for (const bad of BAD) {
      const fate = fateOf(bad);
      await expectFate(
        fate,
        bad,
        log,
        () => engine.run(insert(Built).values({ k, s0: bad } as never)),
      );
      await expectFate(
        fate,
        bad,
        log,
        () => engine.run(update(Built).set({ s0: bad } as never).where(eq(Built.c.k, 1))),
      );
      await expectFate(fate, bad, log, () => engine.all(select(Built).where(eq(Built.c.s0, bad))));
    }
    const count = await engine.scalar(sql`SELECT count(*) FROM ${Built}`);
    assert.equal(
      Number(count),
      ROWS + BIG.length + BIG_BYTES.length,
      "a refused value was written",
    );
    const first = await engine.one(select(Built).where(eq(Built.c.k, 1))) as Record<
      string,
      unknown
    >;
    assert.ok(sameBytes(first.s0, next[0].s[0]), "a refused update changed a row");
    assertNoValueInText(log);
    console.log(`  ${db.kind}: ${log.count} statements, all template text only`);
  },
  ON,
);

relTest("hostile values: ORM attributes through flush, and session.get keys", async (db) => {
  const { engine, log } = await setUp(db);
  const rows = layout();
  const attrs = (o: Wide) => o as unknown as Record<string, unknown>;
  {
    await using session = engine.session();
    for (const r of rows) {
      const init: Record<string, unknown> = { k: r.k, b: r.b };
      S.forEach((name, i) => (init[name] = r.s[i]));
      session.add(new Wide(init as never));
    }
    await session.commit();
  }
  const read = async (want: Row[], what: string) => {
    await using session = engine.session();
    const objs = await session.all(select(Wide).orderBy(asc(Wide.c.k)));
    const names = ["k", ...S, "b"];
    assertRows(objs.map((o) => Object.fromEntries(names.map((n) => [n, attrs(o)[n]]))), want, what);
    return objs;
  };
  await read(rows, "ORM insert");

  // Dirty tracking: every attribute changed, one UPDATE a row.
  const next = layout(1 + Math.floor(OK.length / 2));
  {
    await using session = engine.session();
    const objs = await session.all(select(Wide).orderBy(asc(Wide.c.k)));
    objs.forEach((o, r) => {
      S.forEach((name, i) => (attrs(o)[name] = next[r].s[i]));
      attrs(o).b = next[r].b;
    });
    await session.commit();
  }
  await read(next, "ORM update");

  // Megabyte values.
  let k = ROWS + 1;
  for (const big of [...BIG, ...BIG_BYTES]) {
    const key = typeof big === "string" ? "s0" : "b";
    {
      await using session = engine.session();
      session.add(new Wide({ k, [key]: big } as never));
      await session.commit();
    }
    await using session = engine.session();
    const o = await session.get(Wide, k);
    assert.ok(o !== null && sameBytes(attrs(o)[key], big));
    k++;
  }

  // Refused values: before BEGIN (ArgumentError), or by the database, after which the session
  // demands a rollback.
  for (const bad of BAD) {
    const fate = fateOf(bad);
    {
      await using session = engine.session();
      session.add(new Wide({ k, s0: bad } as never));
      await expectFate(fate, bad, log, () => session.commit());
      if (fate === DataError) {
        await assert.rejects(session.commit(), PendingRollbackError);
        await session.rollback();
      }
    }
    {
      await using session = engine.session();
      const o = (await session.get(Wide, 1))!;
      attrs(o).s1 = bad;
      await expectFate(fate, bad, log, () => session.flush());
      if (fate !== "ok") await session.rollback();
      assert.ok(sameBytes(attrs(o).s1, next[0].s[1]), "rollback did not restore the attribute");
    }
  }

  // Text primary keys: session.get finds each object by its hostile key.
  const keys = [...new Set(OK.filter((s) => s.length > 0 && s.length < 200))];
  {
    await using session = engine.session();
    keys.forEach((key, n) => session.add(new Keyed({ key, n })));
    await session.commit();
  }
  {
    await using session = engine.session();
    for (const key of keys.slice(0, scale(2_000, keys.length))) {
      const o = await session.get(Keyed, key);
      assert.ok(o !== null && o.key === key, `session.get(${show(key)}) missed`);
    }
    for (const bad of BAD.slice(0, 500)) {
      await expectFate(fateOf(bad), bad, log, () => session.get(Keyed, bad));
      if (fateOf(bad) !== ArgumentError) await session.rollback();
    }
  }
  const count = await engine.scalar(sql`SELECT count(*) FROM ${Wide}`);
  assert.equal(Number(count), ROWS + BIG.length + BIG_BYTES.length, "a refused value was written");
  assertNoValueInText(log);
  console.log(`  ${db.kind}: ${log.count} statements, all template text only`);
}, ON);

Deno.test("hostile values: the corpus has what the issue lists", () => {
  const all = STRINGS.join("");
  for (const needle of ["'", '"', "\\", "\0", "?", "$1", ":name", "--", "/*", "\ud800"]) {
    assert.ok(all.includes(needle), `the corpus lacks ${JSON.stringify(needle)}`);
  }
  assert.ok(STRINGS.length >= 10_000);
  assert.ok(BIG.every((s) => s.length >= 1 << 20));
  assert.ok(
    BAD.some((s) => fateOf(s) === ArgumentError) && BAD.some((s) => fateOf(s) === DataError),
  );
  assert.ok(new ArgumentError("x") instanceof RetortError);
});

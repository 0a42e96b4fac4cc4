/**
 * Hostile identifiers: the hostile corpus as table, column, alias and schema names, through
 * `sql.id` and through the schema API (`table(...)`, `.named(...)`, `Model(...)`, `.as(...)`,
 * select keys). Each name is quoted exactly — the database catalogue (sqlite_master and
 * pragma_table_info; pg_catalog) then shows exactly the name given, and rows come back under
 * exactly the alias given — or refused with a typed error.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  column,
  DatabaseError,
  type Engine,
  eq,
  insert,
  Model,
  ProgrammingError,
  RetortError,
  select,
  sql,
  table,
} from "../../mod.ts";
import {
  ATOMS,
  hostileString,
  type RelDb,
  relTest,
  type Rng,
  rngFor,
  scale,
  show,
  StatementLog,
} from "./_support.ts";

type Kind = "table" | "column" | "alias" | "schema";
type NameFate = "ok" | typeof ArgumentError | typeof DatabaseError | typeof ProgrammingError;

const utf8 = (s: string): number => new TextEncoder().encode(s).length;
const PG_SYSTEM_COLUMNS = new Set(["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"]);

/**
 * What becomes of a name: refused before sending when empty, holding a NUL or a lone
 * surrogate, or (PostgreSQL) longer than 63 bytes; refused by the database where it reserves
 * the name; quoted exactly otherwise.
 */
function nameFate(name: string, dialect: "sqlite" | "postgres", kind: Kind): NameFate {
  if (name === "" || name.includes("\0") || !name.isWellFormed()) return ArgumentError;
  if (dialect === "postgres" && utf8(name) > 63) return ArgumentError;
  if (dialect === "sqlite" && kind === "table" && /^sqlite_/i.test(name)) return DatabaseError;
  if (dialect === "postgres" && kind === "column" && PG_SYSTEM_COLUMNS.has(name)) {
    return ProgrammingError;
  }
  if (dialect === "postgres" && kind === "schema" && /^pg_/i.test(name)) return ProgrammingError;
  return "ok";
}

/** SQLite compares names ignoring ASCII case: names are kept distinct under that folding. */
const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The hostile names: every atom, then generated names of up to about 40 units. */
function hostileNames(n: number, rng: Rng): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (s: string) => {
    if (!seen.has(fold(s))) {
      seen.add(fold(s));
      out.push(s);
    }
  };
  for (const a of ATOMS) push(a);
  while (out.length < n) {
    let s = hostileString(rng);
    if (s.length > 40 && rng.chance(0.8)) s = s.slice(0, 1 + rng.int(40));
    push(s);
  }
  return out;
}

const rng = rngFor("hostile identifiers");
const NAMES = hostileNames(scale(400, 4_000), rng);
const LONG_OK = ["é".repeat(31), "x".repeat(63), "😀".repeat(15) + "abc"]; // ≤ 63 bytes
const LONG_BAD = ["é".repeat(32), "x".repeat(64), "😀".repeat(16)]; // > 63 bytes

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The tables (in the test's schema or database) and their columns, from the catalogue. */
async function catalogue(engine: Engine, dialect: "sqlite" | "postgres") {
  const tables = new Map<string, string[]>();
  if (dialect === "sqlite") {
    const rows = await engine.all<{ name: string }>(
      sql`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
    );
    for (const { name } of rows) {
      const cols = await engine.all<{ name: string }>(
        sql`SELECT name FROM pragma_table_info(${name}) ORDER BY cid`,
      );
      tables.set(name, cols.map((c) => c.name));
    }
  } else {
    const rows = await engine.all<{ t: string; c: string }>(sql`
      SELECT c.relname AS t, a.attname AS c FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0
        AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`);
    for (const { t, c } of rows) {
      if (!tables.has(t)) tables.set(t, []);
      tables.get(t)!.push(c);
    }
  }
  return tables;
}

/** Runs `attempt`, which must fail with the fate's class; an ArgumentError sends nothing. */
async function expectRefused(
  fate: Exclude<NameFate, "ok">,
  name: string,
  log: StatementLog,
  attempt: () => Promise<unknown> | unknown,
): Promise<void> {
  const before = log.count;
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof fate)) assert.fail(`${show(name)}: expected ${fate.name}, got ${error}`);
    if (fate === ArgumentError) assert.equal(log.count, before, `${show(name)} was sent`);
    return;
  }
  assert.fail(`the name ${show(name)} was accepted; expected ${fate.name}`);
}

/** A plan: table names with two column names and two aliases each, all distinct per table. */
interface Plan {
  table: string;
  cols: [string, string];
  aliases: [string, string];
  tableAlias: string;
}

function plan(dialect: "sqlite" | "postgres", names: readonly string[]): {
  plans: Plan[];
  refused: [string, Kind, Exclude<NameFate, "ok">][];
} {
  const refused: [string, Kind, Exclude<NameFate, "ok">][] = [];
  const okFor = (kind: Kind) =>
    names.filter((n) => {
      const f = nameFate(n, dialect, kind);
      if (f !== "ok") refused.push([n, kind, f]);
      return f === "ok";
    });
  const tables = okFor("table");
  const cols = okFor("column");
  const aliases = okFor("alias");
  const plans = tables.map((t, i): Plan => {
    const c1 = cols[(2 * i) % cols.length];
    let c2 = cols[(2 * i + 1) % cols.length];
    if (fold(c2) === fold(c1)) c2 = cols[(2 * i + 2) % cols.length];
    const a1 = aliases[(3 * i) % aliases.length];
    let a2 = aliases[(3 * i + 1) % aliases.length];
    if (a2 === a1) a2 = aliases[(3 * i + 2) % aliases.length];
    return {
      table: t,
      cols: [c1, c2],
      aliases: [a1, a2],
      tableAlias: aliases[(5 * i + 2) % aliases.length],
    };
  });
  return { plans, refused };
}

const ON = { on: ["sqlite", "postgres"] as ("sqlite" | "postgres")[] };

relTest(
  "hostile identifiers through sql.id: quoted exactly or refused typed",
  async (db: RelDb) => {
    const log = new StatementLog();
    const engine = db.open({ echo: log.echo });
    const names = [...NAMES, ...LONG_OK, ...LONG_BAD];
    const { plans, refused } = plan(db.dialect, names);
    for (const batch of chunks(plans, 25)) {
      await engine.transaction(async (tx) => {
        for (const p of batch) {
          const [c1, c2] = p.cols.map((c) => sql.id(c));
          await tx.run(sql`CREATE TABLE ${sql.id(p.table)} (${c1} INTEGER, ${c2} TEXT)`);
          await tx.run(
            sql`INSERT INTO ${sql.id(p.table)} (${c1}, ${c2}) VALUES (${1}, ${p.table})`,
          );
        }
      });
    }
    const cat = await catalogue(engine, db.dialect);
    assert.deepEqual(
      [...cat.keys()].sort(),
      plans.map((p) => p.table).sort(),
      "the catalogue's tables are exactly the names given",
    );
    for (const p of plans) {
      assert.deepEqual(cat.get(p.table), p.cols, `the columns of ${show(p.table)}`);
      const t = sql.id(p.tableAlias);
      const row = await engine.one(
        sql`SELECT ${sql.id(p.tableAlias, p.cols[0])} AS ${sql.id(p.aliases[0])}, ${
          sql.id(p.tableAlias, p.cols[1])
        } AS ${sql.id(p.aliases[1])} FROM ${sql.id(p.table)} AS ${t}`,
      );
      assert.deepEqual(
        Object.keys(row).sort(),
        [...p.aliases].sort(),
        `aliases of ${show(p.table)}`,
      );
      assert.equal(row[p.aliases[1]], p.table);
    }

    // Refused names, in each position.
    for (const [name, kind, fate] of refused) {
      const ok = sql.id("ok_table");
      await expectRefused(
        fate,
        name,
        log,
        () =>
          kind === "table"
            ? engine.run(sql`CREATE TABLE ${sql.id(name)} (x INTEGER)`)
            : kind === "column"
            ? engine.run(sql`CREATE TABLE ${ok} (${sql.id(name)} INTEGER)`)
            : engine.all(sql`SELECT 1 AS ${sql.id(name)}`),
      );
    }
    assert.deepEqual([...(await catalogue(engine, db.dialect)).keys()].length, plans.length);

    // Schemas (PostgreSQL): created, filled and listed under exactly the name given.
    let schemas = 0;
    if (db.dialect === "postgres") {
      const admin = db.admin();
      // Schemas are global to the database: a tag keeps concurrent runs apart.
      const tag = ` ${crypto.randomUUID().slice(0, 6)}`;
      const wanted = NAMES.map((n) => n + tag)
        .filter((n) => nameFate(n, "postgres", "schema") === "ok")
        .slice(0, scale(60, 600));
      const made: string[] = [];
      try {
        for (const s of wanted) {
          await engine.run(sql`CREATE SCHEMA ${sql.id(s)}`);
          made.push(s);
          await engine.run(sql`CREATE TABLE ${sql.id(s, s)} (${sql.id(s)} TEXT)`);
          await engine.run(sql`INSERT INTO ${sql.id(s, s)} VALUES (${s})`);
          assert.equal(await engine.scalar(sql`SELECT ${sql.id(s)} FROM ${sql.id(s, s)}`), s);
          // The schema API: a table, and a mapped class, in the hostile schema.
          const t = table(
            "api",
            {
              id: column.integer().primaryKey(),
              v: column.text().named(s),
            },
            undefined,
            { schema: s },
          );
          class M extends Model("orm", { id: column.integer().primaryKey() }, { schema: s }) {}
          await engine.createAll([t, M]);
          await engine.run(insert(t).values({ v: s }));
          assert.equal((await engine.one(select(t.c.v).from(t))).v, s);
          {
            await using session = engine.session();
            session.add(new M({ id: 7 }));
            await session.commit();
          }
          await using session = engine.session();
          assert.equal((await session.get(M, 7))?.id, 7);
        }
        const listed = await admin.all<{ n: string; t: string }>(sql`
        SELECT n.nspname AS n, c.relname AS t FROM pg_catalog.pg_namespace n
        JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r'
        WHERE n.nspname IN ${sql.list(made)}`);
        const expected = made.flatMap((n) => [`${n}/${n}`, `${n}/api`, `${n}/orm`]);
        assert.deepEqual(listed.map((r) => `${r.n}/${r.t}`).sort(), expected.sort());
        for (const s of NAMES.filter((n) => nameFate(n, "postgres", "schema") !== "ok")) {
          const fate = nameFate(s, "postgres", "schema") as Exclude<NameFate, "ok">;
          await expectRefused(fate, s, log, () => engine.run(sql`CREATE SCHEMA ${sql.id(s)}`));
        }
        schemas = made.length;
      } finally {
        for (const s of made) await admin.run(sql`DROP SCHEMA ${sql.id(s)} CASCADE`);
      }
    }
    // Dropped in batches: one DROP SCHEMA of thousands of tables needs more locks than
    // PostgreSQL has by default.
    for (const batch of chunks(plans, 50)) {
      await engine.transaction(async (tx) => {
        for (const p of batch) await tx.run(sql`DROP TABLE ${sql.id(p.table)}`);
      });
    }
    console.log(
      `  ${db.kind}: ${plans.length} tables (${2 * plans.length} columns, ` +
        `${
          3 * plans.length
        } aliases) quoted exactly, ${schemas} schemas, ${refused.length} refused`,
    );
  },
  ON,
);

relTest(
  "hostile identifiers through the schema API: quoted exactly or refused typed",
  async (db) => {
    const log = new StatementLog();
    const engine = db.open({ echo: log.echo });
    const names = [...NAMES, ...LONG_OK, ...LONG_BAD];
    const { plans, refused } = plan(db.dialect, names);
    const tables = plans.map((p) =>
      table(p.table, {
        id: column.integer().primaryKey(),
        a: column.text().named(p.cols[0]).index(),
        b: column.integer().named(p.cols[1]).nullable(),
      })
    );
    for (const batch of chunks(tables, 25)) await engine.createAll(batch);
    for (const [i, t] of tables.entries()) {
      await engine.run(insert(t).values({ a: plans[i].table, b: i }));
    }
    const cat = await catalogue(engine, db.dialect);
    assert.deepEqual([...cat.keys()].sort(), plans.map((p) => p.table).sort());
    for (const [i, p] of plans.entries()) {
      assert.deepEqual(cat.get(p.table), ["id", ...p.cols], `the columns of ${show(p.table)}`);
      // A table alias, and select keys as result aliases.
      const t = tables[i].as(p.tableAlias);
      const rows = await engine.all(
        select({ [p.aliases[0]]: t.c.a, [p.aliases[1]]: t.c.b }).from(t).where(eq(t.c.b, i)),
      );
      assert.equal(rows.length, 1);
      assert.deepEqual(Object.keys(rows[0]).sort(), [...p.aliases].sort());
      assert.equal(rows[0][p.aliases[0]], p.table);
    }

    // Mapped classes named with hostile names: created, flushed, loaded.
    const taken = new Set(plans.map((p) => fold(p.table)));
    const models = plans.slice(0, scale(40, 400)).map((p) => ({
      name: `m${p.table}`,
      col: p.cols[0],
    }))
      .filter(({ name }) => nameFate(name, db.dialect, "table") === "ok" && !taken.has(fold(name)))
      .map(({ name, col }) => {
        class M extends Model(name, {
          id: column.integer().primaryKey(),
          v: column.text().named(col),
        }) {}
        return M;
      });
    await engine.createAll(models);
    {
      await using session = engine.session();
      for (const M of models) session.add(new M({ v: M.table.name }));
      await session.commit();
    }
    {
      await using session = engine.session();
      for (const M of models) {
        const o = await session.get(M, 1);
        assert.equal(o?.v, M.table.name);
      }
    }

    // Refused names: at declaration, before anything is sent.
    for (const [name, kind, fate] of refused) {
      if (fate !== ArgumentError && kind === "alias") continue;
      const attempt = async () => {
        if (kind === "table") {
          await engine.createAll([table(name, { id: column.integer().primaryKey() })]);
        } else if (kind === "column") {
          await engine.createAll([
            table("ok_table", { id: column.integer().primaryKey(), x: column.text().named(name) }),
          ]);
        } else {
          await engine.all(select({ [name]: tables[0].c.id }).from(tables[0]));
        }
      };
      await expectRefused(fate, name, log, attempt);
    }
    // Declaring with a refused name fails at the declaration itself.
    for (const bad of ["", "a\0b", "\ud800x"]) {
      assert.throws(() => table(bad, { id: column.integer().primaryKey() }), ArgumentError);
      assert.throws(
        () => table("t", { id: column.integer().primaryKey().named(bad) }),
        ArgumentError,
      );
      assert.throws(() => tables[0].as(bad), ArgumentError);
      assert.throws(() => Model(bad, { id: column.integer().primaryKey() }), ArgumentError);
      assert.throws(
        () => table("t", { id: column.integer() }, undefined, { schema: bad }),
        ArgumentError,
      );
      assert.throws(() => select(tables[0].c.id).as(bad), ArgumentError);
    }
    const final = await catalogue(engine, db.dialect);
    assert.equal(final.size, plans.length + models.length, "a refused name created a table");
    for (const batch of chunks([...tables, ...models], 25)) await engine.dropAll(batch);
    console.log(
      `  ${db.kind}: ${plans.length} tables and ${models.length} mapped classes quoted exactly, ` +
        `${refused.length} names refused`,
    );
  },
  ON,
);

Deno.test("hostile identifiers: the corpus holds quotes, NUL, surrogates and long names", () => {
  const all = NAMES.join("");
  for (const needle of ['"', "'", "\\", "\0", "\ud800", "--", "/*", "?", "$1", ".", " "]) {
    assert.ok(all.includes(needle), `the names lack ${JSON.stringify(needle)}`);
  }
  assert.ok(NAMES.length >= 400 || !RetortError);
});

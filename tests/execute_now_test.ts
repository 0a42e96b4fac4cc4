/**
 * Statements whose driver answers at once (`queryNow`, as SQLite's does) take one promise, not
 * two; this suite holds what must not change with that: every failure is a rejection (never a
 * throw from the call), results are the same through every executor, and a driver without
 * `queryNow`, or whose `queryNow` returns a promise, runs exactly as before.
 */
import assert from "node:assert/strict";
import {
  column,
  createEngine,
  type Driver,
  type DriverConnection,
  type Engine,
  type Executor,
  InvalidRequestError,
  Model,
  NoResultFound,
  ProgrammingError,
  type QueryMode,
  select,
  sql,
} from "../mod.ts";
import { dbTest } from "./_db.ts";

/** A call's outcome: it must return a promise (a throw fails the test), settled here. */
async function settle(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    assert.fail(`the call threw at once where it should reject: ${error}`);
  }
  assert(promise instanceof Promise, "the call returns a promise");
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

async function rejects(call: () => Promise<unknown>, type: new (...a: never[]) => Error) {
  const outcome = await settle(call) as { error?: unknown };
  assert(outcome.error instanceof type, `expected ${type.name}, got ${String(outcome.error)}`);
}

/** Every way of running statements the engine gives: itself, a connection, a transaction. */
async function executors(engine: Engine, fn: (x: Executor, what: string) => Promise<void>) {
  await fn(engine, "engine");
  {
    await using conn = await engine.connect();
    await fn(conn, "connection");
    await using tx = await conn.begin();
    await fn(tx, "transaction");
    await using sp = await tx.begin();
    await fn(sp, "savepoint");
  }
}

async function checkExecutor(x: Executor, what: string, pg = false): Promise<void> {
  await x.run(sql`DELETE FROM t`);
  const run = await settle(() => x.run(sql`INSERT INTO t (id, name) VALUES (${1}, ${"ada"})`));
  assert.equal((run as { value: { rowsAffected: number } }).value.rowsAffected, 1, what);
  assert.deepEqual(await x.all(sql`SELECT id, name FROM t`), [{ id: 1, name: "ada" }], what);
  assert.deepEqual(await x.first(sql`SELECT id FROM t WHERE id = ${1}`), { id: 1 }, what);
  assert.equal(await x.first(sql`SELECT id FROM t WHERE id = ${2}`), null, what);
  assert.deepEqual(await x.one(sql`SELECT name FROM t`), { name: "ada" }, what);
  assert.equal(await x.scalar(sql`SELECT count(*) FROM t`), 1, what);
  // Failures: the result's (no row for one) and the database's, each a rejection. A failed
  // statement aborts a PostgreSQL transaction, so there only the first is the database's own.
  await rejects(() => x.one(sql`SELECT id FROM t WHERE id = ${2}`), NoResultFound);
  const failing = [
    () => x.run(sql`INSERT INTO missing_table VALUES (${1})`),
    () => x.all(sql`SELEKT 1`),
    () => x.scalar(sql`SELECT nope FROM t`),
  ];
  const aborts = pg && (what === "transaction" || what === "savepoint");
  for (const call of aborts ? failing.slice(0, 1) : failing) await rejects(call, ProgrammingError);
}

dbTest(
  "every executor rejects (never throws) a failed statement, and answers alike",
  async (db) => {
    const engine = db.engine();
    await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`);
    if (db.dialect === "postgres") {
      // A failed statement aborts a PostgreSQL transaction: each executor gets a fresh one.
      await checkExecutor(engine, "engine", true);
      for (const level of ["connection", "transaction", "savepoint"] as const) {
        await using conn = await engine.connect();
        if (level === "connection") {
          await checkExecutor(conn, level, true);
          continue;
        }
        await using tx = await conn.begin();
        if (level === "transaction") {
          await checkExecutor(tx, level, true);
          continue;
        }
        await using sp = await tx.begin();
        await checkExecutor(sp, level, true);
      }
    } else await executors(engine, checkExecutor);
  },
);

dbTest("a transaction that ended rejects a statement, never throws", async (db) => {
  const engine = db.engine();
  await using conn = await engine.connect();
  const tx = await conn.begin();
  await tx.commit();
  await rejects(() => tx.run(sql`SELECT 1`), InvalidRequestError);
  await rejects(() => tx.scalar(sql`SELECT 1`), InvalidRequestError);
});

/** The driver given, with `queryNow` left out, or made to answer with a promise. */
function variant(driver: Driver, how: "none" | "promise"): Driver {
  const now = <T extends Pick<Driver, "query">>(target: T) =>
    how === "none" ? {} : {
      queryNow: (text: string, params: readonly unknown[], mode: QueryMode) =>
        target.query(text, params, mode),
    };
  return {
    dialect: driver.dialect,
    poolSize: driver.poolSize,
    query: (text, params, mode) => driver.query(text, params, mode),
    ...now(driver),
    connect: async (): Promise<DriverConnection> => {
      const conn = await driver.connect();
      return {
        query: (text, params, mode) => conn.query(text, params, mode),
        ...now(conn),
        release: () => conn.release(),
      };
    },
    close: () => Promise.resolve(), // the test's own engine closes the driver
  };
}

dbTest("a driver without queryNow, or whose queryNow waits, runs every statement", async (db) => {
  const base = await db.engine().driver();
  for (const how of ["none", "promise"] as const) {
    const engine = createEngine(variant(base, how));
    await engine.run(sql`DROP TABLE IF EXISTS t`);
    await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`);
    try {
      if (db.dialect === "postgres") await checkExecutor(engine, how);
      else await executors(engine, checkExecutor);
    } finally {
      await engine.run(sql`DROP TABLE t`);
      await engine.dispose();
    }
  }
});

dbTest(
  "an execute wrapped on an executor is what all, first, one, scalar and run go through",
  async (db) => {
    const engine = db.engine();
    await engine.run(sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`);
    const seen: string[] = [];
    const wrap = (x: Executor, what: string) => {
      const execute = x.execute.bind(x);
      x.execute = (source, mode) => {
        seen.push(`${what}:${mode}`);
        return execute(source, mode);
      };
    };
    const use = async (x: Executor) => {
      await x.run(sql`INSERT INTO t (id, name) VALUES (${seen.length}, ${"ada"})`);
      await x.all(sql`SELECT id FROM t`);
      await x.first(sql`SELECT id FROM t`);
      await x.one(sql`SELECT count(*) AS n FROM t`);
      await x.scalar(sql`SELECT count(*) FROM t`);
    };
    wrap(engine, "engine");
    await use(engine);
    await using conn = await engine.connect();
    wrap(conn, "connection");
    await use(conn);
    await using tx = await conn.begin();
    wrap(tx, "transaction");
    await use(tx);
    const expected = (what: string) =>
      ["run", "all", "all", "all", "values"].map((m) => `${what}:${m}`);
    assert.deepEqual(seen, [
      ...expected("engine"),
      ...expected("connection"),
      ...expected("transaction"),
    ]);
  },
);

class Item extends Model("now_items", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {}

dbTest(
  "a session refuses a second task begun while a get runs, its transaction open",
  async (db) => {
    const engine = db.engine();
    await engine.createAll([Item]);
    await engine.run(sql`INSERT INTO now_items (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await using session = engine.session();
    assert.equal((await session.get(Item, 1))?.name, "a"); // the transaction is open now
    const [first, second] = await Promise.allSettled([session.get(Item, 2), session.get(Item, 3)]);
    assert.equal(first.status, "fulfilled");
    assert.equal(second.status, "rejected");
    assert((second as PromiseRejectedResult).reason instanceof InvalidRequestError);
    const [got, all] = await Promise.allSettled([session.get(Item, 3), session.all(select(Item))]);
    assert.equal(got.status, "fulfilled");
    assert.equal(all.status, "rejected");
    assert.equal((await session.get(Item, 3))?.name, "c"); // free again once each settled
  },
);

dbTest("a driver connection's functions work detached, as a wrapper may take them", async (db) => {
  const driver = await db.engine().driver();
  const conn = await driver.connect();
  const { query, release } = conn;
  const wrapped: DriverConnection = { ...conn, query: (t, p, m) => query(t, p, m) };
  const r = await wrapped.query("SELECT 1 AS one", [], "all");
  assert.deepEqual(r.rows, [{ one: 1 }]);
  if (wrapped.queryNow !== undefined) {
    const now = await wrapped.queryNow("SELECT 2 AS two", [], "all");
    assert.deepEqual(now.rows, [{ two: 2 }]);
  }
  await release();
});

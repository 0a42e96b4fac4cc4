/**
 * The diff as data, without a database: the order operations come in, renames only from
 * hints, foreign-key cycles among new tables, destructive flags, and the dialects' rules
 * for narrowing types.
 */
import assert from "node:assert/strict";
import { ArgumentError } from "../../mod.ts";
import {
  type ColumnSnapshot,
  describeOperation,
  diffSchemas,
  invertRenames,
  loadHistory,
  memorySource,
  renameCandidates,
  type TableSnapshot,
} from "../../migrate.ts";
import { sqliteMigrations } from "../../dialects/sqlite/migrate/mod.ts";
import { postgresMigrations } from "../../dialects/postgres/migrate/mod.ts";

const c = (name: string, type = "INTEGER", nullable = false): ColumnSnapshot => ({
  name,
  type,
  nullable,
});
const t = (name: string, columns: ColumnSnapshot[], extra: Partial<TableSnapshot> = {}) => ({
  name,
  columns,
  uniques: [],
  indexes: [],
  foreignKeys: [],
  checks: [],
  ...extra,
});
const fk = (column: string, table: string) => ({
  columns: [column],
  references: { name: table, columns: ["id"] },
});

Deno.test("migrate diff: operations come in an order that works", () => {
  const from = {
    tables: [
      t("a", [c("id"), c("old")], {
        indexes: [{ name: "ix_a_old", columns: ["old"], unique: false }],
      }),
      t("gone", [c("id")]),
    ],
  };
  const to = {
    tables: [
      t("a", [c("id"), c("new", "TEXT", true)], { checks: [{ expression: "id > 0" }] }),
      t("child", [c("id"), c("parent_id")], { foreignKeys: [fk("parent_id", "parent")] }),
      t("parent", [c("id")]),
    ],
  };
  const ops = diffSchemas(from, to).map((x) => describeOperation(x.op));
  assert.deepEqual(ops, [
    "drop index ix_a_old on a",
    "create table parent (id)",
    "create table child (id, parent_id)",
    "add column a.new TEXT NULL",
    "drop column a.old",
    "add check (id > 0) on a",
    "drop table gone",
  ]);
});

Deno.test("migrate diff: foreign keys that close a cycle are added after the tables", () => {
  const to = {
    tables: [
      t("x", [c("id"), c("y_id")], { foreignKeys: [fk("y_id", "y")] }),
      t("y", [c("id"), c("x_id")], { foreignKeys: [fk("x_id", "x")] }),
    ],
  };
  const changes = diffSchemas({ tables: [] }, to);
  assert.deepEqual(changes.map((x) => x.op.kind), ["createTable", "createTable", "addForeignKey"]);
  const [first] = changes;
  assert.equal(first.op.kind === "createTable" && first.op.table.foreignKeys.length, 0);
});

Deno.test("migrate diff: renames come only from hints, and a bad hint is refused", () => {
  const from = { tables: [t("people", [c("id"), c("name", "TEXT")])] };
  const to = { tables: [t("users", [c("id"), c("full_name", "TEXT")])] };
  const guessed = diffSchemas(from, to);
  assert.deepEqual(guessed.map((x) => x.op.kind), ["createTable", "dropTable"]);
  assert.match(guessed[1].destructive!, /drops table people/);
  const renames = {
    tables: [{ from: "people", to: "users" }],
    columns: [{ table: "users", from: "name", to: "full_name" }],
  };
  const hinted = diffSchemas(from, to, { renames });
  assert.deepEqual(hinted.map((x) => describeOperation(x.op)), [
    "rename table people to users",
    "rename column users.name to full_name",
  ]);
  assert.deepEqual(
    diffSchemas(to, from, { renames: invertRenames(renames) }).map((x) => describeOperation(x.op)),
    ["rename table users to people", "rename column people.full_name to name"],
  );
  assert.deepEqual(renameCandidates(from, to), [{ kind: "table", from: "people", to: "users" }]);
  assert.throws(
    () => diffSchemas(from, to, { renames: { tables: [{ from: "persons", to: "users" }] } }),
    (e) => e instanceof ArgumentError && /Cannot rename table persons/.test(e.message),
  );
  assert.throws(
    () =>
      diffSchemas(from, to, {
        renames: { tables: renames.tables, columns: [{ table: "users", from: "nme", to: "x" }] },
      }),
    /Cannot rename column users\.nme: the database has no such column/,
  );
});

Deno.test("migrate diff: constraints match by what they cover, not by name", () => {
  const from = {
    tables: [t("u", [c("id"), c("e", "TEXT")], {
      uniques: [{ name: "u_e_key", columns: ["e"] }],
      checks: [{ name: "u_id_check", expression: "(id > 0)" }],
    })],
  };
  const to = {
    tables: [t("u", [c("id"), c("e", "TEXT")], {
      uniques: [{ columns: ["e"] }],
      checks: [{ expression: "id  >  0" }],
    })],
  };
  assert.deepEqual(diffSchemas(from, to), []);
});

Deno.test("migrate diff: which type changes narrow, per dialect", () => {
  const s = sqliteMigrations.narrows;
  assert.equal(s("INTEGER", "BIGINT"), false);
  assert.equal(s("VARCHAR(20)", "VARCHAR(200)"), false);
  assert.equal(s("VARCHAR(200)", "VARCHAR(20)"), true);
  assert.equal(s("VARCHAR(20)", "TEXT"), false);
  assert.equal(s("TEXT", "INTEGER"), true);
  const p = postgresMigrations.narrows;
  assert.equal(p("integer", "bigint"), false);
  assert.equal(p("bigint", "integer"), true);
  assert.equal(p("numeric(10,2)", "numeric(12,2)"), false);
  assert.equal(p("numeric(10,2)", "numeric(10,1)"), true);
  assert.equal(p("character varying(10)", "text"), false);
  assert.equal(p("text", "character varying(10)"), true);
  assert.equal(p("timestamp(3) with time zone", "timestamp(6) with time zone"), false);
});

Deno.test("migrate history: a parent no file has is reported", async () => {
  const history = await loadHistory(memorySource([
    { id: "002_b", migration: { parent: "001_a", up: () => [] } },
  ]));
  assert.match(history.problems[0], /002_b follows 001_a, which is not among the migrations/);
  await assert.rejects(
    loadHistory({
      list: () =>
        Promise.resolve([{ id: "x", text: "", load: () => Promise.resolve({ default: 42 }) }]),
    }),
    /its default export.*export default \{ parent, up, down \} satisfies Migration/,
  );
});

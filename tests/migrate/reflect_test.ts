/**
 * Reflection round trips: createAll(models) then reflect gives back what the dialect says
 * the models are, over every column type and constraint kind; and the diff between them is
 * empty. PostgreSQL schemas, identity and enum-like checks; SQLite's pragmas.
 */
import assert from "node:assert/strict";
import { column, Model, sql } from "../../mod.ts";
import { diffSchemas, reflect, snapshot } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { everyKind } from "./_support.ts";

scopedTest("migrate: createAll then reflect equals the models' snapshot", async ({ open }) => {
  const engine = open();
  const { all } = everyKind();
  await engine.createAll(all);
  const database = await reflect(engine);
  const models = await snapshot(engine, all);
  assert.deepEqual(database, models);
  assert.deepEqual(diffSchemas(database, models), []);
  const books = database.tables.find((t) => t.name === "books")!;
  assert.deepEqual(books.foreignKeys.map((f) => [f.columns, f.references.name, f.onDelete]), [
    [["author_id"], "authors", "cascade"],
  ]);
  assert.equal(books.checks.length, 3); // pages > 0, pages_small, the genre enum
  assert.deepEqual(books.indexes.map((i) => [i.name, i.unique]).sort(), [
    ["ix_books_pages_genre", true],
    ["ix_books_title", false],
  ]);
  assert.deepEqual(books.uniques.map((u) => u.columns), [["author_id", "title"]]);
  const tags = database.tables.find((t) => t.name === "book_tags")!;
  assert.deepEqual(tags.primaryKey?.columns, ["book_id", "tag"]);
  const authors = database.tables.find((t) => t.name === "authors")!;
  assert.equal(authors.columns.find((c) => c.name === "id")!.generated, "identity");
  assert.deepEqual(authors.foreignKeys[0].references, { name: "authors", columns: ["id"] });
});

scopedTest(
  "migrate: reflection reads defaults, nullability and generated keys",
  async ({ open, db }) => {
    const engine = open();
    const { all } = everyKind();
    await engine.createAll(all);
    const authors = (await reflect(engine)).tables.find((t) => t.name === "authors")!;
    const col = (name: string) => authors.columns.find((c) => c.name === name)!;
    assert.equal(col("born").nullable, true);
    assert.equal(col("name").nullable, false);
    if (db.dialect === "sqlite") {
      assert.equal(col("active").default, "TRUE");
      assert.equal(col("motto").default, "'it''s'");
      assert.equal(col("email").type, "VARCHAR(200)");
    } else {
      assert.equal(col("active").default, "true");
      assert.equal(col("motto").default, "'it''s'::text");
      assert.equal(col("email").type, "character varying(200)");
      assert.equal(col("joined").type, "timestamp(3) with time zone");
    }
    const books = (await reflect(engine)).tables.find((t) => t.name === "books")!;
    assert.equal(
      books.columns[0].generated,
      db.dialect === "sqlite" ? "autoincrement" : "identity",
    );
  },
);

scopedTest(
  "migrate: PostgreSQL schemas, identity always, serial and enum-like checks",
  async ({ open }) => {
    const engine = open();
    await engine.run(
      sql`CREATE SCHEMA IF NOT EXISTS ${
        sql.id(`${await engine.scalar(sql`SELECT current_schema()`)}_audit`)
      }`,
    );
    const audit = `${await engine.scalar<string>(sql`SELECT current_schema()`)}_audit`;
    try {
      class Event extends Model("events", {
        id: column.bigint().primaryKey(),
        kind: column.enum(["login", "logout"]),
      }, { schema: audit }) {}
      await engine.createAll([Event]);
      await engine.run(
        sql`CREATE TABLE legacy (id serial PRIMARY KEY, code integer GENERATED ALWAYS AS IDENTITY)`,
      );
      const all = await reflect(engine, { schemas: [audit] });
      const events = all.tables.find((t) => t.name === "events")!;
      assert.equal(events.schema, audit);
      assert.equal(events.columns[0].generated, "identity");
      assert.match(
        events.checks[0].expression,
        /kind = ANY \(ARRAY\['login'::text, 'logout'::text\]\)/,
      );
      assert.deepEqual(
        all.tables.find((t) => t.name === "events"),
        (await snapshot(engine, [Event])).tables[0],
      );
      const legacy = all.tables.find((t) => t.name === "legacy")!;
      assert.deepEqual(legacy.columns.map((c) => c.generated), ["identity", "always"]);
      assert.equal(legacy.columns[0].default, undefined);
    } finally {
      await engine.run(sql`DROP SCHEMA ${sql.id(audit)} CASCADE`);
    }
  },
  { on: ["postgres"] },
);

scopedTest("migrate: SQLite reflection of hand-written DDL", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE parent (code TEXT PRIMARY KEY, n integer)`);
  await engine.run(sql`CREATE TABLE child (
    id integer primary key,
    parent_code text references parent on delete restrict,
    qty int constraint qty_positive check (qty>0) default 1,
    note varchar ( 20 ) check (length(note) < 20)
  )`);
  await engine.run(sql`CREATE INDEX child_partial ON child (qty) WHERE qty > 10`);
  const child = (await reflect(engine)).tables.find((t) => t.name === "child")!;
  assert.deepEqual(child.foreignKeys, [{
    columns: ["parent_code"],
    references: { name: "parent", columns: ["code"] },
    onDelete: "restrict",
  }]);
  assert.deepEqual(child.checks, [
    { name: "qty_positive", expression: "qty>0" },
    { expression: "length(note) < 20" },
  ]);
  assert.equal(child.columns[0].generated, "identity");
  assert.equal(child.columns[2].default, "1");
  assert.match(child.indexes[0].definition!, /WHERE qty > 10/);
}, { on: ["sqlite"] });

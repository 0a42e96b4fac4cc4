/**
 * Every operation kind, up and down, on both databases, on tables holding rows: after `up`
 * the database is what the operation says (the diff to the expected schema is empty), after
 * `down` it is back where it was, and no row was lost either way.
 */
import assert from "node:assert/strict";
import { type Engine, sql } from "../../mod.ts";
import {
  applyToSchema,
  diffSchemas,
  down,
  op,
  type Operation,
  reflect,
  type SchemaOperation,
  type SchemaSnapshot,
  up,
} from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { chain, everyKind } from "./_support.ts";

const EXCLUDE = { exclude: ["retort_migrations"] };

interface Case {
  name: string;
  up: Operation;
  down: Operation;
}

function cases(pg: boolean): Case[] {
  const t = (sqlite: string, postgres: string) => pg ? postgres : sqlite;
  const nickname = { name: "nickname", type: t("TEXT", "text"), nullable: true };
  return [
    {
      name: "createTable / dropTable",
      up: op.createTable({
        name: "labels",
        columns: [
          { name: "id", type: t("INTEGER", "integer"), nullable: false, generated: "identity" },
          { name: "text", type: t("TEXT", "text"), nullable: false },
          { name: "book_id", type: t("INTEGER", "integer"), nullable: true },
        ],
        primaryKey: { columns: ["id"] },
        indexes: [{ name: "ix_labels_text", columns: ["text"], unique: false }],
        foreignKeys: [{ columns: ["book_id"], references: { name: "books", columns: ["id"] } }],
      }),
      down: op.dropTable("labels"),
    },
    {
      name: "renameTable",
      up: op.renameTable("book_tags", "book_labels"),
      down: op.renameTable("book_labels", "book_tags"),
    },
    {
      name: "addColumn / dropColumn (nullable)",
      up: op.addColumn("authors", nickname),
      down: op.dropColumn("authors", "nickname"),
    },
    {
      name: "addColumn NOT NULL with a default",
      up: op.addColumn("books", {
        name: "edition",
        type: t("INTEGER", "integer"),
        nullable: false,
        default: "1",
      }),
      down: op.dropColumn("books", "edition"),
    },
    {
      name: "dropColumn / addColumn",
      up: op.dropColumn("authors", "rating"),
      down: op.addColumn("authors", { name: "rating", type: t("REAL", "real"), nullable: true }),
    },
    {
      name: "renameColumn (a foreign key column)",
      up: op.renameColumn("books", "author_id", "writer_id"),
      down: op.renameColumn("books", "writer_id", "author_id"),
    },
    {
      name: "alterColumn type",
      up: op.alterColumn("books", "pages", { type: t("BIGINT", "bigint") }),
      down: op.alterColumn("books", "pages", { type: t("INTEGER", "integer") }),
    },
    {
      name: "alterColumn nullability",
      up: op.alterColumn("authors", "name", { nullable: true }),
      down: op.alterColumn("authors", "name", { nullable: false }),
    },
    {
      name: "alterColumn default",
      up: op.alterColumn("authors", "big", { default: "7" }),
      down: op.alterColumn("authors", "big", { default: null }),
    },
    {
      name: "setPrimaryKey",
      up: op.setPrimaryKey("book_tags", ["tag", "book_id"]),
      down: op.setPrimaryKey("book_tags", ["book_id", "tag"]),
    },
    {
      name: "createIndex / dropIndex",
      up: op.createIndex("authors", { name: "ix_authors_name", columns: ["name"] }),
      down: op.dropIndex("authors", "ix_authors_name"),
    },
    {
      name: "addUnique / dropUnique",
      up: op.addUnique("authors", { columns: ["name"] }),
      down: op.dropUnique("authors", { columns: ["name"] }),
    },
    {
      name: "dropForeignKey / addForeignKey",
      up: op.dropForeignKey("book_tags", {
        columns: ["book_id"],
        references: { name: "books", columns: ["id"] },
      }),
      down: op.addForeignKey("book_tags", {
        columns: ["book_id"],
        references: { name: "books", columns: ["id"] },
      }),
    },
    {
      name: "addCheck / dropCheck",
      up: op.addCheck("books", { name: "pages_even_smaller", expression: "pages < 50000" }),
      down: op.dropCheck("books", { name: "pages_even_smaller", expression: "pages < 50000" }),
    },
  ];
}

async function seed(engine: Engine): Promise<void> {
  await engine.run(sql`INSERT INTO authors (id, name, email, rating) VALUES
    (1, ${"ada"}, ${"ada@example.com"}, ${4.5}), (2, ${"grace"}, ${"grace@example.com"}, ${5})`);
  await engine.run(sql`INSERT INTO books (id, author_id, title, pages, genre) VALUES
    (1, 1, ${"notes"}, 40, ${"essay"}), (2, 2, ${"cobol"}, 300, ${"fiction"})`);
  await engine.run(sql`INSERT INTO book_tags (book_id, tag) VALUES (1, ${"math"}), (2, ${"code"})`);
}

async function counts(engine: Engine, schema: SchemaSnapshot): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of schema.tables) {
    out[t.name] = Number(await engine.scalar(sql`SELECT count(*) FROM ${sql.id(t.name)}`));
  }
  return out;
}

for (const pg of [false, true]) {
  for (const c of cases(pg)) {
    scopedTest(`migrate: ${c.name}, up and down, keeps the rows`, async ({ open }) => {
      const engine = open();
      await engine.createAll(everyKind().all);
      await seed(engine);
      const before = await reflect(engine, EXCLUDE);
      const rows = await counts(engine, before);
      const migrations = chain([{
        id: "20261201T1530_case",
        up: () => [c.up],
        down: () => [c.down],
      }]);
      await up(engine, { migrations });
      const after = await reflect(engine, EXCLUDE);
      const expected = applyToSchema(before, c.up as SchemaOperation);
      assert.deepEqual(diffSchemas(after, expected).map((x) => x.op), []);
      const renamed = c.up.kind === "renameTable" ? { book_labels: rows.book_tags } : {};
      const { book_tags: _, ...others } = rows;
      assert.deepEqual(
        await counts(engine, after),
        c.up.kind === "renameTable"
          ? { ...others, ...renamed }
          : { ...rows, ...(c.up.kind === "createTable" ? { labels: 0 } : {}) },
      );
      assert.equal(
        await engine.scalar(sql`SELECT email FROM authors WHERE id = 2`),
        "grace@example.com",
      );
      await down(engine, { migrations });
      assert.deepEqual(diffSchemas(await reflect(engine, EXCLUDE), before).map((x) => x.op), []);
      assert.deepEqual(await counts(engine, before), rows);
      assert.equal(await engine.scalar(sql`SELECT title FROM books WHERE author_id = 2`), "cobol");
    }, { on: [pg ? "postgres" : "sqlite"] });
  }
}

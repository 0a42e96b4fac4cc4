/**
 * `pull` writes Model classes for a database, and pulling then generating gives nothing to
 * do; `push` applies the models directly, refusing destructive changes unless forced;
 * `checkSchema` lists drift; `diagram` draws the models.
 */
import assert from "node:assert/strict";
import { column, InvalidRequestError, Model, relationship, sql, Table, table } from "../../mod.ts";
import { checkSchema, diagram, pull, push } from "../../migrate.ts";
import { scopedTest } from "../_db.ts";
import { everyKind, loadPulled } from "./_support.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

const load = loadPulled;

scopedTest("migrate: pull then check gives an empty diff, over every kind", async ({ open }) => {
  const engine = open();
  await engine.createAll(everyKind().all);
  const { source, warnings } = await pull(engine, { importFrom: MOD });
  assert.deepEqual(warnings, []);
  assert.match(source, /export class Author extends Model\("authors", \{/);
  assert.match(source, /export class Book extends Model\("books"/);
  assert.match(
    source,
    /static books = relationship\(\(\) => Book, \{ backPopulates: "author" \}\);/,
  );
  assert.match(source, /declare author: Author;/);
  assert.match(source, /mood: column\.enum\(\["happy", "sad"\]\)/);
  assert.match(source, /mentorId: column\.integer\(\)\.references\(\(self\) => self\.c\.id/);
  assert.match(source, /constraint\.primaryKey\(c\.bookId, c\.tag\)/);
  const models = await load(source);
  assert.equal(models.length, 3);
  const drift = await checkSchema(engine, models);
  assert.deepEqual(drift.differences, []);
});

scopedTest("migrate: pulled relationships load", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
  await engine.run(
    sql`CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id), name TEXT NOT NULL)`,
  );
  await engine.run(sql`INSERT INTO teams (id, name) VALUES (1, 'owls')`);
  await engine.run(
    sql`INSERT INTO players (id, team_id, name) VALUES (1, 1, 'ann'), (2, 1, 'bob')`,
  );
  const { source } = await pull(engine, { importFrom: MOD });
  const models = await load(source);
  const Team = models.find((m) => !(m instanceof Table) && m.table.name === "teams")!;
  await using session = engine.session();
  const { select, selectin } = await import(MOD);
  const [team] = await session.all(select(Team).options(selectin("players"))) as unknown as {
    players: { name: string }[];
  }[];
  assert.deepEqual(team.players.map((p) => p.name).sort(), ["ann", "bob"]);
}, { on: ["sqlite"] });

scopedTest(
  "migrate: push applies additive changes and refuses destructive ones",
  async ({ open }) => {
    const engine = open();
    class Note extends Model("notes", {
      id: column.integer().primaryKey(),
      body: column.text(),
      draft: column.boolean().nullable(),
    }) {}
    const first = await push(engine, [Note]);
    assert.deepEqual(first.map((c) => c.op.kind), ["createTable"]);
    await engine.run(sql`INSERT INTO notes (body) VALUES ('kept')`);
    class Note2 extends Model("notes", {
      id: column.integer().primaryKey(),
      body: column.text(),
      tags: column.json().nullable(),
    }) {}
    const error = await push(engine, [Note2]).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.match(
      error.message,
      /push would lose data, so it changed nothing:.*drop column notes\.draft/s,
    );
    assert.equal((await checkSchema(engine, [Note])).ok, true);
    await push(engine, [Note2], { force: true });
    assert.equal((await checkSchema(engine, [Note2])).ok, true);
    assert.equal(await engine.scalar(sql`SELECT body FROM notes`), "kept");
    assert.deepEqual(await push(engine, [Note2]), []);
  },
);

scopedTest("migrate: checkSchema lists the drift as one readable list", async ({ open }) => {
  const engine = open();
  await engine.run(sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`);
  await engine.run(sql`CREATE TABLE leftovers (x INTEGER)`);
  const users = table("users", {
    id: column.integer().primaryKey(),
    name: column.text(),
    email: column.text().nullable().index(),
  });
  const drift = await checkSchema(engine, [users]);
  assert.equal(drift.ok, false);
  assert.deepEqual(drift.differences, [
    "add column users.email TEXT NULL",
    "alter column users.name: NOT NULL (destructive: makes users.name NOT NULL; rows holding " +
    "NULL there would stop the migration)",
    "create index ix_users_email on users (email)",
    "drop table leftovers (destructive: drops table leftovers and every row it holds)",
  ]);
  assert.match(drift.text, /differs from the models in 4 ways/);
}, { on: ["sqlite"] });

Deno.test("migrate: diagram draws tables, keys and relationships in Mermaid", () => {
  class Team extends Model("teams", { id: column.integer().primaryKey(), name: column.text() }) {
    static members = relationship(() => Member, { backPopulates: "team" });
    declare members: Member[];
  }
  class Member extends Model("members", {
    id: column.integer().primaryKey(),
    email: column.varchar(100).unique(),
    teamId: column.integer().nullable().references(() => Team.c.id),
  }) {
    static team = relationship(() => Team, { backPopulates: "members" });
    declare team: Team | null;
  }
  assert.equal(
    diagram([Team, Member]),
    `erDiagram
  teams {
    integer id PK
    text name
  }
  members {
    integer id PK
    varchar_100 email UK
    integer team_id FK "nullable"
  }
  teams |o--o{ members : "team_id"
`,
  );
});

/**
 * A NOT NULL column still empty at flush is found before any statement of that flush is sent:
 * the whole flush is checked first, the error names the class, the attribute and the fix, and
 * earlier work in the transaction is kept.
 */
import assert from "node:assert/strict";
import {
  ArgumentError,
  type Collection,
  column,
  inspect,
  IntegrityError,
  Model,
  relationship,
  select,
  sql,
} from "../../mod.ts";
import { scopedTest } from "../_db.ts";
import { column as values, dataStatements, logged, messageOf } from "./_support.ts";

class Team extends Model("nn_teams", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static players = relationship(() => Player, { backPopulates: "team", cascade: "all" });
  declare players: Collection<Player>;
}

class Player extends Model("nn_players", {
  id: column.integer().primaryKey(),
  name: column.text(),
  shirt: column.integer().nullable(),
  teamId: column.integer().references(() => Team.c.id),
}) {
  static team = relationship(() => Team, { backPopulates: "players" });
  declare team: Team;
}

const MODELS = [Team, Player];
const teamNames = sql`SELECT ${Team.c.name} FROM ${Team}`;
const playerNames = sql`SELECT ${Player.c.name} FROM ${Player}`;

const names = (cls: string, attr: string) => (e: unknown) => {
  assert.ok(e instanceof IntegrityError, `expected an IntegrityError, got ${e}`);
  const m = messageOf(e);
  assert.match(m, new RegExp(`\\b${cls}\\.${attr}\\b`), "it names the class and the attribute");
  assert.match(m, /NOT NULL/);
  assert.match(m, /default|nullable|give|set/i, "it says how to fix it");
  return true;
};

scopedTest("an empty NOT NULL column is found before any statement of the flush", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  await using session = engine.session();
  const early = new Team({ name: "early" });
  session.add(early);
  await session.flush(); // earlier work in the transaction
  early.name = "early, renamed"; // an UPDATE in the failing flush
  const late = new Team({ name: "late" }); // an INSERT ordered before the players'
  const ok = new Player({ name: "ok" });
  const bad = new Player({ shirt: 9 } as never); // no name
  late.players.push(ok, bad);
  session.add(late);
  log.splice(0);
  await assert.rejects(session.flush(), names("Player", "name"));
  assert.deepEqual(dataStatements(log).map((e) => e.text), [], "nothing of the flush was sent");

  // Earlier work is kept, the session is usable, and the objects wait for the next flush.
  assert.equal(inspect(early).status, "persistent");
  assert.equal(early.name, "early, renamed");
  assert.equal(inspect(late).status, "pending");
  assert.equal(inspect(bad).status, "pending");
  assert.deepEqual(
    await session.noAutoflush(() => values(session, teamNames)),
    ["early"],
    "the transaction still holds the earlier flush",
  );
  bad.name = "fixed";
  await session.commit();
  assert.deepEqual(await values(engine, teamNames), ["early, renamed", "late"]);
  assert.deepEqual(await values(engine, playerNames), ["fixed", "ok"]);
  assert.equal(bad.teamId, late.id);
});

scopedTest(
  "a NOT NULL foreign key with no parent: the fix names setting it or its relationship",
  async (s) => {
    const { engine, log } = await logged(s, MODELS);
    await using session = engine.session();
    const team = new Team({ name: "t" });
    const orphan = new Player({ name: "nobody" }); // neither teamId nor team
    session.addAll([team, orphan]);
    log.splice(0);
    await assert.rejects(session.flush(), (e) => {
      names("Player", "teamId")(e);
      assert.match(messageOf(e), /relationship/);
      return true;
    });
    assert.deepEqual(dataStatements(log), []);
    assert.equal(inspect(team).status, "pending");
    orphan.team = team;
    await session.commit();
    assert.equal(orphan.teamId, team.id);
    assert.deepEqual(await values(engine, playerNames), ["nobody"]);
  },
);

scopedTest("the check covers every object of the flush, explicitly null or left out", async (s) => {
  const { engine, log } = await logged(s, MODELS);
  {
    await using session = engine.session();
    session.add(new Team({ name: "kept" }));
    await session.commit();
  }
  await using session = engine.session();
  const [kept] = await session.all(select(Team));
  const many = Array.from({ length: 20 }, (_, i) => new Team({ name: `t${i}` }));
  const nulled = new Team({ name: null as never }); // explicitly null, the last of many
  session.addAll([...many, nulled]);
  kept.name = "kept, renamed";
  log.splice(0);
  await assert.rejects(session.commit(), names("Team", "name"));
  assert.deepEqual(dataStatements(log), [], "none of the twenty valid INSERTs was sent");
  assert.ok(many.every((t) => inspect(t).status === "pending"));
  session.expunge(nulled);
  await session.commit();
  assert.equal(await engine.scalar(sql`SELECT count(*) AS n FROM ${Team}`).then(Number), 21);
  assert.ok((await values(engine, teamNames)).includes("kept, renamed"));
});

scopedTest(
  "a row that exists: null in a NOT NULL column, or undefined in any, is refused before sending",
  async (s) => {
    const { engine, log } = await logged(s, MODELS);
    await using session = engine.session();
    const team = new Team({ name: "t" });
    const player = new Player({ name: "pat", shirt: 7, team });
    session.add(team);
    await session.commit();
    session.add(new Team({ name: "earlier" }));
    await session.flush(); // earlier work in the transaction

    player.name = null as never;
    log.splice(0);
    await assert.rejects(session.flush(), names("Player", "name"));
    assert.deepEqual(dataStatements(log), [], "nothing of the flush was sent");

    player.name = "pat";
    player.shirt = undefined as never; // a nullable column: undefined is still no value
    await assert.rejects(session.flush(), (e) => {
      assert.ok(e instanceof ArgumentError, `expected an ArgumentError, got ${e}`);
      assert.match(messageOf(e), /\bPlayer\.shirt\b.*undefined.*null/s);
      return true;
    });
    assert.deepEqual(dataStatements(log), []);

    // The transaction and its earlier flush are intact; null in a nullable column is written.
    player.shirt = null;
    await session.commit();
    assert.deepEqual(await values(engine, teamNames), ["earlier", "t"]);
    const rows = await engine.all<{ name: string; shirt: number | null }>(
      sql`SELECT ${Player.c.name} AS name, ${Player.c.shirt} AS shirt FROM ${Player}`,
    );
    assert.deepEqual(rows.map((r) => ({ ...r })), [{ name: "pat", shirt: null }]);
  },
);

scopedTest("a changed row about to be deleted is not refused for its changes", async (s) => {
  const { engine } = await logged(s, MODELS);
  await using session = engine.session();
  const team = new Team({ name: "t" });
  session.add(team);
  await session.commit();
  team.name = null as never;
  session.delete(team);
  await session.commit();
  assert.deepEqual(await values(engine, teamNames), []);
});

class Ledger extends Model("nn_ledgers", {
  id: column.integer().primaryKey(),
  title: column.text(),
  edits: column.integer().default(0),
  body: column.text(),
}) {
  static beforeUpdate(l: Ledger): void {
    l.edits += 1;
  }
}

class Entry extends Model("nn_entries", {
  id: column.integer().primaryKey(),
  note: column.text(),
}) {}

scopedTest("a flush the checks refuse undoes what its listeners did: they run once", async (s) => {
  const { engine } = await logged(s, [Ledger, Entry]);
  await using session = engine.session();
  session.add(new Ledger({ id: 1, title: "a", body: "b" }));
  await session.commit();
  const ledger = (await session.get(Ledger, 1))!;
  let flushes = 0;
  session.on("beforeFlush", (s2) => {
    flushes++;
    s2.add(new Entry({ note: "audit" }));
  });
  ledger.title = "changed";
  (ledger as { body: string | null }).body = null; // refused before anything is sent
  await assert.rejects(session.flush(), /NOT NULL/);
  assert.equal(ledger.edits, 0, "the listener's change is undone");
  assert.equal(ledger.title, "changed", "the user's own change stays");
  assert.equal(session.new.size, 0, "the object the listener added is let go");
  ledger.body = "fixed";
  await session.commit();
  assert.equal(flushes, 2);
  const row = await engine.one<{ edits: number }>(sql`SELECT edits FROM nn_ledgers`);
  assert.equal(Number(row.edits), 1);
  assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM nn_entries`)), 1);
});

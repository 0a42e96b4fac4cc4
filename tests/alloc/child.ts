/**
 * Measures, in a process of its own, what loading and flushing cost in heap bytes per row:
 * allocated while loading (a young generation large enough that no collection runs during the
 * measured step), kept after loading (after a forced GC), and allocated while flushing new
 * objects; allocated per Core statement run in a transaction (`tx.run(sql\`INSERT ...\`)`);
 * allocated per `session.get` of an object the session does not hold; allocated per loaded
 * object changed, flushed and committed; and allocated
 * and kept per child when 500 parents load 10 children each by `selectin` (each child's
 * reference to its parent filled too). Prints one JSON line. Run with
 * `--v8-flags=--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64`.
 */
import { column, createEngine, Model, relationship, select, selectin, sql } from "../../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc!;
const N = 5_000;
const url = Deno.args[0] ?? "sqlite::memory:";

class AllocUser extends Model("alloc_users", {
  id: column.integer().primaryKey(),
  username: column.text(),
  email: column.text(),
}) {}

class AllocWriter extends Model("alloc_writers", {
  id: column.integer().primaryKey(),
  name: column.text(),
}) {
  static notes = relationship(() => AllocNote, { backPopulates: "writer" });
  declare notes: AllocNote[];
}

class AllocNote extends Model("alloc_notes", {
  id: column.integer().primaryKey(),
  writerId: column.integer().references(() => AllocWriter.c.id),
  body: column.text(),
}) {
  static writer = relationship(() => AllocWriter, { backPopulates: "notes" });
  declare writer: AllocWriter | null;
}

const heap = () => Deno.memoryUsage().heapUsed;
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};

await using engine = createEngine(url);
await engine.dropAll([AllocNote, AllocWriter, AllocUser]);
await engine.createAll([AllocUser, AllocWriter, AllocNote]);

const fresh = (k: number) =>
  Array.from(
    { length: N },
    (_, i) => new AllocUser({ username: `user${k}-${i}`, email: `user${k}-${i}@example.com` }),
  );

// Warm every path once (compiled statements, caches, JIT).
for (let k = 0; k < 3; k++) {
  await using s = engine.session();
  s.addAll(fresh(k));
  await s.commit();
  await s.all(select(AllocUser));
  await s.commit();
  await engine.run(sql`DELETE FROM ${AllocUser}`);
}

// Each figure is the least of several measurements: a compilation or a cache filling up during
// one of them allocates too, and is not what a row costs.
let flushAllocated = Infinity;
let loadAllocated = Infinity;
let kept = NaN;
for (let r = 0; r < 5; r++) {
  await engine.run(sql`DELETE FROM ${AllocUser}`);
  // Flushing N new objects.
  const objects = fresh(10 + r);
  collect();
  let before = heap();
  {
    await using s = engine.session();
    s.addAll(objects);
    await s.flush();
    flushAllocated = Math.min(flushAllocated, (heap() - before) / N);
    await s.commit();
  }
  collect();
  before = heap();
  // Loading them again in a fresh session.
  await using s2 = engine.session();
  const rows = await s2.all(select(AllocUser));
  loadAllocated = Math.min(loadAllocated, (heap() - before) / N);
  collect();
  // What stays is measured once, as the first load leaves it (later rounds free earlier ones).
  if (r === 0) kept = (heap() - before) / N;
  if (rows.length !== N) throw new Error(`loaded ${rows.length} rows of ${N}`);
}
// Core: statements run one by one in a transaction, through the sql tag.
let statementAllocated = Infinity;
for (let r = 0; r < 4; r++) {
  await engine.run(sql`DELETE FROM ${AllocUser}`);
  collect();
  const before = heap();
  await engine.transaction(async (tx) => {
    for (let i = 0; i < N; i++) {
      await tx.run(sql`INSERT INTO ${AllocUser} (username, email) VALUES (${`s${i}`}, ${"e"})`);
    }
  });
  statementAllocated = Math.min(statementAllocated, (heap() - before) / N);
}
// Point lookups by key in a fresh session: each one a query and a new object.
let getAllocated = Infinity;
{
  const ids = (await engine.all<{ id: number }>(sql`SELECT id FROM ${AllocUser}`)).map((r) => r.id);
  if (ids.length !== N) throw new Error(`found ${ids.length} users of ${N}`);
  for (let r = 0; r < 4; r++) {
    await using s = engine.session();
    collect();
    const before = heap();
    for (let i = 0; i < N; i++) {
      if ((await s.get(AllocUser, ids[i])) === null) throw new Error(`no user ${ids[i]}`);
    }
    getAllocated = Math.min(getAllocated, (heap() - before) / N);
  }
}
// Updates: loaded objects each given a new value, flushed and committed (what a change costs
// beyond the load: the frame's saved state, the dirty set, the batched UPDATE).
let updateAllocated = Infinity;
for (let r = 0; r < 4; r++) {
  await using s = engine.session();
  const users = await s.all(select(AllocUser));
  if (users.length !== N) throw new Error(`loaded ${users.length} users of ${N}`);
  collect();
  const before = heap();
  for (let i = 0; i < N; i++) users[i].email = `r${r}.${users[i].email}`;
  await s.commit();
  updateAllocated = Math.min(updateAllocated, (heap() - before) / N);
}
// Parents with children: what a loaded child (and its share of its parent) keeps.
{
  await using s = engine.session();
  for (let w = 0; w < N / 10; w++) {
    const writer = new AllocWriter({ name: `writer${w}` });
    for (let n = 0; n < 10; n++) writer.notes.push(new AllocNote({ body: `note${w}-${n}` }));
    s.add(writer);
  }
  await s.commit();
}
// What stays is measured once, as the first load leaves it (as `kept` is); what a load
// allocates is the least of several loads, each in a fresh session, committed as users do.
let relatedKept = NaN;
let relatedAllocated = Infinity;
for (let r = 0; r < 4; r++) {
  collect();
  const before = heap();
  const related = engine.session();
  const writers = await related.all(select(AllocWriter).options(selectin("notes")));
  await related.commit();
  relatedAllocated = Math.min(relatedAllocated, (heap() - before) / N);
  collect();
  if (r === 0) relatedKept = (heap() - before) / N;
  if (writers.length !== N / 10 || writers[0].notes[0].writer !== writers[0]) {
    throw new Error("the writers and their notes did not load");
  }
  await related.close();
}
console.log(
  JSON.stringify({
    flushAllocated,
    loadAllocated,
    kept,
    statementAllocated,
    getAllocated,
    updateAllocated,
    relatedAllocated,
    relatedKept,
  }),
);
await engine.dropAll([AllocNote, AllocWriter, AllocUser]);

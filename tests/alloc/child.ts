/**
 * Measures, in a process of its own, what loading and flushing cost in heap bytes per row:
 * allocated while loading (a young generation large enough that no collection runs during the
 * measured step), kept after loading (after a forced GC), and allocated while flushing new
 * objects. Prints one JSON line. Run with
 * `--v8-flags=--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64`.
 */
import { column, createEngine, Model, select, sql } from "../../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc!;
const N = 5_000;
const url = Deno.args[0] ?? "sqlite::memory:";

class AllocUser extends Model("alloc_users", {
  id: column.integer().primaryKey(),
  username: column.text(),
  email: column.text(),
}) {}

const heap = () => Deno.memoryUsage().heapUsed;
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};

await using engine = createEngine(url);
await engine.run(sql`DROP TABLE IF EXISTS ${AllocUser}`);
await engine.createAll([AllocUser]);

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
console.log(JSON.stringify({ flushAllocated, loadAllocated, kept }));
await engine.run(sql`DROP TABLE ${AllocUser}`);

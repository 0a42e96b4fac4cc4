/**
 * Crash atomicity on SQLite: a subprocess commits 10,000-row flushes to a file database (WAL),
 * one after another, and is killed with SIGKILL at a random moment once committing has begun.
 * After each kill, `PRAGMA integrity_check` says "ok" and every flush's rows are all there or
 * none are. The same file lives through every crash, so each trial also recovers from the
 * WAL the previous one left.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { rngFor, scale } from "./_support.ts";

const ROWS = 10_000;
const TRIALS = scale(20, 200);

/** The subprocess: commits flushes of ROWS rows until killed, saying when each begins. */
const CHILD = `
import { column, createEngine, Model } from ${JSON.stringify(import.meta.resolve("../../mod.ts"))};
const [path, first] = Deno.args;
class Row extends Model("rel_crash_rows", {
  id: column.integer().primaryKey(),
  flush: column.integer(),
  payload: column.text(),
}) {}
const engine = createEngine("sqlite:///" + path);
await engine.createAll([Row]);
const out = new TextEncoder();
for (let flush = Number(first); ; flush++) {
  await using session = engine.session();
  for (let i = 0; i < ${ROWS}; i++) {
    session.add(new Row({ flush, payload: "row " + i + " of flush " + flush + " ".repeat(i % 50) }));
  }
  await Deno.stdout.write(out.encode("commit " + flush + "\\n"));
  await session.commit();
  await Deno.stdout.write(out.encode("done " + flush + "\\n"));
}
`;

Deno.test("crash atomicity: SIGKILL in mid-commit leaves SQLite intact, each flush all or nothing", async () => {
  const rng = rngFor("crash atomicity");
  const dir = await Deno.makeTempDir({ prefix: "retort-crash-" });
  try {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(script, CHILD);
    const path = `${dir}/crash.db`;
    const config = new URL(import.meta.resolve("../../deno.json")).pathname;
    let inCommit = 0;
    let flushes = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", config, script, path, String(trial * 1000)],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let last = "";
      const readLine = async (): Promise<string | null> => {
        while (!buffer.includes("\n")) {
          const { value, done } = await lines.read();
          if (done) return null;
          buffer += value;
        }
        const i = buffer.indexOf("\n");
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        return line;
      };
      // Wait until the first commit begins, then let it (and maybe later ones) run a while.
      const first = await readLine();
      if (first === null) {
        const err = await new Response(child.stderr).text();
        throw new Error(`the subprocess ended before committing: ${err}`);
      }
      last = first;
      const delay = rng.next() * 250;
      const pump = (async () => {
        for (let line = await readLine(); line !== null; line = await readLine()) last = line;
      })();
      await new Promise((resolve) => setTimeout(resolve, delay));
      const lastBeforeKill = last;
      child.kill("SIGKILL");
      const status = await child.status;
      await pump;
      await child.stderr.cancel();
      assert.equal(status.signal, "SIGKILL");
      if (lastBeforeKill.startsWith("commit")) inCommit++;

      // The database: intact, in WAL mode, and each flush all or nothing.
      const db = new DatabaseSync(path);
      try {
        const check = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
        assert.deepEqual(check.map((r) => r.integrity_check), ["ok"], `trial ${trial}`);
        const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
        assert.equal(mode.journal_mode, "wal");
        const groups = db.prepare(
          "SELECT flush, count(*) AS n FROM rel_crash_rows WHERE flush >= ? GROUP BY flush",
        ).all(trial * 1000) as { flush: number; n: number }[];
        for (const g of groups) {
          assert.equal(g.n, ROWS, `trial ${trial}: flush ${g.flush} holds ${g.n} rows`);
        }
        flushes += groups.length;
      } finally {
        db.close();
      }
    }
    console.log(
      `  ${TRIALS} subprocesses killed (${inCommit} while a commit was under way, by their ` +
        `last word); ${flushes} flushes of ${ROWS} rows found whole, none partial`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The memory figure: heap bytes per loaded user, 10,000 users kept alive, measured after a
 * forced GC, for each contestant on each database.
 *
 * Each cell runs in a fresh process (`--v8-flags=--expose-gc`), so that nothing another cell
 * left behind counts: the child opens the contestant, seeds the users, loads them once to warm
 * its caches and lets them go, collects garbage, reads `heapUsed`, loads them again and keeps
 * them (the ORM: in one open session, as `Handle.hold` does), collects again and reads
 * `heapUsed` again. The difference over the row count is the figure; the ratio is to the raw
 * driver's row objects.
 *
 * Run alone: `deno run -A bench/memory.ts [--db sqlite,postgres] [--users 10000]`.
 *
 * @module
 */
import postgres from "postgres";
import { parseArgs } from "node:util";
import type { DbKind, Handle, Target } from "./contestant.ts";
import { contestants as allContestants } from "./contestants/mod.ts";
import { reset, schema, seed } from "./workloads.ts";

/** One cell of the memory figure. */
export interface MemoryCell {
  readonly db: DbKind;
  readonly contestant: string;
  /** Heap bytes per kept row, or null when the cell failed. */
  readonly bytesPerRow: number | null;
  /** The bytes per row divided by the raw driver's. */
  ratio: number | null;
  readonly error?: string;
}

/** The memory figure of a run. */
export interface MemoryResult {
  readonly users: number;
  readonly cells: MemoryCell[];
}

const gc = (globalThis as { gc?: () => void }).gc;

function collect(): void {
  for (let i = 0; i < 3; i++) gc!();
}

/** In the child: one contestant on one database; prints `{ bytesPerRow }`. */
async function child(name: string, target: Target, users: number): Promise<void> {
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const c = (await allContestants()).find((x) => x.name === name);
  if (!c) throw new Error(`no contestant ${name}`);
  const handle: Handle = await c.open(target);
  try {
    await handle.exec(schema(target.db));
    await handle.exec([...reset(target.db), ...seed(target.db, users)]);
    const hold = handle.hold?.bind(handle) ??
      (async () => ({ rows: await handle.selectAll(), release: () => Promise.resolve() }));
    let warm: Awaited<ReturnType<typeof hold>> | null = await hold();
    await warm.release();
    warm = null;
    collect();
    const before = Deno.memoryUsage().heapUsed;
    const kept = await hold();
    collect();
    const after = Deno.memoryUsage().heapUsed;
    if (kept.rows.length !== users) throw new Error(`loaded ${kept.rows.length} of ${users}`);
    console.log(JSON.stringify({ bytesPerRow: (after - before) / users }));
    await kept.release();
  } finally {
    await handle.close();
  }
}

/** Measures every contestant on the databases given, each in a fresh process. */
export async function measureMemory(
  dbs: readonly DbKind[],
  names: readonly string[],
  pgUrl: string,
  users = 10_000,
): Promise<MemoryResult> {
  const cells: MemoryCell[] = [];
  for (const db of dbs) {
    let url = "";
    let admin: ReturnType<typeof postgres> | null = null;
    const schemaName = `retort_mem_${Deno.pid}`;
    if (db === "postgres") {
      admin = postgres(pgUrl, { onnotice: () => {}, max: 1 });
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
      await admin.unsafe(`CREATE SCHEMA ${schemaName}`);
      const u = new URL(pgUrl);
      u.searchParams.set("search_path", schemaName);
      url = u.href;
    }
    try {
      const row: MemoryCell[] = [];
      for (const name of names) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--v8-flags=--expose-gc",
            "--config",
            new URL("./deno.json", import.meta.url).pathname,
            new URL(import.meta.url).pathname,
            "--child",
            name,
            "--db",
            db,
            "--users",
            String(users),
            ...(url ? ["--url", url] : []),
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
        if (out.code !== 0 || !text.startsWith("{")) {
          const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
          row.push({ db, contestant: name, bytesPerRow: null, ratio: null, error: why });
          continue;
        }
        const { bytesPerRow } = JSON.parse(text) as { bytesPerRow: number };
        row.push({ db, contestant: name, bytesPerRow, ratio: null });
      }
      const raw = row.find((c) => c.contestant === "raw")?.bytesPerRow;
      for (const c of row) if (c.bytesPerRow !== null && raw) c.ratio = c.bytesPerRow / raw;
      cells.push(...row);
    } finally {
      if (admin) {
        await admin.unsafe(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
        await admin.end({ timeout: 5 });
      }
    }
  }
  return { users, cells };
}

/** The memory figure for the console. */
export function memoryText(m: MemoryResult): string {
  const lines = [`\nMemory: heap bytes per loaded user, ${m.users} kept, after a forced GC:`];
  for (const c of m.cells) {
    lines.push(
      `  ${c.db.padEnd(8)} ${c.contestant.padEnd(12)} ` +
        (c.bytesPerRow === null
          ? `FAILED ${c.error ?? ""}`
          : `${Math.round(c.bytesPerRow).toString().padStart(6)} B` +
            (c.ratio !== null && c.contestant !== "raw" ? ` (${c.ratio.toFixed(2)}×)` : "")),
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      child: { type: "string" },
      db: { type: "string" },
      users: { type: "string" },
      url: { type: "string" },
    },
  });
  const users = Number(values.users ?? 10_000);
  const pgUrl = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
  if (values.child) {
    const db = (values.db ?? "sqlite") as DbKind;
    await child(
      values.child,
      db === "sqlite" ? { db } : { db, url: values.url ?? pgUrl },
      users,
    );
  } else {
    const dbs = (values.db?.split(",") ?? ["sqlite", "postgres"]) as DbKind[];
    const names = (await allContestants()).map((c) => c.name);
    console.log(memoryText(await measureMemory(dbs, names, pgUrl, users)));
  }
}

/**
 * Two deploys at once: two processes run `retort up` on the same database at the same time,
 * and each migration is applied exactly once (its data step ran once, its version row is
 * there once).
 */
import assert from "node:assert/strict";
import { sql } from "../../mod.ts";
import { scopedTest } from "../_db.ts";

const ROOT = new URL("../../", import.meta.url);
const CLI = new URL("cli.ts", ROOT).pathname;
const CONFIG = new URL("deno.json", ROOT).pathname;

function migration(i: number, parent: string | null): string {
  const create = i === 0
    ? `op.createTable({ name: "runs", columns: [{ name: "step", type: "INTEGER", nullable: false }] }),`
    : "";
  return `import type { Migration } from "@retort/orm/migrate";
export default {
  parent: ${JSON.stringify(parent)},
  up: ({ op, sql }) => [
    ${create}
    op.run(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 200)); // hold the lock a while
      await tx.run(sql\`INSERT INTO runs (step) VALUES (\${${i}})\`);
    }),
  ],
} satisfies Migration;
`;
}

scopedTest(
  "migrate: two processes running up at once apply each migration once",
  async ({ open, db }) => {
    const dir = await Deno.makeTempDir({ prefix: "retort-deploy-" });
    try {
      const ids = ["20261201T1500_one", "20261201T1501_two", "20261201T1502_three"];
      await Deno.mkdir(`${dir}/migrations`);
      for (const [i, id] of ids.entries()) {
        await Deno.writeTextFile(`${dir}/migrations/${id}.ts`, migration(i, ids[i - 1] ?? null));
      }
      await Deno.writeTextFile(
        `${dir}/retort.config.ts`,
        `export default { migrations: "./migrations" };`,
      );
      const deploy = () =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--config", CONFIG, CLI, "up", "--config", `${dir}/retort.config.ts`],
          cwd: dir,
          env: { DATABASE_URL: db.url, NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const runs = await Promise.all([deploy(), deploy()]);
      const text = runs.map((r) =>
        new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr)
      );
      for (const [i, r] of runs.entries()) assert.equal(r.code, 0, text[i]);
      const applied = text.join("\n").match(/^Applying /gm)?.length;
      assert.equal(applied, 3, text.join("\n---\n"));
      const engine = open();
      assert.deepEqual(
        (await engine.all<{ step: number }>(sql`SELECT step FROM runs ORDER BY step`)).map((r) =>
          Number(r.step)
        ),
        [0, 1, 2],
      );
      assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM retort_migrations`)), 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { on: ["sqlite-file", "postgres"] },
);

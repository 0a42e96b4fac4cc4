/**
 * Keeps the benchmark working: runs `bench/run.ts --smoke` (about 20 rows, one run, every
 * result checked) in a fresh process, on SQLite and on PostgreSQL. Nothing here looks at
 * timings.
 */
import { PG_UP } from "./_db.ts";

const REQUIRE_PG = Deno.env.get("RETORT_REQUIRE_POSTGRES") === "1";

async function smoke(args: string[]): Promise<void> {
  const run = new URL("../bench/run.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", run.pathname, "--smoke", ...args],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success || !/All \d+ cells passed their checks/.test(stdout)) {
    throw new Error(
      `bench/run.ts --smoke ${args.join(" ")} exited with ${out.code}:\n${stdout}\n${stderr}`,
    );
  }
}

Deno.test("bench smoke run passes its checks [sqlite]", async () => {
  await smoke(["--db", "sqlite"]); // with the startup figure, to keep that code running too
});

Deno.test({
  name: "bench smoke run passes its checks [postgres]",
  ignore: !PG_UP && !REQUIRE_PG,
  fn: async () => {
    await smoke(["--db", "postgres", "--no-startup"]);
  },
});

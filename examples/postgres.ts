/**
 * The tutorial on PostgreSQL: the same program as `deno task demo`, with only the URL changed.
 *
 * Run it with `deno run -A examples/postgres.ts`. The URL comes from `DATABASE_URL`, by default
 * `postgres://postgres@127.0.0.1:5432/test`. The tutorial creates (and drops again) its own tables,
 * `tutorial_users` and `tutorial_posts`, and touches nothing else in that database.
 */
import { createEngine, OperationalError, sql } from "../mod.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";

// First, a friendly check that the server is there: postgres.js, the driver Retort uses for
// "postgres://" URLs, is imported only now, when the engine is first used.
try {
  await using engine = createEngine(url, { poolSize: 2 });
  const version = await engine.scalar<string>(sql`SELECT version()`);
  console.log(`Connected: ${version.split(",")[0]} (pool size ${engine.poolSize})`);
} catch (e) {
  if (!(e instanceof OperationalError)) throw e;
  console.error(`Cannot reach PostgreSQL at ${url}: ${e.message}`);
  console.error("Start a server, or set DATABASE_URL to one.");
  Deno.exit(1);
}

// Then the tutorial itself, unchanged: examples/tutorial.ts takes its URL as an argument.
const tutorial = new URL("./tutorial.ts", import.meta.url);
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", tutorial.href, url],
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(code);

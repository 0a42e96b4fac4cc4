/**
 * The `retort` CLI: help on every command, errors that say what to do, and the walkthrough
 * of a model change (generate, check, up, status, down) through the commands, configured by
 * a retort.config.ts.
 */
import assert from "node:assert/strict";
import { main } from "../../cli.ts";
import { scopedTest } from "../_db.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;
const ROOT = new URL("../../", import.meta.url).pathname;

async function retort(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), note: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const models = (email: boolean) =>
  `import { column, Model } from ${JSON.stringify(MOD)};
export class User extends Model("users", {
  id: column.integer().primaryKey(),
  name: column.text(),${email ? "\n  email: column.text().nullable(),\n" : ""}
}) {}
`;

Deno.test("migrate: retort --help, and --help on every command", async () => {
  const main = await retort(["--help"]);
  assert.equal(main.code, 0);
  for (const command of ["generate", "up", "down", "status", "check", "push", "pull", "diagram"]) {
    assert.match(main.out, new RegExp(`\\n  ${command}\\s`));
    const help = await retort([command, "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, new RegExp(`^Usage: retort ${command}`));
  }
  const none = await retort([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /^error: no command; the commands are generate, up/);
  assert.match(none.err, /Usage: retort <command>/);
  const optionOnly = await retort(["-x"]);
  assert.equal(optionOnly.code, 2);
  assert.match(optionOnly.err, /^error: no command \(given: -x\)/);
});

Deno.test("migrate: retort's errors say what to do", async () => {
  const unknown = await retort(["migrate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command migrate; the commands are generate, up/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/retort.config.ts`,
      `export default { env: "RETORT_TEST_NO_SUCH_VAR" };`,
    );
    const noUrl = await retort(["status", "--config", `${dir}/retort.config.ts`]);
    assert.equal(noUrl.code, 1);
    assert.match(
      noUrl.err,
      /No database URL: pass --url, set url in retort.config.ts, or set RETORT_TEST_NO_SUCH_VAR/,
    );
    const noModels = await retort([
      "generate",
      "x",
      "--url",
      "sqlite::memory:",
      "--config",
      `${dir}/retort.config.ts`,
    ]);
    assert.match(noModels.err, /No models: set models in retort.config.ts/);
    const noName = await retort([
      "generate",
      "--url",
      "sqlite::memory:",
      "--config",
      `${dir}/retort.config.ts`,
    ]);
    assert.match(noName.err, /generate needs a name/);
    const badConfig = await retort(["status", "--config", `${dir}/missing.ts`]);
    assert.match(badConfig.err, /No config file at .*missing\.ts; check --config/);
    const badRename = await retort([
      "push",
      "--rename",
      "oops",
      "--url",
      "sqlite::memory:",
      "--config",
      `${dir}/retort.config.ts`,
    ]);
    assert.match(badRename.err, /No models|--rename takes old=new/);
    const badDown = await retort([
      "down",
      "two",
      "--url",
      "sqlite::memory:",
      "--config",
      `${dir}/retort.config.ts`,
    ]);
    assert.match(badDown.err, /down takes a number of migrations/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

scopedTest("migrate: the walkthrough through the CLI", async ({ db }) => {
  const dir = await Deno.makeTempDir({ prefix: "retort-cli-" });
  try {
    const config = `${dir}/retort.config.ts`;
    await Deno.writeTextFile(
      config,
      `export default { url: ${
        JSON.stringify(db.url)
      }, models: "./models.ts", migrations: "./migrations" };`,
    );
    await Deno.writeTextFile(`${dir}/models.ts`, models(false));
    let run = (...args: string[]) => retort([...args, "--config", config]);
    let r = await run("generate", "init");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Wrote .*migrations\/\d{8}T\d{4}_init\.ts \(1 change\)/);
    r = await run("status");
    assert.match(r.out, /\[ \] \d{8}T\d{4}_init\n1 pending/);
    r = await run("check");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /users: - → 0 rows/);
    r = await run("up");
    assert.match(r.out, /Applied 1 migration\./);
    // The model changes: a new column (in a new module: this process has loaded the first).
    await Deno.writeTextFile(`${dir}/models2.ts`, models(true));
    const config2 = `${dir}/retort2.config.ts`;
    await Deno.writeTextFile(
      config2,
      `export default { url: ${
        JSON.stringify(db.url)
      }, models: "./models2.ts", migrations: "./migrations" };`,
    );
    run = (...args: string[]) => retort([...args, "--config", config2]);
    r = await run("check");
    assert.equal(r.code, 1); // the models want a column no migration adds yet
    assert.match(r.out, /add column users\.email/);
    r = await run("generate", "add_email");
    assert.match(r.out, /add column users\.email/);
    r = await run("up", "--check");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Every pending migration ran in the rehearsal[\s\S]*Applied 1 migration/);
    r = await run("status");
    assert.match(r.out, /\[x\] .*_init[\s\S]*\[x\] .*_add_email[\s\S]*Up to date\./);
    r = await run("down");
    assert.match(r.out, /Reverting .*_add_email[\s\S]*Reverted 1 migration\./);
    r = await run("diagram");
    assert.match(r.out, /^erDiagram\n {2}users \{/);
    const out = `${dir}/pulled.ts`;
    r = await run("pull", "--out", out);
    assert.match(r.err, /Wrote .*pulled\.ts/);
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", "--config", `${ROOT}deno.json`, out],
      stderr: "null",
      stdout: "null",
    }).output();
    assert.equal(fmt.code, 0, await Deno.readTextFile(out));
    assert.match(await Deno.readTextFile(out), /export class User extends Model\("users"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, { on: ["sqlite-file", "postgres"] });

Deno.test("migrate: deno task retort runs the CLI", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "retort", "status", "--help"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(code, 0);
  assert.match(new TextDecoder().decode(stdout), /^Usage: retort status/);
});

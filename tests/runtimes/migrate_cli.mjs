// The migrations and the `retort` command line from the installed package, on Node.js 22 and 24
// and Bun (plain JavaScript; tests/runtimes_test.ts runs it from the folder the tarball is
// installed in, where `node_modules/.bin/retort` is):
//
//   node migrate_cli.mjs
//
// - @retort/orm/migrate: generate into a directorySource (a real folder), load the file back,
//   check (the rehearsal) and up({ check: true }), status and down, on a SQLite file and, when
//   it answers, on PostgreSQL at DATABASE_URL (in a schema of its own, dropped at the end).
// - The command: `npx retort --help` (Node.js; Bun: `bun run --bun retort`), the package's
//   esm/cli.js run as a program, and a project's round trip with retort.config.ts and a models
//   module: generate, status, up --check, check, down; the exit codes 0, 1 and 2.
//
// The last line says how many checks passed; the exit code is 1 when any failed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";

const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE_PG = process.env.RETORT_REQUIRE_POSTGRES === "1";
const BUN = Boolean(globalThis.Bun);
const runtime = BUN ? `Bun ${globalThis.Bun.version}` : `Node.js ${process.versions.node}`;
const HERE = process.cwd();

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).replaceAll("\n", "\n     ")}`);
  }
}

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 5432) });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const { column, createEngine, Model, sql } = await import("@retort/orm");
const migrate = await import("@retort/orm/migrate");

class Note extends Model("rt_mig_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
}) {}
class NoteV2 extends Model("rt_mig_notes", {
  id: column.integer().primaryKey(),
  body: column.text(),
  title: column.text().nullable(),
}) {}

/** The library on one database: files in a real folder, rehearsals, apply and revert. */
async function library(label, url) {
  const dir = mkdtempSync(join(tmpdir(), "retort-migrate-"));
  const engine = createEngine(url(dir));
  const migrations = migrate.directorySource(join(dir, "migrations"));
  try {
    await check(`${label}: generate writes a file into a directorySource`, async () => {
      assert.deepEqual(await migrations.list(), []); // no folder yet: no migrations
      const init = await migrate.generate(engine, [Note], { name: "init", migrations });
      assert.match(init.path, /migrations\/\d{8}T\d{4,6}_init\.ts$/);
      assert.deepEqual(readdirSync(join(dir, "migrations")), [`${init.id}.ts`]);
      const [file] = await migrations.list();
      assert.equal(file.id, init.id);
      assert.match(file.text, /op\.createTable/);
      assert.equal(typeof (await file.load()).default.up, "function"); // a .ts file, loaded
    });
    await check(`${label}: check rehearses the migration on a copy`, async () => {
      const report = await migrate.check(engine, { migrations, models: [Note] });
      assert.ok(report.ok, report.text);
      assert.equal(report.migrations.length, 1);
      assert.deepEqual((await migrate.status(engine, { migrations })).pending.length, 1);
    });
    await check(`${label}: up({ check: true }) rehearses, then applies`, async () => {
      const lines = [];
      const result = await migrate.up(engine, {
        migrations,
        check: true,
        progress: (l) => lines.push(l),
      });
      assert.equal(result.applied.length, 1);
      assert.match(lines.join("\n"), /Rehearsal on/);
      await engine.run(sql`INSERT INTO rt_mig_notes (body) VALUES (${"kept"})`);
    });
    await check(`${label}: a second migration, checked, applied and reverted`, async () => {
      await migrate.generate(engine, [NoteV2], { name: "add_title", migrations });
      assert.equal((await migrations.list()).length, 2);
      const report = await migrate.check(engine, { migrations, models: [NoteV2] });
      assert.ok(report.ok, report.text);
      assert.deepEqual(report.migrations[0].tables, [{
        table: "rt_mig_notes",
        before: 1,
        after: 1,
      }]);
      await migrate.up(engine, { migrations, check: true });
      assert.equal((await migrate.checkSchema(engine, [NoteV2])).ok, true);
      await migrate.down(engine, { migrations });
      assert.equal((await migrate.checkSchema(engine, [Note])).ok, true);
      assert.equal(await engine.scalar(sql`SELECT count(*) FROM rt_mig_notes`), 1);
    });
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`Retort migrations and CLI on ${runtime}, from the package`);
await library("sqlite", (dir) => `sqlite:///${dir}/app.db`);

if (await reachable(PG_URL)) {
  const schema = `retort_migcli_${process.pid}_${Date.now()}`;
  const admin = createEngine(PG_URL);
  await admin.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
  try {
    await library(
      "postgres",
      () => `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}search_path=${schema}`,
    );
  } finally {
    await admin.run(sql`DROP SCHEMA ${sql.id(schema)} CASCADE`);
    await admin.dispose();
  }
} else if (REQUIRE_PG) {
  await check("PostgreSQL answers", () => assert.fail(`no PostgreSQL at ${PG_URL}`));
} else {
  console.log(`PostgreSQL is not reachable at ${PG_URL}: skipped.`);
}

// The command line, as installed in this folder. Node.js: `npx retort`, with this Node.js first
// on the PATH, so that npx and the launcher's `#!/usr/bin/env node` run on it. Bun:
// `bun run --bun retort` runs it on Bun. Both only ever run the local bin (`npx --no`: never a
// download from the registry), and from this folder or one below it.
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
const ENV = { ...process.env, PATH, NO_COLOR: "1", DATABASE_URL: "" };
/** Runs a command in `cwd`: its exit code and output. */
function run(cmd, args, cwd = HERE) {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr, text: `${r.stdout}\n${r.stderr}` };
}
const retort = (args, cwd) =>
  BUN
    ? run(process.execPath, ["run", "--bun", "retort", ...args], cwd)
    : run("npx", ["--no", "--", "retort", ...args], cwd);

await check("the package's bin is the retort command", () => {
  const manifest = JSON.parse(
    readFileSync(join(HERE, "node_modules/@retort/orm/package.json"), "utf8"),
  );
  assert.deepEqual(manifest.bin, { retort: "./bin/retort.js" });
  const launcher = readFileSync(join(HERE, "node_modules/@retort/orm/bin/retort.js"), "utf8");
  assert.match(launcher, /^#!\/usr\/bin\/env node\n/);
});

await check(`${BUN ? "bun run --bun" : "npx"} retort --help: the help, exit code 0`, () => {
  const r = retort(["--help"]);
  assert.equal(r.code, 0, r.text);
  assert.match(r.out, /Usage: retort <command>/);
  if (!BUN) {
    // It ran on this Node.js: npx and the launcher's shebang found it first on the PATH.
    const v = run("npx", ["-c", "node -p process.versions.node"]);
    assert.equal(v.out.trim(), process.versions.node, v.text);
  }
});

await check("esm/cli.js run as a program: exit codes 0 and 2", () => {
  const cli = join(HERE, "node_modules/@retort/orm/esm/cli.js");
  const help = run(process.execPath, [cli, "help", "status"]);
  assert.equal(help.code, 0, help.text);
  assert.match(help.out, /retort status/);
  const bad = run(process.execPath, [cli, "frobnicate"]);
  assert.equal(bad.code, 2, bad.text);
  assert.match(bad.err, /unknown command frobnicate/);
  // Imported, it runs nothing.
  const file = join(HERE, `imports-cli-${process.pid}.mjs`);
  writeFileSync(file, `import { main } from "@retort/orm/cli";\nconsole.log(typeof main);\n`);
  try {
    const imported = run(process.execPath, [file, "status", "--bogus"]);
    assert.equal(imported.code, 0, imported.text);
    assert.equal(imported.out.trim(), "function", imported.text);
  } finally {
    rmSync(file, { force: true });
  }
});

await check("retort status --url, and a bad option: exit codes 0 and 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "retort-cli-"));
  try {
    const ok = retort(["status", "--url", `sqlite:///${dir}/x.db`]);
    assert.equal(ok.code, 0, ok.text);
    assert.match(ok.out, /No migrations yet/);
    const bad = retort(["status", "--bogus"]);
    assert.equal(bad.code, 2, bad.text);
    assert.match(bad.err, /unknown option --bogus for "status"/);
    const failedRun = retort(["status", "--url", `sqlite:///${dir}/no/such/folder/x.db`]);
    assert.equal(failedRun.code, 1, failedRun.text);
    assert.match(failedRun.err, /^error: /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

await check("a project: generate, status, up --check, check, down with retort.config.ts", () => {
  // Inside this folder, so that the project's modules find @retort/orm in its node_modules.
  const dir = join(HERE, `project-${process.pid}`);
  mkdirSync(dir);
  try {
    writeFileSync(
      join(dir, "retort.config.ts"),
      `import type { RetortConfig } from "@retort/orm/cli";
export default { url: "sqlite:///app.db", models: "./models.ts" } satisfies RetortConfig;
`,
    );
    writeFileSync(
      join(dir, "models.ts"),
      `import { column, Model } from "@retort/orm";
export class Task extends Model("tasks", { id: column.integer().primaryKey(), done: column.boolean() }) {}
`,
    );
    const generated = retort(["generate", "init", "--no-prompt"], dir);
    assert.equal(generated.code, 0, generated.text);
    assert.match(generated.text, /Wrote .*migrations\/\d{8}T\d{4,6}_init\.ts/);
    const [file] = readdirSync(join(dir, "migrations"));
    const pending = retort(["status"], dir);
    assert.equal(pending.code, 0, pending.text);
    assert.match(pending.out, new RegExp(`\\[ \\] ${file.slice(0, -3)}`));
    const up = retort(["up", "--check"], dir);
    assert.equal(up.code, 0, up.text);
    assert.match(up.out, /Rehearsal on a copy[\s\S]*Applied 1 migration/);
    const checked = retort(["check"], dir);
    assert.equal(checked.code, 0, checked.text);
    assert.match(checked.out, /Nothing pending/);
    const down = retort(["down"], dir);
    assert.equal(down.code, 0, down.text);
    assert.match(down.out, /Reverted 1 migration/);
    const target = retort(["up", "nosuchmigration"], dir);
    assert.equal(target.code, 2, target.text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

console.log(`migrate: ${passed} checks passed, ${failed} failed (${runtime})`);
process.exit(failed === 0 ? 0 : 1);

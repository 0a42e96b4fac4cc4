/**
 * The `retort` CLI, round 4: each command takes only the options and arguments it declares
 * (the help lists the same ones), usage errors exit with 2 and failed work with 1, a relative
 * SQLite URL in the config is relative to the config's folder, the config's fields are
 * checked, modules that do not load are errors, and a few outputs are right.
 */
import assert from "node:assert/strict";
import { main } from "../../cli.ts";
import { ArgumentError, createEngine, type Engine, sql } from "../../mod.ts";
import * as migrate from "../../migrate.ts";
import { HELP } from "../../cli/help.ts";
import { optionsOf, SPECS } from "../../cli/spec.ts";
import { dbTest } from "../_db.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;
const ON = { on: ["sqlite-file", "postgres"] as ("sqlite-file" | "postgres")[] };

async function retort(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), note: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A project folder with these files; removed by the returned function. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "fxcli-" });
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}

const CREATE = {
  "migrations/20260101T0000_fxcli_a.ts": `export default {
  parent: null,
  up: ({ op }) => [op.sql\`CREATE TABLE fxcli_t (x INTEGER)\`],
  down: ({ op }) => [op.sql\`DROP TABLE fxcli_t\`],
};
`,
};

async function tableExists(engine: Engine, name: string): Promise<boolean> {
  try {
    await engine.all(sql`SELECT * FROM ${sql.id(name)}`);
    return true;
  } catch {
    return false;
  }
}

dbTest(
  "fxcli: unknown options and extra arguments are refused, and nothing is done",
  async (db) => {
    const dir = await project(CREATE);
    try {
      const engine = db.engine();
      const cfg = `${dir}/retort.config.ts`;
      await Deno.writeTextFile(cfg, `export default { url: ${JSON.stringify(db.url)} };`);
      const r = (...args: string[]) => retort([...args, "--config", cfg]);

      let res = await r("up", "--dry-run");
      assert.equal(res.code, 2);
      assert.match(res.err, /^error: unknown option --dry-run for "up"; its options are --check, /);
      assert.match(res.err, /See retort up --help\./);
      assert.equal(await tableExists(engine, "fxcli_t"), false, "up --dry-run applied");
      res = await r("up", "--chek");
      assert.equal(res.code, 2);
      assert.match(res.err, /unknown option --chek for "up" \(did you mean --check\?\)/);
      res = await r("--dry-run", "up"); // an option before the command is the command's too
      assert.equal(res.code, 2);
      res = await r("up", "--check=yes");
      assert.match(res.err, /--check takes no value; got --check=yes/);
      assert.equal(res.code, 2);
      res = await r("up", "-n");
      assert.match(res.err, /unknown option -n for "up"/);
      res = await r("status", "--bogus");
      assert.equal(res.code, 2);
      assert.match(
        res.err,
        /unknown option --bogus for "status"; its options are --config, --url, --help/,
      );
      res = await r("status", "extra");
      assert.equal(res.code, 2);
      assert.match(res.err, /"status" takes no arguments; got extra/);
      assert.equal(await tableExists(engine, "fxcli_t"), false);

      res = await r("up");
      assert.equal(res.code, 0, res.err);
      assert.equal(await tableExists(engine, "fxcli_t"), true);
      res = await r("down", "--all");
      assert.equal(res.code, 2);
      assert.match(res.err, /unknown option --all for "down"/);
      res = await r("down", "1", "2", "3");
      assert.equal(res.code, 2);
      assert.match(res.err, /"down" takes at most 1 argument \(n\); got 1 2 3/);
      res = await r("up", "20260101T0000_fxcli_a", "more");
      assert.equal(res.code, 2);
      assert.equal(await tableExists(engine, "fxcli_t"), true, "a refused down reverted");
      res = await r("diagram", "--url", db.url); // diagram opens no database
      assert.equal(res.code, 2);
      assert.match(res.err, /unknown option --url for "diagram"; its options are --out, --config/);
      res = await r("up", "--url");
      assert.equal(res.code, 2);
      assert.match(res.err, /--url needs a value: --url <url>/);
      res = await r("up", "--url", "--check");
      assert.equal(res.code, 2);
      assert.match(res.err, /--url needs a value/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  ON,
);

Deno.test("fxcli: the help lists exactly the options each command takes", async () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    const help = HELP[name];
    const listed = [...help.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(listed, optionsOf(name).map((o) => o.name), name);
    const usage = help.split("\n")[0];
    for (const a of spec.args) assert.match(usage, new RegExp(`[<[]${a.name}[>\\]]`), name);
    // Every listed option is accepted (help wins over anything else on the line).
    const bogus = await retort([name, "--bogus-option"]);
    assert.equal(bogus.code, 2, name);
    assert.match(
      bogus.err,
      new RegExp(`its options are ${listed.map((o) => `--${o}`).join(", ")}\\.`),
    );
    const viaHelp = await retort(["help", name]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.out, help);
  }
  const main = await retort(["--help"]);
  assert.match(main.out, /Exit status:\n {2}0 {2}done\n {2}1 {2}the work failed/);
  assert.match(main.out, /\n {2}2 {2}the command line is wrong/);
  assert.equal((await retort(["help", "nope"])).code, 2);
  assert.equal((await retort(["help", "up", "down"])).code, 2);
});

dbTest(
  "fxcli: usage errors exit with 2 and change nothing; failed work exits with 1",
  async (db) => {
    const models = `import { column, Model } from ${JSON.stringify(MOD)};
export class Note extends Model("fxcli_notes", { id: column.integer().primaryKey() }) {}
`;
    const dir = await project({
      "models.ts": models,
      "retort.config.ts": `export default { url: ${
        JSON.stringify(db.url)
      }, models: "./models.ts" };`,
    });
    try {
      const cfg = `${dir}/retort.config.ts`;
      const r = (...args: string[]) => retort([...args, "--config", cfg]);
      const cases: [string[], RegExp][] = [
        [["down", "abc"], /down takes a number of migrations \(1 or more\), got abc/],
        [["down", "0"], /got 0/],
        [["down", "1.5"], /got 1\.5/],
        [["generate"], /generate needs a name: retort generate add_email/],
        [["generate", "bad name"], /A migration name is letters, digits and underscores/],
        [["push", "--rename", "oops"], /--rename takes old=new/],
        [["generate", "x", "--rename", "a=b=c"], /--rename takes old=new/],
        [["up", "20991231T0000_nope"], /No migration is named 20991231T0000_nope/],
        [["status", "--url", "mysql://x"], /--url: Cannot create an engine for "mysql:\/\/x"/],
        [["pull", "--out", `${dir}/no/such/folder/m.ts`], /there is no folder .*no\/such\/folder/],
      ];
      for (const [args, message] of cases) {
        const res = await r(...args);
        assert.equal(res.code, 2, `${args.join(" ")}: ${res.err}`);
        assert.match(res.err, message);
      }
      const badConfig = await retort(["status", "--config", `${dir}/missing.config.ts`]);
      assert.equal(badConfig.code, 2);
      assert.match(badConfig.err, /No config file at .*missing\.config\.ts; check --config/);
      const engine = db.engine();
      assert.equal(await tableExists(engine, "fxcli_notes"), false, "a usage error did work");
      assert.deepEqual(
        [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
        ["models.ts", "retort.config.ts"],
      );

      // The models match the database: nothing to generate, and still a bad name is refused.
      assert.equal((await r("push")).code, 0);
      const bad = await r("generate", "bad-name");
      assert.equal(bad.code, 2);
      assert.match(bad.err, /got "bad-name"/);
      await assert.rejects(
        migrate.generate(engine, [], { name: "no way", migrations: migrate.memorySource([]) }),
        (e) => e instanceof ArgumentError && /letters, digits and underscores/.test(e.message),
      );

      // Failed work: a migration that fails, no URL at all.
      await Deno.mkdir(`${dir}/migrations`);
      await Deno.writeTextFile(
        `${dir}/migrations/20260101T0000_fxcli_bad.ts`,
        "export default { parent: null, up: ({ op }) => [op.sql`SELECT * FROM fxcli_none`] };\n",
      );
      const failed = await r("up");
      assert.equal(failed.code, 1, failed.err);
      assert.match(failed.err, /Migration 20260101T0000_fxcli_bad failed/);
      await Deno.writeTextFile(
        cfg.replace("retort", "nourl"),
        `export default { env: "FXCLI_NONE" };`,
      );
      const noUrl = await retort(["status", "--config", `${dir}/nourl.config.ts`]);
      assert.equal(noUrl.code, 1);
      assert.match(noUrl.err, /No database URL/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  ON,
);

dbTest(
  "fxcli: a relative SQLite URL in the config is relative to the config's folder",
  async (db) => {
    const sqlite = db.dialect === "sqlite";
    const url = sqlite ? "sqlite:///data/app.db" : db.url;
    const dir = await project({
      ...CREATE,
      "proj/retort.config.ts": `export default { url: ${
        JSON.stringify(url)
      }, migrations: "../migrations" };`,
      "elsewhere/.keep": "",
    });
    const cwd = Deno.cwd();
    try {
      if (sqlite) await Deno.mkdir(`${dir}/proj/data`);
      Deno.chdir(`${dir}/elsewhere`);
      let res = await retort(["up", "--config", "../proj/retort.config.ts"]);
      assert.equal(res.code, 0, res.err);
      res = await retort(["status", "--config", "../proj/retort.config.ts"]);
      assert.match(res.out, /\[x\] 20260101T0000_fxcli_a[\s\S]*Up to date\./);
      assert.deepEqual([...Deno.readDirSync(".")].map((e) => e.name), [".keep"]);
      const engine = sqlite ? createEngine(`sqlite:///${dir}/proj/data/app.db`) : db.engine();
      try {
        assert.equal(await tableExists(engine, "fxcli_t"), true);
      } finally {
        if (sqlite) await engine.dispose();
      }
      if (sqlite) {
        // A URL typed on the command line, or in DATABASE_URL, is the working directory's.
        await Deno.mkdir("data");
        res = await retort([
          "status",
          "--url",
          "sqlite:///data/other.db",
          "--config",
          "../proj/retort.config.ts",
        ]);
        assert.match(res.out, /\[ \] 20260101T0000_fxcli_a/);
        assert.ok((await Deno.stat("data/other.db")).isFile);
        await Deno.writeTextFile(
          "env.config.ts",
          `export default { migrations: "../migrations" };`,
        );
        Deno.env.set("DATABASE_URL_FXCLI", "sqlite:///data/env.db");
        await Deno.writeTextFile(
          "env.config.ts",
          `export default { env: "DATABASE_URL_FXCLI", migrations: "../migrations" };`,
        );
        res = await retort(["up", "--config", "env.config.ts"]);
        assert.equal(res.code, 0, res.err);
        assert.ok((await Deno.stat("data/env.db")).isFile);
      }
    } finally {
      Deno.chdir(cwd);
      Deno.env.delete("DATABASE_URL_FXCLI");
      await Deno.remove(dir, { recursive: true });
    }
  },
  ON,
);

Deno.test("fxcli: the config's fields are checked, naming the field and its type", async () => {
  const dir = await project({});
  try {
    const cases: [string, RegExp][] = [
      [`{ migrations: 42 }`, /migrations must be a string \(the folder .*\); got the number 42\./],
      [
        `{ urll: "sqlite::memory:" }`,
        /unknown field urll \(did you mean url\?\); the fields are url, env/,
      ],
      [
        `{ exclude: "sessions" }`,
        /exclude must be a list of strings .*; got the string "sessions"/,
      ],
      [`{ exclude: [1] }`, /exclude must be a list of strings/],
      [`{ models: "" }`, /models must be a string/],
      [`{ url: null }`, /url must be a string .*; got null/],
      [`{ env: ["A"] }`, /env must be a string .*; got a list/],
      [`42`, /must export its configuration/],
    ];
    for (const [i, [config, message]] of cases.entries()) {
      const file = `${dir}/c${i}.config.ts`;
      await Deno.writeTextFile(file, `export default ${config};\n`);
      const res = await retort(["diagram", "--config", file]);
      assert.equal(res.code, 1, config);
      assert.match(res.err, message, config);
      assert.match(res.err, new RegExp(`^error: ${file}`), config);
    }
    const broken = `${dir}/broken.config.ts`;
    await Deno.writeTextFile(broken, "export default { url: ;\n");
    const res = await retort(["diagram", "--config", broken]);
    assert.equal(res.code, 1);
    assert.match(res.err, /^error: Cannot load the configuration .*broken\.config\.ts: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

dbTest(
  "fxcli: a models module or migration that does not load is an error, not a crash",
  async (db) => {
    const dir = await project({
      "retort.config.ts": `export default { url: ${JSON.stringify(db.url)}, models: "./nope.ts" };`,
      "bad/retort.config.ts": `export default { url: ${JSON.stringify(db.url)} };`,
      "bad/migrations/20260101T0000_fxcli_broken.ts": "export default { parent: null, up: ;\n",
    });
    try {
      for (const command of ["generate", "push", "diagram", "check"]) {
        const args = command === "generate" ? [command, "x"] : [command];
        const res = await retort([...args, "--config", `${dir}/retort.config.ts`]);
        assert.equal(res.code, 1, `${command}: ${res.err}`);
        assert.match(
          res.err,
          /^error: Cannot load the models module .*\/nope\.ts \(models in .*retort\.config\.ts\): Module not found/,
        );
      }
      const res = await retort(["up", "--config", `${dir}/bad/retort.config.ts`]);
      assert.equal(res.code, 1);
      assert.match(res.err, /^error: Cannot load the migration .*20260101T0000_fxcli_broken\.ts: /);
      assert.equal(await tableExists(db.engine(), "retort_migrations"), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  ON,
);

dbTest("fxcli: a failed up --check prints its report once", async (db) => {
  const dir = await project({
    "retort.config.ts": `export default { url: ${JSON.stringify(db.url)} };`,
    "migrations/20260101T0000_fxcli_rows.ts": `export default {
  parent: null,
  up: ({ op }) => [
    op.sql\`CREATE TABLE fxcli_rows (n INTEGER)\`,
    op.sql\`INSERT INTO fxcli_rows (n) VALUES (1)\`,
  ],
};
`,
    "migrations/20260101T0001_fxcli_purge.ts": `export default {
  parent: "20260101T0000_fxcli_rows",
  up: ({ op }) => [op.sql\`DELETE FROM fxcli_rows\`],
};
`,
  });
  try {
    const cfg = ["--config", `${dir}/retort.config.ts`];
    assert.equal((await retort(["up", "20260101T0000_fxcli_rows", ...cfg])).code, 0);
    const res = await retort(["up", "--check", ...cfg]);
    assert.equal(res.code, 1);
    const all = `${res.out}\n${res.err}`;
    assert.match(res.err, /The rehearsal found a problem, so nothing was applied/);
    assert.equal(all.match(/fxcli_rows: 1 → 0 rows/g)?.length, 1, all);
    const engine = db.engine();
    assert.equal(Number(await engine.scalar(sql`SELECT count(*) FROM fxcli_rows`)), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, ON);

dbTest("fxcli: pull on an empty database says so instead of an empty import", async (db) => {
  const dir = await project({
    "retort.config.ts": `export default { url: ${JSON.stringify(db.url)} };`,
  });
  try {
    const res = await retort(["pull", "--config", `${dir}/retort.config.ts`]);
    assert.equal(res.code, 0, res.err);
    assert.doesNotMatch(res.out, /import \{\s*\}/);
    assert.match(res.out, /^\/\/ No tables to pull: the database has none/);
    const { source } = await migrate.pull(db.engine());
    assert.doesNotMatch(source, /import/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, ON);

dbTest(
  "fxcli: up names a migration by its exact id even when a longer id begins with it",
  async (db) => {
    const dir = await project({
      "migrations/20260101T0000_fxcli_add.ts": `export default {
  parent: null,
  up: ({ op }) => [op.sql\`CREATE TABLE fxcli_e1 (x INTEGER)\`],
  down: ({ op }) => [op.sql\`DROP TABLE fxcli_e1\`],
};
`,
      "migrations/20260101T0001_fxcli_add_more.ts": `export default {
  parent: "20260101T0000_fxcli_add",
  up: ({ op }) => [op.sql\`CREATE TABLE fxcli_e2 (x INTEGER)\`],
  down: ({ op }) => [op.sql\`DROP TABLE fxcli_e2\`],
};
`,
    });
    try {
      const engine = db.engine();
      const cfg = `${dir}/retort.config.ts`;
      await Deno.writeTextFile(cfg, `export default { url: ${JSON.stringify(db.url)} };`);
      const res = await retort(["up", "20260101T0000_fxcli_add", "--config", cfg]);
      assert.equal(res.code, 0, res.err);
      assert.equal(await tableExists(engine, "fxcli_e1"), true);
      assert.equal(await tableExists(engine, "fxcli_e2"), false, "only up to the exact id");
      assert.equal((await retort(["down", "--config", cfg])).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  ON,
);

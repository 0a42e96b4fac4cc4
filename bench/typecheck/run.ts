/**
 * The type-check benchmark: generates programs of N models (bench/typecheck/generate.ts),
 * times a cold `deno check` of each against a trivial program with the same imports, and
 * reports the checker's own statistics (types, instantiations, check time), optionally
 * cross-checked with `tsc --extendedDiagnostics` from the `typescript` npm package.
 *
 * ```sh
 * deno run -A bench/typecheck/run.ts                  # 50 and 200 models, 5 timed rounds
 * deno run -A bench/typecheck/run.ts --sizes 50,200,400 --runs 9
 * deno run -A bench/typecheck/run.ts --tsc            # and tsc's --extendedDiagnostics
 * deno run -A bench/typecheck/run.ts --smoke          # 6 models, 1 round, and run the program
 * deno run -A bench/typecheck/run.ts --no-usage       # the model declarations alone
 * deno run -A bench/typecheck/run.ts --parts get,all   # only some kinds of usage
 * deno run -A bench/typecheck/run.ts --same-columns   # every model with the same column keys
 * deno run -A bench/typecheck/run.ts --no-declared    # without implements Relationships<...>
 * ```
 *
 * See README.md beside this file for the method.
 *
 * @module
 */
import { counts, generatedProgram, type Part, PARTS, trivialProgram } from "./generate.ts";
import { denoTypeScriptVersion, tscCheck, tscSetup, type TscStats } from "./tsc.ts";

const REPO = new URL("../../", import.meta.url);
const MOD = new URL("mod.ts", REPO).pathname;
const CONFIG = new URL("deno.json", REPO).pathname;

interface Flags {
  sizes: number[];
  runs: number;
  warmup: number;
  tsc: boolean;
  smoke: boolean;
  keep: boolean;
  sameColumns: boolean;
  noDeclared: boolean;
  noUsage: boolean;
  parts: Part[];
  json: string | null;
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = {
    sizes: [50, 200],
    runs: 5,
    warmup: 1,
    tsc: false,
    smoke: false,
    keep: false,
    sameColumns: false,
    noDeclared: false,
    noUsage: false,
    parts: [...PARTS],
    json: null,
  };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split("=", 2);
    const value = () => inline ?? args[++i];
    switch (name) {
      case "--sizes":
        flags.sizes = value().split(",").map(Number);
        break;
      case "--runs":
        flags.runs = Number(value());
        break;
      case "--warmup":
        flags.warmup = Number(value());
        break;
      case "--tsc":
        flags.tsc = true;
        break;
      case "--smoke":
        flags.smoke = true;
        break;
      case "--keep":
        flags.keep = true;
        break;
      case "--same-columns":
        flags.sameColumns = true;
        break;
      case "--no-declared":
        flags.noDeclared = true;
        break;
      case "--no-usage":
        flags.noUsage = true;
        break;
      case "--parts":
        flags.parts = value().split(",") as Part[];
        if (flags.parts.some((x) => !PARTS.includes(x))) {
          throw new Error(`--parts takes some of ${PARTS.join(",")}.`);
        }
        break;
      case "--json":
        flags.json = value();
        break;
      default:
        throw new Error(`Unknown flag ${args[i]}; see the comment at the top of run.ts.`);
    }
  }
  if (flags.smoke) Object.assign(flags, { sizes: [6], runs: 1, warmup: 0 });
  if (flags.sizes.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new Error("--sizes takes integers of at least 2, such as 50,200.");
  }
  if (!(flags.runs >= 1)) throw new Error("--runs takes a positive integer.");
  return flags;
}

/** The checker's statistics, as `deno check --log-level=debug` prints them. */
interface Stats {
  files: number;
  types: number;
  instantiations: number;
  checkMs: number;
  totalTsMs: number;
}

interface Program {
  name: string;
  models: number;
  path: string;
  walls: number[];
  cpus: number[];
  checks: number[];
  stats: Stats | null;
  failure: string | null;
  tsc: TscStats | null;
}

const decoder = new TextDecoder();

function parseStats(text: string): Stats | null {
  const block = text.slice(text.indexOf("Compilation statistics:"));
  const get = (label: string) => {
    const m = block.match(new RegExp(`^\\s*${label}: (\\d+)`, "m"));
    return m ? Number(m[1]) : NaN;
  };
  if (!text.includes("Compilation statistics:")) return null;
  return {
    files: get("Files"),
    types: get("Types"),
    instantiations: get("Instantiations"),
    checkMs: get("Check time"),
    totalTsMs: get("Total TS time"),
  };
}

/** The diagnostics of a failed check, without the debug log. */
function diagnostics(text: string): string {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  const lines = plain.split("\n").filter((l) => !l.startsWith("DEBUG ") && !/^\s{2}\S/.test(l));
  const first = lines.findIndex((l) => /^TS\d+ |error:/.test(l));
  return lines.slice(Math.max(first, 0), first + 40).join("\n");
}

/** A DENO_DIR of the benchmark's own, whose type-check cache is emptied before each run. */
async function privateDenoDir(root: string): Promise<string> {
  const dir = `${root}/deno_dir`;
  await Deno.mkdir(dir, { recursive: true });
  // Share the npm cache (packages only; the check cache stays private).
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  try {
    const npm = JSON.parse(decoder.decode(info.stdout)).npmCache as string;
    await Deno.symlink(npm, `${dir}/npm`);
  } catch {
    // No shared cache: the first check downloads what it needs.
  }
  return dir;
}

async function clearCheckCache(denoDir: string): Promise<void> {
  for await (const entry of Deno.readDir(denoDir)) {
    if (entry.name.startsWith("check_cache")) await Deno.remove(`${denoDir}/${entry.name}`);
  }
}

/** GNU time, to measure the CPU time (user + system) of each check, when installed. */
const GNU_TIME = await (async () => {
  try {
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%U %S", "true"],
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success && /^[\d.]+ [\d.]+$/m.test(decoder.decode(out.stderr));
  } catch {
    return false;
  }
})();

async function denoCheck(
  program: Program,
  denoDir: string,
): Promise<{ ok: boolean; ms: number; cpuMs: number; stats: Stats | null; output: string }> {
  await clearCheckCache(denoDir);
  const args = ["check", "--config", CONFIG, "--log-level=debug", program.path];
  const timeFile = `${program.path}.time`;
  const start = performance.now();
  const out = await new Deno.Command(GNU_TIME ? "/usr/bin/time" : Deno.execPath(), {
    args: GNU_TIME ? ["-f", "%U %S", "-o", timeFile, Deno.execPath(), ...args] : args,
    env: { DENO_DIR: denoDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  let cpuMs = NaN;
  if (GNU_TIME) {
    const [user, system] = (await Deno.readTextFile(timeFile)).trim().split("\n").at(-1)!
      .split(" ").map(Number);
    cpuMs = (user + system) * 1000;
  }
  const output = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  return { ok: out.success, ms, cpuMs, stats: parseStats(output), output };
}

// ---- statistics and the report -------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const sec = (ms: number) => (ms / 1000).toFixed(2);
const spread = (xs: number[]) => `${sec(Math.min(...xs))}–${sec(Math.max(...xs))}`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${
      r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join(" | ")
    } |`;
  return [
    line(rows[0]),
    `| ${widths.map((w, c) => c === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`).join(" | ")} |`,
  ]
    .concat(rows.slice(1).map(line)).join("\n");
}

function report(programs: Program[], flags: Flags): string {
  const trivial = programs[0];
  const out: string[] = [];
  const header = [
    "program",
    "runs",
    "wall median s",
    "wall min–max s",
    "over trivial s (paired median, min–max)",
    "CPU median s",
    "CPU over trivial s",
    "TS check median s",
    "instantiations",
    "over trivial",
    "per model",
    "types",
  ];
  const rows = [header];
  for (const p of programs) {
    if (p.failure !== null || p.walls.length === 0) {
      rows.push([p.name, "0", "FAILED", ...header.slice(3).map(() => "")]);
      continue;
    }
    const paired = p === trivial ? [] : p.walls.map((w, r) => w - trivial.walls[r]);
    const inst = p.stats?.instantiations ?? NaN;
    const over = inst - (trivial.stats?.instantiations ?? NaN);
    rows.push([
      p.name,
      String(p.walls.length),
      sec(median(p.walls)),
      spread(p.walls),
      p === trivial ? "" : `${sec(median(paired))} (${spread(paired)})`,
      sec(median(p.cpus)),
      p === trivial ? "" : sec(median(p.cpus) - median(trivial.cpus)),
      sec(median(p.checks)),
      String(inst),
      p === trivial ? "" : String(over),
      p === trivial ? "" : (over / p.models).toFixed(0),
      String(p.stats?.types ?? ""),
    ]);
  }
  out.push(table(rows));
  if (flags.tsc) {
    const t = [["program", "tsc instantiations", "per model", "types", "check s", "memory MB"]];
    for (const p of programs) {
      if (p.tsc === null) continue;
      const over = p.tsc.instantiations - (trivial.tsc?.instantiations ?? NaN);
      t.push([
        p.name + (p.tsc.errors ? ` (${p.tsc.errors} errors)` : ""),
        String(p.tsc.instantiations),
        p === trivial ? "" : (over / p.models).toFixed(0),
        String(p.tsc.types),
        p.tsc.checkS.toFixed(2),
        (p.tsc.memoryK / 1024).toFixed(0),
      ]);
    }
    out.push("", `tsc ${denoTypeScriptVersion()} --extendedDiagnostics (one run each):`, table(t));
  }
  const biggest = programs.at(-1)!;
  if (biggest !== trivial && biggest.failure === null && biggest.walls.length) {
    const paired = median(biggest.walls.map((w, r) => w - trivial.walls[r]));
    out.push(
      "",
      `Target: ${biggest.models} models within 3 s of the trivial file: ` +
        `${sec(paired)} s, ${paired < 3000 ? "met" : "not met"}.`,
    );
  }
  return out.join("\n");
}

// ---- main --------------------------------------------------------------------------------

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args);
  const root = await Deno.makeTempDir({ prefix: "retort-typecheck-" });
  const programs: Program[] = [];
  const add = async (name: string, models: number, text: string) => {
    const path = `${root}/${name}.ts`;
    await Deno.writeTextFile(path, text);
    programs.push({
      name,
      models,
      path,
      walls: [],
      cpus: [],
      checks: [],
      stats: null,
      failure: null,
      tsc: null,
    });
  };
  await add("trivial", 0, trivialProgram(MOD));
  for (const n of flags.sizes) {
    await add(
      `models_${n}`,
      n,
      generatedProgram(MOD, n, {
        sameColumns: flags.sameColumns,
        declared: !flags.noDeclared,
        usage: !flags.noUsage,
        parts: flags.parts,
      }),
    );
  }
  const denoDir = await privateDenoDir(root);
  console.log(
    `deno ${Deno.version.deno} (TypeScript ${Deno.version.typescript}); programs in ${root}; ` +
      `sizes ${flags.sizes.join(", ")} (+ ${
        flags.sizes.map((n) => counts(n).associations).join(", ")
      } association classes); ${flags.warmup} warm-up and ${flags.runs} timed rounds`,
  );
  let failed = false;
  for (const p of programs) {
    // Warm-up: resolves the npm packages and fills the V8 code cache; checks the program.
    for (let w = 0; w < Math.max(1, flags.warmup); w++) {
      const r = await denoCheck(p, denoDir);
      if (!r.ok) {
        p.failure = diagnostics(r.output);
        failed = true;
        console.log(`${p.name} does not type-check:\n${p.failure}`);
        break;
      }
      if (flags.warmup === 0) {
        p.walls.push(r.ms);
        p.cpus.push(r.cpuMs);
        p.checks.push(r.stats?.checkMs ?? NaN);
        p.stats = r.stats;
      }
    }
  }
  const live = programs.filter((p) => p.failure === null);
  const rounds = flags.warmup === 0 ? flags.runs - 1 : flags.runs;
  for (let r = 0; r < rounds; r++) {
    // Round-robin, the first program rotating, so load changes spread over all programs.
    const order = live.map((_, i) => live[(i + r) % live.length]);
    for (const p of order) {
      const result = await denoCheck(p, denoDir);
      p.walls.push(result.ms);
      p.cpus.push(result.cpuMs);
      p.checks.push(result.stats?.checkMs ?? NaN);
      p.stats ??= result.stats;
    }
    console.log(
      `round ${r + 1}/${rounds}: ${
        order.map((p) => `${p.name} ${sec(p.walls.at(-1)!)} s`).join(", ")
      }`,
    );
  }
  if (flags.tsc) {
    const setup = await tscSetup();
    for (const p of programs) p.tsc = await tscCheck(setup, p.path);
  }
  if (flags.smoke) {
    for (const p of live.slice(1)) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", "--config", CONFIG, p.path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success || !/^ran \d+ uses/m.test(decoder.decode(out.stdout))) {
        failed = true;
        console.log(`${p.name} failed at run time:\n${decoder.decode(out.stderr)}`);
      } else {
        console.log(`${p.name} ran: ${decoder.decode(out.stdout).trim()}`);
      }
    }
  }
  console.log("");
  console.log(report(programs, flags));
  if (flags.json !== null) {
    await Deno.writeTextFile(
      flags.json,
      JSON.stringify({ deno: Deno.version, flags, programs }, null, 2) + "\n",
    );
  }
  if (flags.keep) console.log(`\nPrograms kept in ${root}`);
  else await Deno.remove(root, { recursive: true });
  if (failed) console.log("\nA program failed: see above.");
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());

/**
 * The cross-check of the type-check benchmark: the same programs through
 * `tsc --extendedDiagnostics`, from the `typescript` npm package of the version Deno embeds.
 * See README.md beside this file.
 *
 * @module
 */

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Where tsc is installed. */
export interface TscSetup {
  dir: string;
  tsc: string;
}

/** What `tsc --extendedDiagnostics` reports of one program. */
export interface TscStats {
  instantiations: number;
  types: number;
  checkS: number;
  memoryK: number;
  errors: number;
}

/** The TypeScript version Deno embeds, so tsc counts the same checker's work. */
export function denoTypeScriptVersion(): string {
  return Deno.version.typescript;
}

/** Installs tsc (once per version) and writes Deno's declarations beside it. */
export async function tscSetup(): Promise<TscSetup> {
  const version = denoTypeScriptVersion();
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const dir = `${tmp}/retort-typecheck-tsc-${version}`;
  const tsc = `${dir}/node_modules/typescript/bin/tsc`;
  await Deno.mkdir(dir, { recursive: true });
  if (!(await exists(tsc))) {
    await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ private: true }));
    const npm = await new Deno.Command("npm", {
      args: [
        "install",
        "--no-audit",
        "--no-fund",
        `typescript@${version}`,
        "@types/node@22",
        "postgres@^3.4",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!npm.success) throw new Error(`npm install failed:\n${decoder.decode(npm.stderr)}`);
  }
  // Deno's own declarations (the Deno namespace, web APIs), minus its private lib references.
  const types = await new Deno.Command(Deno.execPath(), { args: ["types"] }).output();
  const text = decoder.decode(types.stdout).replace(/^\/\/\/ <reference lib="deno\..*$/gm, "");
  await Deno.writeTextFile(`${dir}/deno.d.ts`, text);
  return { dir, tsc };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `tsc --extendedDiagnostics` on one program, with a tsconfig written beside it. */
export async function tscCheck(setup: TscSetup, program: string): Promise<TscStats> {
  const denoJson = JSON.parse(await Deno.readTextFile(CONFIG));
  const tsconfig = {
    compilerOptions: {
      ...denoJson.compilerOptions,
      target: "esnext",
      module: "esnext",
      moduleResolution: "bundler",
      lib: ["esnext"],
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [`${setup.dir}/node_modules/@types`],
      paths: { postgres: [`${setup.dir}/node_modules/postgres/types/index.d.ts`] },
    },
    files: [`${setup.dir}/deno.d.ts`, program],
  };
  const config = program.replace(/\.ts$/, ".tsconfig.json");
  await Deno.writeTextFile(config, JSON.stringify(tsconfig, null, 2));
  const node = await which("node");
  const out = await new Deno.Command(node ?? Deno.execPath(), {
    args: node
      ? [setup.tsc, "-p", config, "--extendedDiagnostics"]
      : ["run", "-A", "--no-config", setup.tsc, "-p", config, "--extendedDiagnostics"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  const get = (label: string) => {
    const m = text.match(new RegExp(`^${label}:\\s+([\\d.]+)`, "m"));
    return m ? Number(m[1]) : NaN;
  };
  return {
    instantiations: get("Instantiations"),
    types: get("Types"),
    checkS: get("Check time"),
    memoryK: get("Memory used"),
    errors: (text.match(/error TS\d+/g) ?? []).length,
  };
}

async function which(cmd: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`] }).output();
    const path = decoder.decode(out.stdout).trim();
    return out.success && path ? path : null;
  } catch {
    return null;
  }
}

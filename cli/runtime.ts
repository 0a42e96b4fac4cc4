/**
 * What the CLI needs of the runtime, through the `node:` modules that Deno, Node.js and Bun all
 * have: whether a module is the program being run, its arguments and exit code, the error codes
 * of `node:fs`, and a question on the terminal.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";

/** The `code` of a `node:fs` error (`"ENOENT"`, `"EEXIST"`), on any runtime. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * For a module that failed to load: a hint when the runtime does not run TypeScript (Node.js
 * before 22.18 refuses `.ts` files), else `""`.
 */
export function typeScriptHint(error: unknown): string {
  if (errorCode(error) !== "ERR_UNKNOWN_FILE_EXTENSION") return "";
  return ` (Node.js ${process.versions.node} does not run TypeScript files: use Node.js 22.18 ` +
    "or later, or run it with --experimental-strip-types)";
}

/** A path with its symbolic links resolved (as given when it cannot be). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Whether the module of `meta` is the program being run: `import.meta.main` where the runtime
 * has it (Deno, Bun, Node.js from 22.18 and 24.2), else the script Node.js was started with,
 * symbolic links resolved (`node_modules/.bin/retort` is one).
 */
export function isMainModule(meta: ImportMeta): boolean {
  const main = (meta as { main?: unknown }).main;
  if (typeof main === "boolean") return main;
  const script = process.argv[1];
  if (!script || !meta.url.startsWith("file:")) return false;
  const self = fileURLToPath(meta.url);
  return real(self) === real(script) || real(self) === real(`${script}.js`);
}

/**
 * Runs a command line's `main` with this process's arguments when `meta`'s module is the
 * program, and sets the exit code to what it returns (the process ends when its work is done,
 * so that the output is written in full). An error that escapes `main` ends it with 1.
 */
export async function runIfMain(
  meta: ImportMeta,
  main: (argv: readonly string[]) => Promise<number>,
): Promise<void> {
  if (!isMainModule(meta)) return;
  process.exitCode = await main(process.argv.slice(2));
}

/** The current working directory. */
export const cwd = (): string => process.cwd();

/** An environment variable, or `undefined`. */
export const env = (name: string): string | undefined => process.env[name];

/** Whether standard input is a terminal, where questions can be asked. */
export const interactive = (): boolean => process.stdin.isTTY === true;

/**
 * Formats a file the CLI wrote with `deno fmt` when this is Deno (best effort: a failure leaves
 * it as written); elsewhere it stays as generated.
 */
export async function denoFmt(path: string): Promise<void> {
  if (typeof process.versions.deno !== "string") return;
  await new Promise<void>((done) => {
    execFile(process.execPath, ["fmt", "--quiet", path], () => done());
  });
}

/**
 * Asks yes-or-no questions on the terminal (standard error), "[y/N]": yes is `y` or `yes`, and
 * the end of the input is no; Ctrl-C ends the program (exit code 130). Close it when done.
 */
export function questions(): { confirm(question: string): Promise<boolean>; close(): void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const closed = new Promise<string>((done) => rl.once("close", () => done("")));
  rl.on("SIGINT", () => {
    rl.close();
    process.stderr.write("\n");
    process.exit(130);
  });
  return {
    async confirm(question) {
      let answer = "";
      try {
        answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
      } catch {
        // The input is closed: no.
      }
      return /^y(es)?$/i.test(answer.trim());
    },
    close: () => rl.close(),
  };
}

/**
 * Runs `deno check` on the type-level cases and maps each diagnostic to its case label, the
 * `[n.m]` in the nearest comment at or above the diagnostic's line. Used by
 * `tests/types_check_test.ts`.
 */

/** A diagnostic of `deno check`. */
export interface Diagnostic {
  code: number;
  message: string;
  file: string;
  line: number;
  /** The case it belongs to, such as "1.2", or null when no label is above it. */
  label: string | null;
}

const ROOT = new URL("../../", import.meta.url);
const HERE = new URL("./", import.meta.url);

/** The case files that must compile once issue 14 is done (every file but 09). */
export const CASE_FILES: string[] = [
  "01_loader_options.ts",
  "02_declared_types.ts",
  "03_back_populates.ts",
  "04_session_get.ts",
  "05_results.ts",
  "06_operators.ts",
  "07_inserts.ts",
  "08_must_compile.ts",
];

/** The file of deliberate errors whose messages are read. */
export const MESSAGE_FILE = "09_readable.ts";

export const pathOf = (file: string): string => new URL(file, HERE).pathname;

const LABEL = /\[(\d+\.\d+)\]/;

/** The label of the case a line belongs to: the first `[n.m]` at or above it. */
export function labelAt(source: string, line: number): string | null {
  const lines = source.split("\n");
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = lines[i].match(LABEL);
    if (m && lines[i].trimStart().startsWith("//")) return m[1];
  }
  return null;
}

/** Every label in a file, in order. */
export function labelsIn(source: string): string[] {
  return source.split("\n").filter((l) => l.trimStart().startsWith("//"))
    .map((l) => l.match(LABEL)?.[1]).filter((l): l is string => l !== undefined);
}

/** Parses `deno check` output (NO_COLOR) into diagnostics. */
export function parseDiagnostics(output: string): Omit<Diagnostic, "label">[] {
  const out: Omit<Diagnostic, "label">[] = [];
  const blocks = output.split(/^(?=TS\d+ \[ERROR\]: )/m).filter((b) => /^TS\d+ /.test(b));
  for (const block of blocks) {
    const lines = block.split("\n");
    const at = lines.findIndex((l) => /^\s+at file:\/\//.test(l));
    if (at < 0) continue;
    const where = lines[at].trim().match(/^at (file:\/\/\S+):(\d+):(\d+)$/);
    if (!where) continue;
    const squiggle = lines.findIndex((l, i) => i < at && /^\s*[~^]+\s*$/.test(l));
    // The message, then the source line, then the squiggle line.
    const end = squiggle > 0 ? squiggle - 1 : at;
    const message = lines.slice(0, end).join("\n").replace(/^TS\d+ \[ERROR\]: /, "").trim();
    out.push({
      code: Number(block.match(/^TS(\d+)/)![1]),
      message,
      file: new URL(where[1]).pathname,
      line: Number(where[2]),
    });
  }
  return out;
}

/** Runs `deno check` on files of this folder; its diagnostics, each with its case label. */
export async function check(files: string[]): Promise<{ ok: boolean; diagnostics: Diagnostic[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--config", new URL("deno.json", ROOT).pathname, ...files.map(pathOf)],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const sources = new Map<string, string>();
  const diagnostics = parseDiagnostics(text).map((d) => {
    if (!sources.has(d.file)) sources.set(d.file, Deno.readTextFileSync(d.file));
    return { ...d, label: labelAt(sources.get(d.file)!, d.line) };
  });
  if (!out.success && diagnostics.length === 0) {
    throw new Error(`deno check failed without diagnostics:\n${text}`);
  }
  return { ok: out.success, diagnostics };
}

/** Helper generics that a readable message does not name. */
export const HELPER_GENERICS =
  /\b(RowOfColumns|RowOfRecord|RowOf|InsertOf|InsertRow|UpdateValues|BoundColumns|Column)</;

/** The cases of the message file: label and the text its message must show. */
export function messageCases(): { label: string; shows: string }[] {
  const source = Deno.readTextFileSync(pathOf(MESSAGE_FILE));
  return [...source.matchAll(/^\/\/ \[(\d+\.\d+)\] shows: (.*)$/gm)].map((m) => ({
    label: m[1],
    shows: m[2].trim(),
  }));
}

/** Why a case's messages are not readable yet, or null when they are. */
export function unreadable(diagnostics: Diagnostic[], shows: string): string | null {
  if (diagnostics.length === 0) return "no error at all (the case must be an error)";
  const text = diagnostics.map((d) => d.message).join("\n");
  const helper = text.match(HELPER_GENERICS);
  if (helper) return `names ${helper[0]}…: ${text.split("\n")[0].slice(0, 160)}`;
  if (!text.includes(shows)) {
    return `does not show "${shows}": ${text.split("\n")[0].slice(0, 160)}`;
  }
  return null;
}

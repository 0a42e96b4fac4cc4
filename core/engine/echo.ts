/**
 * `echo`: what the Engine reports of each statement it sends, and the default report, one
 * line per statement: its text, its parameters, its time and rows.
 *
 * @module
 */

/**
 * One statement as `echo` reports it.
 *
 * @example
 * ```ts
 * import type { EchoEntry } from "@retort/orm";
 * const log = (e: EchoEntry) => console.log(e.text, e.ms);
 * ```
 */
export interface EchoEntry {
  /** The SQL text sent. */
  readonly text: string;
  /** The parameters, or `undefined` when the engine hides them. */
  readonly params?: readonly unknown[];
  /** How long the statement took, in milliseconds. */
  readonly ms: number;
  /** How many rows it returned or changed, when it succeeded. */
  readonly rows?: number;
  /** The error it raised, when it failed. */
  readonly error?: unknown;
}

/**
 * A logging function for `echo`.
 *
 * @example
 * ```ts
 * import { createEngine, type EchoFunction } from "@retort/orm";
 * const seen: string[] = [];
 * const echo: EchoFunction = (e) => seen.push(e.text);
 * await using engine = createEngine("sqlite::memory:", { echo });
 * ```
 */
export type EchoFunction = (entry: EchoEntry) => void;

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (typeof v === "string" && v.length > 200) return JSON.stringify(v.slice(0, 200) + "…");
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * The line `echo: true` prints for a statement: the text on one line, the parameters (or
 * `[hidden]`) when there are any, and the time with the rows or the error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { echoLine } from "@retort/orm";
 * assert.equal(
 *   echoLine({ text: "SELECT ?", params: [1], ms: 0.5, rows: 1 }),
 *   "[retort] SELECT ? [1] (0.500 ms, 1 row)",
 * );
 * assert.equal(echoLine({ text: "COMMIT", params: [], ms: 1 }), "[retort] COMMIT (1.000 ms)");
 * ```
 */
export function echoLine(entry: EchoEntry): string {
  const text = entry.text.replace(/\s*\n\s*/g, " ").trim();
  const params = entry.params === undefined
    ? " [hidden]"
    : entry.params.length === 0
    ? ""
    : ` [${entry.params.map(show).join(", ")}]`;
  const ms = `${entry.ms.toFixed(3)} ms`;
  const outcome = entry.error !== undefined
    ? `${ms}, failed: ${(entry.error as Error)?.message ?? String(entry.error)}`
    : entry.rows === undefined
    ? ms
    : `${ms}, ${entry.rows} row${entry.rows === 1 ? "" : "s"}`;
  return `[retort] ${text}${params} (${outcome})`;
}

/** What `echo: true` does: prints {@linkcode echoLine}. */
export function defaultEcho(entry: EchoEntry): void {
  console.log(echoLine(entry));
}

/**
 * Keeping parameter values out of error text, for engines that hide parameters: a database
 * may echo a value it refused (`invalid input syntax for type integer: "secret"`), and the
 * drivers' error translation replaces each parameter's text with `[hidden]` wherever it stands
 * as a word of its own.
 *
 * @module
 */

/** What stands for a hidden value. */
export const HIDDEN = "[hidden]";

/** The texts a database may echo for parameter values (strings, numbers, dates, elements). */
function valueTexts(values: readonly unknown[], out: Set<string>, depth: number): void {
  for (const v of values) {
    if (typeof v === "string") out.add(v);
    else if (typeof v === "number" || typeof v === "bigint") out.add(String(v));
    else if (v instanceof Date && !Number.isNaN(v.getTime())) out.add(v.toISOString());
    else if (v instanceof Uint8Array && v.length > 0) {
      // As servers print bytes: hex, with PostgreSQL's \x before it (kept either way).
      const hex = Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
      out.add(hex);
      out.add(`\\x${hex}`);
    } else if (Array.isArray(v) && depth < 4) valueTexts(v, out, depth + 1);
  }
}

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/**
 * A replacer of parameter values in text: each value's text, where it is not part of a longer
 * word, becomes `[hidden]`. Longer values are replaced first, so that a value inside another
 * does not leave the rest of the other behind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactor } from "./redact.ts";
 * const redact = redactor(["secret", 42]);
 * assert(redact('invalid input syntax for type integer: "secret"') ===
 *   'invalid input syntax for type integer: "[hidden]"');
 * assert(redact("value 421 and 42") === "value 421 and [hidden]");
 * assert(redactor(["pw-[hidden]-x"])('"pw-[hidden]-x"') === '"[hidden]"');
 * ```
 */
export function redactor(params: readonly unknown[]): (text: string) => string {
  const texts = new Set<string>();
  valueTexts(params, texts, 0);
  const sorted = [...texts].filter((t) => t !== "").sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const alternatives = sorted.map((t) => t.replace(SYNTAX, "\\$&")).join("|");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, "gu");
  // What was replaced already stays (a value "hidden" leaves "[hidden]" alone); a value that
  // holds "[hidden]" itself goes first, whole, or the split would cut it.
  const holding = sorted.filter((t) => t.includes(HIDDEN));
  return (text) => {
    for (const t of holding) text = text.replaceAll(t, HIDDEN);
    return text.split(HIDDEN).map((part) => part.replace(pattern, HIDDEN)).join(HIDDEN);
  };
}

/** The fields of a driver's error that name things and never hold a value. */
const NAMING = [
  "name",
  "code",
  "severity",
  "severity_local",
  "position",
  "data_type_name",
  "constraint_name",
  "table_name",
  "column_name",
  "schema_name",
  "routine",
  "errcode",
  "errno",
] as const;

/**
 * Whether any parameter's text is left in an error's message or its cause's (a stack starts
 * with its message; the rest of it, file names and line numbers, is not looked at).
 */
function leaks(e: Record<string, unknown>, redact: (text: string) => string): boolean {
  const c = e.cause as Record<string, unknown> | null | undefined;
  const texts = [e.message];
  if (typeof c === "object" && c !== null) texts.push(c.message, c.detail, c.hint);
  return texts.some((t) => typeof t === "string" && redact(t) !== t);
}

/**
 * An error as an engine that hides parameters reports it, whatever driver raised it: its
 * message with every parameter's text replaced, its cause a copy holding only the fields that
 * name things (and the replaced message and hint), its parameters gone. An error whose driver
 * already hid them (no `params`) comes back as it is when no parameter's text is left in its
 * message or cause; a driver may have hidden another statement's parameters (a
 * cursor's FETCH has none) and left the query's in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseError } from "../errors.ts";
 * import { scrubbed } from "./redact.ts";
 * const e = new DatabaseError('bad value "s3cret"', { params: ["s3cret"], sql: "SELECT ?" });
 * const s = scrubbed(e, ["s3cret"]);
 * assert(s.params === undefined && !s.message.includes("s3cret"));
 * ```
 */
export function scrubbed<E extends { message: string; params?: readonly unknown[] }>(
  error: E,
  params: readonly unknown[],
): E {
  const redact = redactor(params);
  const e = error as unknown as Record<string, unknown> & Error;
  const c = e.cause;
  if (error.params === undefined && !leaks(e, redact)) return error;
  let cause: Error | undefined;
  if (typeof c === "object" && c !== null) {
    const from = c as Record<string, unknown>;
    cause = new Error(redact(String(from.message ?? "")));
    const to = cause as unknown as Record<string, unknown>;
    for (const k of NAMING) if (typeof from[k] === "string") to[k] = from[k];
    if (typeof from.hint === "string") to.hint = redact(from.hint);
  }
  const out = Object.create(Object.getPrototypeOf(error)) as Record<string, unknown>;
  for (const k of Object.keys(e)) out[k] = e[k];
  Object.defineProperty(out, "message", {
    value: redact(e.message),
    writable: true,
    configurable: true,
  });
  Object.defineProperty(out, "stack", {
    value: typeof e.stack === "string" ? redact(e.stack) : undefined,
    writable: true,
    configurable: true,
  });
  if (cause !== undefined) {
    Object.defineProperty(out, "cause", { value: cause, writable: true, configurable: true });
  } else delete out.cause;
  out.params = undefined;
  return out as unknown as E;
}

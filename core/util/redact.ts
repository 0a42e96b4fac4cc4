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
    else if (Array.isArray(v) && depth < 4) valueTexts(v, out, depth + 1);
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
 * ```
 */
export function redactor(params: readonly unknown[]): (text: string) => string {
  const texts = new Set<string>();
  valueTexts(params, texts, 0);
  const sorted = [...texts].filter((t) => t !== "").sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const alternatives = sorted.map((t) => t.replace(SYNTAX, "\\$&")).join("|");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, "gu");
  return (text) => text.replace(pattern, HIDDEN);
}

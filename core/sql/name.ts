/**
 * Identifier names: what every schema, table, column and alias name must be before it is
 * quoted.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { describe } from "../util/describe.ts";

/** Checks a schema, table, column or alias name: a non-empty string, no NUL, well formed. */
export function checkName(name: unknown): string {
  if (typeof name !== "string") {
    throw new ArgumentError(`An identifier must be a string, not ${describe(name)}.`);
  }
  if (name.length === 0) {
    throw new ArgumentError("An identifier cannot be empty; give the table or column a name.");
  }
  if (name.includes("\0")) {
    throw new ArgumentError(
      `The identifier ${JSON.stringify(name)} contains a NUL byte, which no database allows.`,
    );
  }
  if (!name.isWellFormed()) {
    throw new ArgumentError(
      `The identifier ${JSON.stringify(name)} contains a lone UTF-16 surrogate; fix the name.`,
    );
  }
  return name;
}

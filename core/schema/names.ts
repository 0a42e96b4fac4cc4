/**
 * Names: property keys to database names.
 *
 * @module
 */
/**
 * Converts a camelCase key to a snake_case column name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snakeCase } from "@retort/orm";
 * assert(snakeCase("authorId") === "author_id");
 * ```
 */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

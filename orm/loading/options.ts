/**
 * Loader options: how a query loads relationships of the objects it returns, `selectin` (a
 * second, batched query) or `joined` (a LEFT JOIN in the same query), nested to any depth.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { relationshipOf } from "../relationship/relationship.ts";

/**
 * A loader option for a relationship: `selectin("posts")`, optionally with nested options
 * for the loaded objects: `selectin("posts", selectin("comments"))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LoaderOption, selectin } from "@retort/orm";
 * const option: LoaderOption = selectin("posts", selectin("comments"));
 * assert(option.strategy === "selectin" && option.nested.length === 1);
 * ```
 */
export interface LoaderOption {
  /** How to load: a second batched `IN` query, or a LEFT JOIN in the same query. */
  readonly strategy: "selectin" | "joined";
  /** The relationship's name on the queried class (or the parent of a nested option). */
  readonly path: string;
  /** Options for the loaded objects. */
  readonly nested: readonly LoaderOption[];
}

/**
 * Loads a relationship of the queried objects with a second query, batched with `IN` under
 * the dialect's parameter limit. Nested options load further relationships of the results.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectin } from "@retort/orm";
 * const option = selectin("posts");
 * assert(option.path === "posts");
 * ```
 */
export function selectin(path: string, ...nested: LoaderOption[]): LoaderOption {
  return loaderOption("selectin", path, nested);
}

/**
 * Loads a relationship in the same query, with a LEFT JOIN; parent rows are de-duplicated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joined } from "@retort/orm";
 * assert(joined("author").strategy === "joined");
 * ```
 */
export function joined(path: string, ...nested: LoaderOption[]): LoaderOption {
  return loaderOption("joined", path, nested);
}

function loaderOption(
  strategy: "selectin" | "joined",
  path: string,
  nested: LoaderOption[],
): LoaderOption {
  if (typeof path !== "string" || path.length === 0) {
    throw new ArgumentError(`${strategy}() takes a relationship name, such as "posts".`);
  }
  return Object.freeze({ strategy, path, nested: Object.freeze(nested) });
}

/** Checks that loader options name relationships of the class (and nested, of theirs). */
export function checkOptions(mapper: Mapper, options: readonly unknown[]): LoaderOption[] {
  return options.map((o, i) => {
    const option = o as Partial<LoaderOption> | null;
    if (
      typeof option !== "object" || option === null ||
      (option.strategy !== "selectin" && option.strategy !== "joined") ||
      typeof option.path !== "string"
    ) {
      throw new ArgumentError(
        `Option ${i + 1} of select(${mapper.name}).options(...) is not a loader option; use ` +
          'selectin("name") or joined("name").',
      );
    }
    const rel = relationshipOf(mapper, option.path);
    checkOptions(rel.targetMapper, option.nested ?? []);
    return option as LoaderOption;
  });
}

/**
 * Loader options: how a query loads relationships of the objects it returns, `selectin` (a
 * second, batched query) or `joined` (a LEFT JOIN in the same query), nested to any depth.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { relationshipOf } from "../relationship/relationship.ts";
import type { LoaderOption } from "../../core/builder/loaders.ts";

export type { LoaderOption };

/**
 * Loads a relationship of the queried objects with a second query, batched with `IN` under
 * the dialect's parameter limit. Nested options load further relationships of the results:
 * a nested `joined` one in that second query, with a LEFT JOIN; a nested `selectin` one with
 * a query of its own. An object the session holds whose relationship is loaded already keeps
 * it, unflushed changes included, unless the query is `.populateExisting()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectin } from "@retort/orm";
 * const option = selectin("posts");
 * assert(option.path === "posts");
 * ```
 */
export function selectin<const P extends string, const N extends readonly LoaderOption[] = []>(
  path: P,
  ...nested: N
): LoaderOption<P, N[number]> {
  return loaderOption("selectin", path, nested);
}

/**
 * Loads a relationship in the same query, with a LEFT JOIN; parent rows are de-duplicated.
 * A nested `joined` option is LEFT JOINed in the same query too (`joined("posts",
 * joined("tags"))` is one SELECT); a nested `selectin` one is a further query. An object the
 * session holds whose relationship is loaded already keeps it, unflushed changes included,
 * unless the query is `.populateExisting()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joined } from "@retort/orm";
 * assert(joined("author").strategy === "joined");
 * ```
 */
export function joined<const P extends string, const N extends readonly LoaderOption[] = []>(
  path: P,
  ...nested: N
): LoaderOption<P, N[number]> {
  return loaderOption("joined", path, nested);
}

function loaderOption<P extends string, N>(
  strategy: "selectin" | "joined",
  path: P,
  nested: readonly N[],
): LoaderOption<P, N> {
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
    checkOptions(rel.targetMapper, (option.nested as readonly unknown[] | undefined) ?? []);
    return option as LoaderOption;
  });
}

/**
 * What a flush reads back of a model with read-only columns: their values after an INSERT or
 * UPDATE, by `RETURNING` (an expression column returns its SQL, a stored one its name).
 *
 * @module
 */
import { idOf } from "../../core/builder/write.ts";
import type { Column } from "../../core/schema/column.ts";
import { Fragment } from "../../core/sql/nodes.ts";

/** `"a", (expr), "c"`: the list of a RETURNING clause. */
export function readBackList(columns: readonly Column[]): Fragment {
  const strings = [""];
  for (let i = 1; i < columns.length; i++) strings.push(", ");
  strings.push("");
  return new Fragment(strings, columns.map((c) => c.config.expression ? c : idOf(c)));
}

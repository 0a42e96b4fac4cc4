/**
 * Read-only attributes: columns only the database gives (`column.expression(...)`,
 * `.generatedAs(...)`). Assigning one is refused; the flush reads them back.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import { stateOf } from "./state.ts";

/** The error for an assignment to a read-only attribute, naming it and why. */
export function readOnlyError(model: string, column: Column): InvalidRequestError {
  const what = column.config.expression !== undefined
    ? "a SQL expression loaded with the row"
    : "a column the database generates";
  return new InvalidRequestError(
    `${model}.${column.key} is read-only: it is ${what}. Change the columns it is computed ` +
      "from and flush; the new value is read back.",
  );
}

/** A property setter that refuses assignment. */
export function refuseSet(model: string, column: Column): (this: object, v: unknown) => never {
  return function (this: object) {
    throw readOnlyError(stateOf(this)?.mapper.name ?? model, column);
  };
}

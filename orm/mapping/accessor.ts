/**
 * The property of a mapped column: its value, a NotLoadedError for one not loaded, and, for a
 * nullable column a new object was not given and nothing fills at the INSERT (no default, no
 * server default, not generated), `null`, as the row will hold (SQLAlchemy's `None`). The
 * object keeps it unset inside, so that a merge or a row switch does not take it for a value.
 *
 * @module
 */
import type { Column } from "../../core/schema/column.ts";
import { refuseSet } from "./computed.ts";
import { DEFERRED, EXPIRED, unloadedRead } from "./expired.ts";
import { type InstanceState, STATE } from "./state.ts";

type Held = Record<symbol, InstanceState>;

/** Whether a column left unset reads `null`: nullable, and nothing gives it a value. */
export function unsetReadsNull(col: Column): boolean {
  const c = col.config;
  return c.nullable && c.default === undefined && c.serverDefault === undefined &&
    !col.readOnly && !c.primaryKey;
}

/** What a column's value shows as (`toJSON`, inspection): an unset nullable one as `null`. */
export function shown(col: Column, v: unknown): unknown {
  return v === undefined && unsetReadsNull(col) ? null : v;
}

/** Defines the property of column `col`, at index `i` of the objects' values, on `proto`. */
export function defineColumn(proto: object, col: Column, i: number, label: string): void {
  const orNull = unsetReadsNull(col);
  Object.defineProperty(proto, col.key, {
    configurable: true,
    enumerable: true,
    get: orNull
      ? function (this: Held) {
        const v = this[STATE].values[i];
        if (v === undefined) return null;
        return v === EXPIRED || v === DEFERRED ? unloadedRead(this[STATE], i) : v;
      }
      : function (this: Held) {
        const v = this[STATE].values[i];
        return v === EXPIRED || v === DEFERRED ? unloadedRead(this[STATE], i) : v;
      },
    set: col.readOnly ? refuseSet(label, col) : function (this: Held, v: unknown) {
      this[STATE].set(i, v);
    },
  });
}

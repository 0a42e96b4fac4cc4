/**
 * Validators, as SQLAlchemy's `@validates`: functions a mapped class declares per attribute,
 * run at every assignment and in the constructor. A validator returns the value to store (or
 * nothing, to keep the value given) and throws to refuse it; a refusal is a ValidationError
 * naming the class, the attribute and the value (hidden under `hideParameters`).
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import type { Mapper } from "./mapper.ts";

/**
 * A validator of one attribute: returns the value to store, or nothing to keep it; throws (any
 * error, or a string message via `invalid`) to refuse it.
 *
 * @example
 * ```ts
 * import type { Validator } from "@retort/orm";
 * const trimmed: Validator<string> = (value) => value.trim();
 * ```
 */
export type Validator<T = unknown> = (value: T, obj: object, key: string) => T | void;

/**
 * The validators of a mapped class, by column key: one validator or a list, run in order.
 *
 * @example
 * ```ts
 * import { check, type Validators } from "@retort/orm";
 * const v: Validators<{ email: string }> = { email: [check.pattern(/@/), (s) => s.toLowerCase()] };
 * ```
 */
export type Validators<Row> = {
  readonly [K in Exclude<keyof Row, "~columns">]?: Validator<Row[K]> | readonly Validator<Row[K]>[];
};

/**
 * Declares a class's validators, typed by its instances: `static validators =
 * validates<User>({ email: check.pattern(/@/) })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { check, column, Model, validates, ValidationError } from "@retort/orm";
 * class Member extends Model("validates_doc_members", {
 *   id: column.integer().primaryKey(),
 *   email: column.text(),
 * }) {
 *   static validators = validates<Member>({ email: [check.pattern(/@/), (s) => s.toLowerCase()] });
 * }
 * const m = new Member({ email: "ADA@EXAMPLE.COM" });
 * assert.equal(m.email, "ada@example.com");
 * assert.throws(() => (m.email = "nope"), ValidationError);
 * ```
 */
export function validates<T>(validators: Validators<T>): Validators<T> {
  return validators;
}

/**
 * A built-in check: a validator of any attribute whose values are among `Of`; it keeps the
 * value or refuses it.
 *
 * @example
 * ```ts
 * import { check, type Check } from "@retort/orm";
 * const short: Check<string | null | undefined> = check.length({ max: 10 });
 * ```
 */
export type Check<Of> = <T extends Of>(value: T, obj: object, key: string) => void;

/** Thrown by a validator to refuse a value with a message of its own. */
class Invalid extends Error {}

/**
 * Cheap built-in validators: lengths, ranges and patterns.
 *
 * @example
 * ```ts
 * import { check } from "@retort/orm";
 * const rules = [check.length({ min: 1, max: 80 }), check.pattern(/^[a-z_]+$/)];
 * ```
 */
export const check: {
  /** A string of `min` to `max` characters; NULL passes (make the column NOT NULL for that). */
  length(bounds: { min?: number; max?: number }): Check<string | null | undefined>;
  /** A number or bigint from `min` to `max`, both included; NULL passes. */
  range(
    bounds: { min?: number | bigint; max?: number | bigint },
  ): Check<number | bigint | null | undefined>;
  /** A string the pattern matches; NULL passes. */
  pattern(pattern: RegExp, what?: string): Check<string | null | undefined>;
  /** Refuses a value with a message: `throw check.invalid("must be positive")`. */
  invalid(message: string): Error;
} = {
  length: ({ min = 0, max = Infinity }) => (value) => {
    if (value === null || value === undefined) return;
    const n = [...String(value)].length;
    if (n < min || n > max) {
      throw new Invalid(
        max === Infinity
          ? `must be at least ${min} characters long`
          : `must be ${min} to ${max} characters long`,
      );
    }
  },
  range: ({ min, max }) => (value) => {
    if (value === null || value === undefined) return;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      throw new Invalid(`must be from ${min ?? "-∞"} to ${max ?? "∞"}`);
    }
  },
  pattern: (re, what) => (value) => {
    if (value === null || value === undefined) return;
    re.lastIndex = 0;
    if (!re.test(String(value))) throw new Invalid(`must ${what ?? `match ${re}`}`);
  },
  invalid: (message) => new Invalid(message),
};

type Compiled = readonly (readonly Validator[] | null)[];

const compiled = new WeakMap<Mapper, Compiled | null>();

/** The validators of a mapper by column index, or null when it has none. */
function validatorsOf(mapper: Mapper): Compiled | null {
  let v = compiled.get(mapper);
  if (v !== undefined) return v;
  // A subclass's own `static validators` adds to its parents' (it does not hide them).
  const levels: Record<string, unknown>[] = [];
  for (let c: unknown = mapper.cls; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    const own = Object.getOwnPropertyDescriptor(c, "validators")?.value;
    if (own !== undefined && own !== null && typeof own === "object") levels.unshift(own);
  }
  v = null;
  if (levels.length > 0) {
    const list = mapper.keys.map((): Validator[] | null => null);
    for (const declared of levels) {
      for (const key of Object.keys(declared)) {
        const i = mapper.indexByKey.get(key);
        if (i === undefined) {
          throw new ValidationError(
            `${mapper.name}.validators names ${JSON.stringify(key)}, which is not a column; ` +
              `its columns are ${mapper.keys.join(", ")}.`,
          );
        }
        const given = declared[key];
        const fns = (Array.isArray(given) ? given : [given]) as Validator[];
        if (fns.some((f) => typeof f !== "function")) {
          throw new ValidationError(
            `${mapper.name}.validators.${key} must be a function or a list.`,
          );
        }
        list[i] = [...(list[i] ?? []), ...fns];
      }
    }
    v = list;
  }
  compiled.set(mapper, v);
  return v;
}

/** Whether any column of a mapper has validators. */
export function hasValidators(mapper: Mapper): boolean {
  return validatorsOf(mapper) !== null;
}

/** Runs a column's validators on a value; returns the value to store. */
export function validated(
  mapper: Mapper,
  index: number,
  value: unknown,
  obj: object,
  hide: boolean,
): unknown {
  const fns = validatorsOf(mapper)?.[index];
  if (!fns) return value;
  const key = mapper.keys[index];
  let v = value;
  for (const fn of fns) {
    let out: unknown;
    try {
      out = fn(v, obj, key);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      const shown = hide ? "a value hidden by hideParameters" : describe(v, { showValue: true });
      throw new ValidationError(
        `${mapper.name}.${key} ${why}; got ${shown}.`,
        hide ? {} : { cause: error },
      );
    }
    if (out !== undefined) v = out;
  }
  return v;
}

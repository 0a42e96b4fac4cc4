/**
 * What may be interpolated into SQL: the nodes that nest as SQL, and the values that bind as
 * parameters or are written as literals. Anything else is refused, before anything is sent.
 *
 * @module
 */
import { DialectSql } from "../dialect.ts";
import { ArgumentError } from "../errors.ts";
import { describe } from "../util/describe.ts";
import {
  ByDialect,
  Fragment,
  Identifier,
  List,
  Literal,
  Param,
  type SqlSource,
  toSql,
} from "./nodes.ts";

/** Whether a value nests as SQL rather than binding as a parameter. */
export function isSqlNode(v: unknown): boolean {
  // A class can render itself too (a mapped model class has a static `[toSql]`).
  if (typeof v === "function") return typeof (v as Partial<SqlSource>)[toSql] === "function";
  return typeof v === "object" && v !== null &&
    (v instanceof Fragment || v instanceof Identifier || v instanceof List ||
      v instanceof Literal || v instanceof ByDialect || v instanceof DialectSql ||
      typeof (v as Partial<SqlSource>)[toSql] === "function");
}

/**
 * Checks a value bound as a parameter and returns what is bound: arrays are copied so that
 * later changes (or a Proxy's traps) cannot alter a built fragment.
 */
export function checkParam(v: unknown, where: string): unknown {
  switch (typeof v) {
    case "string":
      if (!v.isWellFormed()) {
        throw new ArgumentError(
          `${where} is a string with a lone UTF-16 surrogate, which no database stores ` +
            "exactly; fix the string (String.prototype.toWellFormed) or bind bytes instead.",
        );
      }
      return v;
    case "number":
    case "bigint":
    case "boolean":
      return v;
    case "object": {
      if (v === null) return v;
      if (ArrayBuffer.isView(v) && v instanceof Uint8Array) return v;
      if (v instanceof Date) {
        let time: number;
        try {
          time = Date.prototype.getTime.call(v);
        } catch {
          throw new ArgumentError(`${where} is not a real Date; bind a Date instance.`);
        }
        if (Number.isNaN(time)) {
          throw new ArgumentError(`${where} is an invalid Date; bind a valid Date or null.`);
        }
        return v;
      }
      if (v instanceof Param) return v;
      if (Array.isArray(v)) {
        const copy = Array.from(v as unknown[]);
        for (let i = 0; i < copy.length; i++) {
          const item = copy[i];
          if (
            item !== null && typeof item === "object" && !(item instanceof Date) &&
            !(item instanceof Uint8Array) && !Array.isArray(item)
          ) {
            throw new ArgumentError(
              `${where}[${i}] is ${describe(item)}; an array parameter holds scalars only. ` +
                "Use sql.json(value) to bind structured data as JSON.",
            );
          }
          copy[i] = checkParam(item, `${where}[${i}]`);
        }
        return copy;
      }
      break;
    }
  }
  const hint = v === undefined
    ? "pass null for SQL NULL"
    : typeof v === "object"
    ? "use sql.json(value) to bind it as JSON, or pick the scalar you meant"
    : "bind a string, number, bigint, boolean, Date, Uint8Array, array or null";
  throw new ArgumentError(`${where} is ${describe(v)}, which cannot be bound; ${hint}.`);
}

/** Checks a value written as a literal: the scalars SQL can spell, and no NUL in text. */
export function checkLiteral(v: unknown, where = "sql.literal's value"): unknown {
  if (isSqlNode(v)) return v;
  if (v instanceof Param) v = v.value;
  if (typeof v === "string") {
    if (v.includes("\0")) {
      throw new ArgumentError(
        `${where} contains a NUL character, which cannot be written as a SQL literal.`,
      );
    }
    return checkParam(v, where);
  }
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new ArgumentError(`${where} is ${v}, which has no SQL literal; use a finite number.`);
  }
  if (
    v === null || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ||
    v instanceof Uint8Array || v instanceof Date
  ) {
    return checkParam(v, where);
  }
  throw new ArgumentError(
    `${where} is ${describe(v)}; a literal is a string, number, bigint, boolean, null, ` +
      "Date or Uint8Array.",
  );
}

/** Checks an interpolated value: SQL nests as it is, anything else must bind. */
export function checkValue(v: unknown, where: string): unknown {
  try {
    return isSqlNode(v) ? v : checkParam(v, where);
  } catch (error) {
    throw uninspectable(error, where);
  }
}

/** An error raised while looking at a value (a Proxy's trap, a revoked Proxy) as misuse. */
export function uninspectable(error: unknown, where: string): ArgumentError {
  if (error instanceof ArgumentError) return error;
  return new ArgumentError(
    `${where} could not be inspected (${(error as Error)?.message ?? error}); ` +
      "bind a plain value, not a Proxy or an object whose properties throw.",
    { cause: error },
  );
}

/**
 * Evaluating a bulk UPDATE's or DELETE's WHERE in memory, against the objects a session
 * holds (SQLAlchemy's `synchronize_session="evaluate"`): comparisons (`eq`, `ne`, `lt`, `le`,
 * `gt`, `ge`), `inList`, `notIn`, `isNull`, `isNotNull`, and `and`, `or`, `not` over them,
 * between a column of the table (or of a table above a joined subclass's, whose objects hold
 * those columns too) and a value (or another of its columns), in SQL's
 * three-valued logic: a NULL compares to nothing, `NOT (unknown)` is unknown.
 *
 * Only what compares in JavaScript as in both databases is evaluated: integers, doubles,
 * booleans, dates, and for equality text and enums. Values compare as the database compares
 * them: a date by its UTC day (a Date's time of day is dropped, as when it is stored), NaN
 * equal to itself and above every other number (as PostgreSQL orders it; SQLite refuses to
 * bind a NaN). Anything else (a column of another type, a function, a subquery, SQL written
 * by hand) makes the WHERE not evaluable, and the session reads the matched keys from the
 * database instead.
 *
 * @module
 */
import { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { Fragment, List, Param, type SqlSource } from "../../core/sql/nodes.ts";
import { TypedParam } from "../../core/types/param.ts";
import { isUnloaded } from "../mapping/expired.ts";
import type { InstanceState } from "../mapping/state.ts";

/** A condition's value for a row: true, false, or null (unknown). */
type Truth = boolean | null;

/** A column's value for a row, or `NONE` when the object does not hold it. */
type Read = (col: Column) => unknown;

/** The marker of a value an object does not hold (so the WHERE cannot be evaluated). */
const NONE: unique symbol = Symbol("none");

/** A compiled condition. */
type Predicate = (read: Read) => Truth;

/** Types whose values compare in JavaScript as in SQL, with `<` and `>` too. */
const ORDERED: ReadonlySet<string> = new Set(["integer", "bigint", "double", "date"]);
/** Types whose values compare in JavaScript as in SQL, for equality. */
const EQUAL: ReadonlySet<string> = new Set([...ORDERED, "text", "varchar", "enum", "boolean"]);

const COMPARISONS: Readonly<Record<string, string>> = {
  " = ": "eq",
  " <> ": "ne",
  " < ": "lt",
  " <= ": "le",
  " > ": "gt",
  " >= ": "ge",
};

class NotEvaluable extends Error {}

const refuse = (): never => {
  throw new NotEvaluable();
};

/** A column of `tables` whose values can be compared, or a refusal. */
function columnOf(v: unknown, tables: readonly Table[], ordered: boolean): Column {
  if (!(v instanceof Column) || !tables.includes(v.table as Table) || v.readOnly) refuse();
  const kind = (v as Column).type.kind;
  if (!(ordered ? ORDERED : EQUAL).has(kind)) refuse();
  return v as Column;
}

/** A value as its type compares in SQL: a date by its UTC day, any other Date by its instant. */
type Norm = (v: unknown) => unknown;

const DAY_MS = 86_400_000;

const instant: Norm = (v) => v instanceof Date ? v.getTime() : v;
/** Both dialects store and compare a date as its UTC day (a Date's time of day is dropped). */
const day: Norm = (v) => v instanceof Date ? Math.floor(v.getTime() / DAY_MS) * DAY_MS : v;

const normOf = (kind: string): Norm => kind === "date" ? day : instant;

/** An operand: a value bound as a parameter, or a column of the table, with its type's kind. */
interface Operand {
  readonly get: (read: Read) => unknown;
  /** The kind of its type: its column's, its typed parameter's; null for an untyped value. */
  readonly kind: string | null;
}

function operandOf(v: unknown, tables: readonly Table[], ordered: boolean): Operand {
  if (v instanceof Param) {
    const value = v.value;
    const kind = v instanceof TypedParam ? v.type.kind : null;
    if (kind !== null && !(ordered ? ORDERED : EQUAL).has(kind)) refuse();
    return { get: () => value, kind };
  }
  const col = columnOf(v, tables, ordered);
  return { get: (read) => read(col), kind: col.type.kind };
}

/** An operand's values normalised by its kind, an untyped value by the other side's. */
function normalised(o: Operand, other: Operand): (read: Read) => unknown {
  const norm = normOf(o.kind ?? other.kind ?? "");
  const get = o.get;
  return (read) => norm(get(read));
}

const isNaNValue = (v: unknown): boolean => typeof v === "number" && v !== v;

/**
 * Equality of normalised values. NaN equals NaN, as in PostgreSQL (SQLite stores no NaN and
 * refuses to bind one, so its statements never get to compare one).
 */
function equal(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (isNaNValue(x)) return isNaNValue(y);
  // An integer column read as a number compared with a bigint, or the other way.
  const numeric = (t: unknown) => typeof t === "number" || typeof t === "bigint";
  return numeric(x) && numeric(y) && x == y;
}

/** Order of normalised values; NaN is above every other number, as in PostgreSQL. */
function compare(op: string, x: unknown, y: unknown): Truth {
  if (x === null || x === undefined || y === null || y === undefined) return null;
  if (op === "eq") return equal(x, y);
  if (op === "ne") return !equal(x, y);
  let a = x as number;
  let b = y as number;
  if (isNaNValue(a) || isNaNValue(b)) {
    a = isNaNValue(a) ? 1 : 0;
    b = isNaNValue(b) ? 1 : 0;
  }
  return op === "lt" ? a < b : op === "le" ? a <= b : op === "gt" ? a > b : a >= b;
}

function isIn(value: unknown, items: readonly unknown[]): Truth {
  if (value === null || value === undefined) return null;
  let unknown = false;
  for (const item of items) {
    if (item === null || item === undefined) unknown = true;
    else if (equal(value, item)) return true;
  }
  return unknown ? null : false;
}

function andOf(parts: readonly Predicate[]): Predicate {
  return (read) => {
    let result: Truth = true;
    for (const p of parts) {
      const t = p(read);
      if (t === false) return false;
      if (t === null) result = null;
    }
    return result;
  };
}

function orOf(parts: readonly Predicate[]): Predicate {
  return (read) => {
    let result: Truth = false;
    for (const p of parts) {
      const t = p(read);
      if (t === true) return true;
      if (t === null) result = null;
    }
    return result;
  };
}

/** The kind of a chain of conditions (`a AND b AND (c OR d)`), or null for none. */
function chainOf(strings: readonly string[]): "and" | "or" | null {
  const first = strings[0];
  const last = strings[strings.length - 1];
  if ((first !== "" && first !== "(") || (last !== "" && last !== ")")) return null;
  let kind: "and" | "or" | null = null;
  for (let i = 1; i < strings.length - 1; i++) {
    const m = /^\)? (AND|OR) \(?$/.exec(strings[i]);
    if (m === null) return null;
    const k = m[1] === "AND" ? "and" : "or";
    if (kind !== null && kind !== k) return null;
    kind = k;
  }
  return kind;
}

function compile(node: unknown, tables: readonly Table[]): Predicate {
  if (!(node instanceof Fragment)) return refuse();
  const s = node.strings;
  const v = node.values;
  if (v.length === 0) {
    const text = s[0].trim();
    if (text === "TRUE") return () => true;
    if (text === "FALSE") return () => false;
    return refuse();
  }
  if (v.length === 1) {
    if ((s[0] === "" && s[1] === "") || (s[0] === "(" && s[1] === ")")) {
      return compile(v[0], tables);
    }
    if (s[0] === "NOT (" && s[1] === ")") {
      const inner = compile(v[0], tables);
      return (read) => {
        const t = inner(read);
        return t === null ? null : !t;
      };
    }
    if (s[0] === "" && (s[1] === " IS NULL" || s[1] === " IS NOT NULL")) {
      const col = columnOf(v[0], tables, false);
      const wantNull = s[1] === " IS NULL";
      return (read) => {
        const value = read(col);
        return (value === null || value === undefined) === wantNull;
      };
    }
    return refuse();
  }
  if (v.length === 2 && s[0] === "" && s[2] === "") {
    const op = COMPARISONS[s[1]];
    if (op !== undefined) {
      const ordered = op !== "eq" && op !== "ne";
      const l = operandOf(v[0], tables, ordered);
      const r = operandOf(v[1], tables, ordered);
      const left = normalised(l, r);
      const right = normalised(r, l);
      return (read) => compare(op, left(read), right(read));
    }
    if (s[1] === " IN " || s[1] === " NOT IN ") {
      const col = columnOf(v[0], tables, false);
      if (!(v[1] instanceof List)) return refuse();
      const norm = normOf(col.type.kind);
      const items = v[1].items.map((item) => item instanceof Param ? norm(item.value) : refuse());
      const negated = s[1] === " NOT IN ";
      return (read) => {
        const t = isIn(norm(read(col)), items);
        return t === null ? null : negated ? !t : t;
      };
    }
  }
  const kind = chainOf(s);
  if (kind === null) return refuse();
  const parts = v.map((part) => compile(part, tables));
  return kind === "and" ? andOf(parts) : orOf(parts);
}

/**
 * The WHERE conditions (ANDed) of a statement on the last of `tables` (after the tables above
 * it, for a joined subclass's) as a predicate over objects, or null when they cannot be
 * evaluated in memory.
 */
export function evaluator(
  conditions: readonly SqlSource<unknown>[],
  tables: readonly Table[],
): ((state: InstanceState) => boolean | typeof NONE) | null {
  let predicate: Predicate;
  try {
    predicate = andOf(conditions.map((c) => compile(c, tables)));
  } catch (error) {
    if (error instanceof NotEvaluable) return null;
    throw error;
  }
  return (state) => {
    const mapper = state.mapper;
    const stored = state.stored;
    let missing = false;
    const read: Read = (col) => {
      const i = mapper.indexByKey.get(col.key);
      if (i === undefined || mapper.columns[i] !== col || isUnloaded(stored[i])) {
        missing = true;
        return null;
      }
      return stored[i];
    };
    const t = predicate(read);
    return missing ? NONE : t === true;
  };
}

/**
 * The objects among `states` whose rows the WHERE matches, evaluated in memory; null when an
 * object does not hold a column the WHERE reads (or is expired), so that it cannot be told.
 */
export function evaluateMatches(
  match: (state: InstanceState) => boolean | typeof NONE,
  states: Iterable<InstanceState>,
): InstanceState[] | null {
  const out: InstanceState[] = [];
  for (const s of states) {
    if (s.expired) return null;
    const m = match(s);
    if (m === NONE) return null;
    if (m) out.push(s);
  }
  return out;
}

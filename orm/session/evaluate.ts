/**
 * Evaluating a bulk UPDATE's or DELETE's WHERE in memory, against the objects a session
 * holds (SQLAlchemy's `synchronize_session="evaluate"`): comparisons (`eq`, `ne`, `lt`, `le`,
 * `gt`, `ge`), `inList`, `notIn`, `isNull`, `isNotNull`, and `and`, `or`, `not` over them,
 * between a column of the table and a value (or another of its columns), in SQL's
 * three-valued logic: a NULL compares to nothing, `NOT (unknown)` is unknown.
 *
 * Only what compares in JavaScript as in both databases is evaluated: integers, doubles,
 * booleans, dates, and for equality text and enums. Anything else (a column of another type,
 * a function, a subquery, SQL written by hand) makes the WHERE not evaluable, and the session
 * reads the matched keys from the database instead.
 *
 * @module
 */
import { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import { Fragment, List, Param, type SqlSource } from "../../core/sql/nodes.ts";
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

/** A column of `table` whose values can be compared, or a refusal. */
function columnOf(v: unknown, table: Table, ordered: boolean): Column {
  if (!(v instanceof Column) || v.table !== table || v.readOnly) refuse();
  const kind = (v as Column).type.kind;
  if (!(ordered ? ORDERED : EQUAL).has(kind)) refuse();
  return v as Column;
}

/** An operand: a value bound as a parameter, or a column of the table. */
function operandOf(v: unknown, table: Table, ordered: boolean): (read: Read) => unknown {
  if (v instanceof Param) {
    const value = v.value;
    return () => value;
  }
  const col = columnOf(v, table, ordered);
  return (read) => read(col);
}

function norm(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v;
}

function equal(a: unknown, b: unknown): boolean {
  const x = norm(a);
  const y = norm(b);
  if (x === y) return true;
  // An integer column read as a number compared with a bigint, or the other way.
  const numeric = (t: unknown) => typeof t === "number" || typeof t === "bigint";
  return numeric(x) && numeric(y) && x == y;
}

function compare(op: string, a: unknown, b: unknown): Truth {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (op === "eq") return equal(a, b);
  if (op === "ne") return !equal(a, b);
  const x = norm(a) as number;
  const y = norm(b) as number;
  return op === "lt" ? x < y : op === "le" ? x <= y : op === "gt" ? x > y : x >= y;
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

function compile(node: unknown, table: Table): Predicate {
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
      return compile(v[0], table);
    }
    if (s[0] === "NOT (" && s[1] === ")") {
      const inner = compile(v[0], table);
      return (read) => {
        const t = inner(read);
        return t === null ? null : !t;
      };
    }
    if (s[0] === "" && (s[1] === " IS NULL" || s[1] === " IS NOT NULL")) {
      const col = columnOf(v[0], table, false);
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
      const left = operandOf(v[0], table, ordered);
      const right = operandOf(v[1], table, ordered);
      return (read) => compare(op, left(read), right(read));
    }
    if (s[1] === " IN " || s[1] === " NOT IN ") {
      const col = columnOf(v[0], table, false);
      if (!(v[1] instanceof List)) return refuse();
      const items = v[1].items.map((item) => item instanceof Param ? item.value : refuse());
      const negated = s[1] === " NOT IN ";
      return (read) => {
        const t = isIn(read(col), items);
        return t === null ? null : negated ? !t : t;
      };
    }
  }
  const kind = chainOf(s);
  if (kind === null) return refuse();
  const parts = v.map((part) => compile(part, table));
  return kind === "and" ? andOf(parts) : orOf(parts);
}

/**
 * The WHERE conditions of a statement on `table` (ANDed) as a predicate over objects, or
 * null when they cannot be evaluated in memory.
 */
export function evaluator(
  conditions: readonly SqlSource<unknown>[],
  table: Table,
): ((state: InstanceState) => boolean | typeof NONE) | null {
  let predicate: Predicate;
  try {
    predicate = andOf(conditions.map((c) => compile(c, table)));
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

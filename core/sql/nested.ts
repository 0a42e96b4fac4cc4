/**
 * The text of large nested fragments, cached by template. A fragment of many values nested in
 * a statement (the rows of `sql.values`, say) whose values are parameters and identifiers
 * only has a text that depends on nothing but its template, the dialect and the number of
 * the first parameter: it is compiled once, and a later compile of the same template at the
 * same place gathers only its parameters. The gathering is the one the compile step's cache of
 * top-level templates does too (`gatherParams`).
 *
 * @module
 */
import type { Dialect } from "../dialect.ts";
import { TypedParam } from "../types/param.ts";
import { isSqlNode } from "./check.ts";
import { type Fragment, Identifier, Param } from "./nodes.ts";

/** Fragments of fewer values compile fast enough without this cache. */
export const NESTED_CACHE_MIN = 64;

interface Entry {
  readonly dialect: Dialect;
  /** How many parameters came before the fragment's first. */
  readonly offset: number;
  readonly text: string;
  /** Per value position: the identifier it held, or null for a parameter. */
  readonly nodes: readonly (Identifier | null)[];
}

const entries = new WeakMap<readonly string[], Entry>();

/** A parameter's value for a dialect: a typed parameter is encoded by its column type. */
export function bound(v: unknown, dialect: Dialect): unknown {
  if (!(v instanceof Param)) return v;
  const value = v.value;
  if (!(v instanceof TypedParam) || value === null || value === undefined) return value;
  const encode = v.type.encoder(dialect);
  return encode === null ? value : encode(value);
}

/**
 * Writes the parameters of a fragment compiled before into `out` from index `j`, its values
 * checked against the shape's `nodes` (the node each position held, or null for a
 * parameter); the index past the last written, or -1 when its nested SQL differs.
 */
export function gatherParams(
  nodes: readonly (object | null)[],
  values: readonly unknown[],
  dialect: Dialect,
  out: unknown[],
  j: number,
): number {
  if (nodes.length !== values.length) return -1;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const v = values[i];
    if (node === null) {
      if (typeof v !== "object" && typeof v !== "function") out[j++] = v;
      else if (v === null || v instanceof Param) out[j++] = bound(v, dialect);
      else if (isSqlNode(v)) return -1;
      else out[j++] = v;
    } else if (node !== v) return -1;
  }
  return j;
}

/**
 * The text of a fragment compiled before from the same template, dialect and offset, its
 * parameters appended to `params`; null when there is none or its identifiers differ (then
 * `params` is as it was).
 */
export function cachedNested(f: Fragment, dialect: Dialect, params: unknown[]): string | null {
  const e = entries.get(f.strings);
  if (e === undefined || e.dialect !== dialect || e.offset !== params.length) return null;
  if (gatherParams(e.nodes, f.values, dialect, params, e.offset) < 0) {
    params.length = e.offset;
    return null;
  }
  return e.text;
}

/**
 * The identifiers of a fragment whose values are parameters and identifiers only (so that
 * its text can be cached), or null for any other.
 */
export function cacheableNodes(f: Fragment): (Identifier | null)[] | null {
  const values = f.values;
  const nodes: (Identifier | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Identifier) nodes[i] = v;
    else if (v !== null && !(v instanceof Param) && isSqlNode(v)) return null;
    else nodes[i] = null;
  }
  return nodes;
}

/** Keeps the text a fragment compiled to, with its first parameter after `offset` others. */
export function rememberNested(
  f: Fragment,
  nodes: readonly (Identifier | null)[],
  dialect: Dialect,
  offset: number,
  text: string,
): void {
  entries.set(f.strings, { dialect, offset, text, nodes });
}

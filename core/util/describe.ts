/**
 * The one value describer of Retort's error messages: what a value is, and (unless it must
 * stay secret) what it holds.
 *
 * @module
 */

/** How {@linkcode describe} may show a value. */
export interface DescribeOptions {
  /** Show strings, numbers and bigints themselves; false keeps them secret. Default false. */
  showValue?: boolean;
}

function className(v: object): string | undefined {
  try {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    return typeof name === "string" && name.length > 0 ? name : undefined;
  } catch {
    return undefined; // a revoked Proxy
  }
}

/** Whether a value is a plain object: `{...}` or `Object.create(null)`. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  try {
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

/**
 * Describes a value for an error message: `a function (f)`, `a plain object`, `an instance
 * of Foo`, `a string`; with `showValue`, `the string "ada"`, `number 5`, `the bigint 5n`.
 */
export function describe(v: unknown, options: DescribeOptions = {}): string {
  const show = options.showValue ?? false;
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "function":
      return `a function (${(v as { name?: string }).name || "anonymous"})`;
    case "symbol":
      return `a symbol (${v.description ?? ""})`;
    case "string":
      return show
        ? `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`
        : "a string";
    case "number":
      return show ? `number ${v}` : "a number";
    case "bigint":
      return show ? `the bigint ${v}n` : "a bigint";
    case "boolean":
      return show ? `boolean ${v}` : "a boolean";
  }
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (isPlainObject(v)) return "a plain object";
  const name = className(v as object);
  return name ? `an instance of ${name}` : "an object of an unknown class";
}

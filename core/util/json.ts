/**
 * JSON text that means what the value means: what `JSON.stringify` would drop or change
 * silently (undefined, functions, symbols, NaN and Infinity, a `toJSON()` giving one of those)
 * or cannot write (bigints, cycles) is refused.
 *
 * @module
 */

/** Why a value has no faithful JSON text, or null when it has one. */
export function jsonProblem(value: unknown): string | null {
  try {
    toJsonText(value);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The JSON text of a value; throws an Error saying what cannot be written, and where. */
export function toJsonText(value: unknown): string {
  let root = true;
  const where = (key: string): string => root ? "the value" : `the value at ${JSON.stringify(key)}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (key: string, v: unknown) => {
      const at = where(key);
      root = false;
      switch (typeof v) {
        case "undefined":
        case "function":
        case "symbol":
          throw new JsonError(
            `${at} is ${
              typeof v === "undefined" ? "undefined" : `a ${typeof v}`
            }, which JSON cannot hold (it would be dropped); use null or leave the key out`,
          );
        case "bigint":
          throw new JsonError(`${at} is a bigint; convert it to a string or number first`);
        case "number":
          if (!Number.isFinite(v)) {
            throw new JsonError(
              `${at} is ${v}, which JSON writes as null; use null or a finite number`,
            );
          }
      }
      return v;
    });
  } catch (error) {
    if (error instanceof JsonError) throw error;
    throw new JsonError(
      `it cannot be written as JSON: ${(error as Error).message}; break cycles first`,
    );
  }
  if (text === undefined) throw new JsonError("it has no JSON text");
  return text;
}

class JsonError extends Error {}

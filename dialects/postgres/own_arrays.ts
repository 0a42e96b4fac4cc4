/**
 * The arrays of the database's own types that a client does not read whole: looked up once in
 * the catalog, each type, and read here.
 *
 * - An array type the client does not know comes as text: PGlite knows only the built-in array
 *   types, and postgres.js those it learnt as it connected (none of a type created later, of a
 *   client created with `fetch_types: false`, or in a statement it prepared before).
 * - An array of a domain comes with its elements as text from postgres.js, which knows the
 *   array type but has no parser for the domain (PostgreSQL sends a domain's values as its base
 *   type's, but an array of a domain as the domain's array type): the elements are read by the
 *   base type's parser, so that `ARRAY[1]::dom[]` is `[1]` as `1::dom` is `1`, and the client is
 *   given that parser for the domain, so that it reads the next ones itself.
 *
 * @module
 */
import { elementOf, FIRST_OWN_OID, parseArray, readAsText, same } from "./arrays.ts";

type Parser = (text: string) => unknown;

/** What a result tells of a column (PGlite's field; a postgres.js column, mapped so). */
export interface Field {
  readonly name: string;
  readonly dataTypeID: number;
  /** The parser postgres.js read the column with; none for PGlite, or for text. */
  readonly parser?: unknown;
}

/** Runs a catalog query on the connection (PGlite's `query`). */
export type Lookup = (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/** An array type: its delimiter, its element type, and that type's base (itself, or a domain's). */
interface ArrayType {
  readonly delimiter: string;
  readonly element: number;
  readonly base: number;
}

/**
 * An array type's delimiter, element type, and the element's base type: a domain's (through
 * domains of domains) or the element itself. No row for a type that is not an array.
 */
const ARRAY_TYPE = `WITH RECURSIVE e(oid, typtype, typbasetype) AS (
  SELECT t.oid, t.typtype, t.typbasetype FROM pg_catalog.pg_type a
    JOIN pg_catalog.pg_type t ON t.oid = a.typelem WHERE a.oid = $1 AND a.typcategory = 'A'
  UNION ALL
  SELECT t.oid, t.typtype, t.typbasetype FROM pg_catalog.pg_type t
    JOIN e ON t.oid = e.typbasetype WHERE e.typtype = 'd')
SELECT a.typdelim, a.typelem, e.oid AS base FROM e, pg_catalog.pg_type a
 WHERE a.oid = $1 AND e.typtype <> 'd'`;

/** Maps the text elements of an array (nested or not), NULLs kept. */
function mapElements(xs: unknown[], parse: Parser): unknown[] {
  return xs.map((x) =>
    Array.isArray(x) ? mapElements(x, parse) : x === null ? x : parse(x as string)
  );
}

/** How the driver reads elements, and tells its client of a domain's parser. */
export interface OwnArraysOptions {
  /** Runs the catalog query, unless `decode` is given one of its own. */
  readonly lookup?: Lookup;
  /** The parser of a base type's values, looked up when a value is read; none for text. */
  readonly element: (oid: number) => Parser | undefined;
  /** Gives the client a domain's parser (postgres.js: in its `parsers`, if it has none). */
  readonly learn?: (domain: number, parse: Parser) => void;
}

/**
 * The arrays a client gives as text, or with their elements as text (see the module's doc),
 * read by `parseArray`, each element by its base type's parser. Each array type is looked up
 * once in `pg_type`.
 */
export class OwnArrays {
  /** By array type oid: what the catalog says, or null for a type that is not an array. */
  readonly #types = new Map<number, ArrayType | null>();
  readonly #options: OwnArraysOptions;

  /** How elements are read, and where the catalog is asked (see `OwnArraysOptions`). */
  constructor(options: OwnArraysOptions) {
    this.#options = options;
  }

  /**
   * Whether a column may need reading here: of one of the database's own types (a field whose
   * `dataTypeID` is below 16384, a built-in type, never does), read as text and not known to
   * be other than an array, or an array whose elements postgres.js read as text and whose
   * element is a domain or not yet looked up.
   */
  unread(field: Field): boolean {
    const oid = field.dataTypeID;
    if (oid < FIRST_OWN_OID) return false;
    const known = this.#types.get(oid);
    if (field.parser === undefined) return known !== null;
    const element = elementOf(field.parser);
    if (element === undefined || element < FIRST_OWN_OID) return false;
    return known === undefined || (known !== null && known.base !== known.element);
  }

  /**
   * Reads, in place, the values of a result's columns that need it (see `unread`); `lookup`
   * runs the catalog query on the connection the result came from.
   */
  async decode(
    rows: unknown[],
    fields: readonly Field[],
    byIndex: boolean,
    lookup: Lookup | undefined = this.#options.lookup,
  ): Promise<void> {
    if (rows.length === 0 || lookup === undefined) return;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      if (!this.unread(field)) continue;
      const type = await this.#type(field.dataTypeID, lookup);
      if (type === null) continue;
      const key = byIndex ? i : field.name;
      const element = this.#element(type.base);
      if (field.parser === undefined) {
        for (const row of rows as Record<string | number, unknown>[]) {
          const v = row[key];
          if (typeof v === "string") row[key] = parseArray(v, element, type.delimiter);
        }
        continue;
      }
      if (type.base === type.element) continue;
      this.#options.learn?.(type.element, element);
      for (const row of rows as Record<string | number, unknown>[]) {
        const v = row[key];
        if (readAsText(v)) row[key] = mapElements(v, element);
      }
    }
  }

  /** The parser of a base type's values, looked up when one is read. */
  #element(base: number): Parser {
    return (text) => (this.#options.element(base) ?? same)(text);
  }

  async #type(oid: number, lookup: Lookup): Promise<ArrayType | null> {
    let type = this.#types.get(oid);
    if (type !== undefined) return type;
    try {
      const { rows } = await lookup(ARRAY_TYPE, [oid]);
      const row = rows[0] as { typdelim?: unknown; typelem?: unknown; base?: unknown } | undefined;
      type = row === undefined ? null : {
        delimiter: typeof row.typdelim === "string" ? row.typdelim : ",",
        element: Number(row.typelem),
        base: Number(row.base),
      };
    } catch {
      return null; // left as it is, and looked up again next time
    }
    this.#types.set(oid, type);
    return type;
  }
}

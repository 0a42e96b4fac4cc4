/**
 * The names and clauses DDL statements share: quoted table names, generated constraint and
 * index names, REFERENCES clauses.
 *
 * @module
 */
import type { ReferentialAction } from "../schema/column.ts";
import type { TableName } from "../schema/table.ts";
import { Fragment, Identifier } from "../sql/nodes.ts";
import type { ForeignKey } from "./order.ts";

/** A quoted identifier. */
export const id = (...names: string[]): Identifier => new Identifier(names);
/** Fixed DDL text. */
export const raw = (text: string): Fragment => new Fragment([text], []);
/** A table's (schema-qualified) name. */
export const tableName = (t: TableName): Identifier =>
  id(...(t.schema ? [t.schema, t.name] : [t.name]));
const ACTIONS: Record<ReferentialAction, string> = {
  "cascade": "CASCADE",
  "restrict": "RESTRICT",
  "set null": "SET NULL",
  "set default": "SET DEFAULT",
  "no action": "NO ACTION",
};

/** `REFERENCES table (column) [ON DELETE ...] [ON UPDATE ...]`. */
export function references(fk: ForeignKey): Fragment {
  const parts: unknown[] = [tableName(fk.target.table!), id(fk.target.name)];
  let tail = ")";
  if (fk.onDelete) tail += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate) tail += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
  return new Fragment(["REFERENCES ", " (", tail], parts);
}

/**
 * A generated name cut to PostgreSQL's 63 bytes, as the server would keep it, on a character
 * boundary: slicing UTF-16 units could split a surrogate pair, or leave more than 63 bytes.
 */
export function generatedName(name: string, most = 63): string {
  let bytes = 0;
  let out = "";
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > most) break;
    out += ch;
  }
  return out;
}

/**
 * The name of the index `.index()` gives a column: `ix_<table>_<column>`, or, where that is
 * longer than PostgreSQL's 63 bytes, its first bytes and a hash of the whole, so that two
 * long names that begin alike do not become one (the second index was skipped).
 */
export function indexName(table: string, column: string): string {
  const name = `ix_${table}_${column}`;
  const cut = generatedName(name);
  if (cut === name) return name;
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (const b of new TextEncoder().encode(name)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  const hash = h.toString(16).padStart(8, "0");
  return `${generatedName(name, 54)}_${hash}`;
}

/** The name PostgreSQL gives a foreign key constraint. */
export function fkName(fk: ForeignKey): string {
  return generatedName(`${fk.table.name}_${fk.column.name}_fkey`);
}

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
export function generatedName(name: string): string {
  let bytes = 0;
  let out = "";
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > 63) break;
    out += ch;
  }
  return out;
}

/** The name PostgreSQL gives a foreign key constraint. */
export function fkName(fk: ForeignKey): string {
  return generatedName(`${fk.table.name}_${fk.column.name}_fkey`);
}

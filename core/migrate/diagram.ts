/**
 * `diagram`: a Mermaid ER diagram of tables or models (their columns, keys and the
 * relationships their foreign keys make), for READMEs and reviews.
 *
 * @module
 */
import { type Table, type TableLike, tableOf } from "../mod.ts";

const entity = (t: { name: string; schema: string | undefined }) =>
  (t.schema ? `${t.schema}_${t.name}` : t.name).replace(/[^\w-]/g, "_");
const word = (text: string) => text.replace(/[^\w]+/g, "_").replace(/^_+|_+$/g, "") || "value";

/** A Mermaid `erDiagram` of tables or model classes. */
export function diagram(items: readonly TableLike[]): string {
  const tables: Table[] = [];
  for (const item of items) {
    const t = tableOf(item);
    if (!tables.includes(t)) tables.push(t);
  }
  const lines = ["erDiagram"];
  for (const t of tables) {
    lines.push(`  ${entity(t)} {`);
    const fks = new Set(t.foreignKeys.map((fk) => fk.column));
    for (const col of t.columns) {
      const keys = [
        t.primaryKey.includes(col) ? "PK" : "",
        fks.has(col) ? "FK" : "",
        col.config.unique ? "UK" : "",
      ].filter(Boolean).join(", ");
      const type = word(col.type.name.replace(/^enum\(.*\)$/, "enum"));
      const note = col.config.nullable ? ' "nullable"' : "";
      lines.push(`    ${type} ${word(col.name)}${keys ? ` ${keys}` : ""}${note}`);
    }
    lines.push("  }");
  }
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const parent = fk.target.table!;
      const one = fk.column.config.unique ||
        (t.primaryKey.length === 1 && t.primaryKey[0] === fk.column);
      const left = fk.column.config.nullable ? "|o" : "||";
      const right = one ? "o|" : "o{";
      lines.push(`  ${entity(parent)} ${left}--${right} ${entity(t)} : "${fk.column.name}"`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * Stored generated columns in SQLite's reflection: `PRAGMA table_xinfo` marks them hidden (3
 * stored, 2 virtual) but gives no expression; it is read from the table's CREATE text.
 *
 * @module
 */

const quoted = (name: string): string[] => [
  `"${name.replaceAll('"', '""')}"`,
  `\`${name}\``,
  `[${name}]`,
  name,
];

/** The text between the parentheses opening at `start`, or null when they do not close. */
function balanced(text: string, start: number): string | null {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return text.slice(start + 1, i).trim();
  }
  return null;
}

/** The expression of a generated column in a CREATE TABLE text, or "" when not found. */
export function generatedExpression(createSql: string, column: string): string {
  const upper = createSql.toUpperCase();
  for (const name of quoted(column)) {
    let at = createSql.indexOf(name);
    while (at >= 0) {
      const rest = upper.slice(at + name.length);
      const m = /^\s+[^,(]*?(?:GENERATED\s+ALWAYS\s+)?AS\s*\(/.exec(rest);
      if (m) {
        const found = balanced(createSql, at + name.length + m[0].length - 1);
        if (found !== null) return found;
      }
      at = createSql.indexOf(name, at + 1);
    }
  }
  return "";
}

/** A generated column's declared type without the `GENERATED ALWAYS` SQLite may add to it. */
export function plainType(type: string): string {
  return type.replace(/\s+GENERATED\s+ALWAYS\s*$/i, "").trim();
}

/**
 * Names for `pull`: class names from table names (singular, PascalCase), property keys from
 * column names (camelCase, with `.named(...)` where the snake_case of the key differs), and
 * relationship names from foreign keys.
 *
 * @module
 */
import { snakeCase } from "../mod.ts";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(["Model", "Column", "Table", "Object", "Array", "Date", "Map", "Set"]);

/** `post_tags` → `PostTags`. */
export function pascal(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const out = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return /^[A-Za-z_$]/.test(out) ? out : `T${out}`;
}

/** `author_id` → `authorId`. */
export function camel(name: string): string {
  const p = pascal(name);
  return p[0].toLowerCase() + p.slice(1);
}

/** A plural English noun made singular, for the usual endings. */
export function singular(word: string): string {
  if (/ies$/i.test(word)) return word.slice(0, -3) + "y";
  if (/(ss|x|ch|sh|zz)es$/i.test(word)) return word.slice(0, -2);
  if (/ses$/i.test(word)) return word.slice(0, -1);
  if (/[^su]s$/i.test(word)) return word.slice(0, -1);
  return word;
}

/** A class name for a table, unique among those taken. */
export function className(table: string, schema: string | undefined, taken: Set<string>): string {
  let name = pascal(singular(table));
  if (RESERVED.has(name) || taken.has(name)) name = pascal(`${schema ?? ""}_${singular(table)}`);
  while (RESERVED.has(name) || taken.has(name)) name += "Row";
  taken.add(name);
  return name;
}

/** The property key for a column, and whether it needs `.named(...)`. */
export function columnKey(name: string): { key: string; named: boolean; literal: string } {
  const key = camel(name);
  if (IDENT.test(key) && snakeCase(key) === name) return { key, named: false, literal: key };
  if (IDENT.test(key)) return { key, named: true, literal: key };
  return { key: name, named: true, literal: JSON.stringify(name) };
}

/** A name unique among those taken (adding a suffix), which it then takes. */
export function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}${i}`;
  taken.add(name);
  return name;
}

/** Text for a template literal: backslashes, backticks and `${` escaped. */
export function templateText(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${");
}

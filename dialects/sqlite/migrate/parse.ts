/**
 * What SQLite's pragmas do not tell, read from a table's CREATE TABLE text: its CHECK
 * constraints (with their names), whether its key is AUTOINCREMENT, whether it is WITHOUT
 * ROWID.
 *
 * @module
 */
import type { CheckSnapshot } from "../../../core/migrate/snapshot.ts";
import { closingParen, skipQuoted, splitTopLevel } from "../../../core/migrate/sql_text.ts";

/** What the CREATE TABLE text says beyond the pragmas. */
export interface ParsedTable {
  checks: CheckSnapshot[];
  autoincrement: boolean;
  withoutRowid: boolean;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

/** The words, quoted names and parenthesised groups of a definition, at its top level. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const q = skipQuoted(text, i);
    if (q !== i) {
      if (!text.startsWith("--", i) && !text.startsWith("/*", i)) {
        out.push({ text: text.slice(i, q), start: i, end: q });
      }
      i = q;
      continue;
    }
    if (text[i] === "(") {
      const close = closingParen(text, i);
      const end = close < 0 ? text.length : close + 1;
      out.push({ text: text.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    const m = /^[^\s()'"`[,]+/.exec(text.slice(i));
    const len = m ? m[0].length : 1;
    out.push({ text: text.slice(i, i + len), start: i, end: i + len });
    i += len;
  }
  return out;
}

/** A name as written: `"a""b"` is `a"b`, `[x]` and `` `x` `` are `x`. */
export function unquote(name: string): string {
  const first = name[0];
  if (first === '"' || first === "`") return name.slice(1, -1).replaceAll(first + first, first);
  if (first === "[") return name.slice(1, -1);
  if (first === "'") return name.slice(1, -1).replaceAll("''", "'");
  return name;
}

const word = (t: Token | undefined) => t?.text.toUpperCase();

/** The checks of one column or table constraint definition. */
function checksOf(part: string, out: CheckSnapshot[]): boolean {
  const toks = tokens(part);
  let name: string | undefined;
  let autoincrement = false;
  for (let i = 0; i < toks.length; i++) {
    const w = word(toks[i]);
    if (w === "CONSTRAINT" && toks[i + 1]) {
      name = unquote(toks[i + 1].text);
      i++;
    } else if (w === "CHECK" && toks[i + 1]?.text.startsWith("(")) {
      const group = toks[i + 1].text;
      out.push({ ...(name ? { name } : {}), expression: group.slice(1, -1).trim() });
      name = undefined;
      i++;
    } else if (w === "AUTOINCREMENT") autoincrement = true;
    else if (w === "PRIMARY" || w === "UNIQUE" || w === "REFERENCES" || w === "FOREIGN") {
      name = undefined;
    }
  }
  return autoincrement;
}

/**
 * Reads a CREATE TABLE statement as SQLite keeps it in `sqlite_master`.
 */
export function parseCreateTable(sqlText: string): ParsedTable {
  const open = sqlText.indexOf("(");
  const close = open < 0 ? -1 : closingParen(sqlText, open);
  if (open < 0 || close < 0) return { checks: [], autoincrement: false, withoutRowid: false };
  const checks: CheckSnapshot[] = [];
  let autoincrement = false;
  for (const part of splitTopLevel(sqlText.slice(open + 1, close), ",")) {
    if (checksOf(part, checks)) autoincrement = true;
  }
  const tail = sqlText.slice(close + 1).toUpperCase();
  return { checks, autoincrement, withoutRowid: /\bWITHOUT\s+ROWID\b/.test(tail) };
}

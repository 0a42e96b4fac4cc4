/**
 * What SQLite's pragmas do not tell, read from a table's CREATE TABLE text: its CHECK
 * constraints, the names of its constraints, whether its key is AUTOINCREMENT, column
 * collations, generated columns (expression, STORED or VIRTUAL), DEFERRABLE foreign keys and
 * the table's options (STRICT, WITHOUT ROWID). What the text holds beyond that (ON CONFLICT,
 * a DESC key, MATCH, a clause it does not know) is listed as `unsupported`: a rebuild, which
 * writes the table again from what reflection read, would lose it.
 *
 * @module
 */
import type { CheckSnapshot } from "../../../core/migrate/snapshot.ts";
import { closingParen, skipQuoted, splitTopLevel } from "../../../core/migrate/sql_text.ts";

/** What a column's definition says beyond the pragmas. */
export interface ParsedColumn {
  name: string;
  collation?: string;
  computed?: string;
  virtual?: boolean;
}

/** A key or unique constraint: its name as written, and its columns. */
export interface ParsedKey {
  name?: string;
  columns: string[];
}

/** A foreign key: its name, columns, the table it refers to and whether it is deferrable. */
export interface ParsedForeignKey extends ParsedKey {
  table: string;
  deferrable?: "immediate" | "deferred";
}

/** What the CREATE TABLE text says beyond the pragmas. */
export interface ParsedTable {
  checks: CheckSnapshot[];
  autoincrement: boolean;
  withoutRowid: boolean;
  options: string[];
  columns: ParsedColumn[];
  primaryKey?: ParsedKey;
  uniques: ParsedKey[];
  foreignKeys: ParsedForeignKey[];
  /** What a rebuild could not write again, in words ("ON CONFLICT REPLACE on column n"). */
  unsupported: string[];
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

const inner = (group: string) => group.slice(1, -1).trim();

/** Words that end a column's type and start one of its constraints. */
const COLUMN_WORDS = new Set([
  "CONSTRAINT",
  "PRIMARY",
  "NOT",
  "NULL",
  "UNIQUE",
  "CHECK",
  "DEFAULT",
  "COLLATE",
  "REFERENCES",
  "GENERATED",
  "AS",
]);
const TABLE_WORDS = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);
const ACTION_WORDS = new Set(["SET", "NULL", "DEFAULT", "CASCADE", "RESTRICT", "NO", "ACTION"]);

/** Reads the definitions of one table, one part (a column or a table constraint) at a time. */
class Reader {
  readonly out: ParsedTable = {
    checks: [],
    autoincrement: false,
    withoutRowid: false,
    options: [],
    columns: [],
    uniques: [],
    foreignKeys: [],
    unsupported: [],
  };
  toks: Token[] = [];
  i = 0;

  word(at = this.i): string | undefined {
    const t = this.toks[at]?.text;
    return t === undefined || /^["'`[(]/.test(t) ? undefined : t.toUpperCase();
  }

  group(): string | null {
    const t = this.toks[this.i]?.text;
    if (t === undefined || !t.startsWith("(")) return null;
    this.i++;
    return t;
  }

  /** An ON CONFLICT clause, which a rebuild does not write again. */
  conflict(where: string): void {
    if (this.word() !== "ON" || this.word(this.i + 1) !== "CONFLICT") return;
    this.out.unsupported.push(`ON CONFLICT ${this.word(this.i + 2) ?? ""} ${where}`.trim());
    this.i += 3;
  }

  /** The target and the clauses after REFERENCES: a foreign key. */
  references(name: string | undefined, columns: string[], where: string): void {
    const table = this.toks[this.i] ? unquote(this.toks[this.i++].text) : "";
    this.group();
    const fk: ParsedForeignKey = { ...(name ? { name } : {}), columns, table };
    for (;;) {
      const w = this.word();
      if (
        w === "ON" && (this.word(this.i + 1) === "DELETE" || this.word(this.i + 1) === "UPDATE")
      ) {
        this.i += 2;
        while (ACTION_WORDS.has(this.word() ?? "")) this.i++;
      } else if (w === "MATCH") {
        this.out.unsupported.push(`MATCH ${this.word(this.i + 1) ?? ""} ${where}`);
        this.i += 2;
      } else if (w === "DEFERRABLE" || (w === "NOT" && this.word(this.i + 1) === "DEFERRABLE")) {
        this.i += w === "NOT" ? 2 : 1;
        let initially = "IMMEDIATE";
        if (this.word() === "INITIALLY") {
          initially = this.word(this.i + 1) ?? "";
          this.i += 2;
        }
        if (w === "NOT") delete fk.deferrable;
        else fk.deferrable = initially === "DEFERRED" ? "deferred" : "immediate";
      } else break;
    }
    this.out.foreignKeys.push(fk);
  }

  /** The columns of a table PRIMARY KEY or UNIQUE: plain names, ascending, no collation. */
  keyColumns(group: string, what: string): string[] {
    const cols: string[] = [];
    for (const part of splitTopLevel(inner(group), ",")) {
      const t = tokens(part);
      const rest = t.slice(1).map((x) => x.text.toUpperCase());
      if (rest.at(-1) === "AUTOINCREMENT" && what === "PRIMARY KEY") {
        this.out.autoincrement = true;
        rest.pop();
      }
      if (rest.at(-1) === "ASC") rest.pop();
      if (t.length === 0 || t[0].text.startsWith("(") || rest.length > 0) {
        this.out.unsupported.push(`${part.trim()} in its ${what}`);
      }
      if (t.length > 0) cols.push(unquote(t[0].text));
    }
    return cols;
  }

  tableConstraint(): void {
    let name: string | undefined;
    if (this.word() === "CONSTRAINT") {
      name = unquote(this.toks[this.i + 1]?.text ?? "");
      this.i += 2;
    }
    const w = this.word();
    const named = name ? { name } : {};
    if ((w === "PRIMARY" || w === "FOREIGN") && this.word(this.i + 1) === "KEY") this.i += 2;
    else if (w === "UNIQUE" || w === "CHECK") this.i++;
    else return this.unknown("in its table constraints");
    const group = this.group();
    if (group === null) return this.unknown(`in its ${w} constraint`);
    if (w === "PRIMARY") {
      this.out.primaryKey = { ...named, columns: this.keyColumns(group, "PRIMARY KEY") };
      this.conflict("on its PRIMARY KEY");
    } else if (w === "UNIQUE") {
      this.out.uniques.push({ ...named, columns: this.keyColumns(group, "UNIQUE") });
      this.conflict("on its UNIQUE constraint");
    } else if (w === "CHECK") this.out.checks.push({ ...named, expression: inner(group) });
    else {
      const cols = splitTopLevel(inner(group), ",").map((c) => unquote(c.trim()));
      if (this.word() !== "REFERENCES") return this.unknown("in its FOREIGN KEY");
      this.i++;
      this.references(name, cols, "on its foreign key");
    }
    if (this.i < this.toks.length) this.unknown("in its table constraints");
  }

  unknown(where: string): void {
    const rest = this.toks.slice(this.i).map((t) => t.text).join(" ");
    this.out.unsupported.push(`${rest || "an incomplete clause"} ${where}`);
    this.i = this.toks.length;
  }

  column(): void {
    const name = unquote(this.toks[this.i++].text);
    const col: ParsedColumn = { name };
    this.out.columns.push(col);
    const where = `on column ${name}`;
    while (this.i < this.toks.length && !COLUMN_WORDS.has(this.word() ?? "")) this.i++;
    let label: string | undefined;
    const unnamed = (what: string) => {
      if (label !== undefined) this.out.unsupported.push(`the name ${label} of ${what} ${where}`);
      label = undefined;
    };
    while (this.i < this.toks.length) {
      const w = this.word();
      const named = label ? { name: label } : {};
      if (w === "CONSTRAINT") {
        label = unquote(this.toks[this.i + 1]?.text ?? "");
        this.i += 2;
      } else if (w === "PRIMARY" && this.word(this.i + 1) === "KEY") {
        this.i += 2;
        if (this.word() === "ASC") this.i++;
        else if (this.word() === "DESC") {
          this.out.unsupported.push(`PRIMARY KEY DESC ${where}`);
          this.i++;
        }
        this.conflict(where);
        if (this.word() === "AUTOINCREMENT") {
          this.out.autoincrement = true;
          this.i++;
        }
        this.out.primaryKey = { ...named, columns: [name] };
        label = undefined;
      } else if (w === "NOT" && this.word(this.i + 1) === "NULL") {
        this.i += 2;
        this.conflict(where);
        unnamed("its NOT NULL");
      } else if (w === "NULL") {
        this.i++;
        unnamed("its NULL");
      } else if (w === "UNIQUE") {
        this.i++;
        this.conflict(where);
        this.out.uniques.push({ ...named, columns: [name] });
        label = undefined;
      } else if (w === "CHECK" && this.toks[this.i + 1]?.text.startsWith("(")) {
        this.i++;
        this.out.checks.push({ ...named, expression: inner(this.group()!) });
        label = undefined;
      } else if (w === "DEFAULT") {
        this.i++;
        const value = this.toks[this.i++]?.text ?? "";
        if (value === "+" || value === "-") this.i++;
        else if (/^x$/i.test(value) && this.toks[this.i]?.start === this.toks[this.i - 1].end) {
          this.i++;
        }
        unnamed("its DEFAULT");
      } else if (w === "COLLATE") {
        col.collation = unquote(this.toks[this.i + 1]?.text ?? "");
        this.i += 2;
        unnamed("its COLLATE");
      } else if (w === "REFERENCES") {
        this.i++;
        this.references(label, [name], where);
        label = undefined;
      } else if (w === "GENERATED" && this.word(this.i + 1) === "ALWAYS") {
        this.i += 2;
      } else if (w === "AS" && this.toks[this.i + 1]?.text.startsWith("(")) {
        this.i++;
        col.computed = inner(this.group()!);
        if (this.word() === "VIRTUAL" || this.word() === "STORED") {
          if (this.word() === "VIRTUAL") col.virtual = true;
          this.i++;
        } else col.virtual = true;
        unnamed("its generated value");
      } else return this.unknown(where);
    }
    if (label !== undefined) unnamed("no constraint");
  }

  part(text: string): void {
    this.toks = tokens(text);
    this.i = 0;
    if (this.toks.length === 0) return;
    if (TABLE_WORDS.has(this.word() ?? "")) this.tableConstraint();
    else this.column();
  }

  /** The options after the column list: STRICT and WITHOUT ROWID. */
  options(tail: string): void {
    const words = tokens(tail).map((t) => t.text);
    for (const option of words.join(" ").split(",").map((o) => o.trim().toUpperCase())) {
      if (option === "") continue;
      const o = option.replace(/\s+/g, " ");
      if (o === "STRICT" || o === "WITHOUT ROWID") this.out.options.push(o);
      else this.out.unsupported.push(`the table option ${option}`);
    }
    this.out.withoutRowid = this.out.options.includes("WITHOUT ROWID");
  }
}

/** The first parenthesis outside quotes, or -1. */
function firstParen(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const j = skipQuoted(text, i);
    if (j !== i) i = j - 1;
    else if (text[i] === "(") return i;
  }
  return -1;
}

/**
 * Reads a CREATE TABLE statement as SQLite keeps it in `sqlite_master`.
 */
export function parseCreateTable(sqlText: string): ParsedTable {
  const reader = new Reader();
  const open = firstParen(sqlText);
  const close = open < 0 ? -1 : closingParen(sqlText, open);
  if (/^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(sqlText)) {
    reader.out.unsupported.push("CREATE VIRTUAL TABLE (a virtual table)");
  }
  if (open < 0 || close < 0) {
    reader.out.unsupported.push("a CREATE TABLE text Retort cannot read");
    return reader.out;
  }
  for (const part of splitTopLevel(sqlText.slice(open + 1, close), ",")) reader.part(part);
  reader.options(sqlText.slice(close + 1));
  return reader.out;
}

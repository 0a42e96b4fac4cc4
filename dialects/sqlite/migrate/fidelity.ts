/**
 * Whether a rebuild can write a table again exactly. The rebuild creates the new table from
 * what reflection read; before anything changes, the table's CREATE TABLE text is read, and
 * the rebuild is refused when the text holds a clause Retort cannot write (ON CONFLICT, a
 * DESC key, MATCH, a virtual table, anything it does not know), or a feature the table
 * written from reflection would not have (a collation, a constraint's name, DEFERRABLE,
 * STRICT, WITHOUT ROWID, a generated column). A refusal names the table, what would be lost
 * and how to make the change by hand.
 *
 * @module
 */
import { compile, type Executor, InvalidRequestError, sql } from "../../../core/mod.ts";
import { comparableSql, dialectOf, type TableSnapshot } from "../../../core/migrate/mod.ts";
import { parseCreateTable, type ParsedTable } from "./parse.ts";
import { createTable } from "./render.ts";

const lower = (names: string[]) => names.map((n) => n.toLowerCase()).join(", ");
const called = (name: string | undefined) => name ? ` named ${name}` : "";

/** The features of a parsed table that a rebuild must keep, each in words. */
export function features(p: ParsedTable): string[] {
  const out: string[] = [];
  for (const c of p.columns) {
    const col = `column ${c.name.toLowerCase()}`;
    if (c.collation !== undefined) out.push(`COLLATE ${c.collation.toUpperCase()} on ${col}`);
    if (c.computed !== undefined) {
      out.push(
        `GENERATED ALWAYS AS (${comparableSql(c.computed)}) ${
          c.virtual ? "VIRTUAL" : "STORED"
        } on ${col}`,
      );
    }
  }
  if (p.primaryKey?.name) out.push(`the name ${p.primaryKey.name} of its PRIMARY KEY`);
  for (const u of p.uniques) out.push(`UNIQUE (${lower(u.columns)})${called(u.name)}`);
  for (const fk of p.foreignKeys) {
    const deferrable = fk.deferrable ? ` DEFERRABLE INITIALLY ${fk.deferrable.toUpperCase()}` : "";
    out.push(
      `FOREIGN KEY (${lower(fk.columns)}) REFERENCES ${fk.table.toLowerCase()}` +
        `${called(fk.name)}${deferrable}`,
    );
  }
  for (const c of p.checks) out.push(`CHECK (${comparableSql(c.expression)})${called(c.name)}`);
  for (const o of p.options) out.push(`the table option ${o}`);
  if (p.autoincrement) out.push("AUTOINCREMENT");
  return out;
}

/** What of `before` is missing from `after`, counted (two equal clauses are two). */
export function lost(before: ParsedTable, after: ParsedTable): string[] {
  const left = features(after);
  const out: string[] = [];
  for (const f of features(before)) {
    const i = left.indexOf(f);
    if (i < 0) out.push(f);
    else left.splice(i, 1);
  }
  return out;
}

/**
 * Refuses, before anything changes, to rebuild a table whose CREATE TABLE text the rebuild
 * would not reproduce.
 */
export async function requireFaithful(db: Executor, old: TableSnapshot): Promise<void> {
  const text = await db.scalar<string | null>(
    sql`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${old.name}`,
  );
  const before = parseCreateTable(text ?? "");
  const problems = [...before.unsupported];
  if (problems.length === 0) {
    const again = compile(createTable(old), dialectOf(db)).text;
    problems.push(...lost(before, parseCreateTable(again)));
  }
  if (problems.length === 0) return;
  throw new InvalidRequestError(
    `Cannot rebuild table ${old.name}: its CREATE TABLE has ${problems.join("; ")}, which the ` +
      "rebuild (which writes the table again from what Retort reads of it) would not keep. " +
      "Nothing was changed. Make this change by hand instead, in op.sql steps: create the new " +
      "table with every clause it needs, copy the rows (INSERT INTO ... SELECT), drop the old " +
      "table, rename the new one and create its indexes and triggers again (SQLite's " +
      "procedure, https://www.sqlite.org/lang_altertable.html#otheralter).",
  );
}

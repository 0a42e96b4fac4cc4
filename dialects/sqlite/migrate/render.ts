/**
 * SQLite DDL from snapshots: CREATE TABLE (under any name, for a rebuild), CREATE INDEX, and
 * the column definition ALTER TABLE ADD COLUMN takes. Types, defaults and checks are SQL
 * text from the catalogue or from a migration file, written as they are.
 *
 * @module
 */
import { type Fragment, type ReferentialAction, sql } from "../../../core/mod.ts";
import type {
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  TableSnapshot,
} from "../../../core/migrate/mod.ts";

const ACTIONS: Record<ReferentialAction, string> = {
  "cascade": "CASCADE",
  "restrict": "RESTRICT",
  "set null": "SET NULL",
  "set default": "SET DEFAULT",
  "no action": "NO ACTION",
};

const ids = (names: readonly string[]): Fragment => sql.join(names.map((n) => sql.id(n)));

/** Whether a single-column key is the rowid: INTEGER PRIMARY KEY, inline. */
function inlineKey(t: TableSnapshot, col: ColumnSnapshot): boolean {
  return t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === col.name;
}

const named = (name: string | undefined, body: Fragment): Fragment =>
  name ? sql`CONSTRAINT ${sql.id(name)} ${body}` : body;

/** A collation's name: bare where it can be, quoted where it must be. */
const collation = (name: string): Fragment =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? sql.unsafe(name) : sql`${sql.id(name)}`;

/** One column's definition (with its key, when it is the table's one-column key). */
export function columnDefinition(t: TableSnapshot, col: ColumnSnapshot): Fragment {
  const parts: unknown[] = [sql.id(col.name)];
  const generated = col.generated !== undefined;
  parts.push(sql.unsafe(generated ? "INTEGER" : col.type));
  if (inlineKey(t, col)) {
    const key = col.generated === "autoincrement" ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY";
    parts.push(named(t.primaryKey?.name, sql.unsafe(key)));
  }
  if (!col.nullable && !generated) parts.push(sql.unsafe("NOT NULL"));
  if (col.default !== undefined) parts.push(sql`DEFAULT (${sql.unsafe(col.default)})`);
  if (col.collation !== undefined) parts.push(sql`COLLATE ${collation(col.collation)}`);
  if (col.computed !== undefined) {
    const kind = sql.unsafe(col.virtual ? "VIRTUAL" : "STORED");
    parts.push(sql`GENERATED ALWAYS AS (${sql.unsafe(col.computed)}) ${kind}`);
  }
  return sql.join(parts, sql` `);
}

const DEFERRABLE = {
  immediate: " DEFERRABLE INITIALLY IMMEDIATE",
  deferred: " DEFERRABLE INITIALLY DEFERRED",
};

function references(fk: ForeignKeySnapshot): Fragment {
  let tail = "";
  if (fk.onDelete) tail += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
  if (fk.onUpdate) tail += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
  if (fk.deferrable) tail += DEFERRABLE[fk.deferrable];
  const to = fk.references.columns.length ? sql` (${ids(fk.references.columns)})` : sql``;
  return named(
    fk.name,
    sql`FOREIGN KEY (${ids(fk.columns)}) REFERENCES ${sql.id(fk.references.name)}${to}${
      sql.unsafe(tail)
    }`,
  );
}

/** CREATE TABLE for a snapshot, under `name` (the snapshot's own by default). */
export function createTable(t: TableSnapshot, name: string = t.name): Fragment {
  const lines: Fragment[] = t.columns.map((c) => columnDefinition(t, c));
  if (t.primaryKey && t.primaryKey.columns.length > 1) {
    lines.push(named(t.primaryKey.name, sql`PRIMARY KEY (${ids(t.primaryKey.columns)})`));
  }
  for (const u of t.uniques) {
    lines.push(
      u.name
        ? sql`CONSTRAINT ${sql.id(u.name)} UNIQUE (${ids(u.columns)})`
        : sql`UNIQUE (${ids(u.columns)})`,
    );
  }
  for (const c of t.checks) {
    lines.push(
      c.name
        ? sql`CONSTRAINT ${sql.id(c.name)} CHECK (${sql.unsafe(c.expression)})`
        : sql`CHECK (${sql.unsafe(c.expression)})`,
    );
  }
  for (const fk of t.foreignKeys) lines.push(references(fk));
  const options = t.options?.length ? sql.unsafe(` ${t.options.join(", ")}`) : sql``;
  return sql`CREATE TABLE ${sql.id(name)} (\n  ${sql.join(lines, sql`,\n  `)}\n)${options}`;
}

/** CREATE INDEX for an index of a table. */
export function createIndex(table: string, ix: IndexSnapshot): Fragment {
  if (ix.definition !== undefined) return sql.unsafe(ix.definition);
  const kind = sql.unsafe(ix.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
  return sql`${kind} ${sql.id(ix.name)} ON ${sql.id(table)} (${ids(ix.columns)})`;
}

const CONSTANT =
  /^(NULL|TRUE|FALSE|[+-]?\d+(\.\d+)?([eE][+-]?\d+)?|'([^']|'')*'|X'[0-9A-Fa-f]*')$/i;

/**
 * The definition ALTER TABLE ADD COLUMN can take for a column, or `null` when SQLite cannot
 * add it in place (a key, a generated value, a collation, a NOT NULL column without a
 * constant default).
 */
export function addColumnDefinition(col: ColumnSnapshot): Fragment | null {
  if (col.generated || col.computed !== undefined || col.collation !== undefined) return null;
  const constant = col.default === undefined || CONSTANT.test(col.default.trim());
  if (!constant) return null;
  if (!col.nullable && (col.default === undefined || /^NULL$/i.test(col.default.trim()))) {
    return null;
  }
  const parts: unknown[] = [sql.id(col.name), sql.unsafe(col.type)];
  if (!col.nullable) parts.push(sql.unsafe("NOT NULL"));
  if (col.default !== undefined) parts.push(sql`DEFAULT ${sql.unsafe(col.default.trim())}`);
  return sql.join(parts, sql` `);
}

/**
 * Models as PostgreSQL would report them once created. PostgreSQL rewrites what it is given
 * (`VARCHAR(200)` reads back as `character varying(200)`, `CHECK (pages > 0)` as
 * `(pages > 0)`, `'x'` as `'x'::text`, a generated `a * 2 + 1` as `((a * 2) + 1)`) and names
 * what is unnamed (`books_pages_check`), so the models' tables are created as temporary
 * tables, in a transaction that is rolled back, and read back: the server itself spells them.
 * Its spelling of its own spelling can differ again, so both the models and the database's
 * tables are printed until the text stops changing (`comparable`), and compared in that form.
 *
 * @module
 */
import { type Executor, sql, type TableLike, type Transaction } from "../../../core/mod.ts";
import {
  cloneTable,
  dialectOf,
  generatedName,
  normalizeSql,
  type SchemaSnapshot,
  sortSchema,
  type TableSnapshot,
  tablesSnapshot,
} from "../../../core/migrate/mod.ts";
import { currentSchema, reflectSchemas } from "./reflect.ts";

class Rollback extends Error {}

/** Runs `fn` in a transaction (or savepoint) of `db` that is always rolled back. */
export async function rolledBack<T>(db: Executor, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  let result: T;
  const runner = db as unknown as {
    transaction(f: (tx: Transaction) => Promise<void>): Promise<void>;
  };
  try {
    await runner.transaction(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result!;
}

/**
 * A temporary table with the columns, defaults, generated expressions, uniques (when asked)
 * and checks of a snapshot.
 */
function tempTable(t: TableSnapshot, uniques: boolean) {
  const lines: unknown[] = t.columns.map((c) => {
    const head = sql`${sql.id(c.name)} ${sql.unsafe(c.type)}`;
    if (c.computed !== undefined) {
      return sql`${head} GENERATED ALWAYS AS (${sql.unsafe(c.computed)}) STORED`;
    }
    return c.default === undefined ? head : sql`${head} DEFAULT ${sql.unsafe(c.default)}`;
  });
  for (const u of uniques ? t.uniques : []) {
    const cols = sql.join(u.columns.map((c) => sql.id(c)));
    lines.push(u.name ? sql`CONSTRAINT ${sql.id(u.name)} UNIQUE (${cols})` : sql`UNIQUE (${cols})`);
  }
  for (const c of t.checks) {
    const body = sql.unsafe(c.expression);
    lines.push(c.name ? sql`CONSTRAINT ${sql.id(c.name)} CHECK (${body})` : sql`CHECK (${body})`);
  }
  return sql`CREATE TEMPORARY TABLE ${sql.id(t.name)} (${sql.join(lines)})`;
}

/** The expressions of a table (defaults, generated columns, checks), as one text. */
const expressions = (t: TableSnapshot): string =>
  JSON.stringify([
    t.columns.map((c) => [c.name, c.default ?? null, c.computed ?? null]),
    t.checks.map((c) => [c.name ?? null, c.expression]),
  ]);

const hasExpressions = (t: TableSnapshot): boolean =>
  t.checks.length > 0 || t.columns.some((c) => c.default !== undefined || c.computed !== undefined);

/** How many times an expression is printed again, at most, before its text is taken. */
const ROUNDS = 4;

/**
 * Tables as the server prints them: each is created as a temporary table (in a transaction
 * that is rolled back) and read back, then created again from what was read, until the text
 * stops changing. PostgreSQL's printing of its own printing is not always the same text: a
 * varchar's `code IN ('x')` prints as `(code)::text = ANY ((ARRAY['x'::character
 * varying])::text[])`, and that prints as `... ANY (ARRAY[('x'::character varying)::text])`,
 * which the database keeps once a migration has applied it. Both sides of a comparison are
 * printed this way. A table the server cannot create alone has no entry.
 */
async function printed(
  db: Executor,
  tables: readonly TableSnapshot[],
  uniques: boolean,
): Promise<Map<TableSnapshot, TableSnapshot>> {
  const out = new Map<TableSnapshot, TableSnapshot>();
  const groups = new Map<string | undefined, TableSnapshot[]>();
  for (const t of tables) groups.set(t.schema, [...(groups.get(t.schema) ?? []), t]);
  for (const group of groups.values()) {
    await rolledBack(db, async (tx) => {
      let round = group.map((t) => ({ t, input: t }));
      for (let i = 0; i < ROUNDS && round.length > 0; i++) {
        const made: typeof round = [];
        for (const r of round) {
          try {
            await tx.transaction(async (sp) => {
              await sp.run(tempTable(r.input, uniques));
            });
            made.push(r);
          } catch {
            // Something the server cannot create alone (a default naming a sequence that
            // does not exist yet): the last text read stands.
          }
        }
        const schema = await tx.scalar<string | null>(
          sql`SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()`,
        );
        if (made.length === 0 || schema === null) return;
        const read = await reflectSchemas(tx, [schema], schema);
        const next: typeof round = [];
        for (const r of made) {
          await tx.run(sql`DROP TABLE ${sql.id(schema, r.input.name)}`);
          const s = read.tables.find((x) => x.name === r.input.name);
          if (s === undefined) continue;
          out.set(r.t, s);
          if (hasExpressions(s) && expressions(s) !== expressions(r.input)) {
            next.push({ t: r.t, input: s });
          }
        }
        round = next;
      }
    });
  }
  return out;
}

/** Copies what the server spelled onto the model's snapshot. */
function adopt(model: TableSnapshot, server: TableSnapshot): void {
  for (const col of model.columns) {
    const s = server.columns.find((c) => c.name === col.name);
    if (s === undefined) continue;
    col.type = s.type;
    if (s.default !== undefined) col.default = s.default;
    if (s.computed !== undefined && col.computed !== undefined) col.computed = s.computed;
  }
  model.uniques = server.uniques;
  model.checks = server.checks;
}

/** Models as the server reports them once created (see the module's description). */
export async function snapshot(
  tables: readonly TableLike[],
  db: Executor,
): Promise<SchemaSnapshot> {
  const out = tablesSnapshot(tables, dialectOf(db));
  const current = await currentSchema(db);
  for (const t of out.tables) {
    if (t.schema === current) delete t.schema;
    for (const fk of t.foreignKeys) {
      if (fk.references.schema === current) delete fk.references.schema;
      fk.name = generatedName(`${t.name}_${fk.columns.join("_")}_fkey`);
    }
    if (t.primaryKey) t.primaryKey.name = generatedName(`${t.name}_pkey`);
    for (const col of t.columns) {
      if (col.generated === "autoincrement") col.generated = "identity";
    }
  }
  const prints = await printed(db, out.tables, true);
  for (const t of out.tables) {
    const s = prints.get(t);
    if (s) adopt(t, s);
    else for (const c of t.checks) c.expression = normalizeSql(c.expression);
  }
  return sortSchema(out);
}

/**
 * The database's tables with their defaults, generated expressions and checks printed as
 * `snapshot` prints the models' (see `printed`), so that the diff compares one spelling.
 */
export async function comparable(db: Executor, schema: SchemaSnapshot): Promise<SchemaSnapshot> {
  const prints = await printed(db, schema.tables.filter(hasExpressions), false);
  const tables = schema.tables.map((t) => {
    const s = prints.get(t);
    if (s === undefined) return t;
    const copy = cloneTable(t);
    for (const col of copy.columns) {
      const p = s.columns.find((c) => c.name === col.name);
      if (p?.default !== undefined && col.default !== undefined) col.default = p.default;
      if (p?.computed !== undefined && col.computed !== undefined) col.computed = p.computed;
    }
    for (const c of copy.checks) {
      const p = s.checks.find((x) => x.name === c.name);
      if (p !== undefined) c.expression = p.expression;
    }
    return copy;
  });
  return { ...schema, tables };
}

/**
 * Models as PostgreSQL would report them once created. PostgreSQL rewrites what it is given
 * (`VARCHAR(200)` reads back as `character varying(200)`, `CHECK (pages > 0)` as
 * `(pages > 0)`, `'x'` as `'x'::text`, a generated `a * 2 + 1` as `((a * 2) + 1)`) and names
 * what is unnamed (`books_pages_check`), so the models' tables are created as temporary
 * tables, in a transaction that is rolled back, and read back: the server itself spells them.
 *
 * @module
 */
import { type Executor, sql, type TableLike, type Transaction } from "../../../core/mod.ts";
import {
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
 * A temporary table with the columns, defaults, generated expressions, uniques and checks of
 * a snapshot.
 */
function tempTable(t: TableSnapshot) {
  const lines: unknown[] = t.columns.map((c) => {
    const head = sql`${sql.id(c.name)} ${sql.unsafe(c.type)}`;
    if (c.computed !== undefined) {
      return sql`${head} GENERATED ALWAYS AS (${sql.unsafe(c.computed)}) STORED`;
    }
    return c.default === undefined ? head : sql`${head} DEFAULT ${sql.unsafe(c.default)}`;
  });
  for (const u of t.uniques) {
    const cols = sql.join(u.columns.map((c) => sql.id(c)));
    lines.push(u.name ? sql`CONSTRAINT ${sql.id(u.name)} UNIQUE (${cols})` : sql`UNIQUE (${cols})`);
  }
  for (const c of t.checks) {
    const body = sql.unsafe(c.expression);
    lines.push(c.name ? sql`CONSTRAINT ${sql.id(c.name)} CHECK (${body})` : sql`CHECK (${body})`);
  }
  return sql`CREATE TEMPORARY TABLE ${sql.id(t.name)} (${sql.join(lines)})`;
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
  const groups = new Map<string | undefined, TableSnapshot[]>();
  for (const t of out.tables) groups.set(t.schema, [...(groups.get(t.schema) ?? []), t]);
  for (const group of groups.values()) {
    await rolledBack(db, async (tx) => {
      for (const t of group) {
        try {
          await tx.transaction(async (sp) => {
            await sp.run(tempTable(t));
          });
        } catch {
          // Something the server cannot create alone (a default naming a sequence that does
          // not exist yet): keep the model's own spelling for this table.
          for (const c of t.checks) c.expression = normalizeSql(c.expression);
        }
      }
      const schema = await tx.scalar<string | null>(
        sql`SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()`,
      );
      if (schema === null) return;
      const read = await reflectSchemas(tx, [schema], schema);
      for (const t of group) {
        const s = read.tables.find((x) => x.name === t.name);
        if (s) adopt(t, s);
      }
    });
  }
  return sortSchema(out);
}

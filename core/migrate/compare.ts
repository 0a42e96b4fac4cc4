/**
 * Models against a database: reflect it, read the models as the dialect would create them,
 * and diff. `assess` then looks at the data, so that a NOT NULL on a column without NULLs, or
 * a NOT NULL column added to an empty table, is not flagged as destructive.
 *
 * @module
 */
import { type Engine, type Executor, type Fragment, sql, type TableLike, tableOf } from "../mod.ts";
import type { MigrationDialect } from "./contract.ts";
import { describeOperation } from "./describe.ts";
import { diffSchemas, type Renames } from "./diff.ts";
import type { Change } from "./diff_table.ts";
import { type DialectOption, migrationDialect } from "./resolve.ts";
import type { SchemaSnapshot, TableRef } from "./snapshot.ts";
import { VERSION_TABLE } from "./versions.ts";

/**
 * Options of the functions that compare models with a database.
 *
 * @example
 * ```ts
 * import type { CompareOptions } from "@retort/orm/migrate";
 * const options: CompareOptions = { renames: { columns: [{ table: "users", from: "name", to: "full_name" }] } };
 * ```
 */
export interface CompareOptions extends DialectOption {
  /** Renames the diff must apply (it never guesses them). */
  renames?: Renames;
  /** The version table's name, left out of the comparison. */
  versionTable?: string;
  /** Other tables of the database to leave out. */
  exclude?: string[];
}

/** The two sides and their diff. */
export interface ModelDiff {
  database: SchemaSnapshot;
  models: SchemaSnapshot;
  changes: Change[];
}

/** The diff from a database to models. */
export async function modelDiff(
  db: Executor,
  dialect: MigrationDialect,
  models: readonly TableLike[],
  options: CompareOptions = {},
): Promise<ModelDiff> {
  const schemas = [
    ...new Set(models.map((m) => tableOf(m).schema).filter((s): s is string => s !== undefined)),
  ];
  const exclude = [options.versionTable ?? VERSION_TABLE, ...(options.exclude ?? [])];
  const reflected = await dialect.reflect(db, { schemas, exclude });
  const database = dialect.comparable ? await dialect.comparable(db, reflected) : reflected;
  const snapshot = await dialect.snapshot(models, db);
  const wanted = { tables: snapshot.tables.filter((t) => !exclude.includes(t.name)) };
  const changes = diffSchemas(database, wanted, {
    renames: options.renames,
    narrows: (a, b) => dialect.narrows(a, b),
  });
  return { database, models: wanted, changes };
}

const id = (t: TableRef) => t.schema === undefined ? sql.id(t.name) : sql.id(t.schema, t.name);

/**
 * Refines the destructive flags with the data: clears them where no row is affected, and
 * says how many rows are where some are.
 */
export async function assess(db: Executor, changes: readonly Change[]): Promise<Change[]> {
  const out: Change[] = [];
  for (const change of changes) {
    const op = change.op;
    if (!change.destructive) {
      out.push(change);
      continue;
    }
    const count = (q: Fragment) => db.scalar<number | bigint>(q).then(Number);
    if (op.kind === "alterColumn" && op.changes.nullable === false && !op.changes.type) {
      const n = await count(
        sql`SELECT count(*) FROM ${id(op.table)} WHERE ${sql.id(op.column)} IS NULL`,
      );
      if (n === 0) out.push({ op });
      else {
        const hold = `${rows(n)} ${n === 1 ? "holds" : "hold"} NULL`;
        out.push({ ...change, destructive: `${change.destructive} (${hold})` });
      }
    } else if (op.kind === "addColumn") {
      const n = await count(sql`SELECT count(*) FROM ${id(op.table)}`);
      out.push(n === 0 ? { op } : { ...change, destructive: `${change.destructive} (${rows(n)})` });
    } else if (op.kind === "dropTable" || op.kind === "dropColumn") {
      const n = await count(sql`SELECT count(*) FROM ${id(op.table)}`);
      out.push({ ...change, destructive: `${change.destructive} (${rows(n)})` });
    } else out.push(change);
  }
  return out;
}

/**
 * Drift between models and a database, as one readable list.
 *
 * @example
 * ```ts
 * import type { SchemaDrift } from "@retort/orm/migrate";
 * const report = (d: SchemaDrift) => d.ok ? "in sync" : d.differences.join("\n");
 * ```
 */
export interface SchemaDrift {
  /** Whether the database matches the models. */
  ok: boolean;
  /** What a migration would have to do, a line each. */
  differences: string[];
  /** The same, as operations. */
  changes: Change[];
  /** A paragraph for logs. */
  text: string;
}

/** Compares models with a database: what a migration would have to change. */
export async function checkSchema(
  engine: Engine,
  models: readonly TableLike[],
  options: CompareOptions = {},
): Promise<SchemaDrift> {
  const dialect = await migrationDialect(engine, options);
  const { changes } = await modelDiff(engine, dialect, models, options);
  return driftOf(changes);
}

/** A drift report of changes. */
export function driftOf(changes: Change[]): SchemaDrift {
  const differences = changes.map((c) =>
    describeOperation(c.op) + (c.destructive ? ` (destructive: ${c.destructive})` : "")
  );
  const text = differences.length === 0
    ? "The database matches the models."
    : `The database differs from the models in ${differences.length} way${
      differences.length === 1 ? "" : "s"
    }:\n${differences.map((d) => `  - ${d}`).join("\n")}\nGenerate a migration for it with ` +
      "`retort generate <name>`, or apply pending ones with `retort up`.";
  return { ok: differences.length === 0, differences, changes, text };
}

/** `1 row`, `2 rows`. */
const rows = (n: number): string => `${n} row${n === 1 ? "" : "s"}`;

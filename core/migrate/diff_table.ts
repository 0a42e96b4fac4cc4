/**
 * The diff of one table that exists on both sides: columns added, dropped and altered, and
 * constraints and indexes added and dropped. Constraints are matched by what they do (their
 * columns, their expression, their target), never by a name the database made up.
 *
 * @module
 */
import type { Operation } from "./operations.ts";
import type {
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  TableRef,
  TableSnapshot,
} from "./snapshot.ts";
import { tableKey } from "./snapshot.ts";
import { comparableSql, comparableType, normalizeSql, renameIdentifier } from "./sql_text.ts";

/**
 * One operation the diff proposes, and what may go wrong with it.
 *
 * @example
 * ```ts
 * import type { Change } from "@retort/orm/migrate";
 * const change: Change = {
 *   op: { kind: "dropColumn", table: { name: "users" }, column: "nickname" },
 *   destructive: "drops users.nickname and the values it holds",
 * };
 * ```
 */
export interface Change {
  /** The operation. */
  op: Operation;
  /**
   * Why it may lose data (a dropped table or column, a narrowed type, NOT NULL on a column
   * that may hold NULLs): such a change is generated only when asked explicitly.
   */
  destructive?: string;
}

/** The changes of one table, by the stage they run in (see `diffSchemas`). */
export interface TableChanges {
  drops: Change[];
  adds: Change[];
  alters: Change[];
  dropColumns: Change[];
  constraints: Change[];
}

/** What the diff of a table needs to know of the rest. */
export interface TableContext {
  /** Old column name → new, for this table. */
  columns: Map<string, string>;
  /** Maps a referenced table (old side) to its new key and its column renames. */
  target(ref: TableRef): { ref: TableRef; columns: Map<string, string> };
  /** Whether a type change may lose values. */
  narrows(from: string, to: string): boolean;
}

const same = (a: string | undefined, b: string | undefined): boolean =>
  (a === undefined ? undefined : normalizeSql(a)) ===
    (b === undefined ? undefined : normalizeSql(b));
const sameExpression = (a: string, b: string): boolean => comparableSql(a) === comparableSql(b);
const sameType = (a: string, b: string): boolean => comparableType(a) === comparableType(b);

function renameAll(expression: string, columns: Map<string, string>): string {
  let out = expression;
  for (const [from, to] of columns) if (from !== to) out = renameIdentifier(out, from, to);
  return out;
}

function fkKey(fk: ForeignKeySnapshot, self: string, ctx: TableContext | null): string {
  let columns = fk.columns;
  let target = tableKey(fk.references);
  let refColumns = fk.references.columns;
  if (ctx !== null) {
    columns = columns.map((c) => ctx.columns.get(c) ?? c);
    const t = ctx.target(fk.references);
    target = tableKey(t.ref);
    refColumns = refColumns.map((c) => t.columns.get(c) ?? c);
  }
  return [self, columns.join(","), target, refColumns.join(","), fk.onDelete, fk.onUpdate].join(
    "|",
  );
}

/** A foreign key of the old side, in the new side's names (after the renames ran). */
function renamedFk(fk: ForeignKeySnapshot, ctx: TableContext): ForeignKeySnapshot {
  const t = ctx.target(fk.references);
  return {
    ...fk,
    columns: fk.columns.map((c) => ctx.columns.get(c) ?? c),
    references: { ...t.ref, columns: fk.references.columns.map((c) => t.columns.get(c) ?? c) },
  };
}

function indexKey(ix: IndexSnapshot, columns: Map<string, string> | null): string {
  const cols = columns === null ? ix.columns : ix.columns.map((c) => columns.get(c) ?? c);
  const def = ix.definition === undefined ? "" : normalizeSql(ix.definition);
  return [ix.name, cols.join(","), ix.unique, def].join("|");
}

function alterColumn(
  a: ColumnSnapshot,
  b: ColumnSnapshot,
  table: TableRef,
  ctx: TableContext,
): Change | null {
  const changes: Record<string, unknown> = {};
  const why: string[] = [];
  const where = `${tableKey(table)}.${b.name}`;
  if (!sameType(a.type, b.type)) {
    changes.type = b.type;
    if (ctx.narrows(a.type, b.type)) {
      why.push(`narrows ${where} from ${a.type} to ${b.type}; values that do not fit are lost`);
    }
  }
  if (a.nullable !== b.nullable) {
    changes.nullable = b.nullable;
    if (!b.nullable) {
      why.push(`makes ${where} NOT NULL; rows holding NULL there would stop the migration`);
    }
  }
  if (!same(a.default, b.default)) changes.default = b.default ?? null;
  if ((a.generated ?? null) !== (b.generated ?? null)) changes.generated = b.generated ?? null;
  if (
    a.computed !== undefined && b.computed !== undefined &&
    (!sameExpression(a.computed, b.computed) || (a.virtual ?? false) !== (b.virtual ?? false))
  ) {
    changes.computed = b.computed;
    if (b.virtual) changes.virtual = true;
  }
  if (Object.keys(changes).length === 0) return null;
  const op: Operation = { kind: "alterColumn", table, column: b.name, changes };
  return why.length ? { op, destructive: why.join("; ") } : { op };
}

/**
 * The changes that turn table `a` into table `b` (already renamed, if it was).
 */
export function diffTable(
  a: TableSnapshot,
  b: TableSnapshot,
  ctx: TableContext,
  existing: boolean,
): TableChanges {
  const table: TableRef = b.schema === undefined ? { name: b.name } : {
    schema: b.schema,
    name: b.name,
  };
  const out: TableChanges = { drops: [], adds: [], alters: [], dropColumns: [], constraints: [] };
  const renamed = new Map([...ctx.columns].map(([from, to]) => [to, from]));
  const recreated = new Set<string>();
  const recreate: Change[] = [];
  for (const col of b.columns) {
    const old = a.columns.find((c) => c.name === (renamed.get(col.name) ?? col.name));
    if (old === undefined) {
      const change: Change = { op: { kind: "addColumn", table, column: col } };
      if (existing && !col.nullable && col.default === undefined && !col.generated) {
        change.destructive = `adds ${tableKey(table)}.${col.name} NOT NULL with no DEFAULT in ` +
          "the database, which fails when the table has rows; give it a server default " +
          "(.serverDefault(sql`...`): a .default(...) fills only the rows the program " +
          "inserts), or add it nullable, fill it in a data step and make it NOT NULL afterwards";
      }
      out.adds.push(change);
      continue;
    }
    if ((old.computed === undefined) !== (col.computed === undefined)) {
      // A column becomes (or stops being) generated: it is dropped, then added again, and
      // the indexes and constraints on it with it (dropping the column drops them).
      recreated.add(col.name);
      recreate.push({
        op: { kind: "dropColumn", table, column: col.name },
        destructive: `drops ${tableKey(table)}.${col.name} to add it again ` +
          (col.computed === undefined ? "as a plain column" : "as a generated column"),
      });
      out.adds.push({ op: { kind: "addColumn", table, column: col } });
      continue;
    }
    const alter = alterColumn(old, col, table, ctx);
    if (alter) out.alters.push(alter);
  }
  for (const col of a.columns) {
    const now = ctx.columns.get(col.name) ?? col.name;
    if (!b.columns.some((c) => c.name === now)) {
      out.dropColumns.push({
        op: { kind: "dropColumn", table, column: col.name },
        destructive: `drops ${tableKey(table)}.${col.name} and the values it holds`,
      });
    }
  }
  const pkA = (a.primaryKey?.columns ?? []).map((c) => ctx.columns.get(c) ?? c).join(",");
  const pkB = (b.primaryKey?.columns ?? []).join(",");
  if (pkA !== pkB) {
    out.alters.push({
      op: { kind: "setPrimaryKey", table, columns: b.primaryKey?.columns ?? [] },
    });
  }
  diffConstraints(a, b, table, ctx, out, recreated);
  out.drops.push(...recreate);
  return out;
}

function diffConstraints(
  a: TableSnapshot,
  b: TableSnapshot,
  table: TableRef,
  ctx: TableContext,
  out: TableChanges,
  recreated: Set<string>,
): void {
  const self = tableKey(table);
  const touches = (cols: string[], text: string) =>
    [...recreated].some((c) => cols.includes(c) || renameIdentifier(text, c, "\u0000") !== text);
  const pair = <T>(
    olds: T[],
    news: T[],
    keyOld: (x: T) => string,
    keyNew: (x: T) => string,
    drop: (x: T) => Operation,
    add: (x: T) => Operation,
    uses: (x: T, old: boolean) => [string[], string] = () => [[], ""],
  ) => {
    // What is on a column dropped and added again never matches: it is dropped and added too.
    const mark = (x: T, old: boolean, key: string) =>
      recreated.size > 0 && touches(...uses(x, old)) ? `${key}\u0001${old}` : key;
    const oldKey = (x: T) => mark(x, true, keyOld(x));
    const newKey = (x: T) => mark(x, false, keyNew(x));
    const newKeys = new Set(news.map(newKey));
    const oldKeys = new Set(olds.map(oldKey));
    for (const x of olds) if (!newKeys.has(oldKey(x))) out.drops.push({ op: drop(x) });
    for (const x of news) if (!oldKeys.has(newKey(x))) out.constraints.push({ op: add(x) });
  };
  const mapCols = (list: string[]) => list.map((c) => ctx.columns.get(c) ?? c);
  const cols = (list: string[], map: Map<string, string> | null) =>
    (map === null ? list : list.map((c) => map.get(c) ?? c)).join(",");
  pair(
    a.uniques,
    b.uniques,
    (u) => cols(u.columns, ctx.columns),
    (u) => cols(u.columns, null),
    (u) => ({ kind: "dropUnique", table, unique: { ...u, columns: mapCols(u.columns) } }),
    (unique) => ({ kind: "addUnique", table, unique }),
    (u, old) => [old ? mapCols(u.columns) : u.columns, ""],
  );
  pair(
    a.checks,
    b.checks,
    (c) => comparableSql(renameAll(c.expression, ctx.columns)),
    (c) => comparableSql(c.expression),
    (c) => ({
      kind: "dropCheck",
      table,
      check: { ...c, expression: renameAll(c.expression, ctx.columns) },
    }),
    (check) => ({ kind: "addCheck", table, check }),
    (c, old) => [[], old ? renameAll(c.expression, ctx.columns) : c.expression],
  );
  pair(
    a.indexes,
    b.indexes,
    (ix) => indexKey(ix, ctx.columns),
    (ix) => indexKey(ix, null),
    (ix) => ({ kind: "dropIndex", table, name: ix.name }),
    (index) => ({ kind: "createIndex", table, index }),
    (ix, old) => [old ? mapCols(ix.columns) : ix.columns, ix.definition ?? ""],
  );
  pair(
    a.foreignKeys,
    b.foreignKeys,
    (fk) => fkKey(fk, self, ctx),
    (fk) => fkKey(fk, self, null),
    (fk) => ({ kind: "dropForeignKey", table, foreignKey: renamedFk(fk, ctx) }),
    (foreignKey) => ({ kind: "addForeignKey", table, foreignKey }),
    (fk, old) => [old ? mapCols(fk.columns) : fk.columns, ""],
  );
}

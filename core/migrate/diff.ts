/**
 * The diff: the operations that turn one schema into another, in an order that works
 * (renames, then drops of constraints, new tables in foreign-key order, new and altered
 * columns, dropped columns, new constraints, and dropped tables last, children first, after
 * the foreign keys that make dropped tables refer to each other in a loop).
 * Renames come only from explicit hints; a column that disappears while another appears is
 * a drop and an add, flagged as destructive.
 *
 * @module
 */
import { ArgumentError } from "../mod.ts";
import { type Change, diffTable, type TableChanges, type TableContext } from "./diff_table.ts";
import type { ForeignKeySnapshot, SchemaSnapshot, TableRef, TableSnapshot } from "./snapshot.ts";
import { findTable, tableKey } from "./snapshot.ts";

/**
 * Renames the diff must know: it never guesses them.
 *
 * @example
 * ```ts
 * import type { Renames } from "@retort/orm/migrate";
 * const renames: Renames = {
 *   tables: [{ from: "people", to: "users" }],
 *   columns: [{ table: "users", from: "name", to: "full_name" }],
 * };
 * ```
 */
export interface Renames {
  /** Tables renamed: `from` is `name` or `schema.name`; `to` a name in the same schema. */
  tables?: { from: string; to: string }[];
  /** Columns renamed, in a table given by its old or its new name. */
  columns?: { table: string; from: string; to: string }[];
}

/**
 * Options of {@linkcode diffSchemas}.
 *
 * @example
 * ```ts
 * import type { DiffOptions } from "@retort/orm/migrate";
 * const options: DiffOptions = { narrows: (from, to) => from !== to };
 * ```
 */
export interface DiffOptions {
  /** Renames to apply. */
  renames?: Renames;
  /** Whether a type change may lose values (the dialect's rule; by default any change). */
  narrows?: (from: string, to: string) => boolean;
}

interface Pair {
  a: TableSnapshot;
  b: TableSnapshot;
  columns: Map<string, string>;
}

const refOf = (t: TableRef): TableRef =>
  t.schema === undefined ? { name: t.name } : { schema: t.schema, name: t.name };

/**
 * Renames in an order that works: one into a name that another renames away runs after it
 * (`b → c` before `a → b`). A name some other rename takes while it still exists, or names
 * renamed into each other, are refused: the rename would fail when the migration runs.
 */
function renameOrder<T>(
  list: T[],
  from: (x: T) => string,
  to: (x: T) => string,
  exists: (name: string) => boolean,
  what: (x: T) => string,
): T[] {
  for (const x of list) {
    const twice = list.find((y) => y !== x && (from(y) === from(x) || to(y) === to(x)));
    if (twice !== undefined) {
      throw new ArgumentError(
        `Cannot ${what(x)}: another rename (${what(twice)}) names the same ` +
          `${from(twice) === from(x) ? "source" : "target"}; give each name one rename.`,
      );
    }
    if (exists(to(x)) && !list.some((y) => from(y) === to(x))) {
      throw new ArgumentError(
        `Cannot ${what(x)}: the database already has ${to(x)}, and the rename would run ` +
          `before anything is dropped. Pick another name, rename ${to(x)} away in the same ` +
          `migration, or drop it in an earlier one.`,
      );
    }
  }
  const out: T[] = [];
  const left = [...list];
  while (left.length > 0) {
    const i = left.findIndex((x) => !left.some((y) => from(y) === to(x)));
    if (i < 0) {
      throw new ArgumentError(
        `Cannot ${left.map(what).join(" and ")}: the names are renamed into each other. ` +
          "Rename one of them to a new name in one migration, then on in the next.",
      );
    }
    out.push(...left.splice(i, 1));
  }
  return out;
}

function pairTables(
  from: SchemaSnapshot,
  to: SchemaSnapshot,
  renames: Renames,
): { pairs: Pair[]; renamed: Pair[] } {
  const renamedFrom = new Map<TableSnapshot, TableSnapshot>();
  const tableHints: { a: TableSnapshot; b: TableSnapshot; what: string }[] = [];
  for (const hint of renames.tables ?? []) {
    const a = from.tables.find((t) => tableKey(t) === hint.from);
    if (a === undefined) {
      throw new ArgumentError(
        `Cannot rename table ${hint.from}: the database has no such table.`,
      );
    }
    const b = findTable(to, { schema: a.schema, name: hint.to });
    if (b === undefined) {
      throw new ArgumentError(
        `Cannot rename table ${hint.from} to ${hint.to}: the models have no table ${hint.to}.`,
      );
    }
    renamedFrom.set(b, a);
    if (a.name !== b.name) {
      tableHints.push({ a, b, what: `rename table ${hint.from} to ${hint.to}` });
    }
  }
  const tableOrder = renameOrder(
    tableHints,
    (h) => tableKey(h.a),
    (h) => tableKey(h.b),
    (key) => from.tables.some((t) => tableKey(t) === key),
    (h) => h.what,
  );
  const taken = new Set(renamedFrom.values());
  const pairs: Pair[] = [];
  for (const b of to.tables) {
    let a = renamedFrom.get(b);
    if (a === undefined) {
      const same = findTable(from, b);
      if (same !== undefined && !taken.has(same)) a = same;
    }
    if (a !== undefined) pairs.push({ a, b, columns: new Map() });
  }
  const columnHints = new Map<Pair, { from: string; to: string; what: string }[]>();
  for (const hint of renames.columns ?? []) {
    const pair = pairs.find((p) => tableKey(p.a) === hint.table || tableKey(p.b) === hint.table);
    const where = `${hint.table}.${hint.from}`;
    if (pair === undefined) {
      throw new ArgumentError(`Cannot rename column ${where}: no table ${hint.table} is kept.`);
    }
    if (!pair.a.columns.some((c) => c.name === hint.from)) {
      throw new ArgumentError(`Cannot rename column ${where}: the database has no such column.`);
    }
    if (!pair.b.columns.some((c) => c.name === hint.to)) {
      throw new ArgumentError(
        `Cannot rename column ${where} to ${hint.to}: the models have no column ${hint.to}.`,
      );
    }
    if (hint.from === hint.to) continue;
    const list = columnHints.get(pair) ?? [];
    list.push({ from: hint.from, to: hint.to, what: `rename column ${where} to ${hint.to}` });
    columnHints.set(pair, list);
  }
  for (const [pair, hints] of columnHints) {
    const ordered = renameOrder(
      hints,
      (h) => h.from,
      (h) => h.to,
      (name) => pair.a.columns.some((c) => c.name === name),
      (h) => h.what,
    );
    for (const hint of ordered) pair.columns.set(hint.from, hint.to);
  }
  const renamed = tableOrder.map((h) => pairs.find((p) => p.a === h.a && p.b === h.b)!);
  return { pairs, renamed };
}

/**
 * Orders tables so that each comes after the tables it refers to; the foreign keys that
 * close a cycle are returned apart, to be added once every table exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortSnapshots } from "@retort/orm/migrate";
 * const t = (name: string, refs: string[]) => ({
 *   name,
 *   columns: [],
 *   uniques: [],
 *   indexes: [],
 *   checks: [],
 *   foreignKeys: refs.map((r) => ({ columns: ["x"], references: { name: r, columns: ["id"] } })),
 * });
 * const { tables } = sortSnapshots([t("posts", ["users"]), t("users", [])]);
 * assert.deepEqual(tables.map((x) => x.name), ["users", "posts"]);
 * ```
 */
export function sortSnapshots(
  tables: readonly TableSnapshot[],
): { tables: TableSnapshot[]; cyclic: { table: TableSnapshot; foreignKey: ForeignKeySnapshot }[] } {
  const keys = new Set(tables.map(tableKey));
  const done: TableSnapshot[] = [];
  const cyclic: { table: TableSnapshot; foreignKey: ForeignKeySnapshot }[] = [];
  const isDone = (key: string) => done.some((t) => tableKey(t) === key);
  const deps = (t: TableSnapshot) =>
    t.foreignKeys.filter((fk) => {
      const k = tableKey(fk.references);
      return k !== tableKey(t) && keys.has(k);
    });
  while (done.length < tables.length) {
    const ready = tables.find((t) =>
      !done.includes(t) && deps(t).every((fk) => isDone(tableKey(fk.references)))
    );
    if (ready) {
      done.push(ready);
      continue;
    }
    const next = tables.find((t) => !done.includes(t))!;
    for (const fk of deps(next)) {
      if (!isDone(tableKey(fk.references))) cyclic.push({ table: next, foreignKey: fk });
    }
    done.push(next);
  }
  return { tables: done, cyclic };
}

/**
 * The changes that turn schema `from` (usually the database) into schema `to` (usually the
 * models), in the order they must run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ColumnSnapshot, diffSchemas } from "@retort/orm/migrate";
 * const users = (extra: ColumnSnapshot[]) => ({
 *   name: "users",
 *   columns: [{ name: "id", type: "INTEGER", nullable: false }, ...extra],
 *   uniques: [],
 *   indexes: [],
 *   foreignKeys: [],
 *   checks: [],
 * });
 * const changes = diffSchemas(
 *   { tables: [users([])] },
 *   { tables: [users([{ name: "email", type: "TEXT", nullable: true }])] },
 * );
 * assert.deepEqual(changes.map((c) => c.op.kind), ["addColumn"]);
 * assert.equal(changes[0].destructive, undefined);
 * ```
 */
export function diffSchemas(
  from: SchemaSnapshot,
  to: SchemaSnapshot,
  options: DiffOptions = {},
): Change[] {
  const renames = options.renames ?? {};
  const narrows = options.narrows ?? ((a: string, b: string) => a !== b);
  const { pairs, renamed } = pairTables(from, to, renames);
  const pairOfOld = (ref: TableRef) => pairs.find((p) => tableKey(p.a) === tableKey(ref));
  const renameSteps: Change[] = [];
  const staged: TableChanges[] = [];
  for (const pair of renamed) {
    renameSteps.push({ op: { kind: "renameTable", table: refOf(pair.a), to: pair.b.name } });
  }
  for (const pair of pairs) {
    const table = refOf(pair.b);
    for (const [column, newName] of pair.columns) {
      renameSteps.push({ op: { kind: "renameColumn", table, column, to: newName } });
    }
    const ctx: TableContext = {
      columns: pair.columns,
      narrows,
      target(ref) {
        const p = pairOfOld(ref);
        return p ? { ref: refOf(p.b), columns: p.columns } : { ref, columns: new Map() };
      },
    };
    staged.push(diffTable(pair.a, pair.b, ctx, true));
  }
  const created = to.tables.filter((b) => !pairs.some((p) => p.b === b));
  const { tables: createOrder, cyclic } = sortSnapshots(created);
  const creates: Change[] = createOrder.map((t) => ({
    op: {
      kind: "createTable",
      table: {
        ...t,
        foreignKeys: t.foreignKeys.filter((fk) =>
          !cyclic.some((c) => c.table === t && c.foreignKey === fk)
        ),
      },
    },
  }));
  const deferred: Change[] = cyclic.map(({ table, foreignKey }) => ({
    op: { kind: "addForeignKey", table: refOf(table), foreignKey },
  }));
  const dropped = from.tables.filter((a) => !pairs.some((p) => p.a === a));
  // Dropped children first; where dropped tables refer to each other in a loop, the foreign
  // keys that close it go first (as they were added last), so no table is still referred to.
  const dropOrder = sortSnapshots(dropped);
  const drops: Change[] = [
    ...dropOrder.cyclic.map(({ table, foreignKey }): Change => ({
      op: { kind: "dropForeignKey", table: refOf(table), foreignKey },
    })),
    ...dropOrder.tables.reverse().map((t): Change => ({
      op: { kind: "dropTable", table: refOf(t) },
      destructive: `drops table ${tableKey(t)} and every row it holds`,
    })),
  ];
  const all = (k: keyof TableChanges) => staged.flatMap((s) => s[k]);
  return [
    ...renameSteps,
    ...all("drops"),
    ...creates,
    ...all("adds"),
    ...all("alters"),
    ...all("dropColumns"),
    ...all("constraints"),
    ...deferred,
    ...drops,
  ];
}

/**
 * Renames for the reverse diff (`down`): each rename the other way round.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invertRenames } from "@retort/orm/migrate";
 * assert.deepEqual(invertRenames({ tables: [{ from: "a", to: "b" }] }), {
 *   tables: [{ from: "b", to: "a" }],
 *   columns: [],
 * });
 * ```
 */
export function invertRenames(renames: Renames): Renames {
  return {
    tables: (renames.tables ?? []).map((r) => {
      const dot = r.from.lastIndexOf(".");
      const schema = dot >= 0 ? r.from.slice(0, dot + 1) : "";
      return { from: schema + r.to, to: r.from.slice(dot + 1) };
    }),
    columns: (renames.columns ?? []).map((r) => ({ table: r.table, from: r.to, to: r.from })),
  };
}

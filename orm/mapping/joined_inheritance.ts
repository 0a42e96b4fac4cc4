/**
 * Joined-table inheritance: `Parent.subclass(identity, columns, { table })` declares a
 * subclass with a table of its own, whose primary key is also a foreign key to the parent's
 * (SQLAlchemy's `__tablename__` on a subclass). The discriminator stays on the root's table;
 * a subclass's objects have its parents' columns and its own, which its table holds.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { Column } from "../../core/schema/column.ts";
import type { BoundColumns, Columns, InsertOf, RowOf } from "../../core/schema/rows.ts";
import { Table } from "../../core/schema/table.ts";
import { type Fragment, toSql } from "../../core/sql/nodes.ts";
import { type EntityClass, entitySelection } from "../../core/statement.ts";
import { inheritRelationships } from "../relationship/relationship.ts";
import { checkAttributeName, mapperOf, registerSubclassBase } from "./configure.ts";
import { defineColumn } from "./accessor.ts";
import { claimIdentity, type ColumnsOf, type OwnColumns, setBlank } from "./inheritance.ts";
import { joinedOf, selectionOf, setJoined, type TablePart } from "./joined_tables.ts";
import { Mapper } from "./mapper.ts";

/**
 * Options of `Parent.subclass(identity, columns, options)` that give the subclass a table
 * of its own (joined-table inheritance).
 *
 * @example
 * ```ts
 * import type { JoinedTableOptions } from "@retort/orm";
 * const options: JoinedTableOptions = { table: "managers" };
 * ```
 */
export interface JoinedTableOptions {
  /** The subclass's table, which holds its own columns. */
  table: string;
  /** Its PostgreSQL schema; by default the parent's. */
  schema?: string;
}

/**
 * What `Parent.subclass(identity, columns, { table })` returns: a class to extend, whose
 * instances have the parent's properties and the new columns, whose constructor takes both,
 * whose `c` has both, and whose `table` is its own table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model } from "@retort/orm";
 * class Vehicle extends Model("joined_doc_vehicles", {
 *   id: column.integer().primaryKey(),
 *   kind: column.text().default("vehicle"),
 *   wheels: column.integer(),
 * }, { polymorphicOn: "kind", polymorphicIdentity: "vehicle" }) {}
 * class Truck extends Vehicle.subclass("truck", { load: column.integer() }, {
 *   table: "joined_doc_trucks",
 * }) {}
 * const t = new Truck({ wheels: 6, load: 20 });
 * assert(t instanceof Vehicle && t.kind === "truck" && t.load === 20);
 * assert.equal(Truck.table.name, "joined_doc_trucks");
 * assert.equal(Truck.c.wheels.table, Vehicle.table);
 * ```
 */
export type JoinedSubclass<
  T,
  S extends Columns,
  I = T extends abstract new (...args: never[]) => infer X ? X : never,
> =
  & Omit<T, "prototype" | "c" | "table">
  & {
    new (init: InsertOf<ColumnsOf<T> & S>): I & RowOf<S> & OwnColumns<S>;
    readonly prototype: I & RowOf<S> & OwnColumns<S>;
    /** The columns of the class and its parents, for queries. */
    readonly c: BoundColumns<ColumnsOf<T> & S>;
    /** The class's own table: its primary key and its own columns. */
    readonly table: Table;
  };

/** Every column key of a hierarchy, with the class that declares it. */
function keysOf(root: Mapper): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (m: Mapper) => {
    for (const k of m.keys) if (!out.has(k)) out.set(k, m.name);
    for (const child of m.poly!.children) walk(child);
  };
  walk(root);
  return out;
}

/** Makes the root of a hierarchy joined, when its first table-per-class subclass comes. */
function joinRoot(root: Mapper, label: string): void {
  if (joinedOf(root) !== undefined) return;
  if (root.poly!.children.length > 0) {
    throw new ArgumentError(
      `${label}: ${root.name}'s hierarchy already has subclasses in its table (single-table ` +
        "inheritance); one hierarchy maps either one table or a table per class.",
    );
  }
  setJoined(root, { parts: [{ table: root.table, indexes: root.indexes }], added: [] });
  Object.defineProperty(root.cls, entitySelection, {
    configurable: true,
    get(this: EntityClass) {
      return selectionOf(mapperOf(this));
    },
  });
}

/** The primary-key columns of the new table: the parent's keys, referring to them. */
function keyColumns(label: string, parentTable: Table, columns: Columns): Record<string, Column> {
  const out: Record<string, Column> = {};
  for (const p of parentTable.primaryKey) {
    const given = columns[p.key] as Column | undefined;
    if (given !== undefined && !(given instanceof Column)) {
      throw new ArgumentError(
        `${label}: ${p.key} is not a column; declare it with column.<type>().`,
      );
    }
    if (given !== undefined && !given.config.primaryKey) {
      throw new ArgumentError(
        `${label}: ${p.key} is a column of the parent's primary key; the subclass's table ` +
          `takes it as its primary key too: declare it with .primaryKey(), or leave it out.`,
      );
    }
    const base = given?.config ?? { nullable: false, unique: false, index: false, version: false };
    out[p.key] = new Column(given?.type ?? p.type, {
      ...base,
      name: given?.config.name ?? p.name,
      primaryKey: true,
      autoincrement: false,
      nullable: false,
      version: false,
      references: given?.config.references ?? { target: () => p, options: {} },
    });
  }
  return out;
}

/** `Parent.subclass(identity, columns, { table })`: declares a subclass with its own table. */
export function defineJoinedSubclass(
  parent: EntityClass,
  identity: unknown,
  columns: Columns = {},
  options: JoinedTableOptions,
): EntityClass {
  const pm = mapperOf(parent);
  const ppoly = claimIdentity(pm, identity);
  const label = `${pm.name}.subclass(${JSON.stringify(identity)})`;
  if (typeof options?.table !== "string") {
    throw new ArgumentError(`${label}: the option table names the subclass's table.`);
  }
  if (typeof columns !== "object" || columns === null) {
    throw new ArgumentError(`${label} takes an object of columns.`);
  }
  const root = ppoly.root;
  joinRoot(root, label);
  const parentJoined = joinedOf(pm)!;
  const used = keysOf(root);
  const pkKeys = new Set(pm.table.primaryKey.map((c) => c.key));
  const own: Record<string, Column> = keyColumns(label, pm.table, columns);
  for (const [key, col] of Object.entries(columns)) {
    if (pkKeys.has(key)) continue;
    checkAttributeName(label, key, "column");
    if (!(col instanceof Column)) {
      throw new ArgumentError(`${label}: ${key} is not a column; declare it with column.<type>().`);
    }
    if (col.config.primaryKey) {
      throw new ArgumentError(
        `${label}: ${key} cannot be a primary key; the subclass's table takes its parent's ` +
          `(${[...pkKeys].join(", ")}).`,
      );
    }
    if (used.has(key)) {
      throw new ArgumentError(
        `${label}: the column ${key} is already ${used.get(key)}'s; the columns of one ` +
          "hierarchy need distinct keys (a column can keep its database name with .named()).",
      );
    }
    own[key] = col;
  }
  const Sub = class extends (parent as unknown as new (...a: unknown[]) => object) {};
  Object.defineProperty(Sub, "name", { value: label });
  const table = new Table(options.table, own, undefined, {
    schema: options.schema ?? pm.table.schema,
    owner: Sub,
  });
  const added = table.columns.filter((c) => !c.config.primaryKey);
  const start = pm.columns.length;
  added.forEach((col, k) => defineColumn(Sub.prototype, col, start + k, label));
  const c = { ...(parent as unknown as { c: Columns }).c } as Record<string, Column>;
  for (const col of added) c[col.key] = col;
  Object.defineProperty(Sub, "table", { value: table, enumerable: false });
  Object.defineProperty(Sub, "c", { value: c, enumerable: false });
  Object.defineProperty(Sub, toSql, { value: (): Fragment => table[toSql](), enumerable: false });
  const mapper = new Mapper(Sub as unknown as EntityClass, [...pm.columns, ...added]);
  mapper.poly = {
    root,
    on: ppoly.on,
    identity,
    byIdentity: ppoly.byIdentity,
    rowIndexes: mapper.indexes,
    children: [],
  };
  setBlank(mapper);
  const part: TablePart = {
    table,
    indexes: table.columns.map((col) => mapper.indexByKey.get(col.key)!),
  };
  setJoined(mapper, { parts: [...parentJoined.parts, part], added });
  ppoly.children.push(mapper);
  ppoly.byIdentity.set(identity, mapper);
  inheritRelationships(mapper, pm);
  registerSubclassBase(Sub, mapper);
  return Sub as unknown as EntityClass;
}

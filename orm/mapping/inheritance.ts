/**
 * Single-table inheritance: a root class mapped with `polymorphicOn` (its discriminator
 * column) and `polymorphicIdentity`, and subclasses declared with `Root.subclass(identity,
 * columns)`. Every class of the hierarchy maps the root's table: a subclass's columns are
 * added to it (nullable, created by the root's DDL); a subclass's column values follow its
 * parent's, in the same places, so what works on a parent's columns works on its subclasses.
 * A column the subclass declares NOT NULL is in its mapper's `notNull`, so that the flush
 * requires it of the subclass's objects.
 *
 * @module
 */
import { defineColumn } from "./accessor.ts";
import { inList } from "../../core/builder/comparison.ts";
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { BoundColumns, Columns, InsertOf, RowOf } from "../../core/schema/rows.ts";
import type { Table } from "../../core/schema/table.ts";
import { type EntityClass, entityWhere } from "../../core/statement.ts";
import { inheritRelationships } from "../relationship/relationship.ts";
import { checkAttributeName, mapperOf, registerSubclassBase } from "./configure.ts";
import { Mapper, type Polymorphism } from "./mapper.ts";
import { joinedOf } from "./joined_tables.ts";

/**
 * What `Parent.subclass(identity, columns)` returns: a class to extend, whose instances have
 * the parent's properties and the new columns, and whose constructor takes both (the
 * discriminator is set by itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model } from "@retort/orm";
 * class Animal extends Model("subclass_doc_animals", {
 *   id: column.integer().primaryKey(),
 *   kind: column.text().default("animal"),
 *   name: column.text(),
 * }, { polymorphicOn: "kind", polymorphicIdentity: "animal" }) {}
 * class Dog extends Animal.subclass("dog", { bark: column.text() }) {}
 * const d = new Dog({ name: "rex", bark: "woof" });
 * assert(d instanceof Animal && d.kind === "dog" && d.bark === "woof");
 * ```
 */
export type Subclass<
  T,
  S extends Columns,
  I = T extends abstract new (...args: never[]) => infer X ? X : never,
> =
  & Omit<T, "prototype" | "c">
  & {
    new (init: InsertOf<ColumnsOf<T> & S>): I & RowOf<S> & OwnColumns<S>;
    readonly prototype: I & RowOf<S> & OwnColumns<S>;
    /** The columns of the class and its parents, for queries. */
    readonly c: BoundColumns<ColumnsOf<T> & S>;
  };

/**
 * The mark of a subclass's own columns among its object's columns (see `ModelObject`).
 *
 * @example
 * ```ts
 * import { column, type OwnColumns } from "@retort/orm";
 * const cols = { bark: column.text() };
 * const mark: OwnColumns<typeof cols> = {};
 * ```
 */
export type OwnColumns<S> = { readonly "~columns"?: { readonly [P in keyof S & string]: true } };

/**
 * The columns of a mapped class (and of its parents, for a subclass).
 *
 * @example
 * ```ts
 * import { column, type ColumnsOf, Model } from "@retort/orm";
 * class Box extends Model("columns_of_doc_boxes", { id: column.integer().primaryKey() }) {}
 * const cols: ColumnsOf<typeof Box> = { id: Box.c.id };
 * ```
 */
export type ColumnsOf<T> = T extends { readonly c: BoundColumns<infer C> } ? C : never;

/** Options of a polymorphic root, as `Model(...)` takes them. */
interface RootOptions {
  polymorphicOn?: string;
  polymorphicIdentity?: unknown;
}

/** Makes a root mapper polymorphic: called when the root class is configured. */
export function initRoot(mapper: Mapper, options: RootOptions): void {
  const on = mapper.indexByKey.get(options.polymorphicOn!);
  if (on === undefined) {
    throw new ArgumentError(
      `${mapper.name}: polymorphicOn names ${JSON.stringify(options.polymorphicOn)}, which ` +
        `is not one of its columns (${mapper.keys.join(", ")}).`,
    );
  }
  const byIdentity = new Map<unknown, Mapper>();
  const identity = options.polymorphicIdentity;
  if (identity !== undefined) byIdentity.set(identity, mapper);
  mapper.poly = {
    root: mapper,
    on,
    identity,
    byIdentity,
    rowIndexes: mapper.indexes,
    children: [],
  };
  setBlank(mapper);
}

/** Internal: the identity goes into every new object's values. */
export function setBlank(mapper: Mapper): void {
  const poly = mapper.poly!;
  if (poly.identity === undefined) return;
  const blank = mapper.blank.slice();
  blank[poly.on] = poly.identity;
  (mapper as { blank: readonly unknown[] }).blank = blank;
}

/** The identities of a mapper and of its subclasses. */
export function identitiesOf(mapper: Mapper): unknown[] {
  const poly = mapper.poly!;
  const out: unknown[] = poly.identity === undefined ? [] : [poly.identity];
  for (const child of poly.children) out.push(...identitiesOf(child));
  return out;
}

/**
 * Internal: the parent's place in its hierarchy, once `identity` is checked to be a new one
 * (an ArgumentError names what is wrong).
 */
export function claimIdentity(pm: Mapper, identity: unknown): Polymorphism {
  const ppoly = pm.poly;
  if (ppoly === null) {
    throw new ArgumentError(
      `${pm.name}.subclass(...): ${pm.name} is not mapped for inheritance; give its Model(...) ` +
        'the options { polymorphicOn: "<discriminator column>", polymorphicIdentity: ... }.',
    );
  }
  if (identity === undefined || identity === null) {
    throw new ArgumentError(`${pm.name}.subclass(...) needs a polymorphic identity.`);
  }
  const taken = ppoly.byIdentity.get(identity);
  if (taken !== undefined) {
    throw new ArgumentError(
      `${pm.name}.subclass(${JSON.stringify(identity)}): the polymorphic identity ` +
        `${JSON.stringify(identity)} is already ${taken.name}'s; give each class its own.`,
    );
  }
  return ppoly;
}

/** `Parent.subclass(identity, columns)`: declares a subclass in the parent's table. */
export function defineSubclass(
  parent: EntityClass,
  identity: unknown,
  columns: Columns = {},
): EntityClass {
  const pm = mapperOf(parent);
  const ppoly = claimIdentity(pm, identity);
  if (joinedOf(ppoly.root) !== undefined) {
    throw new ArgumentError(
      `${pm.name}.subclass(${JSON.stringify(identity)}, ...): ${ppoly.root.name}'s hierarchy ` +
        "maps a table per class; give this subclass its own table too: " +
        `${pm.name}.subclass(${JSON.stringify(identity)}, { ...columns }, { table: "<name>" }).`,
    );
  }
  const table = pm.table;
  const label = `${pm.name}.subclass(${JSON.stringify(identity)})`;
  const notNull: number[] = [];
  const added = addColumns(table, label, pm, columns, notNull);
  const Sub = class extends (parent as unknown as new (...a: unknown[]) => object) {};
  Object.defineProperty(Sub, "name", { value: label });
  const start = pm.columns.length;
  added.forEach((col, k) => {
    const i = start + k;
    defineColumn(Sub.prototype, col, i, label);
  });
  const mapper = new Mapper(Sub as unknown as EntityClass, [...pm.columns, ...added]);
  mapper.notNull = new Set([...pm.notNull, ...notNull.map((k) => start + k)]);
  const firstRow = table.columns.length - added.length;
  mapper.poly = {
    root: ppoly.root,
    on: ppoly.on,
    identity,
    byIdentity: ppoly.byIdentity,
    rowIndexes: [...ppoly.rowIndexes, ...added.map((_, k) => firstRow + k)],
    children: [],
  };
  setBlank(mapper);
  ppoly.children.push(mapper);
  ppoly.byIdentity.set(identity, mapper);
  inheritRelationships(mapper, pm);
  const discriminator = table.columns[ppoly.root.poly!.rowIndexes[ppoly.on]];
  Object.defineProperty(Sub, entityWhere, {
    get: () => inList(discriminator, identitiesOf(mapper) as never[]),
  });
  registerSubclassBase(Sub, mapper);
  return Sub as unknown as EntityClass;
}

/**
 * Adds a subclass's columns to the table (nullable there: other classes' rows leave them);
 * `notNull` gets the positions among them of those declared NOT NULL.
 */
function addColumns(
  table: Table,
  label: string,
  pm: Mapper,
  columns: Columns,
  notNull: number[],
): Column[] {
  if (typeof columns !== "object" || columns === null) {
    throw new ArgumentError(`${label} takes an object of columns.`);
  }
  const names = new Set(table.columns.map((c) => c.name));
  const added: Column[] = [];
  for (const [key, col] of Object.entries(columns)) {
    checkAttributeName(label, key, "column");
    if (typeof (col as Column)?.bind !== "function") {
      throw new ArgumentError(`${label}: ${key} is not a column; declare it with column.<type>().`);
    }
    if (pm.indexByKey.has(key) || key in table.c) {
      throw new ArgumentError(
        `${label}: the column ${key} is already declared in the table ${table.name}; ` +
          "name it otherwise.",
      );
    }
    const bound = (col as Column).nullable().bind(table, key) as Column;
    if (bound.config.primaryKey) {
      throw new ArgumentError(
        `${label}: ${key} cannot be a primary key; a subclass in its parent's table shares ` +
          "the parent's key.",
      );
    }
    if (names.has(bound.name)) {
      throw new ArgumentError(
        `${label}: the table ${table.name} already has a column named ` +
          `${JSON.stringify(bound.name)}; rename this one with .named(...).`,
      );
    }
    names.add(bound.name);
    if (!(col as Column).config.nullable && !(col as Column).readOnly) notNull.push(added.length);
    added.push(bound);
  }
  const t = table as unknown as { columns: readonly Column[]; c: Record<string, Column> };
  t.columns = [...table.columns, ...added];
  for (const col of added) t.c[col.key] = col;
  return added;
}

/**
 * Mapped classes: `class User extends Model("users", { ...columns }) { ...methods }`.
 *
 * The schema is written once, as the columns given to `Model`; instance property types are
 * inferred from it. No decorators, no reflection, no code generation.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { PrimaryKeyConstraint, TableConstraint } from "../../core/schema/constraint.ts";
import type { BoundColumns, Columns, KeyValue, RowOf, RowTypes } from "../../core/schema/rows.ts";
import { Table } from "../../core/schema/table.ts";
import type { EntityClass } from "../../core/statement.ts";
import { type Fragment, toSql } from "../../core/sql/nodes.ts";
import { relationshipsOf } from "../relationship/relationship.ts";
import { checkAttributeName, mapperOf, registerBase } from "./configure.ts";
import { defineSubclass, initRoot, type Subclass } from "./inheritance.ts";
import {
  defineJoinedSubclass,
  type JoinedSubclass,
  type JoinedTableOptions,
} from "./joined_inheritance.ts";
import { hasValidators, validated } from "./validators.ts";
import { readOnlyError } from "./computed.ts";
import { InstanceState, STATE, stateOf } from "./state.ts";
import { isUnloaded } from "./expired.ts";
import { defineColumn, shown } from "./accessor.ts";

/**
 * Options of {@linkcode Model}.
 *
 * @example
 * ```ts
 * import { column, constraint, type ModelOptions } from "@retort/orm";
 * const cols = { a: column.integer(), b: column.integer() };
 * const options: ModelOptions<typeof cols> = {
 *   constraints: (c) => [constraint.primaryKey(c.a, c.b)],
 * };
 * ```
 */
export interface ModelOptions<C extends Columns, K extends readonly Column[] = never> {
  /**
   * Table-level constraints and indexes. A composite primary key given here
   * (`constraint.primaryKey(c.a, c.b)`) types the class's key: `session.get(Pair, [1, 2])`.
   */
  constraints?: (c: C) => (TableConstraint | PrimaryKeyConstraint<K>)[];
  /** The PostgreSQL schema the table lives in. */
  schema?: string;
  /**
   * Inheritance: the discriminator column, whose value names each row's class (declare
   * subclasses with `Root.subclass(identity, columns)`, in this table, or with
   * `Root.subclass(identity, columns, { table })`, each in a table of its own).
   */
  polymorphicOn?: keyof C & string;
  /** The discriminator value of the class's own rows (with `polymorphicOn`). */
  polymorphicIdentity?: string | number;
}

/**
 * What `Model(...)` returns: a class to extend. Instances have the columns as properties;
 * the class has the table (`User.table`) and its columns (`User.c.username`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model, type ModelClass } from "@retort/orm";
 * const cols = { id: column.integer().primaryKey(), name: column.text() };
 * const Base: ModelClass<typeof cols> = Model("model_class_doc", cols);
 * class Thing extends Base {}
 * assert(new Thing({ name: "x" }).name === "x");
 * ```
 */
export interface ModelClass<C extends Columns, K = RowTypes<C>["key"]> {
  /** Builds a new (transient) object from column values. */
  new (init: RowTypes<C>["init"]): RowOf<C> & ModelObject<keyof C & string>;
  /** Type-only: the primary key's value, as `session.get` takes it. */
  readonly "~key"?: K;
  /** The table. */
  readonly table: Table<C>;
  /** The table's columns, for queries: `sql\`${User.c.id} = ${1}\``. */
  readonly c: BoundColumns<C>;
  /** Renders as the table's name, so `${User}` works in `sql`. */
  [toSql](): Fragment;
  /**
   * Single-table inheritance: a subclass with a polymorphic identity and columns of its own
   * (added to the table), to extend: `class Manager extends Employee.subclass("manager",
   * { budget: column.integer() }) {}`. The class must be mapped with `polymorphicOn`.
   */
  subclass<
    T extends abstract new (...args: never[]) => unknown,
    const S extends Columns = Record<never, never>,
  >(
    this: T,
    identity: string | number,
    columns?: S,
  ): Subclass<T, S>;
  /**
   * Joined-table inheritance: a subclass with a polymorphic identity and a table of its own,
   * whose primary key refers to the parent's: `class Manager extends Employee.subclass(
   * "manager", { budget: column.integer() }, { table: "managers" }) {}`.
   */
  subclass<
    T extends abstract new (...args: never[]) => unknown,
    const S extends Columns = Record<never, never>,
  >(
    this: T,
    identity: string | number,
    columns: S,
    options: JoinedTableOptions,
  ): JoinedSubclass<T, S>;
}

/**
 * What every object of a mapped class has besides its columns and relationships.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model, type ModelObject } from "@retort/orm";
 * class Dot extends Model("model_object_doc", { id: column.integer().primaryKey() }) {}
 * const d: ModelObject = new Dot({ id: 1 });
 * assert.deepEqual(d.toJSON(), { id: 1 });
 * ```
 */
export interface ModelObject<K extends string = string> {
  /** The column values, for `JSON.stringify` (bigints as strings). */
  toJSON(): Record<string, unknown>;
  /**
   * Type-only (never set at run time): the keys of the columns, as an object's keys, so that
   * a subclass's intersection with its own columns' holds both.
   */
  readonly "~columns"?: { readonly [P in K]: true };
}

/**
 * The value of a composite primary key of columns `A`, in order.
 *
 * @internal
 */
type KeyValues<A extends readonly Column[]> = {
  readonly [I in keyof A]: KeyValue<A[I]["~type"]>;
};

const inspectSymbols = [Symbol.for("Deno.customInspect"), Symbol.for("nodejs.util.inspect.custom")];

/**
 * Declares a mapped class's table and columns; extend the result to add methods and
 * relationships.
 *
 * - `new User({...})` takes the columns; those with a default, a generated key, a foreign
 *   key (a relationship may fill it) or that are nullable may be left out.
 * - Objects loaded from the database are instances of the class, built without calling its
 *   constructor.
 * - Column names default to the property names in snake_case (`authorId` → `author_id`).
 * - Given a `Table` instead of a name and columns, the class maps that table: two classes
 *   may share one table so, deliberately.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model } from "@retort/orm";
 * class Account extends Model("model_doc_accounts", {
 *   id: column.integer().primaryKey(),
 *   owner: column.text(),
 *   balance: column.integer().default(0),
 * }) {
 *   deposit(amount: number): void {
 *     this.balance += amount;
 *   }
 * }
 * const a = new Account({ owner: "ada", balance: 5 });
 * a.deposit(10);
 * assert(a.balance === 15 && a instanceof Account);
 * ```
 */
export function Model<const C extends Columns, const K extends readonly Column[] = never>(
  name: string,
  columns: C,
  options?: ModelOptions<C, K>,
): ModelClass<C, [NoInfer<K>] extends [never] ? RowTypes<C>["key"] : KeyValues<NoInfer<K>>>;
/**
 * Maps a class to a table declared with `table(...)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, Model, table } from "@retort/orm";
 * const pets = table("model_table_doc_pets", { id: column.integer().primaryKey() });
 * class Pet extends Model(pets) {}
 * assert(Pet.table === pets);
 * ```
 */
export function Model<C extends Columns>(table: Table<C>): ModelClass<C>;
export function Model<C extends Columns>(
  nameOrTable: string | Table<C>,
  columns?: C,
  options: ModelOptions<C, readonly Column[]> = {},
): ModelClass<C> {
  const Base = class {
    constructor(init?: Record<string, unknown>) {
      const mapper = mapperOf(new.target);
      const values = mapper.blank.slice();
      const state = new InstanceState(mapper, this, values);
      (this as unknown as Record<symbol, unknown>)[STATE] = state;
      mapper.early?.keep(this);
      if (init === undefined || init === null) return;
      if (typeof init !== "object") {
        throw new ArgumentError(`new ${mapper.name}(...) takes an object of column values.`);
      }
      let keys: string[];
      try {
        keys = Object.keys(init);
      } catch (error) {
        throw new ArgumentError(
          `new ${mapper.name}(...)'s argument could not be inspected (${
            (error as Error).message
          }); ` +
            "pass a plain object of column values.",
          { cause: error },
        );
      }
      const checked = hasValidators(mapper);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const i = mapper.indexByKey.get(key);
        if (i !== undefined) {
          if (mapper.columns[i].readOnly) throw readOnlyError(mapper.name, mapper.columns[i]);
          values[i] = checked ? validated(mapper, i, init[key], this, false) : init[key];
        } else if (relationshipsOf(mapper).has(key)) {
          (this as unknown as Record<string, unknown>)[key] = init[key];
        } else {
          throw new ArgumentError(
            `${mapper.name} has no column or relationship ${JSON.stringify(key)}; its columns ` +
              `are ${mapper.keys.join(", ")}.`,
          );
        }
      }
    }

    /** The column values, for JSON.stringify; columns not loaded are left out. */
    toJSON(): Record<string, unknown> {
      const state = stateOf(this)!;
      const out: Record<string, unknown> = {};
      state.mapper.keys.forEach((k, i) => {
        const v = shown(state.mapper.columns[i], state.values[i]);
        if (!isUnloaded(v)) out[k] = typeof v === "bigint" ? v.toString() : v;
      });
      return out;
    }
  };
  const table = nameOrTable instanceof Table
    ? nameOrTable
    : new Table(nameOrTable, columns!, options.constraints, {
      schema: options.schema,
      owner: Base,
    });
  const label = `Model(${table.name})`;
  for (const col of table.columns) checkAttributeName(label, col.key, "column");
  Object.defineProperty(Base, "name", { value: label });
  Object.defineProperty(Base, "table", { value: table, enumerable: false });
  Object.defineProperty(Base, "c", { value: table.c, enumerable: false });
  Object.defineProperty(Base, "subclass", {
    value: function (
      this: EntityClass,
      identity: string | number,
      cols?: Columns,
      joined?: JoinedTableOptions,
    ) {
      return joined === undefined
        ? defineSubclass(this, identity, cols)
        : defineJoinedSubclass(this, identity, cols, joined);
    },
    enumerable: false,
  });
  // `${User}` in sql renders the table's name.
  Object.defineProperty(Base, toSql, { value: () => table[toSql](), enumerable: false });
  table.columns.forEach((col, i) => defineColumn(Base.prototype, col, i, label));
  for (const sym of inspectSymbols) {
    Object.defineProperty(Base.prototype, sym, {
      configurable: true,
      value(this: object, ...args: unknown[]) {
        const state = stateOf(this)!;
        const values: Record<string, unknown> = {};
        state.mapper.keys.forEach((k, i) => {
          const v = shown(state.mapper.columns[i], state.values[i]);
          if (!isUnloaded(v)) values[k] = v;
        });
        const inspect = args.find((a) => typeof a === "function") as
          | ((v: unknown, o?: unknown) => string)
          | undefined;
        const options = args.find((a) => typeof a === "object" && a !== null);
        const body = inspect ? inspect(values, options) : JSON.stringify(values);
        return `${state.mapper.name} ${body}`;
      },
    });
  }
  const poly = options.polymorphicOn === undefined ? undefined : options;
  registerBase(Base, poly && ((mapper) => initRoot(mapper, poly)));
  return Base as unknown as ModelClass<C>;
}

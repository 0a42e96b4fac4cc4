/**
 * Mappers: what the ORM knows of a mapped class (its table, columns, primary key,
 * relationships, and per-dialect conversions), configured lazily on first use.
 *
 * @module
 */
import type { Dialect } from "../core/dialect.ts";
import { ArgumentError } from "../core/errors.ts";
import type { Column } from "../core/schema/column.ts";
import type { Table } from "../core/schema/table.ts";
import type { EntityClass } from "../core/statement.ts";
import type { Fragment } from "../core/sql/nodes.ts";
import { sql } from "../core/sql/tag.ts";
import type { Converter } from "../core/types/column_type.ts";
import { Relationship } from "./relationship.ts";
import { InstanceState, STATE, stateOf } from "./state.ts";

const mappers = new WeakMap<object, Mapper>();
/** Where a mapped class keeps its mapper, once configured. */
const MAPPER: unique symbol = Symbol("retort.mapper");

/**
 * Internal: the mapping of one class to one table.
 *
 * @internal
 */
export class Mapper {
  /** The mapped class (the user's subclass of `Model(...)`). */
  readonly cls: EntityClass;
  readonly table: Table;
  readonly columns: readonly Column[];
  readonly keys: readonly string[];
  readonly indexByKey: ReadonlyMap<string, number>;
  readonly indexByName: ReadonlyMap<string, number>;
  /** Column indexes of the primary key. */
  readonly pk: readonly number[];
  /** Index of the version column, or -1. */
  readonly version: number;
  /** Relationships by name. */
  readonly relationships: Map<string, Relationship> = new Map();
  /** The identity map of each session keys objects by mapper. */
  readonly name: string;
  /** The column indexes, 0 to n - 1. */
  readonly indexes: readonly number[];
  /** A row of `undefined`s, copied for each new instance. */
  readonly blank: readonly unknown[];
  /** `SELECT` list of every column, qualified, built once. */
  readonly selectList: Fragment;
  #decoders = new Map<string, { list: Converter[]; any: boolean }>();
  #encoders = new Map<string, { list: Converter[]; any: boolean }>();
  /** Per-mapper cache of statement templates (stable strings arrays hit the compile cache). */
  readonly templates: Map<string, readonly string[]> = new Map();

  constructor(cls: EntityClass) {
    this.cls = cls;
    this.table = cls.table;
    this.name = cls.name || this.table.name;
    this.columns = this.table.columns;
    this.keys = this.columns.map((c) => c.key);
    this.indexByKey = new Map(this.keys.map((k, i) => [k, i]));
    this.indexByName = new Map(this.columns.map((c, i) => [c.name, i]));
    this.pk = this.table.primaryKey.map((c) => this.indexByKey.get(c.key)!);
    this.version = this.columns.findIndex((c) => c.config.version);
    if (this.pk.length === 0) {
      throw new ArgumentError(
        `Model ${this.name} (table ${this.table.name}) has no primary key; mark a column ` +
          "with .primaryKey() or add constraint.primaryKey(...).",
      );
    }
    this.selectList = sql.join(this.columns);
    this.blank = this.columns.map(() => undefined);
    this.indexes = this.columns.map((_, i) => i);
    this.#installRelationships();
  }

  #installRelationships(): void {
    for (const name of Object.getOwnPropertyNames(this.cls)) {
      const value = (this.cls as unknown as Record<string, unknown>)[name];
      if (!(value instanceof Relationship)) continue;
      if (this.indexByKey.has(name)) {
        throw new ArgumentError(
          `${this.name}.${name} is both a column and a relationship; rename one of them.`,
        );
      }
      value.attach(this, name);
      this.relationships.set(name, value);
      Object.defineProperty(this.cls.prototype, name, {
        configurable: true,
        enumerable: false,
        get(this: object) {
          return value.get(this);
        },
        set(this: object, v: unknown) {
          value.set(this, v);
        },
      });
    }
  }

  /** The relationship with a name, or an error naming the model's relationships. */
  relationship(name: string): Relationship {
    const rel = this.relationships.get(name);
    if (!rel) {
      const known = [...this.relationships.keys()];
      throw new ArgumentError(
        `${this.name} has no relationship ${JSON.stringify(name)}; ` +
          (known.length ? `its relationships are ${known.join(", ")}.` : "it has none.") +
          ` Declare it as a static field: static ${name} = relationship(() => Target, {...}).`,
      );
    }
    return rel;
  }

  /** Decoders by column index for a dialect. */
  decoders(dialect: Dialect): { list: Converter[]; any: boolean } {
    let d = this.#decoders.get(dialect.name);
    if (!d) {
      const list = this.columns.map((c) => c.type.decoder(dialect));
      d = { list, any: list.some((x) => x !== null) };
      this.#decoders.set(dialect.name, d);
    }
    return d;
  }

  /** Encoders by column index for a dialect. */
  encoders(dialect: Dialect): { list: Converter[]; any: boolean } {
    let e = this.#encoders.get(dialect.name);
    if (!e) {
      const list = this.columns.map((c) => c.type.encoder(dialect));
      e = { list, any: list.some((x) => x !== null) };
      this.#encoders.set(dialect.name, e);
    }
    return e;
  }

  /** A stable strings array for a statement shape, built once. */
  template(key: string, build: () => string[]): readonly string[] {
    let t = this.templates.get(key);
    if (t === undefined) {
      if (this.templates.size > 512) this.templates.clear();
      t = Object.freeze(build());
      this.templates.set(key, t);
    }
    return t;
  }

  /** The identity key of a row's values. */
  identity(values: readonly unknown[]): unknown {
    const pk = this.pk;
    if (pk.length === 1) {
      const v = values[pk[0]];
      return typeof v === "bigint" && v <= 9007199254740991n && v >= -9007199254740991n
        ? Number(v)
        : v;
    }
    return pk.map((i) => {
      const v = values[i];
      return typeof v === "bigint"
        ? `${v}n`
        : typeof v === "string"
        ? JSON.stringify(v)
        : String(v);
    }).join("\u0000");
  }

  /** Whether every primary-key value is set. */
  hasIdentity(values: readonly unknown[]): boolean {
    for (const i of this.pk) if (values[i] === undefined || values[i] === null) return false;
    return true;
  }

  /** Builds an instance from decoded column values, without the user's constructor. */
  hydrate(values: unknown[]): object {
    const obj = Object.create(this.cls.prototype) as Record<symbol, unknown>;
    obj[STATE] = new InstanceState(this, obj, values);
    return obj;
  }
}

/**
 * The mapper of a mapped class (or of an instance's class), configured on first use.
 * Subclasses of a mapped class share its mapper.
 */
export function mapperOf(target: unknown): Mapper {
  if (typeof target === "function") {
    const own = (target as { [MAPPER]?: Mapper })[MAPPER];
    if (own !== undefined && Object.hasOwn(target, MAPPER)) return own;
  }
  if (typeof target === "object" && target !== null) {
    const state = stateOf(target);
    if (state) return state.mapper;
    throw new ArgumentError(
      `${describe(target)} is not an instance of a mapped class; ` +
        "map it with class X extends Model(...).",
    );
  }
  if (typeof target !== "function") {
    throw new ArgumentError(`${String(target)} is not a mapped class.`);
  }
  let mapper = mappers.get(target);
  if (mapper) return mapper;
  const cls = mappedClassOf(target);
  mapper = mappers.get(cls) ?? new Mapper(cls);
  mappers.set(cls, mapper);
  mappers.set(target, mapper);
  Object.defineProperty(target, MAPPER, { value: mapper });
  if (cls !== target && !Object.hasOwn(cls, MAPPER)) {
    Object.defineProperty(cls, MAPPER, { value: mapper });
  }
  return mapper;
}

/** The class a mapper is for: the first subclass of the `Model(...)` base, or the base. */
function mappedClassOf(cls: object): EntityClass {
  if (!isModelBase(cls) && !hasModelBase(cls)) {
    throw new ArgumentError(
      `${(cls as { name?: string }).name || "This class"} is not a mapped class; ` +
        'declare it as class X extends Model("table", { ...columns }).',
    );
  }
  let current = cls;
  while (true) {
    const parent = Object.getPrototypeOf(current);
    if (isModelBase(current) || isModelBase(parent)) return current as EntityClass;
    current = parent;
  }
}

const bases = new WeakSet<object>();

/** Internal: registers a class made by `Model(...)`. */
export function registerBase(base: object): void {
  bases.add(base);
}

function isModelBase(x: unknown): boolean {
  return typeof x === "function" && bases.has(x);
}

function hasModelBase(cls: object): boolean {
  for (let c = Object.getPrototypeOf(cls); c; c = Object.getPrototypeOf(c)) {
    if (bases.has(c)) return true;
  }
  return false;
}

function describe(x: object): string {
  const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)
    ?.constructor?.name;
  return name ? `An instance of ${name}` : "This object";
}

/**
 * Mappers: what the ORM knows of a mapped class's table: its columns by key and by name, its
 * primary key, its version column, and per-dialect encoders. Relationships are registered
 * beside it (see `relationship/registry.ts`).
 *
 * @module
 */
import type { EarlyObjects } from "./early.ts";
import type { Dialect } from "../../core/dialect.ts";
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import type { EntityClass } from "../../core/statement.ts";
import type { Converter } from "../../core/types/column_type.ts";
import { identityKey, type KeyPart, keyParts } from "./identity.ts";

const NO_INDEXES: ReadonlySet<number> = new Set();

/**
 * A class's place in a single-table hierarchy: the root's mapper (whose identity map holds
 * every object of the hierarchy), the discriminator's column index, the class's identity,
 * the mappers by identity (shared by the hierarchy), and where the class's columns are in a
 * row of the table's columns.
 *
 * @internal
 */
export interface Polymorphism {
  readonly root: Mapper;
  readonly on: number;
  readonly identity: unknown;
  readonly byIdentity: Map<unknown, Mapper>;
  readonly rowIndexes: readonly number[];
  /** The mappers of direct subclasses. */
  readonly children: Mapper[];
}

/**
 * The mapping of one class to one table.
 *
 * @internal
 */
export class Mapper {
  /** The mapped class (the user's subclass of `Model(...)`). */
  readonly cls: EntityClass;
  readonly table: Table;
  /** The class's name, for messages. */
  readonly name: string;
  readonly columns: readonly Column[];
  readonly keys: readonly string[];
  readonly indexByKey: ReadonlyMap<string, number>;
  /** Column indexes of the primary key. */
  readonly pk: readonly number[];
  /** Key normalisers by column index, from the columns' types (see `identity.ts`). */
  readonly keyParts: readonly KeyPart[];
  /** Index of the version column, or -1. */
  readonly version: number;
  /** The column indexes, 0 to n - 1. */
  readonly indexes: readonly number[];
  /** Indexes of read-only columns (expressions, generated), which a flush reads back. */
  readonly readBack: readonly number[];
  /** A row of `undefined`s, copied for each new instance. */
  readonly blank: readonly unknown[];
  readonly #encoders = new WeakMap<Dialect, readonly Converter[]>();
  #lastDialect: Dialect | null = null;
  #last: readonly Converter[] | null = null;

  /** Inheritance: set for the classes of a polymorphic hierarchy (see `inheritance.ts`). */
  poly: Polymorphism | null = null;

  /**
   * The loaders' select of the whole row by key, kept here once known to need nothing else
   * (see `loadByKey`): undefined until asked, null for a class that needs more.
   */
  plainByKey: unknown = undefined;

  /**
   * A subclass's mapper whose class is still the one `Parent.subclass(...)` returned: the
   * objects made meanwhile, for the class that extends it (see `early.ts`); null otherwise.
   */
  early: EarlyObjects | null = null;

  /**
   * Columns NOT NULL for this class's objects though nullable in the table (a single-table
   * subclass's columns declared NOT NULL: other classes' rows leave them empty), by index.
   */
  notNull: ReadonlySet<number> = NO_INDEXES;

  constructor(cls: EntityClass, columns: readonly Column[] = cls.table.columns) {
    this.cls = cls;
    this.table = cls.table;
    this.name = cls.name || this.table.name;
    this.columns = columns;
    this.keys = this.columns.map((c) => c.key);
    this.indexByKey = new Map(this.keys.map((k, i) => [k, i]));
    this.pk = this.table.primaryKey.map((c) => this.indexByKey.get(c.key)!);
    this.keyParts = keyParts(this.columns);
    this.version = this.columns.findIndex((c) => c.config.version);
    if (this.pk.length === 0) {
      throw new ArgumentError(
        `Model ${this.name} (table ${this.table.name}) has no primary key; mark a column ` +
          "with .primaryKey() or add constraint.primaryKey(...).",
      );
    }
    this.blank = this.columns.map(() => undefined);
    this.indexes = this.columns.map((_, i) => i);
    this.readBack = this.indexes.filter((i) => this.columns[i].readOnly);
  }

  /** Encoders by column index for a dialect. */
  encoders(dialect: Dialect): readonly Converter[] {
    if (dialect === this.#lastDialect) return this.#last!;
    let e = this.#encoders.get(dialect);
    if (e === undefined) {
      e = this.columns.map((c) => c.type.encoder(dialect));
      this.#encoders.set(dialect, e);
    }
    this.#lastDialect = dialect;
    this.#last = e;
    return e;
  }

  /** The identity key of a row's values. */
  identity(values: readonly unknown[]): unknown {
    return identityKey(values, this.pk, this.keyParts);
  }

  /** `(id=1, kind="a")`: the primary key of a row, for messages. */
  describeKey(values: readonly unknown[]): string {
    return `(${this.pk.map((i) => `${this.keys[i]}=${String(values[i])}`).join(", ")})`;
  }
}

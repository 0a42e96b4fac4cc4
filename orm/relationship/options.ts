/**
 * What a relationship declares: its options, and the cascades they name.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import type { Column } from "../../core/schema/column.ts";
import type { Table } from "../../core/schema/table.ts";
import type { Fragment } from "../../core/sql/nodes.ts";
import type { EntityClass } from "../../core/statement.ts";
import type { EntityObject, RelationshipNames } from "../../core/builder/loaders.ts";

/**
 * Options of {@linkcode relationship}. `T` is the target's instance type, so `backPopulates`
 * is checked against the target's relationships (its attributes that hold mapped objects).
 *
 * @example
 * ```ts
 * import type { ModelObject, RelationshipOptions } from "@retort/orm";
 * const options: RelationshipOptions<{ author: ModelObject | null }> = {
 *   backPopulates: "author",
 *   cascade: "all, delete-orphan",
 * };
 * ```
 */
export interface RelationshipOptions<
  T = unknown,
  B extends string = RelationshipNames<T>,
  U extends boolean = boolean,
  S extends Secondary | undefined = Secondary | undefined,
> {
  /**
   * The relationship on the target that mirrors this one; both are kept in sync. It names a
   * relationship of the target (an attribute declared with a mapped class's type).
   */
  backPopulates?: B;
  /**
   * Cascades, comma-separated: `save-update` (the default), `delete`, `delete-orphan`,
   * `all` (save-update and delete), or `none`.
   */
  cascade?: string;
  /** How a loaded collection is ordered. */
  orderBy?: () => Column | Fragment | (Column | Fragment)[];
  /** The association table (or mapped class) of a many-to-many relationship. */
  secondary?: S;
  /** The foreign-key column to use, when several link the two tables. */
  foreignKey?: () => Column;
  /** Leave deleting (or nulling) children to the database's ON DELETE. */
  passiveDeletes?: boolean;
  /** `false` makes a one-to-many relationship a one-to-one: a single object, not a list. */
  uselist?: U;
  /** For a self-referential relationship: which side this is. */
  direction?: "one-to-many" | "many-to-one";
  /**
   * Write this relationship's foreign key with a second UPDATE after the rows are inserted
   * (and clear it before they are deleted), as SQLAlchemy's `post_update`: for rows that
   * refer to each other. A nullable foreign key in a cycle of tables gets it by itself.
   */
  postUpdate?: boolean;
}

/**
 * The association table (or mapped class) of a many-to-many relationship, given lazily.
 *
 * @example
 * ```ts
 * import { column, type Secondary, table } from "@retort/orm";
 * const tags = table("secondary_doc_tags", { tagId: column.integer() });
 * const secondary: Secondary = () => tags;
 * ```
 */
export type Secondary = () => Table | EntityClass;

/**
 * `B` when it names a relationship of objects of type `T`, else `B` branded with the reason,
 * which no string is: what `relationship(...)` checks `backPopulates` with (one name, not
 * every attribute of the target).
 *
 * @internal
 */
export type BackPopulates<T, B extends string> = B extends keyof T
  ? T[B] extends EntityObject | readonly EntityObject[] | null ? B
  : B & { readonly "~error": "backPopulates names a column or method, not a relationship" }
  : B & { readonly "~error": "backPopulates names no attribute of the target" };

/**
 * Internal: the cascades of a relationship.
 *
 * @internal
 */
export interface Cascade {
  saveUpdate: boolean;
  delete: boolean;
  deleteOrphan: boolean;
}

/** Parses a relationship's `cascade` option. */
export function parseCascade(text: string | undefined, where: string): Cascade {
  const c = { saveUpdate: true, delete: false, deleteOrphan: false };
  if (text === undefined) return c;
  c.saveUpdate = false;
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    switch (part) {
      case "all":
        c.saveUpdate = c.delete = true;
        break;
      case "save-update":
        c.saveUpdate = true;
        break;
      case "delete":
        c.delete = true;
        break;
      case "delete-orphan":
        c.deleteOrphan = true;
        break;
      case "merge":
      case "refresh-expunge":
      case "expunge":
      case "none":
        break;
      default:
        throw new ArgumentError(
          `${where}: unknown cascade ${JSON.stringify(part)}; use save-update, delete, ` +
            "delete-orphan, all or none.",
        );
    }
  }
  return c;
}

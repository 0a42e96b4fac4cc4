/**
 * Resolving a relationship: which foreign key links the two classes (or which association
 * table), which side holds it, and so whether the attribute is one object or a list.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { Column } from "../../core/schema/column.ts";
import { sameTable, Table } from "../../core/schema/table.ts";
import type { EntityClass } from "../../core/statement.ts";
import { foreignKeysOf, joinedOf, onTables, tablesOf } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { RelationshipOptions } from "./options.ts";

/** How a relationship links its owner and target. */
export interface Keys {
  /** The kind. */
  readonly direction: "manyToOne" | "oneToMany" | "manyToMany";
  /** Whether the attribute holds one object (many-to-one, one-to-one), not a list. */
  readonly scalar: boolean;
  /** The foreign-key column index: in the owner (many-to-one) or the target (one-to-many). */
  readonly fk: number;
  /** The referenced column index: in the target (many-to-one) or the owner (one-to-many). */
  readonly ref: number;
  /** For many-to-many: the association table and its two foreign-key columns. */
  readonly secondary: { table: Table; owner: Column; target: Column } | null;
}

/** The foreign keys a relationship may follow: of each table of a joined hierarchy's class. */
const relationKeysOf = (m: Mapper) =>
  joinedOf(m) === undefined ? m.table.foreignKeys : foreignKeysOf(m);
/** Whether two columns are one column of one table. */
const sameColumn = (a: Column, b: Column): boolean =>
  a.key === b.key && a.table !== undefined && b.table !== undefined && sameTable(a.table, b.table);

/** Resolves a many-to-many relationship through its association table. */
export function resolveSecondary(
  owner: Mapper,
  target: Mapper,
  options: RelationshipOptions<unknown, string>,
  where: string,
): Keys {
  const s = options.secondary!();
  const table = s instanceof Table ? s : (s as EntityClass).table;
  if (!(table instanceof Table)) {
    throw new ArgumentError(`${where}: secondary must return a table or a mapped class.`);
  }
  const fks = table.foreignKeys;
  const toOwner = fks.filter((f) => onTables(f.target, tablesOf(owner)));
  const toTarget = fks.filter((f) => onTables(f.target, tablesOf(target)));
  let ownerFk = toOwner[0];
  let targetFk = toTarget[0];
  if (owner === target || owner.table === target.table) {
    // Self-referential many-to-many: foreignKey names the owner's column.
    const chosen = options.foreignKey?.();
    if (toOwner.length !== 2 || !chosen) {
      throw new ArgumentError(
        `${where}: the association table ${table.name} links ${owner.name} to itself; ` +
          "say which of its columns points at the owner with foreignKey: () => Assoc.c.x.",
      );
    }
    ownerFk = toOwner.find((f) => f.column.key === chosen.key)!;
    targetFk = toOwner.find((f) => f.column.key !== chosen.key)!;
  } else if (toOwner.length !== 1 || toTarget.length !== 1) {
    throw new ArgumentError(
      `${where}: the association table ${table.name} needs exactly one foreign key to ` +
        `${owner.table.name} and one to ${target.table.name}; it has ${toOwner.length} and ` +
        `${toTarget.length}.`,
    );
  }
  return {
    direction: "manyToMany",
    scalar: false,
    secondary: { table, owner: ownerFk.column, target: targetFk.column },
    ref: owner.indexByKey.get(ownerFk.target.key)!,
    fk: target.indexByKey.get(targetFk.target.key)!,
  };
}

/** Resolves a one-to-many or many-to-one relationship through its foreign key. */
export function resolveForeignKey(
  owner: Mapper,
  target: Mapper,
  o: RelationshipOptions<unknown, string>,
  where: string,
): Keys {
  const chosen = o.foreignKey?.();
  if (chosen !== undefined && !(chosen instanceof Column)) {
    throw new ArgumentError(
      `${where}: foreignKey must return a column, e.g. () => Post.c.authorId.`,
    );
  }
  // A class of a joined hierarchy has the foreign keys of each of its tables.
  const ownerFks = relationKeysOf(owner).filter((f) =>
    onTables(f.target, tablesOf(target)) && (!chosen || sameColumn(f.column, chosen))
  );
  const targetFks = relationKeysOf(target).filter((f) =>
    onTables(f.target, tablesOf(owner)) && (!chosen || sameColumn(f.column, chosen))
  );
  let direction: "manyToOne" | "oneToMany";
  let fk: { column: Column; target: Column };
  if (owner === target || owner.table === target.table) {
    if (!o.direction) {
      throw new ArgumentError(
        `${where} links ${owner.name} to itself; say which side it is with ` +
          'direction: "many-to-one" (the parent) or "one-to-many" (the children).',
      );
    }
    if (ownerFks.length !== 1) {
      throw new ArgumentError(
        `${where}: ${owner.table.name} has ${ownerFks.length} foreign keys to itself; ` +
          "name the one to use with foreignKey: () => Model.c.parentId.",
      );
    }
    direction = o.direction === "many-to-one" ? "manyToOne" : "oneToMany";
    fk = ownerFks[0];
  } else if (ownerFks.length === 1 && targetFks.length === 0) {
    direction = "manyToOne";
    fk = ownerFks[0];
  } else if (targetFks.length === 1 && ownerFks.length === 0) {
    direction = "oneToMany";
    fk = targetFks[0];
  } else if (ownerFks.length + targetFks.length === 0) {
    throw new ArgumentError(
      `${where}: no foreign key links ${owner.table.name} and ${target.table.name}` +
        (chosen ? ` through ${chosen.table?.name}.${chosen.key}` : "") +
        "; add .references(() => Target.c.id) to a column, or use secondary for " +
        "many-to-many.",
    );
  } else {
    const names = [...ownerFks, ...targetFks].map((f) => `${f.column.table?.name}.${f.column.key}`);
    throw new ArgumentError(
      `${where}: several foreign keys link ${owner.table.name} and ${target.table.name} ` +
        `(${names.join(", ")}); choose one with foreignKey: () => Model.c.column.`,
    );
  }
  return direction === "manyToOne"
    ? {
      direction,
      scalar: true,
      secondary: null,
      fk: owner.indexByKey.get(fk.column.key)!,
      ref: target.indexByKey.get(fk.target.key)!,
    }
    : {
      direction,
      scalar: o.uselist === false,
      secondary: null,
      fk: target.indexByKey.get(fk.column.key)!,
      ref: owner.indexByKey.get(fk.target.key)!,
    };
}

/** What checking `backPopulates` reads of a relationship. */
interface Back {
  readonly name: string;
  readonly qualifiedName: string;
  readonly target: () => unknown;
  readonly options: { readonly backPopulates?: string };
}

/**
 * The relationship `backPopulates` names on the target, checked: it exists, names this one
 * back (if it names any), and points at the owner.
 */
export function resolveBack<R extends Back>(
  rel: Back,
  name: string,
  owner: Mapper,
  target: Mapper,
  targets: ReadonlyMap<string, R>,
  mapperOf: (cls: unknown) => Mapper,
): R {
  const where = `Relationship ${rel.qualifiedName}`;
  const found = targets.get(name);
  if (!found) {
    const known = [...targets.keys()];
    throw new ArgumentError(
      `${where}: backPopulates refers to ${target.name}.${name}, which is not ` +
        `a relationship of ${target.name}` +
        (known.length
          ? ` (its relationships are ${known.join(", ")}).`
          : ". Declare it as a static field with relationship(...)."),
    );
  }
  if (found.options.backPopulates !== undefined && found.options.backPopulates !== rel.name) {
    throw new ArgumentError(
      `${where}: backPopulates names ${found.qualifiedName}, but that relationship's ` +
        `backPopulates is ${JSON.stringify(found.options.backPopulates)}, not ` +
        `${JSON.stringify(rel.name)}. Make the two sides name each other.`,
    );
  }
  const backTarget = mapperOf(found.target());
  if (backTarget !== owner) {
    throw new ArgumentError(
      `${where}: backPopulates names ${found.qualifiedName}, which points at ` +
        `${backTarget.name}, not ${owner.name}.`,
    );
  }
  return found;
}

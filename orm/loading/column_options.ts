/**
 * Column loader options, after SQLAlchemy's: `defer(User.c.bio)` leaves a column out of a
 * query, `undefer(User.c.bio)` loads a column the schema defers (`column.text().deferred()`),
 * and `loadOnly(User.c.id, User.c.name)` loads only the columns named (with the primary key).
 * They name columns of any class the query loads, the queried class or one its
 * relationship options load (`selectin`, `joined`): each applies to every load of its
 * column's class in the query.
 *
 * @module
 */
import { ArgumentError } from "../../core/errors.ts";
import { Column, type ColumnTable } from "../../core/schema/column.ts";

/**
 * A column loader option: `defer(...)`, `undefer(...)` or `loadOnly(...)`, given to
 * `select(Model).options(...)`, `session.get(Model, key, { options })` or
 * `session.stream(...)`'s select.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, type ColumnOption, defer, Model } from "@retort/orm";
 * class Note extends Model("column_option_doc_notes", {
 *   id: column.integer().primaryKey(),
 *   body: column.text(),
 * }) {}
 * const option: ColumnOption = defer(Note.c.body);
 * assert(option.load === "defer" && option.columns[0] === Note.c.body);
 * ```
 */
export interface ColumnOption {
  /** The kind of query option: column loading. */
  readonly option: "columns";
  /** What the option does with its columns. */
  readonly load: "defer" | "undefer" | "loadOnly";
  /** The columns, of mapped classes' tables (`User.c.bio`). */
  readonly columns: readonly Column[];
}

/**
 * What a query's column options ask, gathered: columns to leave out, columns to load, and
 * per table the only columns to load (a load reads them through its load context).
 *
 * @internal
 */
export interface ColumnChoices {
  readonly defer: ReadonlySet<Column>;
  readonly undefer: ReadonlySet<Column>;
  readonly only: ReadonlyMap<ColumnTable, ReadonlySet<Column>>;
}

const made = new WeakSet<object>();

function columnOption(
  load: ColumnOption["load"],
  columns: readonly Column[],
): ColumnOption {
  if (columns.length === 0) {
    throw new ArgumentError(`${load}() takes columns of a mapped class, such as User.c.bio.`);
  }
  for (const c of columns) {
    if (!(c instanceof Column) || c.table === undefined) {
      throw new ArgumentError(
        `${load}() takes columns of a mapped class (User.c.bio); got something else.`,
      );
    }
  }
  if (load === "defer") {
    for (const c of columns) {
      if (c.table!.primaryKey.includes(c) || c.config.version) {
        const what = c.config.version ? "version column" : "primary key";
        throw new ArgumentError(
          `defer(): ${c.table!.name}.${c.key} is the ${what}, which every load reads; ` +
            "defer other columns.",
        );
      }
    }
  }
  if (load === "loadOnly" && columns.some((c) => c.table !== columns[0].table)) {
    throw new ArgumentError(
      "loadOnly() takes columns of one class; give one loadOnly(...) per class.",
    );
  }
  const option: ColumnOption = Object.freeze({
    option: "columns" as const,
    load,
    columns: Object.freeze([...columns]),
  });
  made.add(option);
  return option;
}

/**
 * Leaves columns out of a query's loads: the objects load without them, reading one raises
 * NotLoadedError, and `await session.refresh(obj, ["bio"])` loads it. The primary key and
 * the version column cannot be deferred.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, defer, Model, NotLoadedError, select } from "@retort/orm";
 * class Page extends Model("defer_doc_pages", {
 *   id: column.integer().primaryKey(),
 *   title: column.text(),
 *   body: column.text(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Page]);
 * {
 *   await using s = engine.session();
 *   s.add(new Page({ title: "t", body: "a long text" }));
 *   await s.commit();
 * }
 * await using session = engine.session();
 * const [page] = await session.all(select(Page).options(defer(Page.c.body)));
 * assert.equal(page.title, "t");
 * assert.throws(() => page.body, NotLoadedError);
 * await session.refresh(page, ["body"]);
 * assert.equal(page.body, "a long text");
 * ```
 */
export function defer(...columns: Column[]): ColumnOption {
  return columnOption("defer", columns);
}

/**
 * Loads columns the schema defers (`column.text().deferred()`) in this query.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, Model, select, undefer } from "@retort/orm";
 * class Doc extends Model("undefer_doc_docs", {
 *   id: column.integer().primaryKey(),
 *   body: column.text().deferred(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Doc]);
 * await using session = engine.session();
 * session.add(new Doc({ body: "text" }));
 * await session.flush();
 * session.expungeAll();
 * const [doc] = await session.all(select(Doc).options(undefer(Doc.c.body)));
 * assert.equal(doc.body, "text");
 * ```
 */
export function undefer(...columns: Column[]): ColumnOption {
  return columnOption("undefer", columns);
}

/**
 * Loads only the named columns of a class, and its primary key (and version column, and the
 * columns the query's relationship options join on); every other column is deferred.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { column, createEngine, inspect, loadOnly, Model, select } from "@retort/orm";
 * class Person extends Model("load_only_doc_people", {
 *   id: column.integer().primaryKey(),
 *   name: column.text(),
 *   bio: column.text(),
 *   photo: column.blob().nullable(),
 * }) {}
 * await using engine = createEngine("sqlite::memory:");
 * await engine.createAll([Person]);
 * await using session = engine.session();
 * session.add(new Person({ name: "ada", bio: "..." }));
 * await session.flush();
 * session.expungeAll();
 * const [p] = await session.all(select(Person).options(loadOnly(Person.c.name)));
 * assert.deepEqual(inspect(p).unloaded, ["bio", "photo"]);
 * ```
 */
export function loadOnly(...columns: Column[]): ColumnOption {
  return columnOption("loadOnly", columns);
}

/** Whether a value is a column option. */
export function isColumnOption(o: unknown): o is ColumnOption {
  return typeof o === "object" && o !== null && made.has(o);
}

/** The choices of `options`' column options (null when none), and the other options. */
export function splitColumnOptions(
  options: readonly unknown[],
): [ColumnChoices | null, readonly unknown[]] {
  if (!options.some(isColumnOption)) return [null, options];
  const defer = new Set<Column>();
  const undefer = new Set<Column>();
  const only = new Map<ColumnTable, Set<Column>>();
  const rest: unknown[] = [];
  for (const o of options) {
    if (!isColumnOption(o)) {
      rest.push(o);
      continue;
    }
    for (const c of o.columns) {
      if (o.load === "defer") {
        defer.add(c);
        undefer.delete(c);
      } else if (o.load === "undefer") {
        undefer.add(c);
        defer.delete(c);
      } else {
        let set = only.get(c.table!);
        if (set === undefined) only.set(c.table!, set = new Set());
        set.add(c);
      }
    }
  }
  return [{ defer, undefer, only }, rest];
}

/** Choices that load only `columns` of their table (with what every load reads). */
export function onlyChoices(table: ColumnTable, columns: readonly Column[]): ColumnChoices {
  return { defer: new Set(), undefer: new Set(), only: new Map([[table, new Set(columns)]]) };
}

/** Choices that load `columns` besides what a load reads by default. */
export function undeferChoices(columns: readonly Column[]): ColumnChoices {
  return { defer: new Set(), undefer: new Set(columns), only: new Map() };
}

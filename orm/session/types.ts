/**
 * The types of the session's API: its options, the statements it loads objects from, what
 * `execute` returns, and savepoints.
 *
 * @module
 */
import type { PlainRow, SqlSource } from "../../core/sql/nodes.ts";
import type { SessionEvent } from "./hooks.ts";
import type { LoaderCriteria } from "../loading/criteria.ts";

/**
 * Options of a session.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "@retort/orm";
 * const options: SessionOptions = { autoflush: false, expireOnCommit: false };
 * ```
 */
export interface SessionOptions {
  /** Flush pending changes before each query (default true). */
  autoflush?: boolean;
  /**
   * Mark loaded objects expired at commit, so the next query that returns their rows
   * refreshes them (default false: objects keep their values and stay readable).
   */
  expireOnCommit?: boolean;
  /**
   * Loader criteria (`loaderCriteria(Model, (t) => condition)`) the session adds to every
   * select of their classes; `session.addCriteria(...)` adds more.
   */
  criteria?: readonly LoaderCriteria[];
  /** Listeners of session events, as `session.on(event, fn)` adds them. */
  on?: { readonly [E in SessionEvent]?: (session: never) => void | Promise<void> };
}

/**
 * A statement whose rows are objects of a mapped class: `select(User)`, with the class in
 * `entity` and loader options in `loadOptions`.
 *
 * @example
 * ```ts
 * import type { EntityQuery } from "@retort/orm";
 * function entityOf<T>(q: EntityQuery<T>): unknown {
 *   return q.entity;
 * }
 * ```
 */
export interface EntityQuery<T> extends SqlSource<T> {
  /** The mapped class whose objects the rows are. */
  readonly entity?: unknown;
  /** Loader options (`selectin(...)`, `joined(...)`). */
  readonly loadOptions?: readonly unknown[];
  /** Whether rows overwrite objects already in the identity map. */
  readonly populateExistingRows?: boolean;
}

/**
 * The primary key's value of a mapped class, as `session.get` takes it: the key column's
 * type (`number`), a tuple in key order for a composite key from `constraint.primaryKey`
 * (`[number, number]`), or `unknown` for a class that does not say.
 *
 * @example
 * ```ts
 * import { column, type EntityKey, Model } from "@retort/orm";
 * class Pet extends Model("entity_key_doc_pets", { id: column.integer().primaryKey() }) {}
 * const key: EntityKey<typeof Pet> = 1;
 * ```
 */
export type EntityKey<M> = M extends { readonly "~key"?: infer K } ? K : unknown;

/**
 * What `session.execute` returns.
 *
 * @example
 * ```ts
 * import type { ExecuteResult } from "@retort/orm";
 * const r: ExecuteResult<{ n: number }> = { rows: [{ n: 1 }], rowsAffected: 1 };
 * ```
 */
export interface ExecuteResult<R> {
  /**
   * The rows the statement returned, plain rows (a `select(Model)` gives its columns; use
   * `session.all` for the objects).
   */
  readonly rows: PlainRow<R>[];
  /** Rows returned, or changed by a write. */
  readonly rowsAffected: number;
}

/**
 * A savepoint inside a session's transaction (`beginNested()`): commit it to keep its
 * changes, or roll it back (disposing does) to undo them in the database and in memory. A
 * flush that fails inside it rolls it back by itself.
 *
 * @example
 * ```ts
 * import type { SessionSavepoint } from "@retort/orm";
 * async function undo(sp: SessionSavepoint): Promise<void> {
 *   await sp.rollback();
 * }
 * ```
 */
export interface SessionSavepoint extends AsyncDisposable {
  /** Flushes, then releases the savepoint, keeping its changes in the transaction. */
  commit(): Promise<void>;
  /** Rolls back to the savepoint, in the database and in memory. */
  rollback(): Promise<void>;
  /** Whether it can still be committed or rolled back. */
  readonly isActive: boolean;
}

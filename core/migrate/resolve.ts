/**
 * Finds the migration side of an engine's dialect: given in the options, or from the
 * dialect's `migrations()` hook, which loads it on demand.
 *
 * @module
 */
import { type Engine, InvalidRequestError } from "../mod.ts";
import type { MigrationDialect } from "./contract.ts";

/**
 * What every migration function takes: the migration dialect, when the engine's dialect does
 * not provide one itself.
 *
 * @example
 * ```ts
 * import type { DialectOption } from "@retort/orm/migrate";
 * const options: DialectOption = {};
 * ```
 */
export interface DialectOption {
  /** The migration side of the engine's dialect; found from the engine when absent. */
  dialect?: MigrationDialect;
}

/** The dialect's optional hook. */
interface WithMigrations {
  migrations?: () => Promise<MigrationDialect>;
}

/** The migration dialect for an engine. */
export async function migrationDialect(
  engine: Engine,
  options: DialectOption,
): Promise<MigrationDialect> {
  if (options.dialect) return options.dialect;
  const hook = (engine.dialect as WithMigrations).migrations;
  if (typeof hook === "function") return await hook.call(engine.dialect);
  throw new InvalidRequestError(
    `The ${engine.dialect.name} dialect has no migration support loaded; call the functions ` +
      "of @retort/orm/migrate (which find it), or pass { dialect } explicitly.",
  );
}

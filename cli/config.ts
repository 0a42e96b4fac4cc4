/**
 * The CLI's configuration, `retort.config.ts`: where the database is (a URL, or the
 * environment variable that holds it), which module exports the models, and where the
 * migration files go.
 *
 * @module
 */
import { ArgumentError, createEngine, type Engine, Table, type TableLike } from "../mod.ts";

/**
 * What `retort.config.ts` exports by default.
 *
 * @example
 * ```ts
 * import type { RetortConfig } from "@retort/orm/cli";
 * const config: RetortConfig = {
 *   env: "DATABASE_URL",
 *   models: "./models.ts",
 *   migrations: "./migrations",
 * };
 * ```
 */
export interface RetortConfig {
  /** The database URL; read from the environment variable `env` when absent. */
  url?: string;
  /** The environment variable holding the URL; `DATABASE_URL` by default. */
  env?: string;
  /** The module that exports the models (model classes, tables, or lists of them). */
  models?: string;
  /** The folder of migration files; `./migrations` by default. */
  migrations?: string;
  /** The version table's name; `retort_migrations` by default. */
  versionTable?: string;
  /** Tables of the database the migrations leave alone. */
  exclude?: string[];
  /** Where generated files import the `Migration` type from; `@retort/orm/migrate`. */
  importFrom?: string;
}

/** The configuration, with paths resolved against the config file's folder. */
export interface LoadedConfig extends RetortConfig {
  /** The folder the config file is in (the working directory without one). */
  root: URL;
  /** The config file, when there is one. */
  file?: string;
}

const fileUrl = (path: string, base: URL): URL =>
  path.startsWith("/") ? new URL(`file://${path}`) : new URL(path, base);

/** Loads `retort.config.ts` (or the file given); no file is an empty configuration. */
export async function loadConfig(path: string | undefined): Promise<LoadedConfig> {
  const cwd = new URL(`file://${Deno.cwd()}/`);
  const url = fileUrl(path ?? "retort.config.ts", cwd);
  try {
    await Deno.stat(url);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    if (path !== undefined) {
      throw new ArgumentError(`No config file at ${url.pathname}; check --config.`);
    }
    return { root: cwd };
  }
  const mod = await import(url.href);
  const config = (mod.default ?? mod.config) as RetortConfig | undefined;
  if (config === null || typeof config !== "object") {
    throw new ArgumentError(
      `${url.pathname} must export its configuration: export default { url, models, ` +
        "migrations } satisfies RetortConfig.",
    );
  }
  return { ...config, root: new URL("./", url), file: url.pathname };
}

/** The database URL: `--url`, the config's `url`, or its environment variable. */
export function databaseUrl(config: LoadedConfig, flagUrl: string | undefined): string {
  const name = config.env ?? "DATABASE_URL";
  const url = flagUrl ?? config.url ?? Deno.env.get(name);
  if (!url) {
    throw new ArgumentError(
      `No database URL: pass --url, set url in retort.config.ts, or set ${name} ` +
        '(for example "sqlite:///app.db" or "postgres://user@localhost/app").',
    );
  }
  return url;
}

/** Opens the engine for the configured database. */
export function openEngine(config: LoadedConfig, flagUrl: string | undefined): Engine {
  return createEngine(databaseUrl(config, flagUrl));
}

/** The migrations folder. */
export function migrationsDir(config: LoadedConfig): URL {
  return fileUrl((config.migrations ?? "./migrations").replace(/\/?$/, "/"), config.root);
}

function collect(value: unknown, out: TableLike[]): void {
  if (value instanceof Table) out.push(value);
  else if (typeof value === "function" && (value as { table?: unknown }).table instanceof Table) {
    out.push(value as unknown as TableLike);
  } else if (Array.isArray(value)) { for (const v of value) collect(v, out); }
}

/** The models the config's module exports. */
export async function loadModels(config: LoadedConfig): Promise<TableLike[]> {
  if (!config.models) {
    throw new ArgumentError(
      "No models: set models in retort.config.ts to the module that exports them " +
        '(models: "./models.ts").',
    );
  }
  const url = fileUrl(config.models, config.root);
  const mod = await import(url.href);
  const out: TableLike[] = [];
  for (const value of Object.values(mod)) collect(value, out);
  const seen = new Set<Table>();
  const models = out.filter((m) => {
    const t = m instanceof Table ? m : m.table;
    if (seen.has(t)) return false;
    seen.add(t);
    return true;
  });
  if (models.length === 0) {
    throw new ArgumentError(
      `${url.pathname} exports no model class or table; export them (export class User ` +
        "extends Model(...)).",
    );
  }
  return models;
}

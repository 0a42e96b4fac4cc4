/**
 * The CLI's configuration, `retort.config.ts`: where the database is (a URL, or the
 * environment variable that holds it), which module exports the models, and where the
 * migration files go.
 *
 * @module
 */
import {
  ArgumentError,
  createEngine,
  type Engine,
  sqlitePathOf,
  Table,
  type TableLike,
} from "../mod.ts";
import { stat } from "node:fs/promises";
import { closest, UsageError } from "./args.ts";
import { cwd as workingDirectory, env, errorCode, typeScriptHint } from "./runtime.ts";

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
  /**
   * The database URL; read from the environment variable `env` when absent. A relative
   * SQLite file (`sqlite:///app.db`) is relative to the config file's folder.
   */
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

/** A file path (absolute, or relative to `base`) as a URL; `#`, `?` and `%` stay in the path. */
const fileUrl = (path: string, base: URL): URL =>
  new URL(
    path.split("/").map(encodeURIComponent).join("/"),
    path.startsWith("/") ? "file:///" : base,
  );

const FIELDS: Record<keyof RetortConfig, string> = {
  url: 'a string ("sqlite:///app.db", "postgres://user@localhost/app")',
  env: 'a string (the name of an environment variable, "DATABASE_URL")',
  models: 'a string (the module that exports the models, "./models.ts")',
  migrations: 'a string (the folder of migration files, "./migrations")',
  versionTable: 'a string (a table name, "retort_migrations")',
  exclude: 'a list of strings (table names, ["sessions"])',
  importFrom: 'a string (a module specifier, "@retort/orm/migrate")',
};

const describe = (v: unknown) =>
  Array.isArray(v)
    ? "a list"
    : v === null
    ? "null"
    : typeof v === "string"
    ? `the string ${JSON.stringify(v)}`
    : `the ${typeof v} ${typeof v === "object" ? "" : String(v)}`.trim();

/** Checks the fields of a configuration: none unknown, each of its type. */
function validate(config: Record<string, unknown>, file: string): RetortConfig {
  const names = Object.keys(FIELDS);
  for (const [name, v] of Object.entries(config)) {
    if (!(name in FIELDS)) {
      const guess = closest(name, names);
      throw new ArgumentError(
        `${file}: unknown field ${name}${guess ? ` (did you mean ${guess}?)` : ""}; the ` +
          `fields are ${names.join(", ")}.`,
      );
    }
    if (v === undefined) continue;
    const ok = name === "exclude"
      ? Array.isArray(v) && v.every((t) => typeof t === "string" && t !== "")
      : typeof v === "string" && v !== "";
    if (!ok) {
      throw new ArgumentError(
        `${file}: ${name} must be ${FIELDS[name as keyof RetortConfig]}; got ${describe(v)}.`,
      );
    }
  }
  return config as RetortConfig;
}

/** Imports a module the configuration names, with an error that says which and why. */
async function load(url: URL, what: string, where = ""): Promise<Record<string, unknown>> {
  try {
    return await import(url.href);
  } catch (error) {
    const path = decodeURIComponent(url.pathname);
    const why = (error as Error)?.message ?? String(error);
    throw new ArgumentError(`Cannot load ${what} ${path}${where}: ${why}${typeScriptHint(error)}`, {
      cause: error,
    });
  }
}

/** Loads `retort.config.ts` (or the file given); no file is an empty configuration. */
export async function loadConfig(path: string | undefined): Promise<LoadedConfig> {
  const cwd = fileUrl(`${workingDirectory().replace(/\/$/, "")}/`, new URL("file:///"));
  const url = fileUrl(path ?? "retort.config.ts", cwd);
  const file = decodeURIComponent(url.pathname);
  try {
    await stat(url);
  } catch (error) {
    if (errorCode(error) !== "ENOENT" && errorCode(error) !== "ENOTDIR") throw error;
    if (path !== undefined) throw new UsageError(`No config file at ${file}; check --config.`);
    return { root: cwd };
  }
  const mod = await load(url, "the configuration");
  const config = mod.default ?? mod.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ArgumentError(
      `${file} must export its configuration: export default { url, models, ` +
        "migrations } satisfies RetortConfig.",
    );
  }
  return { ...validate(config as Record<string, unknown>, file), root: new URL("./", url), file };
}

/** A relative SQLite file in the config's `url`, made absolute against the config's folder. */
function resolveSqlite(url: string, root: URL): string {
  const path = sqlitePathOf(url);
  if (path === null || path === ":memory:" || path.startsWith("/")) return url;
  const absolute = decodeURIComponent(fileUrl(path, root).pathname);
  return `sqlite:///${absolute.replaceAll("%", "%25")}`;
}

/**
 * The database URL: `--url`, the config's `url` (a relative SQLite file made relative to the
 * config's folder), or its environment variable (relative to the working directory, as given).
 */
export function databaseUrl(config: LoadedConfig, flagUrl: string | undefined): string {
  const name = config.env ?? "DATABASE_URL";
  const url = flagUrl ?? (config.url ? resolveSqlite(config.url, config.root) : undefined) ??
    env(name);
  if (!url) {
    throw new ArgumentError(
      `No database URL: pass --url, set url in retort.config.ts, or set ${name} ` +
        '(for example "sqlite:///app.db" or "postgres://user@localhost/app").',
    );
  }
  return url;
}

/** Opens the engine for the configured database; a bad `--url` is a usage error. */
export function openEngine(config: LoadedConfig, flagUrl: string | undefined): Engine {
  const url = databaseUrl(config, flagUrl);
  try {
    return createEngine(url);
  } catch (error) {
    if (flagUrl === undefined || !(error instanceof ArgumentError)) throw error;
    throw new UsageError(`--url: ${error.message}`, { cause: error });
  }
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
  const mod = await load(
    url,
    "the models module",
    ` (models in ${config.file ?? "retort.config.ts"})`,
  );
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
      `${
        decodeURIComponent(url.pathname)
      } exports no model class or table; export them (export class User ` +
        "extends Model(...)).",
    );
  }
  return models;
}

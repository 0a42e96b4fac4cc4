/**
 * A migration file's text: `up` and `down` written as `op.*` calls a person can review and
 * edit, with a comment above each change that may lose data.
 *
 * @module
 */
import type { Change } from "./diff_table.ts";
import type { Operation } from "./operations.ts";
import type { TableRef, TableSnapshot } from "./snapshot.ts";

const WIDTH = 100;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function compact(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(compact).join(", ")}]`;
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return "{}";
  return `{ ${
    entries.map(([k, x]) => `${IDENT.test(k) ? k : JSON.stringify(k)}: ${compact(x)}`).join(", ")
  } }`;
}

/**
 * A value as a TypeScript literal; `used` is how much of the line comes before it. Objects
 * and lists that would pass the width are broken over lines, their items at `indent + 2`.
 */
function literal(v: unknown, indent: number, used: number): string {
  const one = compact(v);
  if (used + one.length <= WIDTH || v === null || typeof v !== "object") return one;
  const pad = " ".repeat(indent + 2);
  const end = " ".repeat(indent);
  if (Array.isArray(v)) {
    return `[\n${v.map((x) => pad + literal(x, indent + 2, indent + 2) + ",\n").join("")}${end}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  return `{\n${
    entries.map(([k, x]) => {
      const key = IDENT.test(k) ? k : JSON.stringify(k);
      return `${pad}${key}: ${literal(x, indent + 2, indent + 2 + key.length + 2)},\n`;
    }).join("")
  }${end}}`;
}

/** A created table as `op.createTable` takes it: keys in reading order, no empty lists. */
function tableInput(t: TableSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { name: t.name };
  if (t.schema !== undefined) out.schema = t.schema;
  out.columns = t.columns;
  if (t.primaryKey) out.primaryKey = t.primaryKey;
  for (const k of ["uniques", "indexes", "foreignKeys", "checks"] as const) {
    if (t[k].length > 0) out[k] = t[k];
  }
  if (t.options?.length) out.options = t.options;
  return out;
}

const table = (t: TableRef): unknown => t.schema === undefined ? t.name : t;

/** The arguments of the `op.*` call that builds an operation. */
function args(op: Operation): unknown[] {
  switch (op.kind) {
    case "createTable":
      return [tableInput(op.table)];
    case "dropTable":
      return [table(op.table)];
    case "renameTable":
      return [table(op.table), op.to];
    case "addColumn":
      return [table(op.table), op.column];
    case "dropColumn":
      return [table(op.table), op.column];
    case "renameColumn":
      return [table(op.table), op.column, op.to];
    case "alterColumn":
      return [table(op.table), op.column, op.changes];
    case "setPrimaryKey":
      return [table(op.table), op.columns];
    case "createIndex":
      return [table(op.table), op.index];
    case "dropIndex":
      return [table(op.table), op.name];
    case "addUnique":
    case "dropUnique":
      return [table(op.table), op.unique];
    case "addForeignKey":
    case "dropForeignKey":
      return [table(op.table), op.foreignKey];
    case "addCheck":
    case "dropCheck":
      return [table(op.table), op.check];
    case "sql":
    case "run":
      throw new TypeError("SQL and data steps are written by hand");
  }
}

function call(op: Operation, indent: number): string {
  const head = `op.${op.kind}(`;
  const parts = args(op);
  const one = `${head}${parts.map(compact).join(", ")}),`;
  if (indent + one.length <= WIDTH) return one;
  const last = parts.length - 1;
  const lead = parts.slice(0, last).map(compact).join(", ");
  const start = `${head}${lead}${lead ? ", " : ""}`;
  return `${start}${literal(parts[last], indent, indent + start.length)}),`;
}

/** A comment, wrapped at the width. */
function comment(text: string, pad: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && pad.length + 3 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l) => `${pad}// ${l}\n`).join("");
}

function list(changes: readonly Change[], indent: number): string {
  if (changes.length === 0) return "[]";
  const pad = " ".repeat(indent + 2);
  const lines = changes.map((c) => {
    const note = c.destructive ? comment(`Destructive: ${c.destructive}.`, pad) : "";
    return `${note}${pad}${call(c.op, indent + 2)}\n`;
  });
  return `[\n${lines.join("")}${" ".repeat(indent)}]`;
}

const fn = (changes: readonly Change[]): string =>
  changes.length === 0 ? "() => []" : `({ op }) => ${list(changes, 2)}`;

/**
 * What a migration file holds.
 *
 * @example
 * ```ts
 * import type { MigrationText } from "@retort/orm/migrate";
 * const text: MigrationText = { id: "20261201T1530_init", parent: null, up: [], down: [] };
 * ```
 */
export interface MigrationText {
  /** The migration's id. */
  id: string;
  /** The id it follows. */
  parent: string | null;
  /** A line saying what it does. */
  description?: string;
  /** The changes that apply it. */
  up: readonly Change[];
  /** The changes that revert it. */
  down: readonly Change[];
  /** Where the `Migration` type is imported from; `"@retort/orm/migrate"` by default. */
  importFrom?: string;
}

/**
 * The text of a migration file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { migrationText, op } from "@retort/orm/migrate";
 * const text = migrationText({
 *   id: "20261201T1530_add_email",
 *   parent: "20261130T0900_init",
 *   up: [{ op: op.addColumn("users", { name: "email", type: "TEXT", nullable: true }) }],
 *   down: [{ op: op.dropColumn("users", "email") }],
 * });
 * assert.match(text, /op\.addColumn\("users", \{ name: "email", type: "TEXT", nullable: true \}\)/);
 * ```
 */
export function migrationText(m: MigrationText): string {
  const from = m.importFrom ?? "@retort/orm/migrate";
  const description = m.description ?? m.id.replace(/^\d{8}T\d{4,6}_/, "").replaceAll("_", " ");
  return `/**
 * ${description}
 *
 * Generated by \`retort generate\` from the models. Review it before applying it: add data
 * steps with op.run(async (tx) => { ... }) or op.sql\`...\` where rows need filling.
 */
import type { Migration } from ${JSON.stringify(from)};

export default {
  parent: ${JSON.stringify(m.parent)},
  description: ${JSON.stringify(description)},
  up: ${fn(m.up)},
  down: ${fn(m.down)},
} satisfies Migration;
`;
}

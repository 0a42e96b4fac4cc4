/**
 * Operations in words, for progress output, drift reports and reviews.
 *
 * @module
 */
import type { Operation } from "./operations.ts";
import type { ColumnSnapshot, ForeignKeySnapshot } from "./snapshot.ts";
import { tableKey } from "./snapshot.ts";
import { normalizeSql } from "./sql_text.ts";

const col = (c: ColumnSnapshot): string =>
  [
    c.type,
    c.nullable ? "NULL" : "NOT NULL",
    c.default !== undefined ? `DEFAULT ${c.default}` : "",
    c.generated ? `generated (${c.generated})` : "",
    c.computed !== undefined
      ? `AS (${normalizeSql(c.computed)})${c.virtual ? " VIRTUAL" : ""}`
      : "",
  ].filter(Boolean).join(" ");

const fk = (f: ForeignKeySnapshot): string =>
  `(${f.columns.join(", ")}) → ${tableKey(f.references)}(${f.references.columns.join(", ")})` +
  (f.onDelete ? ` ON DELETE ${f.onDelete.toUpperCase()}` : "") +
  (f.onUpdate ? ` ON UPDATE ${f.onUpdate.toUpperCase()}` : "");

/**
 * One line saying what an operation does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeOperation, op } from "@retort/orm/migrate";
 * assert.equal(
 *   describeOperation(op.addColumn("users", { name: "email", type: "TEXT", nullable: true })),
 *   "add column users.email TEXT NULL",
 * );
 * ```
 */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case "createTable":
      return `create table ${tableKey(op.table)} (${
        op.table.columns.map((c) => c.name).join(", ")
      })`;
    case "dropTable":
      return `drop table ${tableKey(op.table)}`;
    case "renameTable":
      return `rename table ${tableKey(op.table)} to ${op.to}`;
    case "addColumn":
      return `add column ${tableKey(op.table)}.${op.column.name} ${col(op.column)}`;
    case "dropColumn":
      return `drop column ${tableKey(op.table)}.${op.column}`;
    case "renameColumn":
      return `rename column ${tableKey(op.table)}.${op.column} to ${op.to}`;
    case "alterColumn": {
      const c = op.changes;
      const parts = [
        c.type !== undefined ? `type ${c.type}` : "",
        c.nullable !== undefined ? (c.nullable ? "NULL" : "NOT NULL") : "",
        c.default !== undefined ? (c.default === null ? "no default" : `DEFAULT ${c.default}`) : "",
        c.generated !== undefined ? `generated ${c.generated ?? "no longer"}` : "",
        c.computed === null
          ? "no longer computed"
          : c.computed !== undefined
          ? `AS (${normalizeSql(c.computed)})${c.virtual ? " VIRTUAL" : ""}`
          : "",
      ];
      return `alter column ${tableKey(op.table)}.${op.column}: ${parts.filter(Boolean).join(", ")}`;
    }
    case "setPrimaryKey":
      return op.columns.length
        ? `set primary key of ${tableKey(op.table)} to (${op.columns.join(", ")})`
        : `drop primary key of ${tableKey(op.table)}`;
    case "createIndex":
      return `create ${op.index.unique ? "unique " : ""}index ${op.index.name} on ` +
        `${tableKey(op.table)} (${op.index.columns.join(", ")})`;
    case "dropIndex":
      return `drop index ${op.name} on ${tableKey(op.table)}`;
    case "addUnique":
    case "dropUnique":
      return `${op.kind === "addUnique" ? "add" : "drop"} unique (${
        op.unique.columns.join(", ")
      }) on ${tableKey(op.table)}`;
    case "addForeignKey":
    case "dropForeignKey":
      return `${op.kind === "addForeignKey" ? "add" : "drop"} foreign key ` +
        `${tableKey(op.table)}${fk(op.foreignKey)}`;
    case "addCheck":
    case "dropCheck":
      return `${op.kind === "addCheck" ? "add" : "drop"} check ` +
        `${op.check.name ? op.check.name + " " : ""}(${op.check.expression}) on ${
          tableKey(op.table)
        }`;
    case "sql":
      return `run SQL: ${op.sql.strings.join("?").replace(/\s+/g, " ").trim().slice(0, 80)}`;
    case "run":
      return `run data step${op.description ? `: ${op.description}` : ""}`;
  }
}

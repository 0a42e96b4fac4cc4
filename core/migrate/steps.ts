/**
 * Runs a migration's operations on its transaction: schema operations through the dialect
 * (consecutive ones together, so SQLite can rebuild a table once for several changes),
 * hand-written SQL and data steps as they come. A failure names the step.
 *
 * @module
 */
import type { Transaction } from "../mod.ts";
import type { MigrationDialect, Progress } from "./contract.ts";
import { describeOperation } from "./describe.ts";
import { MigrationError } from "./errors.ts";
import { isSchemaOperation, type Operation, type SchemaOperation } from "./operations.ts";

/** Runs operations in order; throws a MigrationError naming the failed step. */
export async function runOperations(
  tx: Transaction,
  dialect: MigrationDialect,
  ops: readonly Operation[],
  id: string,
  progress?: Progress,
): Promise<void> {
  let i = 0;
  while (i < ops.length) {
    const op = ops[i];
    if (isSchemaOperation(op)) {
      const batch: SchemaOperation[] = [];
      const first = i;
      while (i < ops.length && isSchemaOperation(ops[i])) batch.push(ops[i++] as SchemaOperation);
      for (const b of batch) progress?.(`  ${describeOperation(b)}`);
      try {
        await dialect.apply(tx, batch, progress);
      } catch (error) {
        const what = batch.length === 1
          ? describeOperation(batch[0])
          : `${describeOperation(batch[0])}, and the ${batch.length - 1} steps after it`;
        throw new MigrationError(id, first + 1, what, error);
      }
      continue;
    }
    progress?.(`  ${describeOperation(op)}`);
    try {
      if (op.kind === "sql") await tx.run(op.sql);
      else await op.run(tx);
    } catch (error) {
      throw new MigrationError(id, i + 1, describeOperation(op), error);
    }
    i++;
  }
}

/**
 * The one way a statement is run: compile it (or each of its batches) for the dialect, send
 * it to a connection or pool, report it to `echo`, keep hidden parameters out of what it
 * raises, and decode the rows. The Engine, its connections and transactions, and through
 * them the ORM's sessions, all run statements here.
 *
 * @module
 */
import { NO_STATEMENT, statementStart } from "../util/sql_text.ts";
import type { Dialect } from "../dialect.ts";
import type { DriverConnection, QueryMode, QueryResult } from "../driver.ts";
import { ArgumentError, DatabaseError } from "../errors.ts";
import { compile } from "../sql/compile.ts";
import type { Row, SqlSource } from "../sql/nodes.ts";
import type { Executable } from "../statement.ts";
import { decodeRows } from "../types/decode.ts";
import { isPromise } from "../util/promise.ts";
import { scrubbed } from "../util/redact.ts";
import type { EchoFunction } from "./echo.ts";

/** What running a statement needs besides a target: a dialect, echo and secrecy. */
export interface Runner {
  readonly dialect: Dialect;
  readonly echo?: EchoFunction;
  readonly hideParameters: boolean;
}

/** Where a statement runs: a connection or a pool. */
export type Target = Pick<DriverConnection, "query" | "queryNow">;

/**
 * Whether SQL text holds no statement: only whitespace, comments and semicolons. Text that
 * starts with a letter or a parenthesis (nearly all) is answered at its first character.
 */
export function isBlank(text: string): boolean {
  const first = text.charCodeAt(0) | 0x20; // lower case, for letters
  if ((first >= 97 && first <= 122) || first === 0x28 /* ( */) return false;
  return statementStart(text) < 0;
}

/**
 * The error for SQL text that holds no statement, raised before it is sent, the same on every
 * database (SQLite would fail with "not an error", PostgreSQL would answer with nothing).
 */
export function blankText(): ArgumentError {
  return new ArgumentError(NO_STATEMENT);
}

/** Whether a statement goes out as several (so it needs a transaction to be atomic). */
export function isBatched(source: SqlSource<unknown>, dialect: Dialect): boolean {
  const parts = (source as Executable<unknown>).batches?.(dialect);
  return parts !== undefined && parts.length > 1;
}

/** Runs a statement: its batches in order, its rows decoded. */
export function execute(
  runner: Runner,
  target: Target,
  source: SqlSource<unknown>,
  mode: QueryMode,
): Promise<QueryResult> {
  const statement = source as Executable<Row>;
  if (
    statement.batches === undefined && statement.resultTypes == null &&
    statement.decodeRows === undefined
  ) {
    // The common case, small enough to inline: compile, send. A statement that cannot be
    // compiled rejects the promise, as every other failure does.
    let compiled;
    try {
      compiled = compile(source, runner.dialect);
    } catch (error) {
      return Promise.reject(error);
    }
    return send(runner, target, compiled.text, compiled.params, mode);
  }
  return run(runner, target, statement, mode, false) as Promise<QueryResult>;
}

/**
 * `execute`, returning the result itself where the driver answers at once (`queryNow`): the
 * statement then takes no promise of its own. Otherwise a promise, as `execute`. It may throw.
 */
export function executeNow(
  runner: Runner,
  target: Target,
  source: SqlSource<unknown>,
  mode: QueryMode,
): QueryResult | Promise<QueryResult> {
  return run(runner, target, source as Executable<Row>, mode, true);
}

/**
 * The one road of both: compile (each batch), send, decode. `now`: a statement of one part
 * goes to the driver's `queryNow` where it has one (and neither echo nor hidden parameters
 * need the logged send), so the result comes back as itself; otherwise always a promise.
 */
function run(
  runner: Runner,
  target: Target,
  statement: Executable<Row>,
  mode: QueryMode,
  now: boolean,
): QueryResult | Promise<QueryResult> {
  const parts = statement.batches?.(runner.dialect);
  let result: QueryResult | Promise<QueryResult>;
  if (parts !== undefined && parts.length !== 1) {
    result = executeBatches(runner, target, parts, mode);
  } else {
    const { text, params } = compile(parts?.[0] ?? statement, runner.dialect);
    if (
      now && target.queryNow !== undefined && runner.echo === undefined && !runner.hideParameters
    ) {
      if (isBlank(text)) throw blankText();
      result = target.queryNow(text, params, mode);
    } else result = send(runner, target, text, params, mode);
  }
  if (mode === "run") return result;
  if (statement.resultTypes == null && (mode !== "all" || statement.decodeRows === undefined)) {
    return result;
  }
  if (isPromise(result)) return result.then((r) => decoded(r, statement, mode, runner.dialect));
  return decoded(result, statement, mode, runner.dialect);
}

/** Decodes a result's rows with the statement's column types (or its own decoder). */
export function decoded(
  result: QueryResult,
  statement: Executable<Row>,
  mode: QueryMode,
  dialect: Dialect,
): QueryResult {
  if (result.rows.length === 0) return result;
  const types = statement.resultTypes;
  if (types != null) decodeRows(result.rows, types, dialect);
  else if (mode === "all") result.rows = statement.decodeRows!(result.rows, dialect) as Row[];
  return result;
}

async function executeBatches(
  runner: Runner,
  target: Target,
  parts: readonly SqlSource<unknown>[],
  mode: QueryMode,
): Promise<QueryResult> {
  const result: QueryResult = { rows: [], rowsAffected: 0 };
  for (const part of parts) {
    const { text, params } = compile(part, runner.dialect);
    const r = await send(runner, target, text, params, mode);
    for (const row of r.rows) result.rows.push(row);
    result.rowsAffected += r.rowsAffected;
    if (r.lastInsertId !== undefined) result.lastInsertId = r.lastInsertId;
    if (r.columns !== undefined) result.columns = r.columns;
  }
  return result;
}

/**
 * Sends compiled text to a connection or pool, reporting it when `echo` is on (`control`: a
 * statement such as BEGIN or SAVEPOINT, reported without a row count).
 */
export function send(
  runner: Runner,
  target: Target,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  control = false,
): Promise<QueryResult> {
  if (isBlank(text)) return Promise.reject(blankText());
  if (runner.echo === undefined && !runner.hideParameters) {
    return target.query(text, params, mode);
  }
  return sendLogged(runner, target, text, params, mode, control);
}

async function sendLogged(
  runner: Runner,
  target: Target,
  text: string,
  params: readonly unknown[],
  mode: QueryMode,
  control: boolean,
): Promise<QueryResult> {
  const echo = runner.echo;
  const start = performance.now();
  const shown = runner.hideParameters && params.length > 0 ? undefined : params;
  try {
    const result = await target.query(text, params, mode);
    echo?.({
      text,
      params: shown,
      ms: performance.now() - start,
      rows: control ? undefined : mode === "run" ? result.rowsAffected : result.rows.length,
    });
    return result;
  } catch (error) {
    const reported = reportable(runner, error, params);
    echo?.({ text, params: shown, ms: performance.now() - start, error: reported });
    throw reported;
  }
}

/** What a statement's failure raises: under hidden parameters, scrubbed of their values. */
export function reportable(runner: Runner, error: unknown, params: readonly unknown[]): unknown {
  // A driver given by the user may not know that this engine hides parameters.
  return runner.hideParameters && error instanceof DatabaseError ? scrubbed(error, params) : error;
}

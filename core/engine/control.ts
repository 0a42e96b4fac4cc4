/**
 * Transaction control written as SQL (`BEGIN`, `COMMIT`, `SAVEPOINT x`...). The Engine runs
 * a statement on whichever pooled connection is free, and a transaction object ends its own
 * transaction: control of either kind sent as SQL would leave a transaction open on a pooled
 * connection (later statements, whoever sends them, would run in it and be lost) or end one
 * behind its object's back. It is refused there; on a connection of one's own
 * (`engine.connect()`) it runs, and a transaction it may have left open is rolled back when the
 * connection is given back, as SQLAlchemy's pool resets a connection on return.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";
import { statementStart } from "../util/sql_text.ts";

/**
 * What a transaction-control statement does: begins a transaction (`begin`), ends it cleanly
 * (`end`: COMMIT, ROLLBACK, END, ABORT), or works inside one and may leave one open
 * (`inside`: SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT AND CHAIN).
 */
export type Control = "begin" | "end" | "inside";

/** The first letters of the control verbs, lower case. */
const FIRST: ReadonlySet<number> = new Set([..."bscera"].map((l) => l.charCodeAt(0)));

/** The text the statement starts with, and where: through fragments nested at its start. */
function start(f: Fragment): [string, number] | null {
  for (let k = 0; k < f.strings.length; k++) {
    const at = statementStart(f.strings[k], 0, undefined, true);
    if (at >= 0) return [f.strings[k], at];
    const v = f.values[k];
    if (k < f.values.length) {
      if (!(v instanceof Fragment)) return null; // a value or an identifier: no control verb
      const inner = start(v);
      if (inner !== null) return inner;
    }
  }
  return null;
}

const WORDS = /^([A-Za-z]+)(?:\s+([A-Za-z]+))?(?:\s+([A-Za-z]+))?/;

/**
 * The transaction control a statement written as SQL is, or null. Statements the builder
 * makes are never control; a fragment is read by its first words. `COMMIT PREPARED` and
 * `ROLLBACK PREPARED` (two-phase commit) are not control of the connection's transaction.
 */
export function controlOf(source: SqlSource<unknown>): Control | null {
  if (!(source instanceof Fragment)) return null;
  const head = source.strings[0];
  let c = head.charCodeAt(0) | 0x20;
  // The common case, a statement that starts with a letter of no control verb, costs a test.
  if (c >= 97 && c <= 122 && !FIRST.has(c)) return null;
  if (c === 115 /* s */ && (head.charCodeAt(1) | 0x20) === 101 /* e */) return null;
  const found = start(source);
  if (found === null) return null;
  const [text, at] = found;
  c = text.charCodeAt(at) | 0x20;
  if (!FIRST.has(c)) return null;
  if (c === 115 /* s */ && (text.charCodeAt(at + 1) | 0x20) === 101 /* e: SELECT, SET */) {
    return null;
  }
  const m = WORDS.exec(text.slice(at, at + 64));
  if (m === null) return null;
  const [w1, w2, w3] = [m[1], m[2], m[3]].map((w) => w?.toUpperCase());
  switch (w1) {
    case "BEGIN":
      return "begin";
    case "START":
      return w2 === "TRANSACTION" ? "begin" : null;
    case "SAVEPOINT":
    case "RELEASE":
      return "inside";
    case "COMMIT":
    case "END":
    case "ROLLBACK":
    case "ABORT": {
      const next = w2 === "TRANSACTION" || w2 === "WORK" ? w3 : w2;
      if (next === "PREPARED") return null;
      return next === "TO" || next === "AND" ? "inside" : "end";
    }
    default:
      return null;
  }
}

/** The error for transaction control sent where it cannot be honoured (see the module). */
export function controlRefused(
  control: Control,
  where: "engine" | "transaction" | "stream",
): ArgumentError {
  const what = control === "inside"
    ? "A SAVEPOINT, RELEASE or ROLLBACK TO"
    : "BEGIN, COMMIT or ROLLBACK";
  return new ArgumentError(
    where === "engine"
      ? `${what} written as SQL cannot go through the Engine, which runs each statement on ` +
        "any free pooled connection (the transaction would stay open on it). Use " +
        "engine.transaction(async (tx) => ...), or take a connection of your own with " +
        "engine.connect() and its begin()."
      : where === "transaction"
      ? `${what} written as SQL would end or change this transaction behind its back. Call ` +
        "tx.commit() or tx.rollback(), and tx.begin() for a savepoint."
      : `${what} written as SQL returns no rows to stream; run it with run() on a connection ` +
        "of your own (engine.connect()).",
  );
}

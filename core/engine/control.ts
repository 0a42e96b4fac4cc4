/**
 * Transaction control written as SQL (`BEGIN`, `COMMIT`, `SAVEPOINT x`...). The Engine runs
 * a statement on whichever pooled connection is free, and a transaction object ends its own
 * transaction: control of either kind sent as SQL would leave a transaction open on a pooled
 * connection (later statements, whoever sends them, would run in it and be lost) or end one
 * behind its object's back. It is refused there; on a connection of one's own
 * (`engine.connect()`) it runs, and a transaction it left open is rolled back when the
 * connection is given back, as SQLAlchemy's pool resets a connection on return.
 *
 * @module
 */
import { ArgumentError } from "../errors.ts";
import { Fragment, type SqlSource } from "../sql/nodes.ts";

/** What a transaction-control statement does: begins a transaction, ends it, or a savepoint. */
export type Control = "begin" | "end" | "savepoint";

const VERBS: Readonly<Record<string, Control>> = {
  BEGIN: "begin",
  START: "begin",
  COMMIT: "end",
  END: "end",
  ROLLBACK: "end",
  ABORT: "end",
  SAVEPOINT: "savepoint",
  RELEASE: "savepoint",
};

/** The first letters of the control verbs, lower case. */
const FIRST: ReadonlySet<number> = new Set([..."bscera"].map((l) => l.charCodeAt(0)));

/** The first word of SQL text, after whitespace and comments, upper case ("" when none). */
function firstWord(text: string): string {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 40 /* ( */) i++;
    else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf("\n", i + 2);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else break;
  }
  let j = i;
  while (j < text.length && ((text.charCodeAt(j) | 0x20) - 97) >>> 0 < 26) j++;
  return text.slice(i, j).toUpperCase();
}

/**
 * The transaction control a statement written as SQL is, or null. Statements the builder
 * makes are never control; a fragment is read by its first words.
 */
export function controlOf(source: SqlSource<unknown>): Control | null {
  if (!(source instanceof Fragment)) return null;
  const head = source.strings[0];
  // The common case, a statement that starts with a letter of no control verb, costs a test.
  const c = head.charCodeAt(0) | 0x20;
  if (c >= 97 && c <= 122 && !FIRST.has(c)) return null;
  if (c === 115 /* s */ && (head.charCodeAt(1) | 0x20) === 101 /* e: SELECT, SET */) return null;
  const word = firstWord(head);
  if (word === "" && head.trim() === "" && source.values[0] instanceof Fragment) {
    return controlOf(source.values[0]);
  }
  return VERBS[word] ?? null;
}

/** The error for transaction control sent where it cannot be honoured (see the module). */
export function controlRefused(control: Control, where: "engine" | "transaction"): ArgumentError {
  const what = control === "savepoint" ? "A SAVEPOINT or RELEASE" : "BEGIN, COMMIT or ROLLBACK";
  return new ArgumentError(
    where === "engine"
      ? `${what} written as SQL cannot go through the Engine, which runs each statement on ` +
        "any free pooled connection (the transaction would stay open on it). Use " +
        "engine.transaction(async (tx) => ...), or take a connection of your own with " +
        "engine.connect() and its begin()."
      : `${what} written as SQL would end or change this transaction behind its back. Call ` +
        "tx.commit() or tx.rollback(), and tx.begin() for a savepoint.",
  );
}

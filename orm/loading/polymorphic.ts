/**
 * Hydrating the rows of a hierarchy: each row's discriminator names its class, whose columns
 * are picked from the row (which holds every column of the table, or of the tables a joined
 * hierarchy's select lists); one row is one object in the root's identity map, whichever
 * class asked.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";
import { fireAll, listenersOf } from "../mapping/events.ts";
import { joinedOf, rowIndexesIn } from "../mapping/joined_tables.ts";
import type { Mapper } from "../mapping/mapper.ts";
import { loadedAgain } from "./existing.ts";
import { instance, type InstanceState } from "../mapping/state.ts";

/** What hydrating needs of a session (a part of `LoadContext`). */
interface Context {
  identityMap(mapper: Mapper): { get(key: unknown): object | undefined };
  attach(state: InstanceState, key: unknown): void;
  refresh(state: InstanceState, values: unknown[], populate?: boolean): void;
}

/** `hydrate` for a mapper of a polymorphic hierarchy. */
export function hydratePolymorphic(
  ctx: Context,
  mapper: Mapper,
  rows: readonly unknown[][],
  populateExisting: boolean,
  offset: number,
): object[] {
  const poly = mapper.poly!;
  const root = poly.root;
  const identity = ctx.identityMap(root);
  const at = offset + root.poly!.rowIndexes[poly.on];
  const joined = joinedOf(mapper) !== undefined;
  const out: object[] = new Array(rows.length);
  let loaded: InstanceState[] | null = null;
  let listening: Map<Mapper, boolean> | null = null;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const disc = row[at];
    const sub = poly.byIdentity.get(disc);
    if (sub === undefined) throw unknownIdentity(root, disc);
    const idx = joined ? rowIndexesIn(mapper, sub) : sub.poly!.rowIndexes;
    if (idx === null) throw notBelow(mapper, sub, disc);
    const values = new Array(idx.length);
    for (let i = 0; i < idx.length; i++) values[i] = row[offset + idx[i]];
    const key = root.identity(values);
    const existing = identity.get(key);
    if (existing !== undefined) {
      out[r] = loadedAgain(ctx, existing, values, populateExisting);
      continue;
    }
    const state = instance(sub, values);
    ctx.attach(state, key);
    out[r] = state.obj;
    let listens = (listening ??= new Map()).get(sub);
    if (listens === undefined) {
      listening.set(sub, listens = listenersOf(sub, "afterLoad").length > 0);
    }
    if (listens) (loaded ??= []).push(state);
  }
  if (loaded !== null) fireAll("afterLoad", loaded);
  return out;
}

function notBelow(mapper: Mapper, sub: Mapper, value: unknown): InvalidRequestError {
  const column = mapper.keys[mapper.poly!.on];
  return new InvalidRequestError(
    `A row of ${mapper.name} has ${column} = ${JSON.stringify(value)}, which is ${sub.name}'s ` +
      `polymorphic identity, not ${mapper.name}'s or a subclass's; fix the row.`,
  );
}

function unknownIdentity(root: Mapper, value: unknown): InvalidRequestError {
  const poly = root.poly!;
  const known = [...poly.byIdentity.keys()].map((k) => JSON.stringify(k)).join(", ");
  const column = root.keys[poly.on];
  return new InvalidRequestError(
    `A row of ${root.name} has ${column} = ${JSON.stringify(value)}, which is no class's ` +
      `polymorphic identity (known: ${known}); declare the class with ` +
      `${root.name}.subclass(${JSON.stringify(value)}, {...}), or fix the row.`,
  );
}

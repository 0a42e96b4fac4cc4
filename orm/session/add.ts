/**
 * Adding an object to a session: a new one becomes pending, a detached one persistent again
 * (its changes made while detached are written at the next flush), and the new objects its
 * loaded relationships reach come along by a save-update cascade.
 *
 * @module
 */
import { ArgumentError, InvalidRequestError } from "../../core/errors.ts";
import { describe } from "../../core/util/describe.ts";
import { type InstanceState, stateOf, type StateOwner } from "../mapping/state.ts";
import { relationEntries } from "../mapping/relations.ts";
import { relationshipsOf } from "../relationship/relationship.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { Registry } from "./registry.ts";

/** What adding asks of its session. */
export interface AddContext {
  readonly session: StateOwner;
  readonly registry: Registry;
  touch(state: InstanceState): void;
}

function name(state: InstanceState): string {
  const key = state.key === undefined ? "" : ` ${state.mapper.describeKey(state.values)}`;
  return `${state.mapper.name}${key}`;
}

/** The classes whose objects were seen to have no class field over a relationship. */
const fieldsChecked = new WeakSet<object>();

/**
 * Refuses an object whose class declares a relationship as a class field (which hides it). A
 * class field is on every object its constructor makes, so one object of each class tells.
 */
function checkFields(mapper: Mapper, obj: object): void {
  const cls = obj.constructor;
  if (fieldsChecked.has(cls)) return;
  for (const rel of relationshipsOf(mapper).keys()) {
    if (Object.hasOwn(obj, rel)) {
      throw new ArgumentError(
        `${mapper.name}.${rel} is declared as a class field, which hides the relationship; ` +
          `write \`declare ${rel}: ...\` instead of \`${rel}: ... = ...\` or \`${rel}!: ...\`.`,
      );
    }
  }
  fieldsChecked.add(cls);
}

/** A relationship's value (a list, an object or null) as a list. */
const listOf = (v: unknown): readonly unknown[] => Array.isArray(v) ? v : v ? [v] : [];

/** `session.add(obj)`: an instance of a mapped class, added (see `addState`). */
export function addObject(ctx: AddContext, obj: object): void {
  const state = stateOf(obj);
  if (!state) {
    throw new ArgumentError(
      `session.add() takes an instance of a mapped class; got ${describe(obj)}.`,
    );
  }
  addState(ctx, state, false);
}

/** Adds a state to the session; `cascaded` when a relationship brought it. */
export function addState(ctx: AddContext, state: InstanceState, cascaded: boolean): void {
  const r = ctx.registry;
  if (state.session !== null && state.session !== ctx.session) {
    throw new InvalidRequestError(
      `This ${state.mapper.name} belongs to another session; expunge it there first, or ` +
        "merge it into this one with session.merge().",
    );
  }
  const mapper = state.mapper;
  checkFields(mapper, state.obj);
  switch (state.status) {
    case "transient":
      // Its order tells the transaction it joined in the current frame.
      state.placeIn(ctx.session, "pending");
      state.order = ++r.order;
      r.pending.add(state);
      break;
    case "detached": {
      if (state.wasDeleted) {
        throw new InvalidRequestError(
          `${name(state)} was deleted; it cannot be added again. To insert its row anew, ` +
            `create a new ${mapper.name} with its values.`,
        );
      }
      const map = r.map(mapper);
      const existing = map.get(state.key);
      if (existing && existing !== state.obj) {
        throw new InvalidRequestError(
          `Another ${mapper.name} with the same key is already in this session; merge the ` +
            "changes into that object with session.merge(obj).",
        );
      }
      ctx.touch(state);
      state.status = "persistent";
      state.session = ctx.session;
      map.set(state.key, state.obj);
      if (state.loaded !== null || state.flagged) ctx.session.markDirty(state);
      break;
    }
    case "persistent":
      if (r.deleted.has(state)) {
        ctx.touch(state);
        r.deleted.delete(state);
        break;
      }
      return;
    case "deleted":
      if (cascaded) return;
      throw new InvalidRequestError(
        `${name(state)} was deleted in this transaction; it cannot be added again. Roll back ` +
          `to keep it, or create a new ${mapper.name}.`,
      );
    default:
      return;
  }
  // save-update cascade along what is loaded.
  if (state.relations === null) return;
  r.holders.add(state);
  const rels = relationshipsOf(mapper);
  for (const [relName, l] of relationEntries(state)) {
    if (!rels.get(relName)!.cascade.saveUpdate) continue;
    const items = listOf(l.value);
    for (const item of items) {
      // New objects join; detached ones come back (with what changed while they were away).
      const s = stateOf(item);
      if (s && (s.status === "transient" || (s.status === "detached" && !s.wasDeleted))) {
        addState(ctx, s, true);
      }
    }
    // So do the rows removed from it meanwhile, for the flush to let go of them (their
    // foreign key set to NULL, or their row deleted as an orphan), as SQLAlchemy's cascade
    // of an attribute's history does. A removed object never inserted stays out.
    for (const item of listOf(l.base)) {
      if (items.includes(item)) continue;
      const s = stateOf(item);
      if (s && s.status === "detached" && !s.wasDeleted) addState(ctx, s, true);
    }
  }
}

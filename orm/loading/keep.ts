/**
 * What a load may store in a relationship of an object the session holds. As in SQLAlchemy,
 * a load fills what is not loaded and leaves what is: a relationship already loaded keeps
 * its value (and any unflushed change to it) unless the query asks to populate existing
 * objects; `session.load` loads again what holds no unflushed change. An object whose own
 * side was changed to leave the owner (`child.parent = other`, `post.tags.remove(tag)`) is
 * not put back into the owner's collection a load reads from rows the flush has not updated
 * yet, nor is its side set back to the owner.
 *
 * @module
 */
import { type InstanceState, type Loaded, stateOf } from "../mapping/state.ts";
import { entryOf, isLoaded } from "../mapping/relations.ts";
import type { Relationship } from "../relationship/relationship.ts";
import { setLoaded } from "../relationship/sync.ts";

/**
 * How a load treats relationships already loaded: `populate` (populate existing) replaces
 * them, `reload` (`session.load`) replaces those holding no unflushed change, neither keeps
 * them.
 */
export interface Overwrite {
  /** The query populates existing objects: every relationship it loads is replaced. */
  readonly populate: boolean;
  /** The relationship named is loaded again where it holds no unflushed change. */
  readonly reload?: boolean;
}

/** Whether a relationship of a state holds an unflushed change (as `isModified` tells). */
export function relationChanged(rel: Relationship, state: InstanceState): boolean {
  const e = entryOf(state, rel.name);
  // Not loaded, or a reference stored as loaded (a settled entry): nothing changed.
  return e !== undefined && isLoaded(e) && changed(e);
}

function changed({ value, base }: Loaded): boolean {
  if (Array.isArray(value)) {
    const was = Array.isArray(base) ? base : [];
    if (was.length !== value.length) return true;
    const set = new Set(was);
    for (let i = 0; i < value.length; i++) if (!set.has(value[i])) return true;
    return false;
  }
  return value !== base && !(base === undefined && value === null);
}

/** Whether a load may store its value for a relationship of a held object. */
export function mayStore(rel: Relationship, state: InstanceState, how: Overwrite): boolean {
  if (how.populate || entryOf(state, rel.name) === undefined) return true;
  return how.reload === true && !relationChanged(rel, state);
}

/**
 * Whether an item's own side of the pair was changed, unflushed, to no longer hold `owner`:
 * the rows still say it belongs to the owner, the object says it does not.
 */
function leftOwner(back: Relationship, item: InstanceState, owner: object): boolean {
  // Read as stored: a settled reference (unchanged) is not made a `Loaded` here.
  const e = entryOf(item, back.name);
  if (e === undefined || !isLoaded(e) || !changed(e)) return false;
  return back.scalar ? e.value !== owner : !(e.value as unknown[]).includes(owner);
}

/**
 * The items a collection (or one-to-one) load stores for `owner`, from those its rows gave:
 * those whose side was changed to leave the owner are dropped (unless populating), and a
 * many-to-one other side not loaded yet (or every one, populating) is set to the owner.
 */
export function adopt(
  rel: Relationship,
  owner: InstanceState,
  items: readonly object[],
  how: Overwrite,
): object[] {
  const back = rel.back;
  if (back === null) return items as object[];
  let out: object[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = stateOf(items[i])!;
    if (!how.populate && leftOwner(back, item, owner.obj)) {
      out ??= items.slice(0, i);
      continue;
    }
    out?.push(items[i]);
    if (back.scalar && (how.populate || entryOf(item, back.name) === undefined)) {
      setLoaded(back, item, owner.obj);
    }
  }
  return out ?? (items as object[]);
}

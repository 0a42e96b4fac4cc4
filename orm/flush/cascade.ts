/**
 * Delete cascades: what deleting an object does to what refers to it. Children with a
 * `delete` cascade are deleted too; others lose their parent (their foreign key is nulled),
 * unless the database's ON DELETE does it, or a NOT NULL foreign key forbids it.
 *
 * @module
 */
import { inList } from "../../core/builder/comparison.ts";
import { deleteSql, updateSql } from "../../core/builder/write.ts";
import { IntegrityError } from "../../core/errors.ts";
import type { SqlSource } from "../../core/sql/nodes.ts";
import { TypedParam } from "../../core/types/param.ts";
import type { LoadContext } from "../loading/hydrate.ts";
import { loadRelationship } from "../loading/selectin.ts";
import { type InstanceState, stateOf } from "../mapping/state.ts";
import { type Relationship, relationshipsOf } from "../relationship/relationship.ts";
import type { Mapper } from "../mapping/mapper.ts";
import type { Plan, WorkSets } from "./plan.ts";
import { loadedOf, readAttribute } from "../relationship/sync.ts";

/** What cascading deletes asks of its session. */
export interface CascadeContext extends LoadContext {
  /** Removes a pending object from the session (a child deleted with its parent). */
  expunge(state: InstanceState): void;
  /** Every object of a mapper's identity map (its hierarchy's), with no I/O. */
  held(mapper: Mapper): readonly object[];
}

/** The objects the session holds whose row names `key` in a relationship's foreign key. */
function heldChildren(ctx: CascadeContext, rel: Relationship, key: unknown): InstanceState[] {
  const target = rel.targetMapper;
  const fkKey = target.columns[rel.fk].key;
  const part = target.keyParts[rel.fk];
  const wanted = part(key);
  const out: InstanceState[] = [];
  for (const obj of ctx.held(target)) {
    const cs = stateOf(obj)!;
    const at = cs.mapper.indexByKey.get(fkKey);
    if (at !== undefined && part(cs.stored[at]) === wanted) out.push(cs);
  }
  return out;
}

/**
 * Follows every deleted object's relationships: adds the children a cascade deletes to
 * `sets.deleted`, sets rules nulling the others, and returns the statements to run before
 * the deletes (association rows, children nulled in bulk).
 */
export async function cascadeDeletes(
  ctx: CascadeContext,
  sets: WorkSets,
  plan: Plan,
): Promise<SqlSource<unknown>[]> {
  const before: SqlSource<unknown>[] = [];
  const queue = [...sets.deleted];
  const done = new Set<InstanceState>();
  const remove = (s: InstanceState) => {
    if (s.status === "pending") {
      ctx.expunge(s);
      sets.pending.delete(s);
    } else if (s.status === "persistent" && !sets.deleted.has(s)) {
      sets.deleted.add(s);
      queue.push(s);
    }
  };
  while (queue.length > 0) {
    const d = queue.shift()!;
    if (done.has(d)) continue;
    done.add(d);
    for (const rel of relationshipsOf(d.mapper).values()) {
      const direction = rel.direction;
      if (direction === "manyToMany") {
        if (rel.options.passiveDeletes) continue;
        const sec = rel.secondary!;
        before.push(
          deleteSql(sec.table, [[sec.owner, new TypedParam(d.stored[rel.ref], sec.owner.type)]]),
        );
        continue;
      }
      if (direction === "manyToOne") {
        if (!rel.cascade.delete) continue;
        let parent: unknown;
        try {
          parent = readAttribute(rel, d.obj);
        } catch {
          continue;
        }
        const ps = stateOf(parent);
        if (ps) remove(ps);
        continue;
      }
      if (rel.options.passiveDeletes) continue;
      const target = rel.targetMapper;
      const fkCol = target.columns[rel.fk];
      const onDelete = fkCol.config.references?.options.onDelete;
      let l = loadedOf(rel, d);
      if (l === undefined && !rel.cascade.delete) {
        // The database's ON DELETE handles the children it was told to.
        const byDatabase = onDelete === "cascade" || onDelete === "set null" ||
          onDelete === "set default";
        if (byDatabase || fkCol.config.nullable) {
          const key = d.stored[rel.ref];
          // The children lose their parent in one statement.
          if (!byDatabase) {
            before.push(updateSql(target.table, [[fkCol, null]], inList(fkCol, [key] as never[])));
          }
          // Those this session holds follow, in memory, what happens to their rows.
          for (const cs of heldChildren(ctx, rel, key)) {
            if (cs.status !== "persistent" || sets.deleted.has(cs)) continue;
            if (onDelete === "cascade") remove(cs);
            else if (onDelete !== "set default") plan.rule(cs, rel.fk, null, rel.ref);
          }
          continue;
        }
      }
      if (l === undefined) {
        await loadRelationship(ctx, [d], rel, [], false);
        l = loadedOf(rel, d)!;
      }
      const children = new Set<object>([
        ...((rel.scalar ? (l.value ? [l.value] : []) : l.value) as object[]),
        ...((rel.scalar ? (l.base ? [l.base] : []) : (l.base ?? [])) as object[]),
      ]);
      for (const child of children) {
        const cs = stateOf(child)!;
        if (rel.cascade.delete) remove(cs);
        else if (cs.status === "persistent" && !sets.deleted.has(cs)) {
          if (!fkCol.config.nullable && onDelete !== "cascade") {
            throw new IntegrityError(
              `Deleting ${d.mapper.name} would leave ${target.name} rows (${rel.qualifiedName}) ` +
                `without a parent, and ${target.name}.${fkCol.key} is NOT NULL. Give ` +
                `${rel.qualifiedName} cascade: "all" (or "delete"), or delete those rows first.`,
            );
          }
          // A row the database's ON DELETE CASCADE removes is deleted here too, so that its
          // object is deleted with it.
          if (onDelete === "cascade") remove(cs);
          else plan.rule(cs, rel.fk, null, rel.ref);
        }
      }
    }
  }
  return before;
}

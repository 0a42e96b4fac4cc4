/**
 * The registry of contestants, in report order.
 *
 * The Retort ORM's slot: when `bench/contestants/retort_orm.ts` exists, it is loaded and runs
 * right after Retort Core. It exports `contestant: Contestant` (see `../contestant.ts`), as
 * every file here does; nothing else needs to change.
 *
 * @module
 */
import type { Contestant } from "../contestant.ts";
import { contestant as drizzle } from "./drizzle.ts";
import { contestant as kysely } from "./kysely.ts";
import { contestant as raw } from "./raw.ts";
import { contestant as retortCore } from "./retort_core.ts";

/** The file of the Retort ORM contestant, once the ORM exists. */
export const RETORT_ORM_FILE: URL = new URL("./retort_orm.ts", import.meta.url);

/** Loads the Retort ORM contestant, or returns null while its file does not exist. */
async function retortOrm(): Promise<Contestant | null> {
  try {
    await Deno.stat(RETORT_ORM_FILE);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  // A computed specifier, so that the missing file does not break type checking today.
  const module = await import(RETORT_ORM_FILE.href) as { contestant: Contestant };
  return module.contestant;
}

/** Every contestant, the raw drivers first (the baseline every ratio divides by). */
export async function contestants(): Promise<Contestant[]> {
  const orm = await retortOrm();
  return [raw, retortCore, ...(orm ? [orm] : []), drizzle, kysely];
}

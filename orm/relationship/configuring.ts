/**
 * Configuring on first use: every relationship declared is remembered (weakly), so that one
 * used before its owner's class is configured (`User.posts.any()` in a fresh process) has
 * the mapping layer configure the mapped classes the declarations lead to first, as
 * SQLAlchemy's `configure_mappers` does, and a clear error when none holds it.
 *
 * @module
 */
import { InvalidRequestError } from "../../core/errors.ts";

/** What configuring reads of a declared relationship. */
export interface Declared {
  /** The target class, given lazily. */
  readonly target: () => unknown;
  /** The options as declared (`secondary`: a table or an association class, lazily). */
  readonly options: { readonly secondary?: () => unknown };
  /** Whether the owner's class has been configured (the relationship attached to it). */
  readonly attached: boolean;
}

/** Every relationship declared, held weakly, oldest first. */
const declared: WeakRef<Declared>[] = [];
/** The mapping layer's: configures the classes a relationship used unattached needs. */
let configure: ((rel: Declared) => void) | null = null;

/** Remembers a relationship as it is declared. */
export function remember(rel: Declared): void {
  declared.push(new WeakRef(rel));
}

/**
 * Internal: sets how a relationship used before its owner's class is configured configures
 * the classes it needs (the mapping layer's, which the relationships may not import).
 *
 * @internal
 */
export function setConfigure(f: (rel: Declared) => void): void {
  configure = f;
}

/** Configures what `rel` needs, when it is used unattached (a no-op while none is set). */
export function configureFor(rel: Declared): void {
  configure?.(rel);
}

/**
 * Internal: the relationships declared so far (those still reachable), oldest first.
 *
 * @internal
 */
export function declaredRelationships(): Declared[] {
  const out: Declared[] = [];
  let kept = 0;
  for (const ref of declared) {
    const rel = ref.deref();
    if (rel === undefined) continue;
    declared[kept++] = ref;
    out.push(rel);
  }
  declared.length = kept;
  return out;
}

/** The error for a relationship used while no configured class holds it. */
export function unattached(rel: Declared): InvalidRequestError {
  let target = "its target";
  try {
    target = (rel.target() as { name?: string }).name || target;
  } catch {
    // The target's class is not defined yet: name it generically.
  }
  return new InvalidRequestError(
    `A relationship to ${target} is used, but no configured mapped class holds it: declare ` +
      `it as a static field of a class made with Model(...) (static items = relationship(() ` +
      `=> ${target}, {...})). A class is configured on its first use (select(Owner), ` +
      "new Owner(...)) or when another class's relationship refers to it; when none refers " +
      "to the owner, use the owner first.",
  );
}

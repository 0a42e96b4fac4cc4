/**
 * Configuring mapped classes: the mapper of a class (made on first use), the relationships
 * declared in its static fields (installed as accessors on its prototype), and the names a
 * column or relationship may not take.
 *
 * @module
 */
import { EarlyObjects } from "./early.ts";
import { ArgumentError } from "../../core/errors.ts";
import { type EntityClass, entityWhere } from "../../core/statement.ts";
import { describe } from "../../core/util/describe.ts";
import { Relationship } from "../relationship/relationship.ts";
import { type Declared, declaredRelationships, setConfigure } from "../relationship/configuring.ts";
import { Mapper } from "./mapper.ts";
import { resetBlank, stateOf } from "./state.ts";
import { readAttribute, writeAttribute } from "../relationship/sync.ts";
import { installProxies } from "../relationship/proxy.ts";

/** Where a mapped class keeps its mapper, once configured. */
const MAPPER: unique symbol = Symbol("retort.mapper");
const mappers = new WeakMap<object, Mapper>();
const bases = new WeakSet<object>();
/** What configures the root of a hierarchy, by its `Model(...)` base. */
const rootInits = new WeakMap<object, (mapper: Mapper) => void>();
/** The mappers of the classes `Parent.subclass(...)` returns. */
const subBases = new WeakMap<object, Mapper>();

/**
 * Names an attribute may not take: what every object has (`constructor`, `__proto__`,
 * `toString`...), what the Model base defines (`toJSON`), and `then`, which would make every
 * object a thenable that `await` swallows.
 */
const RESERVED: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "toJSON",
  "then",
]);
/** Names a relationship (a static field) may not take either: the class's own. */
const RESERVED_STATICS: ReadonlySet<string> = new Set([
  "name",
  "length",
  "prototype",
  "table",
  "c",
  "subclass",
]);

/** Refuses an attribute name that would shadow what objects or classes rely on. */
export function checkAttributeName(model: string, name: string, what: string): void {
  if (RESERVED.has(name)) {
    throw new ArgumentError(
      `${model}: the ${what} ${JSON.stringify(name)} would hide Object.prototype.${name} or ` +
        `Model's own member; name it otherwise (a column can keep its database name with ` +
        `.named(${JSON.stringify(name)})).`,
    );
  }
}

/** Internal: registers a class made by `Model(...)`. */
export function registerBase(base: object, init?: (mapper: Mapper) => void): void {
  bases.add(base);
  if (init !== undefined) rootInits.set(base, init);
  // select(X), from(X), join(X), update(X) and deleteFrom(X) read X[entityWhere]: X is noted
  // as in use, so that a relationship of X used before X is configured finds its class.
  if (!Object.hasOwn(base, entityWhere)) {
    Object.defineProperty(base, entityWhere, {
      configurable: true,
      get(this: object): undefined {
        if (this !== base && !Object.hasOwn(this, MAPPER) && !seen.has(this)) {
          seen.add(this);
          inUse.push(new WeakRef(this));
        }
        return undefined;
      },
    });
  }
}

/** The classes noted in use before they were configured (held weakly). */
const inUse: WeakRef<object>[] = [];
const seen = new WeakSet<object>();

/** Configures a class, leaving a bad declaration's error to its next use (which raises it). */
function configureQuietly(cls: unknown): boolean {
  try {
    mapperOf(cls);
    return true;
  } catch {
    return false;
  }
}

let configuring = false;

/**
 * Configures the classes noted in use, then the mapped classes the declared relationships
 * lead to (their targets, their association classes, and theirs in turn), until `rel` is
 * attached to its owner: what a relationship used before its class was configured asks
 * (SQLAlchemy's `configure_mappers`). A target not defined yet, or not a mapped class, is
 * passed over; a class whose declaration is bad raises at its own next use.
 */
function configureFor(rel: Declared): void {
  if (configuring) return;
  configuring = true;
  try {
    for (const ref of inUse.splice(0)) configureQuietly(ref.deref());
    for (let progress = true; progress && !rel.attached;) {
      progress = false;
      for (const r of declaredRelationships()) {
        for (const cls of [read(r.target), read(r.options.secondary)]) {
          if (typeof cls !== "function" || Object.hasOwn(cls, MAPPER)) continue;
          if (!isModelBase(cls) && !hasModelBase(cls)) continue;
          if (configureQuietly(cls)) progress = true;
        }
        if (rel.attached) return;
      }
    }
  } finally {
    configuring = false;
  }
}

/** What a declaration's thunk returns, or undefined when it throws (its class not defined yet). */
function read(thunk: (() => unknown) | undefined): unknown {
  try {
    return thunk?.();
  } catch {
    return undefined;
  }
}

setConfigure(configureFor);

/** Internal: registers a class made by `Parent.subclass(...)`, with its mapper. */
export function registerSubclassBase(sub: object, mapper: Mapper): void {
  subBases.set(sub, mapper);
  mappers.set(sub, mapper);
  mapper.early = new EarlyObjects();
  // `obj instanceof Sub` makes Sub known (as any use does), so that the objects loaded before
  // it are Subs by the time the answer is given.
  Object.defineProperty(sub, Symbol.hasInstance, {
    value(this: unknown, obj: unknown): boolean {
      if (this !== sub && typeof this === "function") {
        try {
          mapperOf(this);
        } catch {
          // Not a class that can be mapped (a plain subclass of Sub): only the answer counts.
        }
      }
      return Function.prototype[Symbol.hasInstance].call(this, obj);
    },
  });
  Object.defineProperty(sub, MAPPER, { value: mapper });
}

/**
 * The mapper of a class below a `Parent.subclass(...)` class: the first class to extend it
 * becomes its mapped class (its name, its relationships, the prototype of its loaded
 * objects).
 */
function inheritedMapper(target: object): Mapper | undefined {
  let below: object | null = null;
  for (let c = target; c && !bases.has(c); below = c, c = Object.getPrototypeOf(c)) {
    const m = subBases.get(c);
    if (m === undefined) continue;
    if (below === null || m.cls === below) return m;
    if (m.cls !== c) {
      throw new ArgumentError(
        `${(below as { name?: string }).name} and ${m.name} both extend ${
          (c as { name?: string }).name
        }; each ` +
          "subclass needs its own Parent.subclass(identity, ...).",
      );
    }
    const cls = below as EntityClass;
    (m as { cls: EntityClass }).cls = cls;
    m.early?.upgrade((c as { prototype: object }).prototype, cls.prototype);
    m.early = null;
    (m as { name: string }).name = cls.name || m.name;
    resetBlank(m);
    m.plainByKey = undefined;
    installRelationships(m);
    return m;
  }
  return undefined;
}

const isModelBase = (x: unknown): boolean => typeof x === "function" && bases.has(x);

function hasModelBase(cls: object): boolean {
  for (let c = Object.getPrototypeOf(cls); c; c = Object.getPrototypeOf(c)) {
    if (bases.has(c)) return true;
  }
  return false;
}

/** The class a mapper is for: the first subclass of the `Model(...)` base, or the base. */
function mappedClassOf(cls: object): EntityClass {
  if (!isModelBase(cls) && !hasModelBase(cls)) {
    throw new ArgumentError(
      `${(cls as { name?: string }).name || "This class"} is not a mapped class; ` +
        'declare it as class X extends Model("table", { ...columns }).',
    );
  }
  let current = cls;
  while (true) {
    const parent = Object.getPrototypeOf(current);
    if (isModelBase(current) || isModelBase(parent)) return current as EntityClass;
    current = parent;
  }
}

function installRelationships(mapper: Mapper): void {
  const cls = mapper.cls;
  for (const name of Object.getOwnPropertyNames(cls)) {
    const value = (cls as unknown as Record<string, unknown>)[name];
    if (!(value instanceof Relationship)) continue;
    checkAttributeName(mapper.name, name, "relationship");
    if (RESERVED_STATICS.has(name)) {
      throw new ArgumentError(
        `${mapper.name}: a relationship cannot be named ${JSON.stringify(name)}, which the ` +
          "class itself uses; name it otherwise.",
      );
    }
    if (mapper.indexByKey.has(name)) {
      throw new ArgumentError(
        `${mapper.name}.${name} is both a column and a relationship; rename one of them.`,
      );
    }
    value.attach(mapper, name, mapperOf);
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        return readAttribute(value, this);
      },
      set(this: object, v: unknown) {
        writeAttribute(value, this, v);
      },
    });
  }
}

/**
 * The mapper of a mapped class (or of an instance's class), configured on first use.
 * Subclasses of a mapped class share its mapper.
 */
export function mapperOf(target: unknown): Mapper {
  if (typeof target === "function") {
    const own = (target as { [MAPPER]?: Mapper })[MAPPER];
    if (own !== undefined && Object.hasOwn(target, MAPPER)) return own;
  }
  if (typeof target === "object" && target !== null) {
    const state = stateOf(target);
    if (state) return state.mapper;
    throw new ArgumentError(
      `${describe(target)} is not an instance of a mapped class; ` +
        "map it with class X extends Model(...).",
    );
  }
  if (typeof target !== "function") {
    throw new ArgumentError(`${String(target)} is not a mapped class.`);
  }
  let mapper = mappers.get(target);
  if (mapper) return mapper;
  const cls = mappedClassOf(target);
  mapper = inheritedMapper(target) ?? mappers.get(cls);
  if (mapper === undefined) {
    mapper = new Mapper(cls);
    rootInits.get(Object.getPrototypeOf(cls))?.(mapper);
    installRelationships(mapper); // throws on a bad declaration, every time
    installProxies(mapper);
    mappers.set(cls, mapper);
    Object.defineProperty(cls, MAPPER, { value: mapper });
  }
  if (mapper.poly !== null && target !== mapper.cls) {
    const name = (target as { name?: string }).name || "This class";
    throw new ArgumentError(
      `${name} extends ${mapper.name}, which is mapped for inheritance (polymorphic identity ` +
        `${JSON.stringify(mapper.poly.identity)}), so ${name} needs an identity of its own: ` +
        `class ${name} extends ${mapper.name}.subclass("<identity>", { ...columns }) {}.`,
    );
  }
  mappers.set(target, mapper);
  if (!Object.hasOwn(target, MAPPER)) Object.defineProperty(target, MAPPER, { value: mapper });
  return mapper;
}

/**
 * What the reliability suite shares: a seeded random source, the hostile corpus (strings,
 * bytes, names), the fate each value should meet on each dialect, a statement counter, and
 * PostgreSQL helpers (connections counted by application name, an admin engine).
 *
 * Counts are sized for CI; `RETORT_SOAK=1` (`deno task soak`) multiplies them. `RETORT_SEED`
 * replays a run: each test prints the seed it used.
 */
import {
  ArgumentError,
  createEngine,
  DataError,
  type Engine,
  type EngineOptions,
  sql,
} from "../../mod.ts";
import { type DbKind, dbTest, type DbTestOptions, PG_URL } from "../_db.ts";

/** Whether the long variants run (`deno task soak`). */
export const SOAK: boolean = Deno.env.get("RETORT_SOAK") === "1";

/** A count for CI, or for a soak run. */
export const scale = (ci: number, soak: number): number => (SOAK ? soak : ci);

/** A small, fast, seeded generator (sfc32). */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** The seed, to print and replay. */
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.seed;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#a + this.#b) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#d = (this.#d + 1) | 0;
    t = (t + this.#d) | 0;
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An element of a list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A generator for a test, seeded from `RETORT_SEED` or at random; the seed is printed. */
export function rngFor(test: string): Rng {
  const given = Deno.env.get("RETORT_SEED");
  const seed = given !== undefined ? Number(given) : crypto.getRandomValues(new Uint32Array(1))[0];
  console.log(`${test}: seed ${seed} (replay with RETORT_SEED=${seed})`);
  return new Rng(seed);
}

/**
 * The pieces hostile strings are made of: quoting and escaping, placeholders of every driver
 * style, comments, statement separators, LIKE wildcards, control characters, NUL, lone and
 * paired surrogates, byte-order marks, right-to-left overrides, and classic injections.
 */
export const ATOMS: readonly string[] = [
  "'",
  "''",
  '"',
  '""',
  "`",
  "\\",
  "\\\\",
  "\\'",
  "\\x27",
  "E'",
  "\0",
  "?",
  "??",
  "?1",
  "$1",
  "$2",
  "$65535",
  "$$",
  "$tag$",
  ":name",
  ":1",
  "@p",
  "@@version",
  "%s",
  "%",
  "_",
  "--",
  "-- ",
  "/*",
  "*/",
  "#",
  ";",
  "; DROP TABLE users; --",
  "' OR '1'='1",
  "') OR ('a'='a",
  '"; DROP TABLE x; --',
  "${x}",
  "{}",
  "[]",
  "[x]",
  ".",
  "a.b",
  "\n",
  "\r\n",
  "\t",
  "\x01",
  "\x1b[31m",
  "\x7f",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\ufffd",
  "\uffff",
  "é",
  "e\u0301",
  "ß",
  "İ",
  "日本語",
  "😀",
  "👩‍👩‍👧",
  "\u{10ffff}",
  "\ud800",
  "\udfff",
  "\udc00\ud800",
  "NULL",
  "null",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "undefined",
  "true",
  "0",
  "-0",
  "1e309",
  "NaN",
  " ",
  "",
];

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string has a lone UTF-16 surrogate. */
export const hasLoneSurrogate = (s: string): boolean => LONE.test(s);

function randomUnit(rng: Rng): string {
  const r = rng.next();
  if (r < 0.5) return String.fromCharCode(0x20 + rng.int(0x5f)); // printable ASCII
  if (r < 0.6) return String.fromCharCode(rng.int(0x20)); // control, NUL included
  if (r < 0.8) return String.fromCharCode(0x80 + rng.int(0xd800 - 0x80)); // BMP below surrogates
  if (r < 0.9) return String.fromCodePoint(0x10000 + rng.int(0x100000)); // astral, paired
  if (r < 0.95) return String.fromCharCode(0xe000 + rng.int(0x2000)); // BMP above surrogates
  return String.fromCharCode(0xd800 + rng.int(0x800)); // a lone surrogate
}

/** One hostile string: atoms and random code units, 0 to about 200 units long. */
export function hostileString(rng: Rng): string {
  const parts = rng.int(12);
  let s = "";
  for (let i = 0; i < parts; i++) s += rng.chance(0.6) ? rng.pick(ATOMS) : randomUnit(rng);
  if (rng.chance(0.1)) s = s.repeat(1 + rng.int(10));
  return s;
}

/**
 * `n` hostile strings: every atom alone, then generated ones. About one in eight has a lone
 * surrogate and one in eight a NUL, the two kinds no database stores as given.
 */
export function hostileStrings(n: number, rng: Rng): string[] {
  const out: string[] = [...ATOMS];
  while (out.length < n) out.push(hostileString(rng));
  return out.slice(0, n);
}

/** A string of at least `bytes` UTF-16 units, with atoms spread through it. */
export function megabyteString(rng: Rng, units = 1 << 20): string {
  const safe = ATOMS.filter((a) => !a.includes("\0") && !hasLoneSurrogate(a));
  const chunks: string[] = [];
  let length = 0;
  while (length < units) {
    const c = rng.chance(0.05) ? rng.pick(safe) : "abcdefghij'\"\\?$1:n--/*".repeat(4);
    chunks.push(c);
    length += c.length;
  }
  return chunks.join("");
}

/** `n` byte strings: empty, every byte value, quotes and NULs, random lengths up to 4 KiB. */
export function hostileBytes(n: number, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [
    new Uint8Array(0),
    Uint8Array.from({ length: 256 }, (_, i) => i),
    new Uint8Array([0]),
    new Uint8Array([0x27, 0x5c, 0x00, 0x22]),
    new TextEncoder().encode("'); DROP TABLE t; --"),
    new Uint8Array([0xff, 0xfe, 0xed, 0xa0, 0x80]), // not UTF-8
  ];
  while (out.length < n) {
    const b = new Uint8Array(rng.chance(0.9) ? rng.int(64) : rng.int(4096));
    for (let i = 0; i < b.length; i++) {
      b[i] = rng.chance(0.2) ? rng.pick([0, 0x27, 0x5c, 0x22, 0x3f]) : rng.int(256);
    }
    out.push(b);
  }
  return out.slice(0, n);
}

/** What should become of a string bound as a parameter: stored exactly, or which error. */
export type Fate = "ok" | typeof ArgumentError | typeof DataError;

/**
 * The fate of a string value on either dialect: a lone surrogate is refused before anything
 * is sent (no database stores it exactly); a NUL is refused as a DataError (PostgreSQL's text
 * cannot hold one, and SQLite reads text only up to it); anything else is stored exactly.
 */
export function fateOf(value: string): Fate {
  if (hasLoneSurrogate(value)) return ArgumentError;
  if (value.includes("\0")) return DataError;
  return "ok";
}

/** Byte-exact equality of two strings or byte arrays. */
export function sameBytes(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return false;
}

/** A short description of a value for assertion messages. */
export function show(v: unknown): string {
  if (typeof v === "string") {
    return v.length > 60
      ? `${JSON.stringify(v.slice(0, 60))}… (${v.length} units)`
      : JSON.stringify(v);
  }
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}

/**
 * Counts the statements an engine sends and checks each text as it goes (pass `echo`). The
 * check throws inside the engine's echo, which the test sees as the statement's error, so
 * texts are also kept for a final assertion.
 */
export class StatementLog {
  count = 0;
  readonly bad: string[] = [];
  #check: ((text: string) => boolean) | null = null;
  readonly echo = (e: { text: string }): void => {
    this.count++;
    if (this.#check !== null && !this.#check(e.text) && this.bad.length < 10) {
      this.bad.push(e.text.length > 300 ? e.text.slice(0, 300) + "…" : e.text);
    }
  };

  /** Starts checking every text with `ok` (null: stop checking). */
  expect(ok: ((text: string) => boolean) | null): void {
    this.#check = ok;
  }
}

/** A PostgreSQL URL whose connections carry an application name of their own. */
export function pgUrl(app: string, extra: Record<string, string> = {}): string {
  const url = new URL(PG_URL);
  url.searchParams.set("application_name", app);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url.href;
}

/** A unique application name for one test's connections. */
export const appName = (what: string): string =>
  `retort_rel_${what}_${crypto.randomUUID().slice(0, 8)}`;

/** How many server connections carry an application name. */
export async function pgConnections(admin: Engine, app: string): Promise<number> {
  return await admin.scalar<number>(
    sql`SELECT count(*)::int FROM pg_stat_activity
      WHERE application_name = ${app} AND datname = current_database()`,
  );
}

/** Opens an engine at a PostgreSQL URL, disposed by `engines.dispose()`. */
export class Engines {
  readonly #all: Engine[] = [];
  open(url: string, options?: EngineOptions): Engine {
    const e = createEngine(url, options);
    this.#all.push(e);
    return e;
  }
  async dispose(): Promise<void> {
    for (const e of this.#all.splice(0)) await e.dispose();
  }
}

/** Milliseconds since `start`, for the figures each test prints (never asserted). */
export const since = (start: number): string =>
  `${((performance.now() - start) / 1000).toFixed(1)} s`;

/** One database a reliability test runs on; on PostgreSQL, a schema of its own. */
export interface RelDb {
  readonly kind: DbKind;
  readonly dialect: "sqlite" | "postgres";
  /** The URL engines open (on PostgreSQL: the test's schema, and its application name). */
  readonly url: string;
  /** The application name of the test's PostgreSQL connections. */
  readonly app: string;
  /** Opens an engine; disposed after the test. In-memory SQLite: each is a new database. */
  open(options?: EngineOptions): Engine;
  /** An engine outside the test's schema and application name (PostgreSQL), for checks. */
  admin(): Engine;
}

/** Registers a test on each database, as `dbTest` does, with a schema per test on PostgreSQL. */
export function relTest(
  name: string,
  fn: (db: RelDb) => Promise<void>,
  options: DbTestOptions = {},
): void {
  dbTest(name, async (db) => {
    const app = appName(name.replace(/\W+/g, "_").slice(0, 20));
    if (db.kind !== "postgres") {
      return await fn({ ...db, app, open: (o) => db.engine(o), admin: () => db.engine() });
    }
    const schema = `retort_rel_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const admin = db.engine();
    await admin.run(sql`CREATE SCHEMA ${sql.id(schema)}`);
    const url = pgUrl(app, { search_path: schema });
    const engines = new Engines();
    try {
      await fn({ ...db, url, app, open: (o) => engines.open(url, o), admin: () => admin });
    } finally {
      await engines.dispose();
      await admin.run(sql`DROP SCHEMA ${sql.id(schema)} CASCADE`);
    }
  }, options);
}

const KEYWORDS = new Set(
  ("SELECT INSERT INTO VALUES UPDATE SET WHERE AND OR NOT IN IS NULL FROM ORDER BY ASC DESC " +
    "BEGIN COMMIT ROLLBACK RETURNING DELETE AS LIMIT OFFSET DEFAULT ANY ALL SAVEPOINT RELEASE TO COUNT " +
    "CAST INTEGER BIGINT TEXT BYTEA BLOB BOOLEAN REAL DOUBLE PRECISION NUMERIC JSON JSONB UUID DATE " +
    "TIMESTAMP TIMESTAMPTZ VALUE JSON_EACH")
    .split(" "),
);
const TOKEN = /"(?:[^"]|"")*"|\?|\$\d+|[A-Za-z_][A-Za-z0-9_]*|[(),.*=<>]|\s+/y;

/**
 * Whether a statement's text is made of template text only: keywords, punctuation,
 * placeholders, and the quoted identifiers given. A value written into the text (quoted,
 * escaped, or as a bare word outside the keywords) fails it.
 */
export function templateOnly(text: string, identifiers: ReadonlySet<string>): boolean {
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null || m.index !== at) return false;
    const t = m[0];
    if (t.startsWith('"')) {
      const name = t.slice(1, -1).replaceAll('""', '"');
      // Retort's own aliases (`__retort_v`, and its columns c1, c2..., or SQLite's column1, column2...) are template text too.
      if (!identifiers.has(name) && !/^(__retort_\w+|c\d+|column\d+)$/.test(name)) return false;
    } else if (/^[A-Za-z_]/.test(t) && !KEYWORDS.has(t.toUpperCase())) return false;
  }
  return true;
}

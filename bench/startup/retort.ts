// Startup of Retort: import mod.ts, open an in-memory engine, run one query.
import { createEngine, sql } from "../../mod.ts";

const engine = createEngine("sqlite::memory:");
const x = await engine.scalar<number>(sql`SELECT ${1} AS x`);
if (x !== 1) throw new Error(`SELECT 1 returned ${x}`);
await engine.dispose();
console.log(JSON.stringify({ ms: performance.now() }));

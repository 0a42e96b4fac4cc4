// Startup baseline: import node:sqlite, open an in-memory database, run one query.
import { DatabaseSync } from "node:sqlite";

const db = new DatabaseSync(":memory:");
const row = db.prepare("SELECT 1 AS x").get() as { x: number };
if (row.x !== 1) throw new Error(`SELECT 1 returned ${row.x}`);
db.close();
console.log(JSON.stringify({ ms: performance.now() }));

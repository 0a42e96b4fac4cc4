/**
 * An HTTP service in the edge style: one engine (one connection pool) per process, created at
 * module scope and shared by every request; one session per request, opened with
 * `await using`, so it is rolled back and its connection given back whatever happens.
 *
 * Run it with `deno run -A examples/edge.ts`. It listens on 127.0.0.1, on the port in `PORT`
 * (by default any free port, printed at start), against PostgreSQL at `DATABASE_URL` (by
 * default `postgres://postgres@127.0.0.1:5432/test`). Ctrl-C stops it cleanly.
 *
 * - `GET /hello/<name>` records a visit and says how many visits `<name>` has had;
 * - `GET /visits` lists the five latest visits;
 * - `GET /stats` shows the pool's size and the most connections ever in use at once.
 */
import { column, createEngine, desc, eq, Model, select, sql, typed } from "../mod.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const POOL_SIZE = 4;

// Module scope: created once per process and reused across requests. The pool opens at most
// POOL_SIZE connections; a request that finds them all busy waits for one.
export const engine = createEngine(DATABASE_URL, { poolSize: POOL_SIZE });

/** A recorded request. */
export class Visit extends Model("edge_visits", {
  id: column.integer().primaryKey(),
  name: column.text(),
  at: column.timestamptz().default(() => new Date()),
}) {}

let peakCheckedOut = 0;
const notePeak = () => (peakCheckedOut = Math.max(peakCheckedOut, engine.checkedOut));

/** Handles one request with its own session. */
export async function handler(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/stats") {
    return Response.json({ poolSize: engine.poolSize, peakCheckedOut });
  }

  await using session = engine.session();
  if (pathname === "/visits") {
    const latest = await session.all(select(Visit).orderBy(desc(Visit.c.id)).limit(5));
    notePeak();
    return Response.json(latest); // mapped objects serialise their columns
  }

  const hello = /^\/hello\/([^/]+)$/.exec(pathname);
  if (hello === null) return new Response("Not found\n", { status: 404 });
  const name = decodeURIComponent(hello[1]);
  const visit = new Visit({ name });
  session.add(visit);
  await session.flush(); // INSERT ... RETURNING "id", in this request's transaction
  const { rows } = await session.execute(
    select({ n: typed<number>(sql`count(*)`) }).from(Visit).where(eq(Visit.c.name, name)),
  );
  notePeak();
  await session.commit();
  return Response.json({ message: `Hello, ${name}!`, visit: visit.id, visits: rows[0].n });
}

if (import.meta.main) {
  await engine.createAll([Visit]); // CREATE TABLE IF NOT EXISTS
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 0),
    onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}/`),
  }, async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      console.error(error);
      return new Response("Internal error\n", { status: 500 });
    }
  });
  Deno.addSignalListener("SIGINT", async () => {
    await server.shutdown(); // finish the requests in flight
    await engine.dispose(); // then close the pool
    console.log(`Stopped; at most ${peakCheckedOut} of ${POOL_SIZE} connections were in use.`);
    Deno.exit(0);
  });
}

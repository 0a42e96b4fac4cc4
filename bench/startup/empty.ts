// Startup floor: a Deno process that does nothing.
console.log(JSON.stringify({ ms: performance.now() }));

/* global process, fetch, AbortSignal */
// Container HEALTHCHECK: GET /health/live on the service's own port. The ingress listens on PORT (default 8080),
// the processor on PORT (default 9090); without PORT both defaults are tried. Exit 0 = healthy, 1 = unhealthy.
const ports = process.env.PORT ? [process.env.PORT] : ['8080', '9090'];
const timeoutMs = 2_000;

for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) process.exit(0);
  } catch {
    // not listening on this port: try the next one
  }
}
process.exit(1);

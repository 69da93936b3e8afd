/**
 * Health and metrics listener of the processor (same routes as the ingress): GET /health/live, GET /health/ready,
 * GET /metrics. node:http keeps it tiny; it never touches the processing path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: {
  port: number;
  host: string;
  registry: Registry;
  live: () => boolean;
  /** Why the service is not ready (shown in the 503 body), or undefined when it is. */
  notReady: () => string | undefined;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health/live' || path === '/health/ready') {
      const reason = path === '/health/live' ? (options.live() ? undefined : 'stopped') : options.notReady();
      res
        .writeHead(reason === undefined ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(reason === undefined ? { status: 'ok' } : { status: 'unavailable', reason }));
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Minimal node:http plumbing shared by the simulators: listen on loopback, read bodies, answer JSON, and apply a
 * fault decision (latency, injected status, held request, connection reset). Plain node:http keeps the per-request
 * cost low enough for benchmarks that push thousands of calls per second through the simulators.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessageOf } from '../../common/errors.js';
import type { FaultController } from './faults.js';

export interface ListenOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** One request as a simulator received it (for tests that check what clients send, e.g. identity headers). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

/** The last `capacity` requests a server received, oldest first. Recording keeps a reference: no copying per request. */
export class RequestLog {
  private entries: RecordedRequest[] = [];

  constructor(private readonly capacity = 2_000) {}

  record(req: IncomingMessage): void {
    this.entries.push({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0]!, headers: req.headers });
    if (this.entries.length > this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
  }

  all(): readonly RecordedRequest[] {
    return this.entries.slice(-this.capacity);
  }

  clear(): void {
    this.entries = [];
  }
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** What the server received, newest last. */
  readonly requests: RequestLog;
  /** Pending timers (latency, held requests) are cleared, open connections destroyed. Idempotent. */
  close(): Promise<void>;
  /** Runs `fn` after `ms`, unless the server closes first. */
  later(ms: number, fn: () => void): void;
}

export async function listen(handler: RequestHandler, options: ListenOptions = {}): Promise<RunningServer> {
  const timers = new Set<NodeJS.Timeout>();
  const requests = new RequestLog();
  const server = createServer((req, res) => {
    requests.record(req);
    serveSafely(res, () => handler(req, res));
  });
  // Longer than client keep-alive defaults, so pooled connections are not closed under a client's feet.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${address}:${port}`,
    requests,
    later(ms, fn) {
      if (closing) return;
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Runs `serve`; a throw or rejection becomes a 500 (or a dropped connection once the answer has started). */
function serveSafely(res: ServerResponse, serve: () => Promise<void> | void): void {
  Promise.resolve()
    .then(serve)
    .catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: `simulator error: ${errorMessageOf(err)}` });
      else res.destroy();
    });
}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limitBytes = 1_048_576): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new BodyTooLargeError(`body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The parameters of an OAuth token request: the form-encoded body first, then the query string (Fluent documents
 * the query string; commercetools clients send a form).
 */
export async function readTokenParams(req: IncomingMessage): Promise<(name: string) => string | null> {
  const form = new URLSearchParams((await readBody(req, 65_536)).toString('utf8'));
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  return (name) => form.get(name) ?? query.get(name);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/**
 * Runs the fault policy of `endpoint` for one request: after any injected latency, the request is reset, held (never
 * answered), answered with an injected error status, or — when it passes — handed to `serve`.
 */
export function withFaults<E extends string>(
  srv: RunningServer,
  faults: FaultController<E>,
  endpoint: E,
  req: IncomingMessage,
  res: ServerResponse,
  errorBody: (status: number, reason: string) => unknown,
  serve: () => Promise<void> | void,
): void {
  const decision = faults.decide(endpoint);
  const act = () => {
    switch (decision.kind) {
      case 'pass':
        serveSafely(res, serve);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hold':
        // Never answer; destroy the socket after holdMs so the client sees a dead connection, not a response.
        srv.later(decision.holdMs, () => req.socket.destroy());
        return;
      case 'status': {
        // Drain the body so keep-alive connections stay usable after an injected error.
        req.resume();
        const headers: Record<string, string | number> = {};
        if (decision.retryAfterSeconds !== undefined) headers['retry-after'] = decision.retryAfterSeconds;
        sendJson(res, decision.status, errorBody(decision.status, decision.reason), headers);
        return;
      }
    }
  };
  if (decision.delayMs > 0) srv.later(decision.delayMs, act);
  else act();
}

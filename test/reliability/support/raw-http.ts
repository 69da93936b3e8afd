/** Raw-socket HTTP for requests no HTTP client will send (CRLF in header values, smuggling, slow clients). */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  /** Status code, or undefined when the server closed without answering. */
  readonly status: number | undefined;
  readonly headers: string;
  readonly body: string;
  /** Milliseconds until the server closed the connection (or the timeout). */
  readonly closedAfterMs: number;
  /** True when the server closed the connection before `timeoutMs`. */
  readonly closed: boolean;
}

/**
 * Writes `chunks` to a fresh connection (waiting `gapMs` between them), then waits until the server closes the
 * connection or `timeoutMs` passes, and returns what came back. Only the first response is parsed.
 */
export function rawRequest(
  url: string,
  chunks: (string | Buffer)[],
  options: { gapMs?: number; timeoutMs?: number; halfClose?: boolean } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise((resolve) => {
    const started = performance.now();
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        headers: head,
        body: rest.join('\r\n\r\n'),
        closedAfterMs: Math.round(performance.now() - started),
        closed,
      });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const writeChunks = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        // Stop writing once the server answered (e.g. 413 mid-body): writing on would only provoke a reset that
        // can discard the answer before it is read.
        if (socket.destroyed || received.length > 0) return;
        socket.write(chunk);
      }
      if (options.halfClose) socket.end();
    };
    socket.once('connect', () => void writeChunks());
  });
}

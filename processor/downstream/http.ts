/**
 * HTTP for the downstream client libraries (Fluent through graphql-request, commercetools through the platform SDK's
 * ts-client): `HttpTransport.fetch` is a fetch-like function both libraries accept as their HTTP client, running on
 * one pooled undici Agent per transport (keep-alive, a timeout on every call). Failures are mapped to the typed
 * errors of processor/errors.ts:
 *
 *   connection refused / DNS failure, HTTP 502/503/504  → DownstreamUnavailableError (retryable; an outage sign)
 *   timeout, connection reset, HTTP 408, 429, other 5xx → RetryableError
 *
 * Network failures and timeouts are thrown by `fetch`; statuses are the caller's to type (`statusError`), since
 * commercetools answers conflicts with 409 and a GraphQL body. Both have transient codes (RETRYABLE,
 * DOWNSTREAM_UNAVAILABLE; see errors.ts), which `withInPlaceRetries` uses to retry once or twice before giving up.
 *
 * Why `undici.request` under a fetch-like face instead of Node's global fetch: the hot path makes ~3 calls per record
 * at ≥ 1,000 records/s, and the libraries read only `status`, `ok`, `headers` and `text()` of a response; a WHATWG
 * Response with its body stream costs several times the CPU for nothing they use (test/bench/README.md,
 * "commercetools client (`ct-client.bench.ts`)").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { DownstreamUnavailableError, isConnectorError, RetryableError, type ConnectorError } from '../errors.js';
import { isTransient } from './errors.js';
import { newCorrelationId, USER_AGENT } from '../../common/identity.js';

export interface HttpTransportOptions {
  /** Service name in error messages and metrics, e.g. `fluent`. */
  readonly service: string;
  /** Per-call timeout for connecting, for the response headers and for body inactivity (undici timers, ±0.5 s). Default 10,000 ms. */
  readonly timeoutMs?: number;
  /** Keep-alive connections per origin. Default 128. */
  readonly connections?: number;
  /** Use this dispatcher instead of creating an Agent (tests); it is not closed by `close()`. */
  readonly dispatcher?: Dispatcher;
}

/** Request headers as the libraries pass them: a plain object (ts-client) or a WHATWG Headers (graphql-request). */
export type FetchHeaders =
  Record<string, string | undefined> | { forEach(fn: (value: string, name: string) => void): void };

/** What the libraries pass to `fetch` (both spread more options, ignored here). */
export interface FetchInit {
  readonly method?: string;
  readonly headers?: FetchHeaders;
  readonly body?: string | null;
  readonly signal?: AbortSignal | null;
}

/** The part of a WHATWG Response that ts-client and graphql-request read. */
export interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: ResponseHeaders;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type PooledFetch = (url: string | URL, init?: FetchInit) => Promise<FetchResponse>;

/** Response headers with the read side of WHATWG Headers (`get`, `has`, `forEach`). */
export class ResponseHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(fn: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) fn(value, name);
    }
  }
}

class PooledResponse implements FetchResponse {
  readonly ok: boolean;

  constructor(
    readonly status: number,
    readonly headers: ResponseHeaders,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  text(): Promise<string> {
    return Promise.resolve(this.body);
  }

  json(): Promise<unknown> {
    return Promise.resolve(JSON.parse(this.body) as unknown);
  }
}

export class HttpTransport {
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(options: HttpTransportOptions) {
    this.service = options.service;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections ?? 128,
        keepAliveTimeout: 30_000,
        connectTimeout: Math.min(this.timeoutMs, 10_000),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
  }

  /**
   * The fetch-like function handed to the libraries. Every request says who sends it: the connector's User-Agent
   * (replacing any a library sets) and the X-Correlation-ID the caller put in the headers, else a generated one.
   * Resolves with any HTTP status (body read in full); rejects with a typed error on network failure or timeout.
   */
  readonly fetch: PooledFetch = async (url, init = {}) => {
    const headers = identified(init.headers);
    const correlationId = headers['x-correlation-id']!;
    const operation = () => `${init.method ?? 'GET'} ${pathOf(url)}`;
    // The caller's signal (the runtime's shutdown signal, shared by every in-flight record) is checked, not
    // listened to: one listener per call would pile up hundreds of listeners on one signal at full concurrency.
    if (init.signal?.aborted) {
      throw new RetryableError(`${this.service} ${operation()}: aborted (shutting down)`, {
        details: { service: this.service, correlationId },
      });
    }
    try {
      // undici's own headers/body timers rather than an AbortSignal.timeout per call: no extra timer and abort
      // machinery on the hot path (connecting is bounded by the Agent's connectTimeout).
      const res = await request(url, {
        method: init.method ?? 'GET',
        headers,
        body: init.body ?? undefined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        dispatcher: this.dispatcher,
      });
      const text = await res.body.text();
      return new PooledResponse(res.statusCode, new ResponseHeaders(res.headers), text);
    } catch (error) {
      throw this.networkError(error, operation(), correlationId);
    }
  };

  /**
   * Maps a non-2xx status to a typed error (408/429/5xx); returns undefined for statuses the caller must interpret.
   * `correlationId` (the request's) goes into the error's details, so the log line names the call.
   */
  statusError(status: number, operation: string, text: string, correlationId?: string): ConnectorError | undefined {
    const details = { status, service: this.service, ...(correlationId ? { correlationId } : {}) };
    const snippet = text.slice(0, 200);
    if (status === 502 || status === 503 || status === 504) {
      return new DownstreamUnavailableError(this.service, `${this.service} ${operation}: HTTP ${status} ${snippet}`, {
        details,
      });
    }
    // 408: a proxy or load balancer gave up waiting for the request; sending it again is what it asks for.
    if (status === 408 || status === 429 || status >= 500) {
      return new RetryableError(`${this.service} ${operation}: HTTP ${status} ${snippet}`, { details });
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private networkError(error: unknown, operation: string, correlationId: string): Error {
    if (isConnectorError(error)) return error;
    const code = errorCode(error);
    const what = `${this.service} ${operation}`;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new RetryableError(`${what}: timed out after ${this.timeoutMs} ms`, {
        cause: error,
        details: { service: this.service, timeoutMs: this.timeoutMs, correlationId },
      });
    }
    const details = { service: this.service, code, correlationId };
    if (
      code === 'ECONNREFUSED' ||
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      code === 'EHOSTUNREACH' ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return new DownstreamUnavailableError(this.service, `${what}: cannot connect (${code})`, {
        cause: error,
        details,
      });
    }
    return new RetryableError(`${what}: network error (${code ?? 'unknown'})`, { cause: error, details });
  }
}

/** Lower-cased request headers with the connector's identity: its User-Agent, and a correlation id (kept if given). */
function identified(given: FetchHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (given) {
    if (typeof given.forEach === 'function') {
      (given as { forEach(fn: (value: string, name: string) => void): void }).forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
    } else {
      for (const [name, value] of Object.entries(given as Record<string, string | undefined>)) {
        if (value !== undefined) headers[name.toLowerCase()] = value;
      }
    }
  }
  headers['user-agent'] = USER_AGENT;
  headers['x-correlation-id'] ||= newCorrelationId();
  return headers;
}

/** The URL's path for messages (never the query string, which may carry ids). */
function pathOf(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.href;
  const start = text.indexOf('/', text.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = text.indexOf('?', start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 4 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
}

export interface InPlaceRetryOptions {
  /** Extra attempts after the first. Default 2. */
  readonly retries?: number;
  /** Delay before extra attempt n (1-based). Default 50 ms × 4^(n−1), ±25 % jitter (50, 200 ms). */
  readonly backoffMs?: (attempt: number) => number;
  readonly signal?: AbortSignal;
  /** Which failures to retry. Default `isTransient`. */
  readonly retryIf?: (error: unknown) => boolean;
  /** Called before each extra attempt (metrics, logs). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

export function defaultBackoffMs(attempt: number): number {
  const base = 50 * 4 ** (attempt - 1);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** Runs `fn`, retrying transient failures a bounded number of times with a short backoff. */
export async function withInPlaceRetries<T>(fn: () => Promise<T>, options: InPlaceRetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 2;
  const retryIf = options.retryIf ?? isTransient;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !retryIf(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt + 1);
      await sleep((options.backoffMs ?? defaultBackoffMs)(attempt + 1), undefined, { signal: options.signal }).catch(
        () => undefined,
      );
    }
  }
}

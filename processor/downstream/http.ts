/**
 * HTTP transport for the downstream APIs (Fluent, commercetools): one undici Agent with keep-alive connection
 * pooling per transport, a timeout on every call, and failures mapped to the typed errors of processor/errors.ts:
 *
 *   connection refused / DNS failure, HTTP 502/503/504  → DownstreamUnavailableError (retryable; an outage sign)
 *   timeout, connection reset, HTTP 408, 429, other 5xx → RetryableError
 *
 * Both have transient codes (RETRYABLE, DOWNSTREAM_UNAVAILABLE; see errors.ts), which `withInPlaceRetries` uses to
 * retry once or twice before giving up.
 * undici is used directly (not fetch/graphql-request) because the hot path does ~3 calls per message at ≥1,000
 * messages/s: `request()` on a pooled Agent avoids the WHATWG stream/Response overhead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { DownstreamUnavailableError, isConnectorError, RetryableError, type ConnectorError } from '../errors.js';
import { isTransient } from './errors.js';
import { identityHeaders, newCorrelationId } from './identity.js';

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

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The X-Correlation-ID the request was sent with. */
  readonly correlationId: string;
}

export interface HttpRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** What is being done, for error messages (e.g. `order query`). Never contains secrets. */
  readonly operation: string;
  /** Sent as X-Correlation-ID (with the connector's User-Agent). Default: a generated UUID. */
  readonly correlationId?: string;
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
   * Sends one request, with the connector's identity headers; resolves with any HTTP status, rejects with a typed
   * error on network failure or timeout.
   */
  async send(url: string, req: HttpRequest): Promise<HttpResponse> {
    const correlationId = req.correlationId ?? newCorrelationId();
    // The caller's signal (the runtime's shutdown signal, shared by every in-flight record) is checked, not
    // listened to: one listener per call would pile up hundreds of listeners on one signal at full concurrency.
    if (req.signal?.aborted) {
      throw new RetryableError(`${this.service} ${req.operation}: aborted (shutting down)`, {
        details: { service: this.service, correlationId },
      });
    }
    try {
      // undici's own headers/body timers rather than an AbortSignal.timeout per call: no extra timer and abort
      // machinery on the hot path (connecting is bounded by the Agent's connectTimeout).
      const res = await request(url, {
        method: req.method ?? 'POST',
        headers: { ...req.headers, ...identityHeaders(correlationId) },
        body: req.body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        dispatcher: this.dispatcher,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, correlationId };
    } catch (error) {
      throw this.networkError(error, req.operation, correlationId);
    }
  }

  /**
   * Maps a non-2xx status to a typed error (408/429/5xx); returns undefined for statuses the caller must interpret.
   * `correlationId` (the response's) goes into the error's details, so the log line names the call.
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
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isTransient(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt + 1);
      await sleep((options.backoffMs ?? defaultBackoffMs)(attempt + 1), undefined, { signal: options.signal }).catch(
        () => undefined,
      );
    }
  }
}

/**
 * GraphQL over the downstream HTTP transport, as both clients (Fluent, commercetools) call it.
 *
 * `postGraphql` is one authorised POST: bearer token from a TokenCache, refreshed once on 401; a second 401 means the
 * credentials are not accepted → AccessDeniedError (every call would fail; the runtime pauses instead of
 * dead-lettering the stream). Transient statuses become typed errors (see http.ts); other statuses and the body are
 * returned for the caller to interpret (commercetools answers conflicts with 409 + GraphQL errors).
 *
 * `GraphqlEndpoint.call` is what a client method uses: timing for the metrics, in-place retries of transient
 * failures, a request the server rejects as invalid typed as a ConfigurationError, and the first root field of
 * `data` read whatever its alias (replaced documents may alias it).
 */
import { ConfigurationError, NonRetryableError, RetryableError } from '../errors.js';
import { AccessDeniedError } from './errors.js';
import { withInPlaceRetries, type HttpTransport } from './http.js';
import { newCorrelationId } from './identity.js';
import type { TokenCache } from './token-cache.js';

export interface GraphqlError {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly currentVersion?: number; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

export interface GraphqlResponse<T> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: readonly GraphqlError[];
}

/** What a client method takes besides its arguments: the caller's abort signal and the call's correlation id. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Sent as X-Correlation-ID: the webhook's event id for a call made for one record. Default: a generated UUID. */
  readonly correlationId?: string;
}

export interface GraphqlCall extends CallOptions {
  readonly url: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** For messages and metrics, e.g. `updateOrder`. */
  readonly operation: string;
  /** Statuses besides 200 whose GraphQL body the caller wants (e.g. 409). */
  readonly acceptStatuses?: readonly number[];
}

export async function postGraphql<T>(
  transport: HttpTransport,
  tokens: TokenCache,
  call: GraphqlCall,
): Promise<GraphqlResponse<T>> {
  const body = JSON.stringify({ query: call.query, variables: call.variables });
  const correlationId = call.correlationId ?? newCorrelationId();
  for (let authAttempt = 1; ; authAttempt++) {
    const token = await tokens.get();
    const res = await transport.send(call.url, {
      operation: call.operation,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: call.signal,
      correlationId,
    });
    if (res.status === 401) {
      tokens.invalidate(token);
      if (authAttempt < 2) continue;
      throw new AccessDeniedError(
        transport.service,
        `${transport.service} ${call.operation}: HTTP 401 even with a freshly issued token (credentials or permissions revoked?)`,
        { details: { status: 401, correlationId } },
      );
    }
    const statusError = transport.statusError(res.status, call.operation, res.text, correlationId);
    if (statusError) throw statusError;
    if (res.status === 403) {
      // A missing scope hits every order of the project alike: an outage to fix, not a reason to drain the stream.
      throw new AccessDeniedError(
        transport.service,
        `${transport.service} ${call.operation}: HTTP 403 ${res.text.slice(0, 200)} (check the client's scopes)`,
        { details: { status: 403, correlationId } },
      );
    }
    const parsed = parseBody<T>(res.text);
    if (res.status === 200 || call.acceptStatuses?.includes(res.status)) {
      if (!parsed) {
        // A proxy's error page or a truncated answer: may pass, so retried in place like a 5xx.
        throw new RetryableError(`${transport.service} ${call.operation}: HTTP ${res.status} with a non-JSON body`, {
          details: { status: res.status, correlationId },
        });
      }
      return { status: res.status, data: parsed.data, errors: parsed.errors };
    }
    const messages = parsed?.errors?.map((e) => e.message).join('; ') || res.text.slice(0, 300);
    throw new NonRetryableError(`${transport.service} ${call.operation}: HTTP ${res.status}: ${messages}`, {
      details: { status: res.status, correlationId },
    });
  }
}

function parseBody<T>(text: string): { data?: T | null; errors?: GraphqlError[] } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessages(errors: readonly GraphqlError[] | undefined): string {
  return (errors ?? []).map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join('; ');
}

/**
 * A GraphQL *request* error (syntax, validation, variable coercion): the spec says such a response has no `data`
 * entry and its errors no `path`. The document or its variables are wrong for the server's schema, so retrying the
 * same request cannot help — typically a replaced document that does not fit.
 */
export function isRequestError(res: GraphqlResponse<unknown>): boolean {
  return (
    res.data === undefined &&
    (res.errors?.length ?? 0) > 0 &&
    (res.errors ?? []).every(
      (e) => e.path === undefined && !e.extensions?.code?.match(/^(ConcurrentModification|ResourceNotFound)$/),
    )
  );
}

/** A GraphQL answer as a client reads it. */
export interface GraphqlAnswer<T> {
  readonly status: number;
  /** The first root field of `data`, whatever its alias; null when there is none. */
  readonly field: T | null;
  /** The answer's GraphQL errors ([] when none). */
  readonly errors: readonly GraphqlError[];
}

export interface GraphqlEndpointOptions {
  readonly transport: HttpTransport;
  /** In-place retries of transient failures (429, 5xx, network, timeout). Default 2. */
  readonly retries?: number;
  /** Observes every call: its duration including in-place retries, and whether it failed. */
  readonly onCall?: (operation: string, seconds: number, outcome: 'ok' | 'error') => void;
  /** What to check when the server rejects a request as invalid, e.g. `check FLUENT_GRAPHQL_* document overrides`. */
  readonly rejectedHint: string;
}

export interface GraphqlRequest extends GraphqlCall {
  readonly tokens: TokenCache;
  /** How error messages name the call. Default `{service} {operation}`. */
  readonly subject?: string;
}

export class GraphqlEndpoint {
  constructor(private readonly options: GraphqlEndpointOptions) {}

  /**
   * Sends `request` (retrying transient failures in place) and hands the answer to `read`, which returns the
   * client's result or throws; the call counts as an error for `onCall` when either throws.
   */
  async call<T, R>(request: GraphqlRequest, read: (answer: GraphqlAnswer<T>) => R): Promise<R> {
    const { transport, retries, onCall } = this.options;
    const started = performance.now();
    // One id for the call, in-place retries included, so the server's logs group them.
    const call = request.correlationId ? request : { ...request, correlationId: newCorrelationId() };
    try {
      const res = await withInPlaceRetries(() => postGraphql<Record<string, T | null>>(transport, call.tokens, call), {
        retries,
        signal: call.signal,
      });
      if (isRequestError(res)) {
        const subject = request.subject ?? `${transport.service} ${request.operation}`;
        throw new ConfigurationError(
          `${subject}: the request was rejected (${this.options.rejectedHint}): ${errorMessages(res.errors)}`,
        );
      }
      const result = read({ status: res.status, field: firstField(res.data), errors: res.errors ?? [] });
      onCall?.(request.operation, (performance.now() - started) / 1000, 'ok');
      return result;
    } catch (error) {
      onCall?.(request.operation, (performance.now() - started) / 1000, 'error');
      throw error;
    }
  }
}

function firstField<T>(data: Record<string, T | null> | null | undefined): T | null {
  if (!data) return null;
  return Object.values(data)[0] ?? null;
}

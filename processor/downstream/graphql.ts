/**
 * What both GraphQL clients (Fluent through graphql-request, commercetools through the platform SDK) share once the
 * library has answered: the answer's shape, the call metric, a request the server rejects as invalid typed as a
 * ConfigurationError, and the first root field of `data` read whatever its alias (replaced documents may alias it).
 * Sending, authorising and in-place retries are each client's (its library's).
 */
import { ConfigurationError } from '../errors.js';

export interface GraphqlError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
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
  /** Observes every call: its duration including in-place retries, and whether it failed. */
  readonly onCall?: (operation: string, seconds: number, outcome: 'ok' | 'error') => void;
  /** What to check when the server rejects a request as invalid, e.g. `check FLUENT_GRAPHQL_* document overrides`. */
  readonly rejectedHint: string;
}

export interface GraphqlCallInfo {
  /** For metrics, e.g. `updateOrder`. */
  readonly operation: string;
  /** How error messages name the call, e.g. `commercetools updateOrder (project p)`. */
  readonly subject: string;
}

export class GraphqlEndpoint {
  constructor(private readonly options: GraphqlEndpointOptions) {}

  /**
   * Runs `send` (the library's request, retries included) and hands the answer to `read`, which returns the
   * client's result or throws; the call counts as an error for `onCall` when either throws.
   */
  async call<T, R>(
    info: GraphqlCallInfo,
    send: () => Promise<GraphqlResponse<Record<string, T | null>>>,
    read: (answer: GraphqlAnswer<T>) => R,
  ): Promise<R> {
    const started = performance.now();
    try {
      const res = await send();
      if (isRequestError(res)) {
        throw new ConfigurationError(
          `${info.subject}: the request was rejected (${this.options.rejectedHint}): ${errorMessages(res.errors)}`,
        );
      }
      const result = read({ status: res.status, field: firstField(res.data), errors: res.errors ?? [] });
      this.options.onCall?.(info.operation, (performance.now() - started) / 1000, 'ok');
      return result;
    } catch (error) {
      this.options.onCall?.(info.operation, (performance.now() - started) / 1000, 'error');
      throw error;
    }
  }
}

function firstField<T>(data: Record<string, T | null> | null | undefined): T | null {
  if (!data) return null;
  for (const key in data) return data[key] ?? null;
  return null;
}

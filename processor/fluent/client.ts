/**
 * Fluent GraphQL client: orders by id, ref or a list of refs, and settings by name (docs/architecture.md, "Fluent"), through
 * graphql-request's GraphQLClient on the transport's pooled fetch. The bearer token is added per request from the
 * TokenCache (single flight), dropped and fetched again once on 401; a second 401 means the credentials are not
 * accepted → AccessDeniedError (every call would fail; the runtime pauses instead of dead-lettering the stream).
 * Transient failures (network, timeout, 408/429/5xx, a garbled body) are retried in place (graphql-request has no
 * retries of its own); any GraphQL error in an answer is retryable. Timing, a rejected request and the first root
 * field are downstream/graphql.ts's.
 */
import { ClientError, GraphQLClient } from 'graphql-request';
import { isConnectorError, NonRetryableError, RetryableError } from '../errors.js';
import { AccessDeniedError } from '../downstream/errors.js';
import {
  errorMessages,
  GraphqlEndpoint,
  type CallOptions,
  type GraphqlError,
  type GraphqlResponse,
} from '../downstream/graphql.js';
import { withInPlaceRetries, type HttpTransport } from '../downstream/http.js';
import { newCorrelationId } from '../../common/identity.js';
import type { TokenCache } from '../downstream/token-cache.js';
import type { FluentDocuments } from './documents.js';

export interface FluentOrder {
  readonly id: string;
  readonly ref: string;
  readonly type?: string | null;
  readonly status: string;
  readonly retailer?: { readonly id: string } | null;
  readonly attributes?: ReadonlyArray<{
    readonly name: string;
    readonly type?: string;
    readonly value?: unknown;
  }> | null;
}

export interface FluentSetting {
  readonly name: string;
  readonly valueType?: string | null;
  readonly value?: unknown;
  readonly lobValue?: unknown;
  readonly context: string;
  readonly contextId: number;
}

/** Fluent's cap on `first`; pages followed for one batched read at most (a runaway cursor must not loop). */
const MAX_PAGE = 5_000;
const MAX_PAGES = 10;

export interface FluentClientOptions {
  readonly baseUrl: string;
  readonly transport: HttpTransport;
  readonly tokens: TokenCache;
  readonly documents: FluentDocuments;
  /** In-place retries of transient failures. Default 2. */
  readonly retries?: number;
  readonly onCall?: (operation: string, seconds: number, outcome: 'ok' | 'error') => void;
}

interface FluentRequest {
  readonly operation: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly signal?: AbortSignal;
  readonly correlationId: string;
}

export class FluentClient {
  private readonly graphql: GraphQLClient;
  private readonly endpoint: GraphqlEndpoint;

  constructor(private readonly options: FluentClientOptions) {
    this.graphql = new GraphQLClient(`${options.baseUrl}/graphql`, {
      fetch: options.transport.fetch as unknown as typeof fetch,
      // Errors next to data are the client's to read (not thrown); the documents were checked at start, so
      // graphql-request need not parse each one again per call to find its operation name.
      errorPolicy: 'all',
      excludeOperationName: true,
    });
    this.endpoint = new GraphqlEndpoint({
      onCall: options.onCall,
      rejectedHint: 'check FLUENT_GRAPHQL_* document overrides',
    });
  }

  orderById(id: string, call?: CallOptions): Promise<FluentOrder | null> {
    return this.query<FluentOrder>('orderById', this.options.documents.orderById.text, { id }, call);
  }

  orderByRef(ref: string, call?: CallOptions): Promise<FluentOrder | null> {
    return this.query<FluentOrder>('order(ref)', this.options.documents.orderByRef.text, { ref }, call);
  }

  /**
   * The orders with any of `refs` (every retailer's: refs are unique per retailer only), all pages. One request for
   * up to 5,000 orders (Fluent's cap on `first`); more pages only when refs repeat across retailers.
   */
  async ordersByRefs(refs: readonly string[], call: CallOptions = {}): Promise<FluentOrder[]> {
    type Connection = {
      edges?: Array<{ cursor?: string | null; node?: FluentOrder | null } | null> | null;
      pageInfo?: { hasNextPage?: boolean | null } | null;
    };
    const first = Math.min(MAX_PAGE, Math.max(refs.length * 2, 10));
    const orders: FluentOrder[] = [];
    let after: string | null = null;
    for (let page = 1; ; page++) {
      const variables: Record<string, unknown> = { refs, first, after };
      const connection = await this.query<Connection>(
        'orders(ref)',
        this.options.documents.ordersByRefs.text,
        variables,
        call,
      );
      const edges = connection?.edges ?? [];
      for (const edge of edges) if (edge?.node) orders.push(edge.node);
      const last = edges.at(-1)?.cursor;
      if (!connection?.pageInfo?.hasNextPage || !last || page >= MAX_PAGES) return orders;
      after = last;
    }
  }

  /** Settings with any of `names` in the given contexts (filter the result: the filters combine per field). */
  async settings(
    names: readonly string[],
    contexts: readonly string[],
    contextIds: readonly number[],
    signal?: AbortSignal,
  ): Promise<FluentSetting[]> {
    const connection = await this.query<{ edges?: Array<{ node?: FluentSetting | null } | null> | null }>(
      'settings',
      this.options.documents.settings.text,
      { names, contexts, contextIds },
      { signal },
    );
    return (connection?.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  }

  private query<T>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    call: CallOptions = {},
  ): Promise<T | null> {
    // One id for the call, in-place retries and the token refresh included, so the server's logs group them.
    const request = {
      operation,
      query,
      variables,
      signal: call.signal,
      correlationId: call.correlationId ?? newCorrelationId(),
    };
    const send = () =>
      withInPlaceRetries(() => this.post<T>(request), { retries: this.options.retries, signal: call.signal });
    return this.endpoint.call<T, T | null>({ operation, subject: `fluent ${operation}` }, send, ({ field, errors }) => {
      if (errors.length) {
        throw new RetryableError(`fluent ${operation}: ${errorMessages(errors)}`, { details: { service: 'fluent' } });
      }
      return field;
    });
  }

  /** One authorised POST: the token refreshed once on 401; failures typed. */
  private async post<T>(request: FluentRequest): Promise<GraphqlResponse<Record<string, T | null>>> {
    const { tokens } = this.options;
    for (let authAttempt = 1; ; authAttempt++) {
      const token = await tokens.get();
      try {
        const res = await this.graphql.rawRequest<Record<string, T | null>>({
          query: request.query,
          variables: request.variables,
          signal: request.signal,
          requestHeaders: { authorization: `Bearer ${token}`, 'x-correlation-id': request.correlationId },
        });
        return { status: res.status, data: res.data, errors: res.errors as GraphqlError[] | undefined };
      } catch (error) {
        if (error instanceof ClientError && error.response.status === 401) {
          tokens.invalidate(token);
          if (authAttempt < 2) continue;
        }
        throw this.failure(error, request);
      }
    }
  }

  private failure(error: unknown, { operation, correlationId }: FluentRequest): Error {
    if (isConnectorError(error)) return error;
    const what = `fluent ${operation}`;
    if (!(error instanceof ClientError)) {
      // A 2xx answer graphql-request cannot read (a proxy's error page, a truncated body): may pass, retried in place.
      return new RetryableError(`${what}: the answer is not a GraphQL response`, {
        details: { correlationId },
      });
    }
    const { status } = error.response;
    const body = typeof error.response.body === 'string' ? error.response.body : '';
    if (status === 401) {
      return new AccessDeniedError(
        'fluent',
        `${what}: HTTP 401 even with a freshly issued token (credentials or permissions revoked?)`,
        { details: { status, correlationId } },
      );
    }
    const statusError = this.options.transport.statusError(status, operation, body, correlationId);
    if (statusError) return statusError;
    if (status === 403) {
      // A missing permission hits every order alike: an outage to fix, not a reason to drain the stream.
      return new AccessDeniedError('fluent', `${what}: HTTP 403 ${body.slice(0, 200)} (check the client's roles)`, {
        details: { status, correlationId },
      });
    }
    const messages = errorMessages(error.response.errors as GraphqlError[] | undefined) || body.slice(0, 300);
    return new NonRetryableError(`${what}: HTTP ${status}: ${messages}`, { details: { status, correlationId } });
  }
}

/**
 * Fluent GraphQL client: orders by id or ref and settings by name (docs/architecture.md, "Fluent"). Timing, in-place
 * retries, a rejected request and the first root field are downstream/graphql.ts's; any other GraphQL error in an
 * answer is retryable.
 */
import { RetryableError } from '../errors.js';
import { errorMessages, GraphqlEndpoint, type CallOptions } from '../downstream/graphql.js';
import type { HttpTransport } from '../downstream/http.js';
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

export interface FluentClientOptions {
  readonly baseUrl: string;
  readonly transport: HttpTransport;
  readonly tokens: TokenCache;
  readonly documents: FluentDocuments;
  /** In-place retries of transient failures. Default 2. */
  readonly retries?: number;
  readonly onCall?: (operation: string, seconds: number, outcome: 'ok' | 'error') => void;
}

export class FluentClient {
  private readonly url: string;
  private readonly endpoint: GraphqlEndpoint;

  constructor(private readonly options: FluentClientOptions) {
    this.url = `${options.baseUrl}/graphql`;
    this.endpoint = new GraphqlEndpoint({
      transport: options.transport,
      retries: options.retries,
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
    const request = { url: this.url, tokens: this.options.tokens, query, variables, operation, ...call };
    return this.endpoint.call<T, T | null>(request, ({ field, errors }) => {
      if (errors.length) {
        throw new RetryableError(`fluent ${operation}: ${errorMessages(errors)}`, { details: { service: 'fluent' } });
      }
      return field;
    });
  }
}

/**
 * Fluent GraphQL client: orders by id or ref and settings by name (DESIGN.md §3). Each call has a timeout, transient
 * failures are retried in place once or twice, and failures are typed (see downstream/http.ts). The first root field
 * of `data` is read whatever its alias, so replaced documents may alias it.
 */
import { ConfigurationError, RetryableError } from '../errors.js';
import { errorMessages, isRequestError, postGraphql } from '../downstream/graphql.js';
import { withInPlaceRetries, type HttpTransport } from '../downstream/http.js';
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

  constructor(private readonly options: FluentClientOptions) {
    this.url = `${options.baseUrl}/graphql`;
  }

  orderById(id: string, signal?: AbortSignal): Promise<FluentOrder | null> {
    return this.query<FluentOrder>('orderById', this.options.documents.orderById.text, { id }, signal);
  }

  orderByRef(ref: string, signal?: AbortSignal): Promise<FluentOrder | null> {
    return this.query<FluentOrder>('order(ref)', this.options.documents.orderByRef.text, { ref }, signal);
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
      signal,
    );
    return (connection?.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  }

  private async query<T>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<T | null> {
    const started = performance.now();
    try {
      const result = await withInPlaceRetries(
        async () => {
          const res = await postGraphql<Record<string, T | null>>(this.options.transport, this.options.tokens, {
            url: this.url,
            query,
            variables,
            operation,
            signal,
          });
          if (res.errors?.length && isRequestError(res)) {
            throw new ConfigurationError(
              `fluent ${operation}: the request was rejected (check FLUENT_GRAPHQL_* document overrides): ${errorMessages(res.errors)}`,
            );
          }
          if (res.errors?.length) {
            throw new RetryableError(`fluent ${operation}: ${errorMessages(res.errors)}`, {
              details: { service: 'fluent' },
            });
          }
          const data = res.data ?? {};
          const first = Object.values(data)[0];
          return first ?? null;
        },
        { retries: this.options.retries, signal },
      );
      this.options.onCall?.(operation, (performance.now() - started) / 1000, 'ok');
      return result;
    } catch (error) {
      this.options.onCall?.(operation, (performance.now() - started) / 1000, 'error');
      throw error;
    }
  }
}

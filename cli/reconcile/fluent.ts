/**
 * The CLI's own small Fluent client: the password-grant token and the `orders` search, page by page
 * (docs/architecture.md, "Fluent"). The CLI never imports processor/, whose client serves the handler's queries.
 *
 * Plain `fetch` (Node's built-in undici), no GraphQL library: two fixed POSTs whose answers are read in one place;
 * a library would add a dependency to the CLI and nothing it needs (no schema, no fragments, no batching).
 *
 * Failures are connector errors the CLI exits on (docs/architecture.md, "Error model"): rejected credentials
 * `DOWNSTREAM_ACCESS_DENIED`; Fluent unreachable or answering 502–504 after the retries `DOWNSTREAM_UNAVAILABLE`;
 * other transient failures (timeouts, 429, 5xx) `RETRYABLE` once retried; GraphQL errors `NON_RETRYABLE`. Messages
 * name the URL and the status, never a credential or a token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError, type ErrorCode } from '../../common/index.js';
import type { FluentAccount } from '../../common/fluent-account.js';
import { newCorrelationId, USER_AGENT } from '../../common/identity.js';

/** The Fluent account reconcile signs in with (FLUENT_*, read as the processor reads them). */
export type FluentSettings = FluentAccount;

/** What reconcile needs of an order. */
export interface ListedOrder {
  readonly id: string;
  readonly ref: string;
  readonly type: string | null;
  readonly status: string | null;
  readonly updatedOn: string;
  readonly retailerId: string | null;
}

export interface OrdersPage {
  readonly orders: readonly ListedOrder[];
  /** The last edge's cursor: where the next page starts (Fluent's pageInfo has no end cursor). */
  readonly lastCursor: string | undefined;
  readonly hasNextPage: boolean;
}

export interface OrdersSearch {
  /** Inclusive bounds, ISO 8601. */
  readonly updatedOn: { readonly from: string; readonly to: string };
  /** ORDER_TYPES; empty = every type. */
  readonly types: readonly string[];
}

export interface FluentOrders {
  page(
    search: OrdersSearch,
    options: { first: number; after?: string | undefined; signal?: AbortSignal },
  ): Promise<OrdersPage>;
}

export const ORDERS_QUERY = /* GraphQL */ `
  query ReconcileOrders($updatedOn: DateRange, $type: [String], $first: Int, $after: String) {
    orders(updatedOn: $updatedOn, type: $type, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          ref
          type
          status
          updatedOn
          retailer {
            id
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`;

/** Attempts of one call on a transient failure; the waits between them double from this. */
const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 500;

interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * `correlationId` goes out as X-Correlation-ID on every call of the run (one sweep serves many orders, so one id
 * names all its Fluent calls in Fluent's and a proxy's logs).
 */
export function createFluentOrders(
  settings: FluentSettings,
  options: { correlationId?: string; now?: () => number; backoffMs?: number } = {},
): FluentOrders {
  const client = new FluentOrdersClient(settings, options);
  return {
    async page(search, { first, after, signal }) {
      const variables: Record<string, unknown> = { updatedOn: search.updatedOn, first };
      if (search.types.length > 0) variables.type = [...search.types];
      if (after !== undefined) variables.after = after;
      return toPage(await client.graphql(variables, signal));
    },
  };
}

/** The orders query with its token (renewed before expiry and once on a 401) and retries of transient failures. */
class FluentOrdersClient {
  private readonly now: () => number;
  private readonly backoffMs: number;
  private readonly headers: Record<string, string>;
  private token: Token | undefined;

  constructor(
    private readonly settings: FluentSettings,
    options: { correlationId?: string; now?: () => number; backoffMs?: number },
  ) {
    this.now = options.now ?? Date.now;
    this.backoffMs = options.backoffMs ?? FIRST_BACKOFF_MS;
    this.headers = { 'user-agent': USER_AGENT, 'x-correlation-id': options.correlationId ?? newCorrelationId() };
  }

  async graphql(variables: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.settings.baseUrl}/graphql`;
    const body = JSON.stringify({ query: ORDERS_QUERY, variables });
    for (let renewed = false; ; renewed = true) {
      const bearer = await this.currentToken(signal);
      const response = await this.call(
        'Fluent orders query',
        url,
        {
          method: 'POST',
          headers: { ...this.headers, 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body,
        },
        signal,
      );
      // A 401 with a token this run still trusts: it expired or was revoked; one new token, then it is the credentials.
      if (response.status === 401 && !renewed) {
        await response.body?.cancel();
        this.token = undefined;
        continue;
      }
      if (!response.ok) throw await queryRefused(response, url);
      return response.json();
    }
  }

  private async currentToken(signal?: AbortSignal): Promise<string> {
    if (!this.token || this.now() >= this.token.expiresAt) this.token = await this.fetchToken(signal);
    return this.token.value;
  }

  private async fetchToken(signal?: AbortSignal): Promise<Token> {
    const { settings } = this;
    const url = `${settings.baseUrl}/oauth/token`;
    const form = new URLSearchParams({
      username: settings.username,
      password: settings.password,
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      grant_type: 'password',
      scope: 'api',
    });
    const response = await this.call(
      'Fluent token request',
      url,
      { method: 'POST', headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form },
      signal,
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new ConnectorError(
        'DOWNSTREAM_ACCESS_DENIED',
        `Fluent refused the token request (${url}: HTTP ${response.status}); check FLUENT_CLIENT_ID, ` +
          'FLUENT_CLIENT_SECRET, FLUENT_USERNAME and FLUENT_PASSWORD',
      );
    }
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new ConnectorError('NON_RETRYABLE', `Fluent's token answer (${url}) holds no access_token`);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    // Renewed 60 s before expiry (at most half its lifetime), as the processor does.
    return { value: body.access_token, expiresAt: this.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 2) };
  }

  /** One request, sent again after a transient failure (ATTEMPTS in all, doubling back-off). */
  private async call(what: string, url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = () => AbortSignal.timeout(this.settings.timeoutMs);
    for (let attempt = 1; ; attempt++) {
      let failure: ConnectorError;
      try {
        const response = await fetch(url, {
          ...init,
          signal: signal ? AbortSignal.any([signal, timeout()]) : timeout(),
        });
        if (!isTransient(response.status)) return response;
        await response.body?.cancel();
        failure = statusError(what, url, response.status);
      } catch (error) {
        if (signal?.aborted) throw error;
        failure = transportError(what, url, error);
      }
      if (attempt >= ATTEMPTS) throw failure;
      await sleep(this.backoffMs * 2 ** (attempt - 1), undefined, { signal });
    }
  }
}

/** A non-2xx answer to the orders query (after the one token renewal): rejected access, or a refused request. */
async function queryRefused(response: Response, url: string): Promise<ConnectorError> {
  await response.body?.cancel();
  if (response.status === 401 || response.status === 403) {
    return new ConnectorError(
      'DOWNSTREAM_ACCESS_DENIED',
      `Fluent refused the orders query (${url}: HTTP ${response.status}); the API user needs read access to orders`,
    );
  }
  return new ConnectorError('NON_RETRYABLE', `Fluent answered the orders query with HTTP ${response.status} (${url})`);
}

interface OrdersAnswer {
  data?: {
    orders?: {
      edges?: ({ cursor?: string | null; node?: RawOrder | null } | null)[] | null;
      pageInfo?: { hasNextPage?: boolean | null } | null;
    } | null;
  } | null;
  errors?: { message?: string }[];
}

interface RawOrder {
  id?: string | number | null;
  ref?: string | null;
  type?: string | null;
  status?: string | null;
  updatedOn?: string | null;
  retailer?: { id?: string | number | null } | null;
}

/** Reads one answer; an answer with GraphQL errors is refused whole (a partial page would skip orders silently). */
export function toPage(answer: unknown): OrdersPage {
  const { data, errors } = (answer ?? {}) as OrdersAnswer;
  if (errors?.length) {
    throw new ConnectorError(
      'NON_RETRYABLE',
      `Fluent refused the orders query: ${errors.map((e) => e.message ?? 'unknown error').join('; ')}`,
    );
  }
  const connection = data?.orders;
  if (!connection) throw new ConnectorError('NON_RETRYABLE', 'Fluent answered the orders query without data');
  const edges = (connection.edges ?? []).filter((edge) => edge?.node);
  const orders = edges.map((edge) => listedOrder(edge?.node as RawOrder));
  return {
    orders,
    lastCursor: edges.at(-1)?.cursor ?? undefined,
    hasNextPage: connection.pageInfo?.hasNextPage === true,
  };
}

function listedOrder(node: RawOrder): ListedOrder {
  if (node.id == null || !node.ref || !node.updatedOn) {
    throw new ConnectorError('NON_RETRYABLE', 'Fluent listed an order without id, ref or updatedOn');
  }
  return {
    id: String(node.id),
    ref: node.ref,
    type: node.type ?? null,
    status: node.status ?? null,
    updatedOn: node.updatedOn,
    retailerId: node.retailer?.id == null ? null : String(node.retailer.id),
  };
}

function isTransient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function statusError(what: string, url: string, status: number): ConnectorError {
  const code: ErrorCode = status >= 502 && status <= 504 ? 'DOWNSTREAM_UNAVAILABLE' : 'RETRYABLE';
  return new ConnectorError(code, `${what} failed after ${ATTEMPTS} attempts (${url}: HTTP ${status})`);
}

function transportError(what: string, url: string, cause: unknown): ConnectorError {
  const reason =
    cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(reason);
  return new ConnectorError(
    refused ? 'DOWNSTREAM_UNAVAILABLE' : 'RETRYABLE',
    `${what} failed after ${ATTEMPTS} attempts (${url}: ${reason}); check FLUENT_BASE_URL`,
    { cause },
  );
}

/**
 * commercetools GraphQL client: read an order (by orderNumber or id) and send the `updateOrder` mutation for a target
 * (credentials.ts: project, optional store, credentials) through `{apiUrl}/{projectKey}/graphql`
 * (docs/architecture.md, "commercetools"). A target with a store key is read through `inStore(key:)` and written
 * with `updateOrder(storeKey:)` (the in-store documents): the only way a store-scoped API client reaches orders.
 *
 * Requests go through @commercetools/platform-sdk (`apiRoot.graphql().post()`) on a ts-client built lazily per
 * project and API client (`clientFor`, project-client.ts): client-credentials flow, HTTP middleware with its retry of 408/429/5xx
 * answers, both on the transport's pooled fetch. On top of the library, this client keeps what it does not do:
 * failures typed for the runtime (outage, retriable, configuration; downstream/http.ts), an in-place retry of a
 * network failure or timeout (the SDK retries statuses only), the replaceable documents checked at start, and
 * conflicts reported as a result (`conflict`) for the caller's re-read loop (orders.ts), not as errors.
 */
import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { ConfigurationError, isConnectorError, NonRetryableError, RetryableError } from '../errors.js';
import { AccessDeniedError, isTransient } from '../downstream/errors.js';
import {
  errorMessages,
  GraphqlEndpoint,
  type CallOptions,
  type GraphqlError,
  type GraphqlResponse,
} from '../downstream/graphql.js';
import { withInPlaceRetries, type HttpTransport } from '../downstream/http.js';
import { newCorrelationId } from '../../common/identity.js';
import { describeTarget, sdkClientKeyOf, type CtTarget } from './credentials.js';
import type { CommercetoolsDocumentName, CommercetoolsDocuments } from './documents.js';
import { inPredicate } from './predicate.js';
import { createProjectClient } from './project-client.js';

export interface CtOrder {
  readonly id: string;
  readonly version: number;
  readonly orderNumber?: string | null;
  readonly orderState: string;
  readonly paymentState?: string | null;
  readonly shipmentState?: string | null;
}

export type OrderLocator = { readonly by: 'orderNumber' | 'id'; readonly value: string };

/** The order a write addresses, at the version it was read. */
export interface OrderTarget {
  readonly id: string;
  /** Needed when the updateOrder document addresses orders by `$orderNumber`. */
  readonly orderNumber?: string | null;
  readonly version: number;
}

export type UpdateResult =
  /** Applied; `order` holds whatever the mutation selected (at least the id). */
  | { readonly kind: 'updated'; readonly order: Partial<CtOrder> & { readonly id: string } }
  | { readonly kind: 'conflict'; readonly currentVersion?: number; readonly message: string }
  | { readonly kind: 'not-found'; readonly message: string };

export interface CommercetoolsClientOptions {
  readonly transport: HttpTransport;
  readonly documents: CommercetoolsDocuments;
  /** CT_PROJECT_KEY: a token rejection for it is an outage, for another project that project's configuration error. */
  readonly defaultProjectKey?: string;
  /** In-place retries of transient failures (408, 429, 5xx by the SDK; network, timeout here). Default 2. */
  readonly retries?: number;
  readonly onCall?: (operation: string, seconds: number, outcome: 'ok' | 'error') => void;
}

/** The order query for a locator, project-wide or in a store. */
const READ_DOCUMENT = {
  orderNumber: { project: 'orderByNumber', inStore: 'orderByNumberInStore' },
  id: { project: 'orderById', inStore: 'orderByIdInStore' },
} as const satisfies Record<OrderLocator['by'], Record<'project' | 'inStore', CommercetoolsDocumentName>>;

const NOT_FOUND_CODES = new Set(['ResourceNotFound', 'ObjectNotFound']);

/** commercetools answers at most 500 results per query. */
const MAX_ORDERS_PER_QUERY = 500;

interface ProjectApi {
  readonly root: ByProjectKeyRequestBuilder;
  readonly graphql: ReturnType<ByProjectKeyRequestBuilder['graphql']>;
}

export class CommercetoolsClient {
  private readonly endpoint: GraphqlEndpoint;
  /** By sdkClientKeyOf: one SDK client, and so one token cache, per project, API client and requested scopes. */
  private readonly projects = new Map<string, ProjectApi>();

  constructor(private readonly options: CommercetoolsClientOptions) {
    this.endpoint = new GraphqlEndpoint({
      onCall: options.onCall,
      rejectedHint: 'check CT_GRAPHQL_* document overrides and the actions sent',
    });
  }

  /**
   * The SDK's request builder for `target`: built on first use, then kept for every target with the same project, API
   * client and scopes (one token cache each).
   */
  clientFor(target: CtTarget): ByProjectKeyRequestBuilder {
    return this.project(target).root;
  }

  private project(target: CtTarget): ProjectApi {
    const key = sdkClientKeyOf(target);
    let api = this.projects.get(key);
    if (!api) {
      const { transport, retries, defaultProjectKey } = this.options;
      // A store in the scope makes the token the store's; otherwise one token serves every store of the project.
      const tokenTarget = target.credentials.scope.includes('{storeKey}')
        ? target
        : { projectKey: target.projectKey, credentials: target.credentials };
      const root = createProjectClient({ target: tokenTarget, transport, retries, defaultProjectKey });
      // The GraphQL endpoint's builder holds no per-request state: made once, not per call.
      api = { root, graphql: root.graphql() };
      this.projects.set(key, api);
    }
    return api;
  }

  async findOrder(target: CtTarget, locator: OrderLocator, call: CallOptions = {}): Promise<CtOrder | null> {
    const { documents } = this.options;
    const { storeKey } = target;
    const doc = documents[READ_DOCUMENT[locator.by][storeKey ? 'inStore' : 'project']];
    const variables = { ...(storeKey ? { storeKey } : {}), [locator.by]: locator.value };
    const operation = 'order query';
    const subject = `commercetools ${operation} (${describeTarget(target)})`;
    type Answer = CtOrder | Record<string, CtOrder | null>;
    const send = () => this.post<Answer>(operation, target, doc.text, variables, call);
    return this.endpoint.call<Answer, CtOrder | null>({ operation, subject }, send, ({ field, errors }) => {
      if (errors.length) {
        const codes = errors.map((e) => e.extensions?.code);
        if (codes.every((c) => c !== undefined && NOT_FOUND_CODES.has(c))) return null;
        throw typedError(subject, errors);
      }
      // In a store the order is one level down: `inStore { order }`, whatever either field's alias.
      const order = (storeKey ? firstValue(field as Record<string, CtOrder | null> | null) : field) as CtOrder | null;
      if (!order) return null;
      if (typeof order.id !== 'string' || typeof order.version !== 'number') {
        throw new NonRetryableError(
          'commercetools order query: the response lacks id/version (does the replaced document select id, version, orderState, paymentState, shipmentState?)',
        );
      }
      return order;
    });
  }

  /**
   * The orders of `target` whose `by` field is one of `values` (distinct, at most 500: commercetools' page limit), in
   * one `orders(where:)` query, through `inStore` for a store. Values an order lacks are simply absent.
   */
  async findOrders(
    target: CtTarget,
    by: OrderLocator['by'],
    values: readonly string[],
    call: CallOptions = {},
  ): Promise<CtOrder[]> {
    if (values.length === 0) return [];
    if (values.length > MAX_ORDERS_PER_QUERY) {
      throw new RangeError(`commercetools orders(where): at most ${MAX_ORDERS_PER_QUERY} values per query`);
    }
    const { storeKey } = target;
    const doc = storeKey ? this.options.documents.ordersWhereInStore : this.options.documents.ordersWhere;
    const variables = { ...(storeKey ? { storeKey } : {}), where: inPredicate(by, values), limit: values.length };
    const operation = 'orders query';
    const subject = `commercetools ${operation} (${describeTarget(target)})`;
    type Page = { results?: Array<CtOrder | null> | null };
    type Answer = Page | Record<string, Page | null>;
    const send = () => this.post<Answer>(operation, target, doc.text, variables, call);
    return this.endpoint.call<Answer, CtOrder[]>({ operation, subject }, send, ({ field, errors }) => {
      if (errors.length) throw typedError(subject, errors);
      // In a store the page is one level down: `inStore { orders }`, whatever either field's alias.
      const page = (storeKey ? firstValue(field as Record<string, Page | null> | null) : field) as Page | null;
      const orders = (page?.results ?? []).filter((order): order is CtOrder => order !== null);
      if (orders.some((order) => typeof order.id !== 'string' || typeof order.version !== 'number')) {
        throw new NonRetryableError(
          'commercetools orders query: the response lacks id/version (does the replaced document select results { id, version, orderNumber, orderState, paymentState, shipmentState }?)',
        );
      }
      return orders;
    });
  }

  /** Sends `actions` for `order`, addressed by whichever of `$id` / `$orderNumber` the document declares. */
  async updateOrder(
    target: CtTarget,
    order: OrderTarget,
    actions: readonly Record<string, unknown>[],
    call: CallOptions = {},
  ): Promise<UpdateResult> {
    const { id } = order;
    const { storeKey } = target;
    const document = storeKey ? this.options.documents.updateOrderInStore : this.options.documents.updateOrder;
    const variables = {
      ...(storeKey ? { storeKey } : {}),
      ...this.address(
        document.variables,
        order,
        storeKey ? 'CT_GRAPHQL_UPDATE_ORDER_IN_STORE_DOCUMENT' : 'CT_GRAPHQL_UPDATE_ORDER_DOCUMENT',
      ),
      version: order.version,
      actions,
    };
    const operation = 'updateOrder';
    type Updated = Partial<CtOrder> & { id: string };
    const send = () => this.post<Updated>(operation, target, document.text, variables, call);
    return this.endpoint.call<Updated, UpdateResult>(
      { operation, subject: `commercetools ${operation} (${describeTarget(target)})` },
      send,
      (res) => {
        if (res.errors.length) {
          const conflict = res.errors.find((e) => e.extensions?.code === 'ConcurrentModification');
          if (conflict) {
            const current = Number(conflict.extensions?.currentVersion);
            return {
              kind: 'conflict',
              currentVersion: Number.isFinite(current) ? current : undefined,
              message: conflict.message,
            };
          }
          if (res.errors.some((e) => NOT_FOUND_CODES.has(e.extensions?.code ?? ''))) {
            return { kind: 'not-found', message: errorMessages(res.errors) };
          }
          throw typedError(`commercetools updateOrder (${describeTarget(target)}, order ${id})`, res.errors);
        }
        if (res.status === 409) return { kind: 'conflict', message: 'HTTP 409' };
        if (res.status === 404) return { kind: 'not-found', message: 'HTTP 404' };
        if (!res.field) return { kind: 'not-found', message: 'updateOrder returned null' };
        return { kind: 'updated', order: res.field };
      },
    );
  }

  /**
   * `{id}` or `{orderNumber}`, as the updateOrder document declares (checked at start: exactly one). An order without
   * a known number cannot be addressed by it: a configuration error for that order (dead-lettered at once).
   */
  private address(
    declared: ReadonlySet<string>,
    order: OrderTarget,
    envVar: string,
  ): { id: string } | { orderNumber: string } {
    if (!declared.has('orderNumber')) return { id: order.id };
    if (!order.orderNumber) {
      throw new ConfigurationError(
        `commercetools updateOrder: ${envVar} addresses orders by $orderNumber, but order ${order.id} has none (or the order query does not select orderNumber)`,
        { details: { orderId: order.id } },
      );
    }
    return { orderNumber: order.orderNumber };
  }

  /** One GraphQL POST through the SDK; 409/404 answers with a GraphQL body are returned for the reader. */
  private post<T>(
    operation: string,
    target: CtTarget,
    query: string,
    variables: Record<string, unknown>,
    call: CallOptions,
  ): Promise<GraphqlResponse<Record<string, T | null>>> {
    // One id for the call, in-place retries included, so the server's logs group them.
    const failure = { subject: `commercetools ${operation}`, correlationId: call.correlationId ?? newCorrelationId() };
    const api = this.project(target);
    const attempt = async (): Promise<GraphqlResponse<Record<string, T | null>>> => {
      // Checked, not listened to (see downstream/http.ts): the SDK does not take a signal without its own timer.
      if (call.signal?.aborted) {
        throw new RetryableError(`${failure.subject}: aborted (shutting down)`, { details: failure });
      }
      try {
        const res = await api.graphql
          .post({ body: { query, variables }, headers: { 'X-Correlation-ID': failure.correlationId } })
          .execute();
        return {
          status: res.statusCode ?? 200,
          data: res.body.data as Record<string, T | null>,
          errors: res.body.errors as GraphqlError[] | undefined,
        };
      } catch (rejection) {
        return answerOf<T>(rejection, failure, this.options.transport);
      }
    };
    return withInPlaceRetries(attempt, {
      retries: this.options.retries,
      signal: call.signal,
      retryIf: isNetworkFailure,
    });
  }
}

function firstValue<T>(object: Record<string, T | null> | null): T | null {
  if (!object) return null;
  for (const key in object) return object[key] ?? null;
  return null;
}

/** A transient failure without an HTTP status: the SDK retried the statuses already. */
function isNetworkFailure(error: unknown): boolean {
  return isTransient(error) && (error as { details?: { status?: unknown } }).details?.status === undefined;
}

interface SdkRejection {
  readonly statusCode?: number;
  readonly body?: { readonly data?: unknown; readonly errors?: readonly GraphqlError[] } | null;
  readonly error?: { readonly error?: unknown };
}

/**
 * What a rejected `execute()` means. The SDK rejects with: the error our fetch threw, wrapped as `{body: null, error:
 * {error}}` (so is a body that is not JSON); an HTTP error carrying `statusCode` and the parsed body; or, from the
 * client-credentials flow, the typed error auth.ts threw. A 409/404 answer with a GraphQL body is an answer.
 */
function answerOf<T>(
  rejection: unknown,
  { subject, correlationId }: { subject: string; correlationId: string },
  transport: HttpTransport,
): GraphqlResponse<Record<string, T | null>> {
  if (isConnectorError(rejection)) throw rejection;
  const r = (rejection ?? {}) as SdkRejection;
  if (!r.statusCode) {
    const cause = r.error?.error ?? rejection;
    if (isConnectorError(cause)) throw cause;
    // A proxy's error page or a truncated answer: may pass, so retried in place like a network failure.
    throw new RetryableError(`${subject}: the answer is not JSON`, { cause, details: { correlationId } });
  }
  const status = r.statusCode;
  const body = r.body ?? undefined;
  const text = JSON.stringify(body ?? '');
  if (status === 401) {
    throw new AccessDeniedError(
      'commercetools',
      `${subject}: HTTP 401 even with a freshly issued token (credentials or permissions revoked?)`,
      { details: { status, correlationId } },
    );
  }
  const statusError = transport.statusError(status, subject.replace(/^commercetools /, ''), text, correlationId);
  if (statusError) throw statusError;
  if (status === 403) {
    // A missing scope hits every order of the project alike: an outage to fix, not a reason to drain the stream.
    throw new AccessDeniedError(
      'commercetools',
      `${subject}: HTTP 403 ${text.slice(0, 200)} (check the client's scopes)`,
      {
        details: { status, correlationId },
      },
    );
  }
  if ((status === 409 || status === 404) && body) {
    return { status, data: body.data as Record<string, T | null> | undefined, errors: body.errors };
  }
  throw new NonRetryableError(`${subject}: HTTP ${status}: ${errorMessages(body?.errors) || text.slice(0, 300)}`, {
    details: { status, correlationId },
  });
}

/**
 * commercetools error codes that describe a passing server-side condition (overload, timeouts, an API extension not
 * answering, a concurrent operation); https://docs.commercetools.com/api/errors. Any other code says the request itself
 * is wrong (InvalidInput, RequiredField, DuplicateField, ReferencedResourceNotFound, …, e.g. a partner's extra action):
 * sending it again cannot help, and as a retryable error hitting every order it would trip the outage breaker.
 */
const TRANSIENT_CODES = new Set([
  'General',
  'BadGateway',
  'OverCapacity',
  'QueryTimedOut',
  'ExtensionNoResponse',
  'ExtensionBadResponse',
  'PendingOperation',
  'LockedField',
  'SearchIndexingInProgress',
  'ServiceUnavailable',
  'GatewayTimeout',
  'InternalServerError',
  'TooManyRequests',
]);

/** GraphQL errors other than conflicts/not-found: a coded client error is permanent; transient or uncoded ones may pass. */
function typedError(what: string, errors: readonly GraphqlError[]): RetryableError | NonRetryableError {
  const message = `${what}: ${errorMessages(errors)}`;
  const permanent = errors.some((e) => {
    const code = e.extensions?.code;
    return typeof code === 'string' && code !== '' && !TRANSIENT_CODES.has(code);
  });
  return permanent ? new NonRetryableError(message) : new RetryableError(message);
}

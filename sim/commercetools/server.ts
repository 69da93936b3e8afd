/**
 * commercetools simulator: OAuth client-credentials endpoint and `POST /{projectKey}/graphql` executed by graphql-js
 * on the official schema, backed by an in-memory order store with optimistic concurrency and fault injection.
 * Auth and API share one loopback server, so `authUrl === apiUrl`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { createRandom, FaultController, type FaultConfig } from '../common/faults.js';
import { simulatorStats, type EndpointCounters, type Simulator, type SimulatorStats } from '../common/simulator.js';
import { DocumentCache, parseGraphQLBody, selectOperation } from '../common/graphql-cache.js';
import { TokenRegistry, type AuthControl } from '../common/tokens.js';
import {
  listen,
  readBody,
  readTokenParams,
  sendJson,
  withFaults,
  type ListenOptions,
  type RunningServer,
} from '../common/http.js';
import { loadCommercetoolsSchema } from './schema.js';
import { CommercetoolsStore, CtStoreError, type CtOrder, type OrderKey, type OrderUpdateAction } from './store.js';

export type CtEndpoint = 'token' | 'graphql';

export interface CtClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Projects this client may get scopes for; undefined = any project key. */
  projectKeys?: string[];
}

export interface CommercetoolsSimOptions extends ListenOptions {
  /** API clients accepted by `/oauth/token`. Default one client `sim-ct-client` / `sim-ct-secret`, any project. */
  clients?: CtClientCredentials[];
  /** Project used by store helpers and for tokens requested without a scope. Default 'my-project'. */
  defaultProjectKey?: string;
  /** Lifetime of issued tokens, seconds. Default 172 800 (48 h, as commercetools). Changeable via `sim.auth`. */
  tokenTtlSeconds?: number;
  /** Initial fault settings for all endpoints. */
  faults?: Partial<FaultConfig>;
  /** Seed for fault randomness (reproducible sequences). Default: Math.random. */
  seed?: number;
  /** HTTP status of a response carrying ConcurrentModification. Default 409 (200 is also seen in the wild). */
  conflictHttpStatus?: 200 | 409;
  /** Path of the commercetools SDL. Default: the official schema bundled with the connector. */
  schemaPath?: string;
}

export interface CommercetoolsStats extends EndpointCounters {
  forbidden: number;
  /** Root query fields resolved (`order`, `inStore`). */
  reads: number;
  /** `updateOrder` calls that reached the resolver. */
  updates: number;
  /** Successful `updateOrder` calls that changed something (each bumped the version once). */
  updatesApplied: number;
  /** Actions that changed a state. */
  actionsApplied: number;
  /** ConcurrentModification errors returned (including forced ones). */
  conflicts: number;
  notFound: number;
  /** GraphQL root-field executions, by field name. */
  byRootField: Record<string, number>;
}

export interface CtTokenInfo {
  clientId: string;
  scopes: string[];
}

export type CtAuthControl = AuthControl;

export interface CommercetoolsSim extends Simulator<
  CtEndpoint,
  CommercetoolsStore,
  CommercetoolsStats,
  CtClientCredentials
> {
  /** Base URL for `CT_AUTH_URL` (POST `${authUrl}/oauth/token`). */
  readonly authUrl: string;
  /** Base URL for `CT_API_URL` (POST `${apiUrl}/{projectKey}/graphql`). */
  readonly apiUrl: string;
  readonly defaultProjectKey: string;
}

interface ResolverContext {
  projectKey: string;
  canWrite: boolean;
}

const ORDER_DEFAULTS = {
  customerId: null,
  customerEmail: null,
  lineItems: [],
  customLineItems: [],
  inventoryMode: 'None',
  taxMode: 'Platform',
  priceRoundingMode: 'HalfEven',
  taxRoundingMode: 'HalfEven',
  taxCalculationMode: 'LineItemLevel',
  discountCodes: [],
  directDiscounts: [],
  refusedGifts: [],
  refusedGiftsRefs: [],
  origin: 'Customer',
  itemShippingAddresses: [],
  shipping: [],
  shippingMode: 'Single',
  syncInfo: [],
  returnInfo: [],
} as const;

/**
 * Defaults live on a shared frozen prototype: the default resolver finds them, and building a view stays cheap.
 * (Fields assigned per view must not be on the prototype: frozen inherited properties cannot be shadowed.)
 */
const ORDER_PROTO: Readonly<Record<string, unknown>> = Object.freeze({ ...ORDER_DEFAULTS });

/** The stored order plus the non-null list/enum fields of the `Order` type a query might select. */
function orderView(order: CtOrder): Record<string, unknown> {
  const view = Object.assign(Object.create(ORDER_PROTO) as Record<string, unknown>, order);
  view.lastMessageSequenceNumber = order.version;
  view.storeRef = order.storeKey ? { typeId: 'store', key: order.storeKey } : null;
  return view;
}

function authError(status: number, code: string, message: string) {
  return { statusCode: status, message, errors: [{ code, message }], error: code, error_description: message };
}

function apiError(status: number, code: string, message: string) {
  return { statusCode: status, message, errors: [{ code, message }] };
}

function faultBody(status: number, reason: string) {
  if (status === 429) return apiError(429, 'RateLimitExceeded', 'Too many requests (injected by simulator).');
  if (status === 401) return authError(401, 'invalid_token', 'invalid_token');
  return apiError(status, status >= 500 ? 'General' : 'InvalidOperation', `Injected ${reason} fault (simulator).`);
}

export async function startCommercetoolsSim(options: CommercetoolsSimOptions = {}): Promise<CommercetoolsSim> {
  const defaultProjectKey = options.defaultProjectKey ?? 'my-project';
  const clients = options.clients ?? [{ clientId: 'sim-ct-client', clientSecret: 'sim-ct-secret' }];
  if (clients.length === 0) throw new Error('commercetools simulator needs at least one client');
  const schema: GraphQLSchema = loadCommercetoolsSchema(options.schemaPath);
  const documents = new DocumentCache(schema);
  const store = new CommercetoolsStore(defaultProjectKey);
  const faults = new FaultController<CtEndpoint>(['token', 'graphql'], options.faults, createRandom(options.seed));
  const conflictHttpStatus = options.conflictHttpStatus ?? 409;
  const tokens = new TokenRegistry<CtTokenInfo>(options.tokenTtlSeconds ?? 172_800);

  const stats = newStats(faults);
  const auth: CtAuthControl = tokens.control;

  const findOrder = (ctx: ResolverContext, args: { id?: string | null; orderNumber?: string | null }) => {
    const key = orderKey(args);
    return store.find(key, ctx.projectKey);
  };

  const rootValue = {
    order: (args: { id?: string; orderNumber?: string }, ctx: ResolverContext) => {
      stats.reads++;
      const o = findOrder(ctx, args);
      return o ? orderView(o) : null;
    },
    inStore: ({ key }: { key: string }, ctx: ResolverContext) => {
      stats.reads++;
      return {
        order: (args: { id?: string; orderNumber?: string }) => {
          const o = findOrder(ctx, args);
          return o && o.storeKey === key ? orderView(o) : null;
        },
      };
    },
    updateOrder: (
      args: { version: number; actions: OrderUpdateAction[]; id?: string; orderNumber?: string; storeKey?: string },
      ctx: ResolverContext,
    ) => {
      stats.updates++;
      try {
        const key = orderKey(args);
        const existing = store.find(key, ctx.projectKey);
        if (existing && args.storeKey != null && existing.storeKey !== args.storeKey) {
          throw new CtStoreError('ResourceNotFound', `The Order with ID '${existing.id}' was not found in the store.`);
        }
        // A simulated concurrent writer lands between the client's read and this write.
        if (existing && faults.takeConflict('graphql')) store.externalWrite(key, {}, ctx.projectKey);
        const result = store.update(key, args.version, args.actions, ctx.projectKey);
        if (result.changed > 0) {
          stats.updatesApplied++;
          stats.actionsApplied += result.changed;
        }
        return orderView(result.order);
      } catch (err) {
        if (err instanceof CtStoreError) {
          if (err.code === 'ConcurrentModification') stats.conflicts++;
          if (err.code === 'ResourceNotFound') stats.notFound++;
          throw new GraphQLError(err.message, { extensions: { code: err.code, ...err.extra } });
        }
        throw err;
      }
    },
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    stats.tokenRequests++;
    const param = await readTokenParams(req);
    const client = basicClient(req.headers.authorization, clients);
    if (!client) {
      stats.tokenFailures++;
      sendJson(
        res,
        401,
        authError(401, 'invalid_client', 'Please provide valid client credentials using HTTP Basic Authentication.'),
      );
      return;
    }
    const grantType = param('grant_type');
    if (grantType !== 'client_credentials') {
      stats.tokenFailures++;
      sendJson(
        res,
        400,
        authError(400, 'unsupported_grant_type', `Unsupported grant_type '${grantType ?? ''}' for this endpoint.`),
      );
      return;
    }
    const requested = (param('scope') ?? '').split(/\s+/).filter(Boolean);
    const scopes =
      requested.length > 0
        ? requested
        : (client.projectKeys ?? [defaultProjectKey]).map((pk) => `manage_project:${pk}`);
    const bad = scopes.find((s) => !scopeAllowed(s, client));
    if (bad) {
      stats.tokenFailures++;
      sendJson(res, 400, authError(400, 'invalid_scope', `Malformed parameter: scope: Illegal scope '${bad}'.`));
      return;
    }
    const { token, ttl } = tokens.issue({ clientId: client.clientId, scopes });
    stats.tokensIssued++;
    sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') });
  };

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse, projectKey: string) => {
    stats.graphqlRequests++;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const found = token ? tokens.lookup(token) : undefined;
    if (found === undefined || found === 'expired') {
      req.resume();
      stats.unauthorized++;
      sendJson(res, 401, authError(401, 'invalid_token', 'invalid_token'));
      return;
    }
    const raw = await readBody(req);
    const body = parseGraphQLBody(raw);
    if ('error' in body) {
      stats.invalidRequests++;
      sendJson(res, 400, apiError(400, 'InvalidJsonInput', body.error));
      return;
    }
    const prepared = documents.prepare(body.query);
    if (!prepared.ok) {
      stats.invalidRequests++;
      sendJson(res, 400, { data: null, errors: prepared.errors.map((e) => formatError(e, 'InvalidInput')) });
      return;
    }
    const op = selectOperation(prepared.operations, body.operationName);
    if (!op) {
      stats.invalidRequests++;
      const message = body.operationName
        ? `Unknown operation named "${body.operationName}".`
        : 'Must provide operation name if query contains multiple operations.';
      sendJson(res, 400, { data: null, errors: [{ message, extensions: { code: 'InvalidInput' } }] });
      return;
    }
    const { info } = found;
    const canRead = hasScope(info, projectKey, ['view_orders', 'manage_orders', 'manage_project']);
    const canWrite = hasScope(info, projectKey, ['manage_orders', 'manage_project']);
    if (!canRead || (op.type === 'mutation' && !canWrite)) {
      stats.forbidden++;
      const message = `Insufficient scope. One of the following scopes is missing: manage_orders:${projectKey}`;
      sendJson(res, 403, authError(403, 'insufficient_scope', message));
      return;
    }
    for (const f of op.rootFields) stats.byRootField[f] = (stats.byRootField[f] ?? 0) + 1;
    const result = await execute({
      schema,
      document: prepared.document,
      rootValue,
      contextValue: { projectKey, canWrite } satisfies ResolverContext,
      variableValues: body.variables,
      operationName: body.operationName,
    });
    if (!result.errors || result.errors.length === 0) {
      sendJson(res, 200, { data: result.data });
      return;
    }
    // No data means variable coercion failed (bad input); otherwise an uncoded error is a resolver failure.
    const errors = result.errors.map((e) => formatError(e, result.data === undefined ? 'InvalidInput' : 'General'));
    if (result.data === undefined) {
      // e.g. an enum value in the wrong case passed as a variable.
      stats.invalidRequests++;
      sendJson(res, 400, { data: null, errors });
      return;
    }
    const codes = new Set(errors.map((e) => e.extensions.code));
    const status = codes.has('ConcurrentModification')
      ? conflictHttpStatus
      : codes.has('ResourceNotFound')
        ? 404
        : codes.has('InvalidInput') || codes.has('InvalidOperation')
          ? 400
          : 500;
    sendJson(res, status, { data: result.data, errors });
  };

  // The handler only runs once listen() has resolved, so `srv` is always assigned when it is used.
  const srv: RunningServer = await listen((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST' && path === '/oauth/token') {
      withFaults(srv, faults, 'token', req, res, faultBody, () => handleToken(req, res));
      return;
    }
    const m = /^\/([A-Za-z0-9_-]+)\/graphql\/?$/.exec(path);
    if (req.method === 'POST' && m) {
      withFaults(srv, faults, 'graphql', req, res, faultBody, () => handleGraphql(req, res, m[1]!));
      return;
    }
    req.resume();
    sendJson(res, 404, apiError(404, 'ResourceNotFound', `The resource ${req.method} ${path} was not found.`));
  }, options);

  return {
    authUrl: srv.url,
    apiUrl: srv.url,
    store,
    faults,
    stats,
    auth,
    credentials: clients[0]!,
    defaultProjectKey,
    requests: srv.requests,
    close: () => srv.close(),
  };
}

function newStats(faults: FaultController<CtEndpoint>): SimulatorStats<CommercetoolsStats, CtEndpoint> {
  return simulatorStats(faults, () => ({
    forbidden: 0,
    reads: 0,
    updates: 0,
    updatesApplied: 0,
    actionsApplied: 0,
    conflicts: 0,
    notFound: 0,
    byRootField: {},
  }));
}

function orderKey(args: { id?: string | null; orderNumber?: string | null }): OrderKey {
  const hasId = typeof args.id === 'string';
  const hasNumber = typeof args.orderNumber === 'string';
  if (hasId === hasNumber) {
    throw new GraphQLError("Exactly one of 'id' or 'orderNumber' must be provided.", {
      extensions: { code: 'InvalidInput' },
    });
  }
  return hasId ? { id: args.id! } : { orderNumber: args.orderNumber! };
}

function basicClient(header: string | undefined, clients: CtClientCredentials[]): CtClientCredentials | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return undefined;
  const id = decodeURIComponent(decoded.slice(0, sep));
  const secret = decodeURIComponent(decoded.slice(sep + 1));
  return clients.find((c) => c.clientId === id && c.clientSecret === secret);
}

const SCOPE_RE = /^([a-z_]+):([A-Za-z0-9_-]+)$/;

function scopeAllowed(scope: string, client: CtClientCredentials): boolean {
  const m = SCOPE_RE.exec(scope);
  if (!m) return false;
  return client.projectKeys === undefined || client.projectKeys.includes(m[2]!);
}

function hasScope(info: CtTokenInfo, projectKey: string, permissions: string[]): boolean {
  return info.scopes.some((s) => permissions.some((p) => s === `${p}:${projectKey}`));
}

interface FormattedError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: Record<string, unknown> & { code: string };
}

function formatError(error: GraphQLError, defaultCode: string): FormattedError {
  const ext = error.extensions ?? {};
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: { ...ext, code: typeof ext.code === 'string' ? ext.code : defaultCode },
  };
}

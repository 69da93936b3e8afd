/**
 * Fluent Commerce simulator: OAuth password-grant token endpoint and `POST /graphql` (Bearer) executed by graphql-js
 * on a hand-written subset of Fluent's schema, with an in-memory store and run-time fault injection.
 * Like Fluent, GraphQL answers HTTP 200 with `errors` for bad queries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute } from 'graphql';
import { createRandom, FaultController, type FaultConfig } from '../common/faults.js';
import { simulatorStats, type EndpointCounters, type Simulator, type SimulatorStats } from '../common/simulator.js';
import { DocumentCache, parseGraphQLBody, selectOperation } from '../common/graphql-cache.js';
import { TokenRegistry, type AuthControl } from '../common/tokens.js';
import { listen, readBody, readTokenParams, sendJson, withFaults, type ListenOptions } from '../common/http.js';
import { fluentSchema } from './schema.js';
import { FluentStore, type FluentOrder, type SettingsQuery } from './store.js';
import { queryOrders, type OrdersQuery } from './orders-query.js';

export type FluentEndpoint = 'token' | 'graphql';

export interface FluentCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export interface FluentSimOptions extends ListenOptions {
  /** Accepted credentials. Default client `ACME` / `sim-fluent-secret`, user `api-user` / `sim-password`. */
  credentials?: Partial<FluentCredentials>;
  /** Lifetime of issued tokens, seconds. Default 3600. Changeable at run time via `sim.auth.tokenTtlSeconds`. */
  tokenTtlSeconds?: number;
  /** Initial fault settings for all endpoints. */
  faults?: Partial<FaultConfig>;
  /** Seed for fault randomness (reproducible sequences). Default: Math.random. */
  seed?: number;
  /** Seed the example mappings (docs/architecture.md, "Fluent") for this connector name at start. Default none. */
  seedMappingsFor?: string;
}

/** `invalidRequests` are answered with HTTP 200 and GraphQL errors, as Fluent does. */
export interface FluentStats extends EndpointCounters {
  /** Executed GraphQL requests by operation name (`(anonymous)` when unnamed). */
  byOperation: Record<string, number>;
  /** Executed root fields by name (`orderById`, `order`, `orders`, `settings`). */
  byRootField: Record<string, number>;
  /** `orders` fields answered (every page is one; aliases in one request count each; refused ones do not). */
  listQueries: number;
  /** Refs asked for in those queries' `ref` lists, summed (as sent, nulls left out): batch volume. */
  listKeys: number;
  /** List queries by the number of refs they asked for (`'0'`: a search without a ref list), for batch sizes. */
  listBatchSizes: Record<string, number>;
}

export type FluentAuthControl = AuthControl;

export interface FluentSim extends Simulator<FluentEndpoint, FluentStore, FluentStats, FluentCredentials> {
  /** `FLUENT_BASE_URL`: POST `${url}/oauth/token`, POST `${url}/graphql`. */
  readonly url: string;
}

const DEFAULT_CREDENTIALS: FluentCredentials = {
  clientId: 'ACME',
  clientSecret: 'sim-fluent-secret',
  username: 'api-user',
  password: 'sim-password',
};

/** The form a Fluent client posts to `/oauth/token` (password grant, scope `api`) with these credentials. */
export function passwordGrantForm(
  credentials: FluentCredentials,
  overrides: Record<string, string> = {},
): URLSearchParams {
  return new URLSearchParams({
    username: credentials.username,
    password: credentials.password,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    grant_type: 'password',
    scope: 'api',
    ...overrides,
  });
}

function oauthError(error: string, description: string) {
  return { error, error_description: description };
}

function faultBody(status: number, reason: string) {
  if (status === 401) return oauthError('invalid_token', 'Access token expired or revoked (injected by simulator)');
  return { errors: [{ message: `Injected ${reason} fault (simulator): HTTP ${status}` }] };
}

export async function startFluentSim(options: FluentSimOptions = {}): Promise<FluentSim> {
  const credentials: FluentCredentials = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const schema = fluentSchema();
  const documents = new DocumentCache(schema);
  const store = new FluentStore();
  if (options.seedMappingsFor) store.seedExampleMappings({ connectorName: options.seedMappingsFor });
  const faults = new FaultController<FluentEndpoint>(['token', 'graphql'], options.faults, createRandom(options.seed));
  const tokens = new TokenRegistry(options.tokenTtlSeconds ?? 3600);
  const stats = newStats(faults);
  const auth: FluentAuthControl = tokens.control;

  const rootValue = {
    orderById: ({ id }: { id: string }): FluentOrder | null => store.find({ id }) ?? null,
    order: ({ ref }: { ref: string }): FluentOrder | null => store.find({ ref }) ?? null,
    // A thrown OrdersQueryError becomes a GraphQL error (HTTP 200), as Fluent answers a query it refuses.
    orders: (args: OrdersQuery) => {
      const refs = args.ref?.filter((ref): ref is string => typeof ref === 'string');
      // A ref list (the processor's batched read) is answered from the ref index, not by scanning every order.
      const page = queryOrders(refs ? store.ordersWithRefs(refs) : store.allOrders(), args);
      countListQuery(stats, refs?.length ?? 0);
      return page;
    },
    settings: (args: SettingsQuery) => {
      const nodes = store.querySettings(args);
      return {
        edges: nodes.map((node) => ({ cursor: Buffer.from(`setting:${node.id}`).toString('base64'), node })),
        pageInfo: { hasNextPage: false, hasPreviousPage: false },
      };
    },
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    stats.tokenRequests++;
    const param = await readTokenParams(req);
    const fail = (status: number, error: string, description: string) => {
      stats.tokenFailures++;
      sendJson(res, status, oauthError(error, description));
    };
    if (param('client_id') !== credentials.clientId || param('client_secret') !== credentials.clientSecret) {
      return fail(401, 'invalid_client', 'Bad client credentials');
    }
    if (param('grant_type') !== 'password') {
      return fail(400, 'unsupported_grant_type', `Unsupported grant type: ${param('grant_type') ?? ''}`);
    }
    const scope = param('scope');
    if (scope !== null && scope !== 'api') return fail(400, 'invalid_scope', `Invalid scope: ${scope}`);
    if (param('username') !== credentials.username || param('password') !== credentials.password) {
      return fail(400, 'invalid_grant', 'Bad credentials');
    }
    const { token, ttl } = tokens.issue({});
    stats.tokensIssued++;
    sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: ttl, scope: 'api' });
  };

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse) => {
    stats.graphqlRequests++;
    const header = req.headers.authorization;
    const token = header && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (!token) {
      req.resume();
      stats.unauthorized++;
      sendJson(res, 401, oauthError('unauthorized', 'Full authentication is required to access this resource'));
      return;
    }
    const found = tokens.lookup(token);
    if (found === undefined || found === 'expired') {
      req.resume();
      stats.unauthorized++;
      // Never echo the token: connectors may log error bodies.
      sendJson(res, 401, oauthError('invalid_token', found ? 'Access token expired' : 'Invalid access token'));
      return;
    }
    const body = parseGraphQLBody(await readBody(req));
    if ('error' in body) {
      stats.invalidRequests++;
      sendJson(res, 200, { errors: [{ message: body.error }] });
      return;
    }
    const prepared = documents.prepare(body.query);
    if (!prepared.ok) {
      stats.invalidRequests++;
      sendJson(res, 200, { errors: prepared.errors.map((e) => e.toJSON()) });
      return;
    }
    const op = selectOperation(prepared.operations, body.operationName);
    if (op) {
      const name = op.name ?? '(anonymous)';
      stats.byOperation[name] = (stats.byOperation[name] ?? 0) + 1;
      for (const f of op.rootFields) stats.byRootField[f] = (stats.byRootField[f] ?? 0) + 1;
    }
    const result = await execute({
      schema,
      document: prepared.document,
      rootValue,
      variableValues: body.variables,
      operationName: body.operationName,
    });
    sendJson(res, 200, result.errors ? { data: result.data, errors: result.errors.map((e) => e.toJSON()) } : result);
  };

  const srv = await listen((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/oauth/token') {
      withFaults(srv, faults, 'token', req, res, faultBody, () => handleToken(req, res));
      return;
    }
    if (req.method === 'POST' && (path === '/graphql' || path === '/graphql/')) {
      withFaults(srv, faults, 'graphql', req, res, faultBody, () => handleGraphql(req, res));
      return;
    }
    req.resume();
    sendJson(res, 404, { error: 'Not Found', message: `No route for ${req.method} ${path}` });
  }, options);

  return { url: srv.url, store, faults, stats, auth, credentials, requests: srv.requests, close: () => srv.close() };
}

function newStats(faults: FaultController<FluentEndpoint>): SimulatorStats<FluentStats, FluentEndpoint> {
  return simulatorStats(faults, () => ({
    byOperation: {},
    byRootField: {},
    listQueries: 0,
    listKeys: 0,
    listBatchSizes: {},
  }));
}

function countListQuery(stats: FluentStats, keys: number): void {
  stats.listQueries++;
  stats.listKeys += keys;
  stats.listBatchSizes[keys] = (stats.listBatchSizes[keys] ?? 0) + 1;
}

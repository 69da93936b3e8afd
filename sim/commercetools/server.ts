/**
 * commercetools simulator: OAuth client-credentials endpoint and `POST /{projectKey}/graphql` executed by graphql-js
 * on the official schema, backed by an in-memory order store with optimistic concurrency and fault injection.
 * Auth and API share one loopback server, so `authUrl === apiUrl`.
 */
import type { GraphQLSchema } from 'graphql';
import { createRandom, FaultController, type FaultConfig } from '../common/faults.js';
import { DocumentCache } from '../common/graphql-cache.js';
import { listen, sendJson, withFaults, type ListenOptions, type RunningServer } from '../common/http.js';
import { simulatorStats, type EndpointCounters, type Simulator, type SimulatorStats } from '../common/simulator.js';
import { TokenRegistry, type AuthControl } from '../common/tokens.js';
import { apiError, faultBody, graphqlEndpoint, tokenEndpoint } from './endpoints.js';
import { createRootValue } from './resolvers.js';
import { loadCommercetoolsSchema } from './schema.js';
import { CommercetoolsStore } from './store.js';

export type CtEndpoint = 'token' | 'graphql';

export interface CtClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Projects this client may get scopes for; undefined = any project key. */
  projectKeys?: string[];
  /**
   * Set: a store-scoped API client, granted only `{permission}:{projectKey}:{storeKey}` scopes for these stores (no
   * project-wide scope); its tokens may use only `inStore` / `updateOrder(storeKey)` of them. Undefined = no limit.
   */
  storeKeys?: string[];
}

export interface CommercetoolsSimOptions extends ListenOptions {
  /**
   * API clients accepted by `/oauth/token`. Default one client `sim-ct-client` / `sim-ct-secret`, any project; limit
   * one with `projectKeys` and/or `storeKeys`.
   */
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
  /** Root query fields resolved (`order`, `orders`, `inStore`). */
  reads: number;
  /** Reads by field: `order`, `orders`, `inStore.order`, `inStore.orders`. */
  readsByField: Record<string, number>;
  /** `orders` lists answered, project-wide and in a store (every page is one; refused ones do not count). */
  listQueries: number;
  /** Keys (`id` / `orderNumber` literals) their `where` predicates asked for, summed: batch volume. */
  listKeys: number;
  /** List queries by the number of keys they asked for (`'0'`: no `where`), for batch sizes. */
  listBatchSizes: Record<string, number>;
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

  const rootValue = createRootValue(store, faults, stats);
  const handleToken = tokenEndpoint({ clients, defaultProjectKey, tokens, stats });
  const handleGraphql = graphqlEndpoint({ schema, documents, rootValue, tokens, stats, conflictHttpStatus });

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
    readsByField: {},
    listQueries: 0,
    listKeys: 0,
    listBatchSizes: {},
    updates: 0,
    updatesApplied: 0,
    actionsApplied: 0,
    conflicts: 0,
    notFound: 0,
    byRootField: {},
  }));
}

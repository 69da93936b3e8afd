/**
 * The simulator's two HTTP endpoints: `POST /oauth/token` (client credentials, HTTP Basic, project and store scopes)
 * and `POST /{projectKey}/graphql` (bearer token, scope check — store scopes per root field, scopes.ts — graphql-js on
 * the official schema, commercetools' error shapes and statuses).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, type GraphQLError, type GraphQLSchema } from 'graphql';
import { parseGraphQLBody, selectOperation, type DocumentCache } from '../common/graphql-cache.js';
import { readBody, readTokenParams, sendJson } from '../common/http.js';
import type { TokenRegistry } from '../common/tokens.js';
import type { ResolverContext } from './resolvers.js';
import { defaultScopes, operationAccess, scopeAllowed } from './scopes.js';
import type { CommercetoolsStats, CtClientCredentials, CtTokenInfo } from './server.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface TokenEndpointDeps {
  readonly clients: readonly CtClientCredentials[];
  readonly defaultProjectKey: string;
  readonly tokens: TokenRegistry<CtTokenInfo>;
  readonly stats: CommercetoolsStats;
}

export interface GraphqlEndpointDeps {
  readonly schema: GraphQLSchema;
  readonly documents: DocumentCache;
  readonly rootValue: unknown;
  readonly tokens: TokenRegistry<CtTokenInfo>;
  readonly stats: CommercetoolsStats;
  readonly conflictHttpStatus: 200 | 409;
}

export function tokenEndpoint(deps: TokenEndpointDeps): Handler {
  const { clients, defaultProjectKey, tokens, stats } = deps;
  return async (req: IncomingMessage, res: ServerResponse) => {
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
    const scopes = requested.length > 0 ? requested : defaultScopes(client, defaultProjectKey);
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
}

export function graphqlEndpoint(
  deps: GraphqlEndpointDeps,
): (req: IncomingMessage, res: ServerResponse, projectKey: string) => Promise<void> {
  const { schema, documents, rootValue, tokens, stats, conflictHttpStatus } = deps;
  return async (req: IncomingMessage, res: ServerResponse, projectKey: string) => {
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
    const access = operationAccess(info.scopes, projectKey, {
      document: prepared.document,
      operationName: body.operationName,
      variables: body.variables,
    });
    if (!access.allowed) {
      stats.forbidden++;
      const message = `Insufficient scope. One of the following scopes is missing: ${access.missing.join(', ')}`;
      sendJson(res, 403, authError(403, 'insufficient_scope', message));
      return;
    }
    for (const f of op.rootFields) stats.byRootField[f] = (stats.byRootField[f] ?? 0) + 1;
    const result = await execute({
      schema,
      document: prepared.document,
      rootValue,
      contextValue: { projectKey } satisfies ResolverContext,
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
}

export function authError(status: number, code: string, message: string) {
  return { statusCode: status, message, errors: [{ code, message }], error: code, error_description: message };
}

export function apiError(status: number, code: string, message: string) {
  return { statusCode: status, message, errors: [{ code, message }] };
}

export function faultBody(status: number, reason: string) {
  if (status === 429) return apiError(429, 'RateLimitExceeded', 'Too many requests (injected by simulator).');
  if (status === 401) return authError(401, 'invalid_token', 'invalid_token');
  return apiError(status, status >= 500 ? 'General' : 'InvalidOperation', `Injected ${reason} fault (simulator).`);
}

function basicClient(
  header: string | undefined,
  clients: readonly CtClientCredentials[],
): CtClientCredentials | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return undefined;
  const id = decodeURIComponent(decoded.slice(0, sep));
  const secret = decodeURIComponent(decoded.slice(sep + 1));
  return clients.find((c) => c.clientId === id && c.clientSecret === secret);
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

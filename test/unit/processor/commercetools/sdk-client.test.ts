/**
 * The commercetools client on the platform SDK (ts-client middleware on the connector's pooled fetch): one token for
 * concurrent callers, the SDK's 401 refresh and status retries, and every failure typed for the runtime
 * (docs/architecture.md, "Error model"). A scripted loopback server plays commercetools.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommercetoolsClient } from '../../../../processor/commercetools/client.js';
import type { CtTarget } from '../../../../processor/commercetools/credentials.js';
import { loadCommercetoolsDocuments } from '../../../../processor/commercetools/documents.js';
import { AccessDeniedError } from '../../../../processor/downstream/errors.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import {
  ConfigurationError,
  DownstreamUnavailableError,
  errorCodeOf,
  isOutage,
  NonRetryableError,
  RetryableError,
} from '../../../../processor/errors.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';
import { ctTarget } from './support/targets.js';

type Reply = [status: number, body: unknown];

let server: Server;
let base: string;
/** Scripted answers per endpoint (then the defaults); what was asked, in order. */
const script: { token: Reply[]; graphql: Reply[] } = { token: [], graphql: [] };
const seen: { url: string; authorization: string; body: string }[] = [];
let tokensIssued = 0;
const transport = new HttpTransport({ service: 'commercetools', timeoutMs: 2_000, connections: 16 });
const ORDER = { id: 'o1', version: 3, orderNumber: 'N_1', orderState: 'Open', paymentState: null, shipmentState: null };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '', body });
      const isToken = req.url === '/oauth/token';
      const [status, answer] = (isToken ? script.token.shift() : script.graphql.shift()) ?? [
        200,
        isToken ? { access_token: `t${++tokensIssued}`, expires_in: 172_800 } : { data: { order: ORDER } },
      ];
      // Answer a moment later, so that concurrent callers really overlap.
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
      }, 5);
    });
  });
  base = await listenOnLoopback(server);
});

beforeEach(() => {
  script.token.length = 0;
  script.graphql.length = 0;
  seen.length = 0;
});

afterAll(async () => {
  await transport.close();
  await closeServer(server);
});

/** The CT_CLIENT_ID credentials for `projectKey` (the default project is `p`). */
const target = (projectKey = 'p', apiUrl = base): CtTarget => ctTarget(base, { projectKey, credentials: { apiUrl } });

function client(retries = 2) {
  return new CommercetoolsClient({
    defaultProjectKey: 'p',
    transport,
    documents: loadCommercetoolsDocuments(),
    retries,
  });
}

const find = (c: CommercetoolsClient, projectKey: string | CtTarget = 'p') =>
  c
    .findOrder(typeof projectKey === 'string' ? target(projectKey) : projectKey, { by: 'orderNumber', value: 'N_1' })
    .catch((e: unknown) => e);
const tokenRequests = () => seen.filter((r) => r.url === '/oauth/token').length;
const graphqlRequests = () => seen.filter((r) => r.url.endsWith('/graphql'));

describe('CommercetoolsClient on the platform SDK', () => {
  it('one project client per key, built on first use and kept', () => {
    const c = client();
    expect(c.clientFor(target('p'))).toBe(c.clientFor(target('p')));
    expect(c.clientFor(target('q'))).not.toBe(c.clientFor(target('p')));
  });

  it('concurrent calls on a cold client share one token request (single flight)', async () => {
    const c = client();
    const orders = await Promise.all(Array.from({ length: 20 }, () => find(c)));
    expect(orders.every((o) => (o as { id?: string }).id === 'o1')).toBe(true);
    expect(tokenRequests()).toBe(1);
    expect(new Set(graphqlRequests().map((r) => r.authorization)).size).toBe(1);
  });

  it('a revoked token is replaced once (the SDK retries the call with the new one)', async () => {
    const c = client();
    await find(c);
    seen.length = 0;
    script.graphql.push([401, { statusCode: 401, message: 'invalid_token' }]);
    expect(await find(c)).toMatchObject({ id: 'o1' });
    expect(tokenRequests()).toBe(1);
    const [rejected, retried] = graphqlRequests();
    expect(retried?.authorization).not.toBe(rejected?.authorization);
  });

  it('a fresh token rejected too is access denied: an outage', async () => {
    const c = client();
    await find(c);
    script.graphql.push([401, { message: 'invalid_token' }], [401, { message: 'invalid_token' }]);
    const error = await find(c);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(isOutage(error)).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 401 even with a freshly issued token/);
  });

  it('403 is access denied (missing scope)', async () => {
    script.graphql.push([403, { message: 'insufficient_scope' }]);
    const error = await find(client());
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_ACCESS_DENIED');
    expect((error as Error).message).toMatch(/HTTP 403 .*insufficient_scope.*check the client's scopes/);
  });

  it('429 and 5xx answers are retried in place by the SDK retry middleware, then typed', async () => {
    script.graphql.push([503, { message: 'busy' }], [429, { message: 'slow down' }]);
    expect(await find(client())).toMatchObject({ id: 'o1' });
    expect(graphqlRequests()).toHaveLength(3);

    seen.length = 0;
    script.graphql.push([502, { message: 'bad gateway' }], [502, { message: 'bad gateway' }]);
    const error = await find(client(1));
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect((error as Error).message).toMatch(/commercetools order query: HTTP 502/);
    expect(graphqlRequests()).toHaveLength(2);
  });

  it('a body that is not JSON is retryable and retried in place', async () => {
    script.graphql.push([200, '<html>proxy</html>']);
    expect(await find(client())).toMatchObject({ id: 'o1' });
    script.graphql.push([200, '<html>proxy</html>'], [200, '<html>proxy</html>']);
    const error = await find(client(1));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/commercetools order query: the answer is not JSON/);
  });

  it('a conflict (409 with the GraphQL error) is a result for the re-read loop, not an error', async () => {
    const errors = [{ message: 'version', extensions: { code: 'ConcurrentModification', currentVersion: 5 } }];
    script.graphql.push([409, { data: { search: null }, errors }]);
    const result = await client().updateOrder(target(), { id: 'o1', version: 3 }, [
      { changeOrderState: { orderState: 'Confirmed' } },
    ]);
    expect(result).toEqual({ kind: 'conflict', currentVersion: 5, message: 'version' });
  });

  it('another client error status is non-retryable with the messages', async () => {
    script.graphql.push([400, { errors: [{ message: 'bad input' }] }]);
    const error = await find(client());
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toBe('commercetools order query: HTTP 400: bad input');
  });

  it('rejected credentials are an outage; a mapped project without scope is that retailer’s configuration error', async () => {
    script.token.push([401, { error: 'invalid_client', message: 'secret: s' }]);
    const denied = await find(client());
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect((denied as Error).message).not.toContain('secret');

    script.token.push([400, { error: 'invalid_scope' }]);
    const other = await find(client(), 'acme-eu');
    expect(other).toBeInstanceOf(ConfigurationError);
    expect((other as Error).message).toMatch(/selects project "acme-eu", but CT_CLIENT_ID has no scope for it/);
  });

  it('a token endpoint outage is typed and the next call asks again', async () => {
    script.token.push([503, 'down']);
    const c = client();
    expect(await find(c)).toBeInstanceOf(DownstreamUnavailableError);
    expect(await find(c)).toMatchObject({ id: 'o1' });
  });

  it('connection refused is a downstream outage', async () => {
    const refused = new CommercetoolsClient({
      transport,
      documents: loadCommercetoolsDocuments(),
      retries: 0,
    });
    const error = await find(refused, target('p', 'http://127.0.0.1:1'));
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect((error as Error).message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  });
});

/**
 * The Fluent client on graphql-request: bearer token per request (refreshed once on 401), in-place retries of
 * transient failures, failures typed, the correlation id on every attempt. The transport runs on an undici MockAgent.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf, isOutage, isRetriable } from '../../../../common/errors.js';
import { ConfigurationError, NonRetryableError, RetryableError } from '../../../../processor/errors.js';
import { AccessDeniedError } from '../../../../processor/downstream/errors.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { TokenCache } from '../../../../processor/downstream/token-cache.js';
import { FluentClient } from '../../../../processor/fluent/client.js';
import { loadFluentDocuments } from '../../../../processor/fluent/documents.js';

const ORIGIN = 'http://fluent.test';
const documents = loadFluentDocuments();

let agent: MockAgent;
let transport: HttpTransport;
let tokensIssued: number;
let calls: Array<{ operation: string; outcome: 'ok' | 'error' }>;
/** Authorization and X-Correlation-ID headers of the GraphQL requests, in order. */
let seenTokens: string[];
let seenCorrelationIds: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  transport = new HttpTransport({ service: 'fluent', dispatcher: agent });
  tokensIssued = 0;
  calls = [];
  seenTokens = [];
  seenCorrelationIds = [];
});

afterEach(async () => {
  await agent.close();
});

/** Answers the next GraphQL POSTs in order with these statuses and bodies. */
function answer(...replies: Array<[status: number, body: unknown]>): void {
  const pool = agent.get(ORIGIN);
  for (const [status, body] of replies) {
    pool.intercept({ path: '/graphql', method: 'POST' }).reply(
      status,
      (opts) => {
        const headers = opts.headers as Record<string, string>;
        seenTokens.push(headers['authorization'] ?? '');
        seenCorrelationIds.push(headers['x-correlation-id'] ?? '');
        return typeof body === 'string' ? body : JSON.stringify(body);
      },
      { headers: { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' } },
    );
  }
}

function client(retries = 2): FluentClient {
  return new FluentClient({
    baseUrl: ORIGIN,
    transport,
    tokens: new TokenCache(() => Promise.resolve({ accessToken: `t${++tokensIssued}`, expiresInSeconds: 3600 })),
    documents,
    retries,
    onCall: (operation, _seconds, outcome) => calls.push({ operation, outcome }),
  });
}

const ORDER = { id: '1', ref: 'O_1', status: 'BOOKED' };
const orderById = (c = client(), correlationId?: string) =>
  c.orderById('1', correlationId ? { correlationId } : {}).catch((e: unknown) => e);

describe('FluentClient', () => {
  it('reads the first root field, whatever its alias, with a bearer token; one ok call', async () => {
    answer([200, { data: { aliased: ORDER, second: { id: '2' } } }]);
    expect(await orderById()).toEqual(ORDER);
    expect(seenTokens).toEqual(['Bearer t1']);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'ok' }]);
  });

  it('null data is no order', async () => {
    answer([200, { data: { orderById: null } }]);
    expect(await orderById()).toBeNull();
  });

  it('retries a transient failure in place (503, then a non-JSON body) within one call', async () => {
    answer([503, 'unavailable'], [200, '<html>proxy</html>'], [200, { data: { orderById: ORDER } }]);
    expect(await orderById()).toEqual(ORDER);
    expect(seenTokens).toHaveLength(3);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'ok' }]);
  });

  it('gives up after the configured retries with the last typed error', async () => {
    answer([429, 'slow down'], [429, 'slow down']);
    const error = await orderById(client(1));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/fluent orderById: HTTP 429/);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });

  it('refreshes a rejected token once', async () => {
    answer([401, {}], [200, { data: { orderById: ORDER } }]);
    expect(await orderById()).toEqual(ORDER);
    expect(seenTokens).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('a fresh token rejected too is access denied: an outage, not retried in place', async () => {
    answer([401, {}], [401, {}]);
    const error = await orderById();
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_ACCESS_DENIED');
    expect(isOutage(error)).toBe(true);
    expect(isRetriable(error)).toBe(true);
    expect((error as AccessDeniedError).service).toBe('fluent');
    expect((error as Error).message).toMatch(/HTTP 401 even with a freshly issued token/);
    expect(seenTokens).toHaveLength(2);
  });

  it('403 is access denied', async () => {
    answer([403, 'forbidden']);
    const error = await orderById();
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toMatch(/HTTP 403 forbidden/);
  });

  it('another client error status is non-retryable, with the GraphQL messages', async () => {
    answer([400, { errors: [{ message: 'bad input' }] }]);
    const error = await orderById();
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toBe('fluent orderById: HTTP 400: bad input');
  });

  it('a request the server rejects as invalid is a configuration error naming the hint; not retried', async () => {
    answer([200, { errors: [{ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION' } }] }]);
    const error = await orderById();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'fluent orderById: the request was rejected (check FLUENT_GRAPHQL_* document overrides): ' +
        'GRAPHQL_VALIDATION: Cannot query field "nope"',
    );
    expect(seenTokens).toHaveLength(1);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });

  it('an execution error in the answer is retryable and not retried in place', async () => {
    answer([200, { data: { orderById: null }, errors: [{ message: 'boom', path: ['orderById'] }] }]);
    const error = await orderById();
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe('fluent orderById: boom');
    expect(seenTokens).toHaveLength(1);
  });

  it('settings: the nodes of the connection', async () => {
    const node = { name: 's', context: 'ACCOUNT', contextId: 0, value: '{}' };
    answer([200, { data: { settings: { edges: [{ node }, null, { node: null }] } } }]);
    expect(await client().settings(['s'], ['ACCOUNT'], [0])).toEqual([node]);
  });
});

describe('correlation id', () => {
  it("is the caller's on every attempt: token refresh and in-place retries included", async () => {
    answer([401, {}], [503, 'unavailable'], [200, { data: { orderById: ORDER } }]);
    await orderById(client(), 'event-7');
    expect(seenCorrelationIds).toEqual(['event-7', 'event-7', 'event-7']);
  });

  it('is generated once per call when the caller has none, and named in the error details', async () => {
    answer([503, 'unavailable'], [503, 'unavailable']);
    const error = await orderById(client(1));
    expect(seenCorrelationIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenCorrelationIds[1]).toBe(seenCorrelationIds[0]);
    expect((error as RetryableError).details).toMatchObject({ correlationId: seenCorrelationIds[0] });
  });
});

/**
 * The one GraphQL call both clients use: auth refresh, in-place retries, a rejected request, the first root field and
 * the call metric. The transport runs on an undici MockAgent (no network).
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorCodeOf, isOutage, isRetriable } from '../../../../common/errors.js';
import { ConfigurationError, NonRetryableError, RetryableError } from '../../../../processor/errors.js';
import { AccessDeniedError } from '../../../../processor/downstream/errors.js';
import { GraphqlEndpoint, type GraphqlRequest } from '../../../../processor/downstream/graphql.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { TokenCache } from '../../../../processor/downstream/token-cache.js';

const ORIGIN = 'http://downstream.test';

let agent: MockAgent;
let transport: HttpTransport;
let tokensIssued: number;
let tokens: TokenCache;
let calls: Array<{ operation: string; outcome: 'ok' | 'error' }>;
/** Authorization headers of the GraphQL requests, in order. */
let seenTokens: string[];
/** X-Correlation-ID headers of the GraphQL requests, in order. */
let seenCorrelationIds: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  transport = new HttpTransport({ service: 'fluent', dispatcher: agent });
  tokensIssued = 0;
  tokens = new TokenCache(() => Promise.resolve({ accessToken: `t${++tokensIssued}`, expiresInSeconds: 3600 }));
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
    pool.intercept({ path: '/graphql', method: 'POST' }).reply(status, (opts) => {
      const headers = opts.headers as Record<string, string>;
      seenTokens.push(headers['authorization'] ?? '');
      seenCorrelationIds.push(headers['x-correlation-id'] ?? '');
      return typeof body === 'string' ? body : JSON.stringify(body);
    });
  }
}

function endpoint(retries = 2): GraphqlEndpoint {
  return new GraphqlEndpoint({
    transport,
    retries,
    onCall: (operation, _seconds, outcome) => calls.push({ operation, outcome }),
    rejectedHint: 'check FLUENT_GRAPHQL_* document overrides',
  });
}

const request = (extra: Partial<GraphqlRequest> = {}): GraphqlRequest => ({
  url: `${ORIGIN}/graphql`,
  tokens,
  query: 'query ($id: ID!) { orderById(id: $id) { id } }',
  variables: { id: '1' },
  operation: 'orderById',
  ...extra,
});

const firstField = <T>(res: { field: T | null }) => res.field;

describe('GraphqlEndpoint.call', () => {
  it('hands the first root field, whatever its alias, to the reader and records one ok call', async () => {
    answer([200, { data: { aliased: { id: '1' }, second: { id: '2' } } }]);
    expect(await endpoint().call(request(), firstField)).toEqual({ id: '1' });
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'ok' }]);
  });

  it('gives the reader null for null data and [] for no errors', async () => {
    answer([200, { data: null }]);
    const read = vi.fn((res: unknown) => res);
    await endpoint().call(request(), read);
    expect(read).toHaveBeenCalledWith({ status: 200, field: null, errors: [] });
  });

  it('retries a transient failure in place (503, then a non-JSON body) within one call', async () => {
    answer([503, 'unavailable'], [200, '<html>proxy</html>'], [200, { data: { order: { id: '1' } } }]);
    expect(await endpoint().call(request(), firstField)).toEqual({ id: '1' });
    expect(seenTokens).toHaveLength(3);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'ok' }]);
  });

  it('gives up after the configured retries with the last typed error', async () => {
    answer([429, 'slow down'], [429, 'slow down']);
    const error = await endpoint(1)
      .call(request(), firstField)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/fluent orderById: HTTP 429/);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });

  it('refreshes a rejected token once', async () => {
    answer([401, ''], [200, { data: { order: { id: '1' } } }]);
    expect(await endpoint().call(request(), firstField)).toEqual({ id: '1' });
    expect(seenTokens).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('a fresh token rejected too is access denied: an outage, not retried in place', async () => {
    answer([401, ''], [401, '']);
    const error = await endpoint()
      .call(request(), firstField)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_ACCESS_DENIED');
    expect(isOutage(error)).toBe(true);
    expect(isRetriable(error)).toBe(true);
    expect((error as AccessDeniedError).service).toBe('fluent');
    expect(seenTokens).toHaveLength(2);
  });

  it('403 is access denied (missing scope)', async () => {
    answer([403, 'insufficient_scope']);
    const error = await endpoint()
      .call(request(), firstField)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toMatch(/HTTP 403 insufficient_scope \(check the client's scopes\)/);
  });

  it('another client error status is non-retryable, with the GraphQL messages', async () => {
    answer([400, { errors: [{ message: 'bad input' }] }]);
    const error = await endpoint()
      .call(request(), firstField)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toBe('fluent orderById: HTTP 400: bad input');
  });

  it('a request the server rejects as invalid is a configuration error naming the subject and the hint', async () => {
    answer([200, { errors: [{ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION' } }] }]);
    const error = await endpoint()
      .call(request({ subject: 'fluent orderById (retailer 1)' }), firstField)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'fluent orderById (retailer 1): the request was rejected (check FLUENT_GRAPHQL_* document overrides): ' +
        'GRAPHQL_VALIDATION: Cannot query field "nope"',
    );
    expect(seenTokens).toHaveLength(1);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });

  it('execution errors (with data or a path) go to the reader', async () => {
    const errors = [{ message: 'conflict', path: ['updateOrder'], extensions: { code: 'ConcurrentModification' } }];
    answer([409, { data: { updateOrder: null }, errors }]);
    const read = vi.fn((res: unknown) => res);
    await endpoint().call(request({ acceptStatuses: [409] }), read);
    expect(read).toHaveBeenCalledWith({ status: 409, field: null, errors });
  });

  it('an error thrown by the reader fails the call and is not retried', async () => {
    answer([200, { data: { order: null }, errors: [{ message: 'boom', path: ['order'] }] }]);
    const read = () => {
      throw new RetryableError('fluent orderById: boom');
    };
    await expect(endpoint().call(request(), read)).rejects.toThrow('fluent orderById: boom');
    expect(seenTokens).toHaveLength(1);
    expect(calls).toEqual([{ operation: 'orderById', outcome: 'error' }]);
  });
});

describe('correlation id', () => {
  it("is the caller's on every attempt: token refresh and in-place retries included", async () => {
    answer([401, {}], [503, 'unavailable'], [200, { data: { orderById: { id: '1' } } }]);
    await endpoint().call(request({ correlationId: 'event-7' }), firstField);
    expect(seenCorrelationIds).toEqual(['event-7', 'event-7', 'event-7']);
  });

  it('is generated once per call when the caller has none, and named in the error details', async () => {
    answer([503, 'unavailable'], [503, 'unavailable']);
    const error = await endpoint(1)
      .call(request(), firstField)
      .catch((e: unknown) => e);
    expect(seenCorrelationIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenCorrelationIds[1]).toBe(seenCorrelationIds[0]);
    expect((error as RetryableError).details).toMatchObject({ correlationId: seenCorrelationIds[0] });
  });
});

/** One OAuth token request (both downstreams) and its response parsing; the transport runs on an undici MockAgent. */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf, isRetriable } from '../../../../common/errors.js';
import { NonRetryableError } from '../../../../processor/errors.js';
import { HttpTransport } from '../../../../processor/downstream/http.js';
import { parseTokenResponse, requestToken, type TokenRequest } from '../../../../processor/downstream/oauth.js';

const ORIGIN = 'http://auth.test';
let agent: MockAgent;
let transport: HttpTransport;
let sent: { body: string; headers: Record<string, string> }[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  transport = new HttpTransport({ service: 'commercetools', dispatcher: agent });
  sent = [];
});

afterEach(async () => {
  await agent.close();
});

function answer(status: number, body: string): void {
  agent
    .get(ORIGIN)
    .intercept({ path: '/oauth/token', method: 'POST' })
    .reply(status, (opts) => {
      sent.push({ body: opts.body as string, headers: opts.headers as Record<string, string> });
      return body;
    });
}

const request: TokenRequest = {
  url: `${ORIGIN}/oauth/token`,
  form: { grant_type: 'client_credentials', scope: 'manage_orders:p' },
  headers: { authorization: 'Basic Yzpz' },
  rejected: (res) => new NonRetryableError(`rejected with HTTP ${res.status}`),
};

describe('requestToken', () => {
  it('posts the form with the extra headers and returns the token', async () => {
    answer(200, JSON.stringify({ access_token: 'abc', expires_in: 172800 }));
    expect(await requestToken(transport, request)).toEqual({ accessToken: 'abc', expiresInSeconds: 172800 });
    expect(sent[0]!.body).toBe('grant_type=client_credentials&scope=manage_orders%3Ap');
    expect(sent[0]!.headers).toMatchObject({
      authorization: 'Basic Yzpz',
      'content-type': 'application/x-www-form-urlencoded',
    });
  });

  it('a transient status is the transport typed error', async () => {
    answer(503, 'busy');
    const error = await requestToken(transport, request).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('DOWNSTREAM_UNAVAILABLE');
  });

  it('any other non-200 answer is the caller error', async () => {
    answer(401, '{"error":"invalid_client"}');
    await expect(requestToken(transport, request)).rejects.toThrow('rejected with HTTP 401');
  });
});

describe('parseTokenResponse', () => {
  it('defaults a missing or nonsensical lifetime to 300 s', () => {
    expect(parseTokenResponse('fluent', '{"access_token":"t"}').expiresInSeconds).toBe(300);
    expect(parseTokenResponse('fluent', '{"access_token":"t","expires_in":-1}').expiresInSeconds).toBe(300);
  });

  it.each([
    ['not JSON', '<html>', /fluent token response is not JSON/],
    ['no token', '{"expires_in":10}', /fluent token response has no access_token/],
  ])('%s is a retryable error', (_label, text, message) => {
    let error: unknown;
    try {
      parseTokenResponse('fluent', text);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(message);
    expect(errorCodeOf(error)).toBe('RETRYABLE');
    expect(isRetriable(error)).toBe(true);
  });
});

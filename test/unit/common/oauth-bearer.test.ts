import { describe, expect, it } from 'vitest';
import { errorCodeOf, oauthBearerProvider } from '../../../common/index.js';

const SETTINGS = {
  tokenUrl: 'https://idp.example/oauth2/token',
  clientId: 'client id',
  clientSecret: 'Token-Secret-9',
  scope: 'kafka',
  extensions: { logicalCluster: 'lkc-1' },
};

function fakeIdp(answers: Array<{ status: number; body: unknown }>) {
  const requests: Array<{ url: string; authorization: string; body: string }> = [];
  const fetch = (url: string, init?: { headers?: Record<string, string>; body?: URLSearchParams }) => {
    requests.push({ url, authorization: init?.headers?.authorization ?? '', body: init?.body?.toString() ?? '' });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return Promise.resolve(new Response(JSON.stringify(answer.body), { status: answer.status }));
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests };
}

describe('OAUTHBEARER token provider (client credentials)', () => {
  it('posts the grant with Basic client auth and the scope; returns the token with the extensions', async () => {
    const idp = fakeIdp([{ status: 200, body: { access_token: 'tok-1', expires_in: 3600 } }]);
    const provider = oauthBearerProvider(SETTINGS, { fetch: idp.fetch, now: () => 0 });
    await expect(provider()).resolves.toEqual({ value: 'tok-1', extensions: { logicalCluster: 'lkc-1' } });
    expect(idp.requests).toEqual([
      {
        url: SETTINGS.tokenUrl,
        authorization: `Basic ${Buffer.from('client%20id:Token-Secret-9').toString('base64')}`,
        body: 'grant_type=client_credentials&scope=kafka',
      },
    ]);
  });

  it('reuses the token until shortly before it expires, and shares one request between concurrent callers', async () => {
    let now = 0;
    const idp = fakeIdp([
      { status: 200, body: { access_token: 'tok-1', expires_in: 600 } },
      { status: 200, body: { access_token: 'tok-2', expires_in: 600 } },
    ]);
    const provider = oauthBearerProvider(SETTINGS, { fetch: idp.fetch, now: () => now });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.value, b.value]).toEqual(['tok-1', 'tok-1']);
    now = 479_000; // 80 % of 600 s is 480 s
    expect((await provider()).value).toBe('tok-1');
    now = 480_001;
    expect((await provider()).value).toBe('tok-2');
    expect(idp.requests).toHaveLength(2);
  });

  it('a refused client names the variables, never the secret, as KAFKA_SECURITY', async () => {
    const idp = fakeIdp([{ status: 401, body: { error: 'invalid_client' } }]);
    const provider = oauthBearerProvider(SETTINGS, { fetch: idp.fetch });
    const error = (await provider().catch((e: unknown) => e)) as Error;
    expect(errorCodeOf(error)).toBe('KAFKA_SECURITY');
    expect(error.message).toMatch(
      /HTTP 401 \(check KAFKA_SASL_OAUTHBEARER_CLIENT_ID, KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET/,
    );
    expect(error.message).not.toMatch(/Token-Secret-9/);
  });

  it('an answer without an access token is an error, and the next call asks again', async () => {
    const idp = fakeIdp([
      { status: 200, body: { token_type: 'bearer' } },
      { status: 200, body: { access_token: 'tok-3' } },
    ]);
    const provider = oauthBearerProvider(SETTINGS, { fetch: idp.fetch });
    await expect(provider()).rejects.toThrow(/without an access_token/);
    expect((await provider()).value).toBe('tok-3');
  });
});

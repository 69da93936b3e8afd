/**
 * Fluent OAuth (DESIGN.md §3): password grant `POST {FLUENT_BASE_URL}/oauth/token` with form fields username,
 * password, client_id, client_secret, grant_type=password, scope=api → {access_token, expires_in}. The token is
 * cached by a TokenCache (refreshed shortly before expiry, single flight, dropped on 401).
 */
import { DownstreamUnavailableError, RetryableError } from '../errors.js';
import type { HttpTransport } from '../downstream/http.js';
import { TokenCache, type FetchedToken, type TokenCacheOptions } from '../downstream/token-cache.js';

export interface FluentCredentials {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

export function fluentTokenFetcher(
  transport: HttpTransport,
  credentials: FluentCredentials,
): () => Promise<FetchedToken> {
  const body = new URLSearchParams({
    username: credentials.username,
    password: credentials.password,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    grant_type: 'password',
    scope: 'api',
  }).toString();
  const url = `${credentials.baseUrl}/oauth/token`;
  return async () => {
    const res = await transport.send(url, {
      operation: 'token request',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    const statusError = transport.statusError(res.status, 'token request', res.text);
    if (statusError) throw statusError;
    if (res.status !== 200) {
      // Wrong credentials affect every message alike: report an outage (the runtime pauses), never the body's secrets.
      throw new DownstreamUnavailableError(
        'fluent',
        `fluent token request rejected with HTTP ${res.status} (check FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET, FLUENT_USERNAME, FLUENT_PASSWORD)`,
        { details: { status: res.status } },
      );
    }
    return parseTokenResponse('fluent', res.text);
  };
}

export function parseTokenResponse(service: string, text: string): FetchedToken {
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new RetryableError(`${service} token response is not JSON`, { details: { transient: true } });
  }
  if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
    throw new RetryableError(`${service} token response has no access_token`, { details: { transient: true } });
  }
  const expires = Number(parsed.expires_in);
  return {
    accessToken: parsed.access_token,
    expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 300,
  };
}

export function createFluentTokenCache(
  transport: HttpTransport,
  credentials: FluentCredentials,
  options?: TokenCacheOptions,
): TokenCache {
  return new TokenCache(fluentTokenFetcher(transport, credentials), options);
}

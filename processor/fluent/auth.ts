/**
 * Fluent OAuth (docs/architecture.md, "Fluent"): password grant `POST {FLUENT_BASE_URL}/oauth/token` with form fields
 * username, password, client_id, client_secret, grant_type=password, scope=api → {access_token, expires_in}. The token
 * is cached by a TokenCache (refreshed shortly before expiry, single flight, dropped on 401).
 */
import type { HttpTransport } from '../downstream/http.js';
import { AccessDeniedError } from '../downstream/errors.js';
import { requestToken, type TokenRequest } from '../downstream/oauth.js';
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
  const request: TokenRequest = {
    url: `${credentials.baseUrl}/oauth/token`,
    form: {
      username: credentials.username,
      password: credentials.password,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: 'password',
      scope: 'api',
    },
    // Wrong credentials affect every message alike: report an outage (the runtime pauses), never the body's secrets.
    rejected: ({ status }) =>
      new AccessDeniedError(
        'fluent',
        `fluent token request rejected with HTTP ${status} (check FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET, FLUENT_USERNAME, FLUENT_PASSWORD)`,
        { details: { status } },
      ),
  };
  return () => requestToken(transport, request);
}

export function createFluentTokenCache(
  transport: HttpTransport,
  credentials: FluentCredentials,
  options?: TokenCacheOptions,
): TokenCache {
  return new TokenCache(fluentTokenFetcher(transport, credentials), options);
}

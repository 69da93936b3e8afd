/**
 * commercetools OAuth (DESIGN.md §4): client credentials, `POST {CT_AUTH_URL}/oauth/token` with HTTP Basic
 * client id/secret and scope `manage_orders:{projectKey}`. One TokenCache per project key.
 */
import { DownstreamUnavailableError } from '../errors.js';
import type { HttpTransport } from '../downstream/http.js';
import { TokenCache, type FetchedToken, type TokenCacheOptions } from '../downstream/token-cache.js';
import { parseTokenResponse } from '../fluent/auth.js';

export interface CommercetoolsCredentials {
  readonly authUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scope template; `{projectKey}` is replaced. */
  readonly scope: string;
}

export function commercetoolsTokenFetcher(
  transport: HttpTransport,
  credentials: CommercetoolsCredentials,
  projectKey: string,
): () => Promise<FetchedToken> {
  const url = `${credentials.authUrl}/oauth/token`;
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: credentials.scope.replaceAll('{projectKey}', projectKey),
  }).toString();
  return async () => {
    const res = await transport.send(url, {
      operation: `token request (project ${projectKey})`,
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body,
    });
    const statusError = transport.statusError(res.status, 'token request', res.text);
    if (statusError) throw statusError;
    if (res.status !== 200) {
      throw new DownstreamUnavailableError(
        'commercetools',
        `commercetools token request for project ${projectKey} rejected with HTTP ${res.status} (check CT_CLIENT_ID, CT_CLIENT_SECRET and the scope)`,
        { details: { status: res.status, projectKey } },
      );
    }
    return parseTokenResponse('commercetools', res.text);
  };
}

/** Token caches per project key, created on first use and kept. */
export class CommercetoolsTokens {
  private readonly caches = new Map<string, TokenCache>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: CommercetoolsCredentials,
    private readonly options?: TokenCacheOptions,
  ) {}

  forProject(projectKey: string): TokenCache {
    let cache = this.caches.get(projectKey);
    if (!cache) {
      cache = new TokenCache(commercetoolsTokenFetcher(this.transport, this.credentials, projectKey), this.options);
      this.caches.set(projectKey, cache);
    }
    return cache;
  }
}

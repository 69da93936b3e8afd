/**
 * commercetools OAuth (docs/architecture.md, "commercetools"): client credentials, `POST {CT_AUTH_URL}/oauth/token` with HTTP Basic
 * client id/secret and scope `manage_orders:{projectKey}`. One TokenCache per project key.
 */
import { ConfigurationError } from '../errors.js';
import { AccessDeniedError } from '../downstream/errors.js';
import type { HttpTransport } from '../downstream/http.js';
import { requestToken, type TokenRequest } from '../downstream/oauth.js';
import { TokenCache, type FetchedToken, type TokenCacheOptions } from '../downstream/token-cache.js';

export interface CommercetoolsCredentials {
  readonly authUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scope template; `{projectKey}` is replaced. */
  readonly scope: string;
  /** CT_PROJECT_KEY: the project used when no account mapping applies. */
  readonly projectKey?: string;
}

export function commercetoolsTokenFetcher(
  transport: HttpTransport,
  credentials: CommercetoolsCredentials,
  projectKey: string,
): () => Promise<FetchedToken> {
  const scope = credentials.scope.replaceAll('{projectKey}', projectKey);
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
  const request: TokenRequest = {
    url: `${credentials.authUrl}/oauth/token`,
    form: { grant_type: 'client_credentials', scope },
    headers: { authorization: `Basic ${basic}` },
    operation: `token request (project ${projectKey})`,
    rejected: (res) => {
      // A project chosen by a retailer's account mapping that these credentials may not use is that retailer's
      // configuration error (its records go to the DLQ with the reason), not an outage pausing every retailer.
      // For the default project nothing could succeed, so that stays an outage below.
      if (
        res.status === 400 &&
        res.text.includes('invalid_scope') &&
        credentials.projectKey !== undefined &&
        projectKey !== credentials.projectKey
      ) {
        return new ConfigurationError(
          `commercetools: the account mapping selects project "${projectKey}", but CT_CLIENT_ID has no scope for it ` +
            `(requested "${scope}"); fix the mapping or the API client`,
          { details: { status: res.status, projectKey } },
        );
      }
      return new AccessDeniedError(
        'commercetools',
        `commercetools token request for project ${projectKey} rejected with HTTP ${res.status} (check CT_CLIENT_ID, CT_CLIENT_SECRET and the scope)`,
        { details: { status: res.status, projectKey } },
      );
    },
  };
  return () => requestToken(transport, request);
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

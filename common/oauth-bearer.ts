/**
 * SASL/OAUTHBEARER token provider for KafkaJS (docs/configuration.md, "Kafka and registry security"): an OAuth 2.0
 * client-credentials grant (RFC 6749, section 4.4) against the identity provider's token endpoint, client id and
 * secret sent as HTTP Basic (section 2.3.1). The token is reused until shortly before it expires, so every broker
 * connection and re-authentication of one client shares one token request. Written here because KafkaJS leaves the
 * provider to the application and the grant is one form POST; failures name the variables, never the secret.
 */
import { ConnectorError } from './errors.js';

export interface OAuthBearerSettings {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes; omitted from the request when unset. */
  readonly scope?: string | undefined;
  /** SASL extensions sent with the token (Confluent Cloud: logicalCluster, identityPoolId). */
  readonly extensions?: Readonly<Record<string, string>> | undefined;
}

export interface OAuthBearerToken {
  value: string;
  extensions?: Record<string, string>;
}

/** Refresh this long before the token's expiry, or at 80 % of its life when that is shorter. */
const REFRESH_MARGIN_MS = 60_000;
/** Without expires_in, a token is used for this long. */
const DEFAULT_LIFETIME_MS = 300_000;

export function oauthBearerProvider(
  settings: OAuthBearerSettings,
  options: { fetch?: typeof fetch; now?: () => number; timeoutMs?: number } = {},
): () => Promise<OAuthBearerToken> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { token: OAuthBearerToken; refreshAt: number } | undefined;
  let pending: Promise<OAuthBearerToken> | undefined;

  const request = async (): Promise<OAuthBearerToken> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (settings.scope) body.set('scope', settings.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await doFetch(settings.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw tokenError(`cannot reach KAFKA_SASL_OAUTHBEARER_TOKEN_URL ${settings.tokenUrl}: ${String(error)}`, error);
    }
    const text = await response.text();
    if (!response.ok) {
      const hint =
        response.status === 400 || response.status === 401
          ? ' (check KAFKA_SASL_OAUTHBEARER_CLIENT_ID, KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET and KAFKA_SASL_OAUTHBEARER_SCOPE)'
          : '';
      throw tokenError(`the token endpoint ${settings.tokenUrl} answered HTTP ${response.status}${hint}`);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw tokenError(`the token endpoint ${settings.tokenUrl} did not answer JSON`);
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw tokenError(`the token endpoint ${settings.tokenUrl} answered without an access_token`);
    }
    const lifetimeMs =
      typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in * 1_000 : DEFAULT_LIFETIME_MS;
    const token: OAuthBearerToken = {
      value: parsed.access_token,
      ...(settings.extensions ? { extensions: { ...settings.extensions } } : {}),
    };
    cached = { token, refreshAt: now() + Math.min(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs * 0.8) };
    return token;
  };

  return () => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    pending ??= request().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

function tokenError(message: string, cause?: unknown): ConnectorError {
  return new ConnectorError('KAFKA_SECURITY', `SASL OAUTHBEARER: ${message}`, { cause });
}

/**
 * One OAuth token request as Fluent needs it (graphql-request has no auth of its own; commercetools tokens are the
 * platform SDK's client-credentials flow): a form-encoded POST to the token endpoint. Transient
 * statuses become the transport's typed errors; any other non-200 answer is the caller's to type (wrong credentials
 * or scope are an outage for one service and a retailer's configuration error for another); a 200 must carry
 * `{access_token, expires_in}`.
 */
import { RetryableError } from '../errors.js';
import { newCorrelationId } from '../../common/identity.js';
import type { HttpTransport } from './http.js';
import type { FetchedToken } from './token-cache.js';

/** Lifetime assumed when the server reports none (or nonsense). */
const DEFAULT_EXPIRES_IN_SECONDS = 300;

export interface TokenRequest {
  readonly url: string;
  /** Form fields (grant type, scope, and for a password grant the credentials). */
  readonly form: Record<string, string>;
  /** Extra headers, e.g. HTTP Basic client credentials. */
  readonly headers?: Record<string, string>;
  /** For error messages; never contains secrets. Default `token request`. */
  readonly operation?: string;
  /** The error for a non-200 answer that is not transient. Must not echo the body (it may hold secrets). */
  readonly rejected: (res: { readonly status: number; readonly text: string }) => Error;
}

/**
 * Sends the token request. It serves every record until the token expires, so no webhook's event id fits: the
 * transport sends a generated X-Correlation-ID (in the details of a transport error).
 */
export async function requestToken(transport: HttpTransport, request: TokenRequest): Promise<FetchedToken> {
  const correlationId = newCorrelationId();
  const res = await transport.fetch(request.url, {
    method: 'POST',
    headers: {
      ...request.headers,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'x-correlation-id': correlationId,
    },
    body: new URLSearchParams(request.form).toString(),
  });
  const text = await res.text();
  const statusError = transport.statusError(res.status, request.operation ?? 'token request', text, correlationId);
  if (statusError) throw statusError;
  if (res.status !== 200) throw request.rejected({ status: res.status, text });
  return parseTokenResponse(transport.service, text);
}

/** `{access_token, expires_in}` → FetchedToken. A malformed answer is retryable (a proxy's error page, a blip). */
export function parseTokenResponse(service: string, text: string): FetchedToken {
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new RetryableError(`${service} token response is not JSON`);
  }
  if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
    throw new RetryableError(`${service} token response has no access_token`);
  }
  const expires = Number(parsed.expires_in);
  return {
    accessToken: parsed.access_token,
    expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : DEFAULT_EXPIRES_IN_SECONDS,
  };
}

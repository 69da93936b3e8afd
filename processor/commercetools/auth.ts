/**
 * commercetools OAuth (docs/architecture.md, "commercetools"): client credentials against `{CT_AUTH_URL}/oauth/token`
 * with scope `manage_orders:{projectKey}` (a store-scoped client: `manage_orders:{projectKey}:{storeKey}`; credentials per
 * project: credentials.ts), run by the platform SDK's client-credentials flow (ts-client's auth
 * middleware: token request, cache, refresh before expiry, one new token and one retry on 401). This module is the
 * `httpClient` that flow sends its token requests through, and adds what the flow does not do:
 *
 * - Single flight. ts-client 4.10 hands its in-flight token promise to each request by value, so N requests arriving
 *   on a cold or rejected token each POST to the token endpoint; here concurrent token requests share one answer.
 * - Typed rejections. A rejected token request becomes an AccessDeniedError (an outage: the runtime pauses), or a
 *   ConfigurationError when the account mapping picks a project these credentials have no scope for (that retailer's
 *   records go to the DLQ); a transient status is the transport's typed error; the body is never echoed.
 * - Its own X-Correlation-ID: the token serves many records, while the flow copies the triggering call's headers.
 */
import { ConfigurationError } from '../errors.js';
import { AccessDeniedError } from '../downstream/errors.js';
import type { FetchHeaders, FetchInit, FetchResponse, HttpTransport, PooledFetch } from '../downstream/http.js';
import { newCorrelationId } from '../../common/identity.js';
import { parseTokenResponse } from '../downstream/oauth.js';
import { describeTarget, scopesFor, type CtTarget } from './credentials.js';

/** The fetch-like function the SDK's client-credentials flow of one target uses for its token requests. */
export function tokenEndpointFetch(
  transport: HttpTransport,
  target: CtTarget,
  defaultProjectKey?: string,
): PooledFetch {
  let inflight: Promise<FetchResponse> | undefined;
  return (url, init) => {
    inflight ??= requestToken(transport, target, defaultProjectKey, url, init).finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}

async function requestToken(
  transport: HttpTransport,
  target: CtTarget,
  defaultProjectKey: string | undefined,
  url: string | URL,
  init: FetchInit = {},
): Promise<FetchResponse> {
  const correlationId = newCorrelationId();
  const res = await transport.fetch(url, {
    ...init,
    headers: { ...withoutCorrelationId(init.headers), 'x-correlation-id': correlationId },
  });
  const text = await res.text();
  const operation = `token request (${describeTarget(target)})`;
  const statusError = transport.statusError(res.status, operation, text, correlationId);
  if (statusError) throw statusError;
  if (res.status !== 200) throw rejected(target, defaultProjectKey, res.status, text);
  parseTokenResponse('commercetools', text); // a garbled answer is retryable, not a cached `undefined` token
  return res;
}

function rejected(target: CtTarget, defaultProjectKey: string | undefined, status: number, text: string): Error {
  const { projectKey, credentials } = target;
  const details = { status, projectKey, ...(target.storeKey ? { storeKey: target.storeKey } : {}) };
  // A project chosen by a retailer's account mapping that its credentials may not use is that retailer's
  // configuration error (its records go to the DLQ with the reason), not an outage pausing every retailer.
  // For the default project nothing could succeed, so that stays an outage below.
  if (status === 400 && text.includes('invalid_scope') && projectKey !== defaultProjectKey) {
    const requested = scopesFor(target).join(' ');
    const hint =
      credentials.source === 'CT_CLIENT_ID'
        ? `the account mapping selects project "${projectKey}", but CT_CLIENT_ID has no scope for it (requested "${requested}"); add credentials for "${projectKey}" to CT_PROJECTS_FILE, or fix the mapping`
        : `the API client of ${credentials.source} has no scope for project "${projectKey}"${target.storeKey ? ` and store "${target.storeKey}"` : ''} (requested "${requested}"); fix its scope, its storeKey or the API client`;
    return new ConfigurationError(`commercetools: ${hint}`, { details });
  }
  return new AccessDeniedError(
    'commercetools',
    `commercetools token request for ${describeTarget(target)} rejected with HTTP ${status} (check ${credentials.source === 'CT_CLIENT_ID' ? 'CT_CLIENT_ID, CT_CLIENT_SECRET and CT_SCOPE' : `clientId, clientSecret and scope of ${credentials.source}`})`,
    { details },
  );
}

function withoutCorrelationId(headers: FetchHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (value: string | undefined, name: string) => {
    if (value !== undefined && name.toLowerCase() !== 'x-correlation-id') out[name] = value;
  };
  if (!headers) return out;
  if (typeof headers.forEach === 'function') {
    (headers as { forEach(fn: (value: string, name: string) => void): void }).forEach(put);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string | undefined>)) put(value, name);
  }
  return out;
}

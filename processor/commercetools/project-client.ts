/**
 * One commercetools SDK client (docs/architecture.md, "commercetools"): ts-client's ClientBuilder with the
 * client-credentials flow and the HTTP middleware, both on the transport's pooled fetch, wrapped in platform-sdk's
 * typed request builders. CommercetoolsClient.clientFor builds one per project and API client (credentials.ts,
 * sdkClientKeyOf) on first use.
 */
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { ClientBuilder } from '@commercetools/ts-client';
import type { HttpTransport } from '../downstream/http.js';
import { tokenEndpointFetch } from './auth.js';
import { scopesFor, type CtTarget } from './credentials.js';

export interface ProjectClientOptions {
  /** The project, the credentials, and the store when their scope names one. */
  readonly target: CtTarget;
  readonly transport: HttpTransport;
  /** CT_PROJECT_KEY (see auth.ts: a token rejection there is an outage). */
  readonly defaultProjectKey?: string;
  /** Retries of 408/429/5xx answers by the SDK's retry middleware. Default 2. */
  readonly retries?: number;
}

/** Statuses worth sending again at once (503 is always retried by the SDK). */
const RETRY_STATUSES = [408, 429, 500, 502, 504];

export function createProjectClient(options: ProjectClientOptions): ByProjectKeyRequestBuilder {
  const { target, transport } = options;
  const { projectKey, credentials } = target;
  const retries = options.retries ?? 2;
  const httpClient = transport.fetch as unknown as typeof fetch;
  const client = new ClientBuilder()
    .withProjectKey(projectKey)
    .withClientCredentialsFlow({
      host: credentials.authUrl,
      projectKey,
      credentials: { clientId: credentials.clientId, clientSecret: credentials.clientSecret },
      scopes: scopesFor(target),
      httpClient: tokenEndpointFetch(transport, target, options.defaultProjectKey),
    })
    .withHttpMiddleware({
      host: credentials.apiUrl,
      httpClient,
      enableRetry: retries > 0,
      // ~100–200 ms, then ~200–400 ms (the SDK doubles with jitter), as the connector's other in-place retries.
      retryConfig: { maxRetries: retries, retryDelay: 50, backoff: true, maxDelay: 1_000, retryCodes: RETRY_STATUSES },
      // The connector reads neither; leaving them out spares copying headers and the request into every answer.
      includeResponseHeaders: false,
      includeRequestInErrorResponse: false,
    })
    .build();
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey });
}

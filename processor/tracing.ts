/**
 * The processor's part of a webhook's trace (common/tracing.ts): each record is handled inside a consumer span that
 * continues the record's `traceparent` (set by the ingress, so it is a child of the webhook request), and every
 * Fluent / commercetools call made while handling it is a client span whose `traceparent` header names it.
 *
 * Outgoing calls are seen through undici's diagnostics channels rather than inside one client: whatever library sends
 * the request (the connector's transport, the commercetools SDK, graphql-request) goes through undici, and a request
 * created inside a record's span gets the header and the span; requests outside any record (token refreshes at
 * start) get neither.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Headers, headerString, type RawHeaders } from '../schemas/index.js';
import { currentSpan, parseTraceparent, runInSpan, startSpan, type ActiveSpan } from '../common/tracing.js';

/** Runs one record's handling inside its consumer span; the span ends when `work` settles. */
export async function traceRecord<T>(
  source: { readonly topic: string; readonly headers?: RawHeaders | undefined },
  work: (span: ActiveSpan) => Promise<T>,
): Promise<T> {
  const span = startSpan(`process ${source.topic}`, {
    kind: 'consumer',
    parent: parseTraceparent(headerString(source.headers, Headers.traceparent)),
    attributes: { 'messaging.system': 'kafka', 'messaging.source.name': source.topic },
  });
  try {
    const result = await runInSpan(span, () => work(span));
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

/** What undici publishes of a request (undici:request:* diagnostics channels). */
interface UndiciRequest {
  readonly origin?: string | URL;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: unknown;
  addHeader?(name: string, value: string): unknown;
}

const CREATE = 'undici:request:create';
const HEADERS = 'undici:request:headers';
const DONE = 'undici:request:trailers';
const ERROR = 'undici:request:error';

/** Which downstream an origin is, for span names (e.g. `fluent`); undefined → the origin's host. */
export type ServiceOfOrigin = (origin: string) => string | undefined;

/**
 * Adds `traceparent` (a new client span, child of the current record's span) to every undici request made inside a
 * record's span, and ends that span with the response status. Returns the function that stops it.
 */
export function traceOutgoingCalls(serviceOf: ServiceOfOrigin = () => undefined): () => void {
  const spans = new WeakMap<object, ActiveSpan>();
  const onCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    if (!currentSpan() || typeof request.addHeader !== 'function' || hasTraceparent(request.headers)) return;
    const origin = String(request.origin ?? '');
    const path = (request.path ?? '/').split('?')[0]!;
    const service = serviceOf(origin) ?? hostOf(origin);
    const span = startSpan(`${service} ${request.method ?? 'GET'} ${path}`, {
      kind: 'client',
      attributes: {
        'http.request.method': request.method ?? 'GET',
        'server.address': hostOf(origin),
        'url.path': path,
        'peer.service': service,
      },
    });
    request.addHeader('traceparent', span.traceparent());
    spans.set(request, span);
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    spans.get(request)?.setAttribute('http.response.status_code', response.statusCode);
  };
  const onDone = (message: unknown): void => {
    const { request } = message as { request: object };
    spans.get(request)?.end();
    spans.delete(request);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: object; error: unknown };
    spans.get(request)?.end(error);
    spans.delete(request);
  };
  subscribe(CREATE, onCreate);
  subscribe(HEADERS, onHeaders);
  subscribe(DONE, onDone);
  subscribe(ERROR, onError);
  return () => {
    unsubscribe(CREATE, onCreate);
    unsubscribe(HEADERS, onHeaders);
    unsubscribe(DONE, onDone);
    unsubscribe(ERROR, onError);
  };
}

/** A caller that set its own traceparent keeps it. undici keeps headers as a flat [name, value, …] list. */
function hasTraceparent(headers: unknown): boolean {
  if (Array.isArray(headers)) return headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'traceparent');
  return typeof headers === 'string' && /(^|\r\n)traceparent:/i.test(headers);
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

/** Names the downstreams by the origins of their configured URLs (FLUENT_BASE_URL, CT_API_URL, CT_AUTH_URL). */
export function downstreamServices(env: NodeJS.ProcessEnv): ServiceOfOrigin {
  const byOrigin = new Map<string, string>();
  const urls = { FLUENT_BASE_URL: 'fluent', CT_API_URL: 'commercetools', CT_AUTH_URL: 'commercetools' } as const;
  for (const [name, service] of Object.entries(urls)) {
    const origin = originOf(env[name]);
    if (origin) byOrigin.set(origin, service);
  }
  return (origin) => byOrigin.get(originOf(origin) ?? origin);
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

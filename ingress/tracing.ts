/**
 * The ingress's part of a webhook's trace (common/tracing.ts): a server span per webhook request, continuing the
 * caller's valid `traceparent` (else a new trace), and a producer span per record whose context becomes the record's
 * own `traceparent` header, so the processor's handling is a child of this request
 * (docs/architecture.md, "Kafka contract"). The request span is on `request.span` for the route and the error replies (their log lines carry its
 * `trace_id`); it ends when the response is sent, with the status.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentSpan, parseTraceparent, startSpan, traceLogFields, type ActiveSpan } from '../common/tracing.js';
import { WEBHOOK_PATH } from './routes/webhook.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The webhook request's span (null on other routes). */
    span: ActiveSpan | null;
  }
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Starts a server span for each webhook request and ends it with the response's status. */
export function useRequestTracing(app: FastifyInstance): void {
  app.decorateRequest('span', null);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.startsWith(WEBHOOK_PATH)) {
      request.span = startSpan(`POST ${WEBHOOK_PATH}`, {
        kind: 'server',
        parent: parseTraceparent(singleHeader(request.headers.traceparent)),
        attributes: { 'http.request.method': request.method, 'url.path': WEBHOOK_PATH },
      });
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = request.span;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      span.end(reply.statusCode >= 500 ? new Error(`HTTP ${reply.statusCode}`) : undefined);
    }
    done();
  });
}

/** `trace_id` of a request's log lines (none outside the webhook route). */
export function requestTraceFields(request: FastifyRequest): { trace_id?: string } {
  return traceLogFields(request.span ?? undefined);
}

/**
 * The record's producer span: a child of the request span when there is one (the webhook route), else of the
 * caller's `traceparent` (intake used without HTTP). Its `traceparent()` is the record's header.
 */
export function startProduceSpan(topic: string, incomingTraceparent: string | undefined): ActiveSpan {
  return startSpan(`send ${topic}`, {
    kind: 'producer',
    parent: currentSpan()?.context ?? parseTraceparent(incomingTraceparent),
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic },
  });
}

/**
 * A record header for a webhook produced outside a request span (the benchmarks' naive ingress): a new span continuing
 * a valid incoming trace, else the root of a new trace.
 */
export function traceparentFor(incoming: string | undefined): string {
  return startSpan('webhook', { kind: 'producer', parent: parseTraceparent(incoming) }).traceparent();
}

/**
 * Prometheus metrics of the ingress (one registry per app instance, so tests and benchmarks can run several).
 * Connector metrics are `fc_ingress_…` in base units (`_seconds`, `_total`); Node's default metrics keep their stock
 * names (`process_…`, `nodejs_…`) so the usual Node.js dashboards work unchanged. Every metric: docs/metrics.md.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface IngressMetrics {
  readonly registry: Registry;
  /** Requests by outcome: accepted, duplicate, or the lower-case error code. */
  readonly requests: Counter<'outcome'>;
  /** Every HTTP request by route template and status class (`2xx` … `5xx`). */
  readonly requestSeconds: Histogram<'route' | 'status_class'>;
  readonly verifySeconds: Histogram;
  readonly batchSize: Histogram;
  readonly produceSeconds: Histogram<'result'>;
  readonly inFlight: Gauge;
}

export function createIngressMetrics(options: { defaultMetrics?: boolean } = {}): IngressMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'fc_ingress_requests_total',
      help: 'Webhook requests by outcome (accepted, duplicate, or error code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'fc_ingress_http_request_duration_seconds',
      help: 'HTTP request duration until the response is sent, by route template and status class',
      labelNames: ['route', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    verifySeconds: new Histogram({
      name: 'fc_ingress_signature_verify_seconds',
      help: 'Time spent verifying one webhook signature',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'fc_ingress_produce_batch_records',
      help: 'Records per produce call',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'fc_ingress_produce_duration_seconds',
      help: 'Produce call latency until acknowledged (acks=all), by result',
      labelNames: ['result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'fc_ingress_requests_in_flight',
      help: 'Webhook requests currently being handled',
      registers: [registry],
    }),
  };
}

/** `2xx` … `5xx` for a status code. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Times every request into `fc_ingress_http_request_duration_seconds`. The route label is the route template
 * (`unmatched` for 404s), so a scanner probing random paths cannot create series.
 */
export function observeRequestDurations(app: FastifyInstance, metrics: Pick<IngressMetrics, 'requestSeconds'>): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestSeconds.observe({ route, status_class: statusClass(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

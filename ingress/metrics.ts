/** Prometheus metrics of the ingress (one registry per app instance, so tests and benchmarks can run several). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface IngressMetrics {
  readonly registry: Registry;
  /** Requests by outcome: accepted, duplicate, or the lower-case error code. */
  readonly requests: Counter<'outcome'>;
  readonly verifySeconds: Histogram;
  readonly batchSize: Histogram;
  readonly produceSeconds: Histogram<'result'>;
  readonly inFlight: Gauge;
}

export function createIngressMetrics(options: { defaultMetrics?: boolean } = {}): IngressMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fc_ingress_' });
  return {
    registry,
    requests: new Counter({
      name: 'fc_ingress_requests_total',
      help: 'Webhook requests by outcome (accepted, duplicate, or error code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    verifySeconds: new Histogram({
      name: 'fc_ingress_signature_verify_seconds',
      help: 'Time spent verifying one webhook signature',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'fc_ingress_produce_batch_size',
      help: 'Records per produce call',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'fc_ingress_produce_seconds',
      help: 'Produce call latency until acknowledged (acks=all)',
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

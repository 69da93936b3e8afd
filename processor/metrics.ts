/**
 * Prometheus metrics of the processor runtime (prom-client), registered on the registry the caller passes.
 * Connector metrics are `fc_processor_…` in base units (`_seconds`, `_total`, `_records`); every metric, its labels and
 * healthy values: docs/metrics.md.
 */
import * as prom from 'prom-client';
import { Headers, headerInt, type RawHeaders } from '../schemas/index.js';

export interface ProcessorMetrics {
  /** outcome: applied | skipped | retried | dead-lettered | unrouted-skipped */
  readonly processed: prom.Counter<'name' | 'outcome'>;
  readonly handlerDuration: prom.Histogram<'name'>;
  readonly retries: prom.Counter<'tier'>;
  /** reason: undecodable | no-route | non-retryable | retries-exhausted */
  readonly deadLetters: prom.Counter<'reason'>;
  readonly unknownMessages: prom.Counter<'name' | 'policy'>;
  readonly inFlight: prom.Gauge;
  /** Set by the lag poller (lag-poller.ts): kind is `main` or `retry-<tier>`. */
  readonly consumerLag: prom.Gauge<'topic' | 'partition' | 'kind'>;
  /** Records held by the dead-letter topic (end minus start offsets), polled. */
  readonly dlqRecords: prom.Gauge;
  readonly lagPollErrors: prom.Counter;
  /** From the ingress's receipt (`fc-received-at`) to the record's final outcome (the commercetools write). */
  readonly endToEnd: prom.Histogram<'outcome'>;
  readonly paused: prom.Gauge;
  readonly pauses: prom.Counter<'reason'>;
  readonly delayedPartitions: prom.Gauge;
  readonly batchSize: prom.Histogram;
}

/**
 * The processor's registry as main.ts serves it on /metrics: Node's default metrics under their stock names
 * (`process_…`, `nodejs_…`, so the usual Node.js dashboards work as they are); the runtime and handlers add theirs.
 */
export function createProcessorRegistry(): prom.Registry {
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  return registry;
}

export function createProcessorMetrics(registry: prom.Registry): ProcessorMetrics {
  const registers = [registry];
  return {
    processed: new prom.Counter({
      name: 'fc_processor_records_processed_total',
      help: 'Records finished, by message name and outcome',
      labelNames: ['name', 'outcome'],
      registers,
    }),
    handlerDuration: new prom.Histogram({
      name: 'fc_processor_handler_duration_seconds',
      help: 'Handler run time per attempt, by message name',
      labelNames: ['name'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    retries: new prom.Counter({
      name: 'fc_processor_retries_total',
      help: 'Records sent to a retry tier',
      labelNames: ['tier'],
      registers,
    }),
    deadLetters: new prom.Counter({
      name: 'fc_processor_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers,
    }),
    unknownMessages: new prom.Counter({
      name: 'fc_processor_unknown_messages_total',
      help: 'Records whose message name has no handler, by name and policy',
      labelNames: ['name', 'policy'],
      registers,
    }),
    inFlight: new prom.Gauge({
      name: 'fc_processor_in_flight',
      help: 'Handlers running now',
      registers,
    }),
    consumerLag: new prom.Gauge({
      name: 'fc_processor_consumer_lag_records',
      help: 'End offset minus the committed offset, per partition this member holds; kind: main or retry-<tier>',
      labelNames: ['topic', 'partition', 'kind'],
      registers,
    }),
    dlqRecords: new prom.Gauge({
      name: 'fc_processor_dlq_records',
      help: 'Records in the dead-letter topic (end minus start offsets over its partitions)',
      registers,
    }),
    lagPollErrors: new prom.Counter({
      name: 'fc_processor_lag_poll_errors_total',
      help: 'Lag polls that failed (the lag gauges keep their last values)',
      registers,
    }),
    endToEnd: new prom.Histogram({
      name: 'fc_processor_end_to_end_duration_seconds',
      help: "From the webhook's receipt at the ingress (fc-received-at) to its record's final outcome, by outcome",
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    paused: new prom.Gauge({
      name: 'fc_processor_paused',
      help: '1 while processing is paused because a downstream service is unavailable',
      registers,
    }),
    pauses: new prom.Counter({
      name: 'fc_processor_pauses_total',
      help: 'Outage pauses, by trigger',
      labelNames: ['reason'],
      registers,
    }),
    delayedPartitions: new prom.Gauge({
      name: 'fc_processor_delayed_partitions',
      help: 'Retry-tier partitions paused until their next record is due',
      registers,
    }),
    batchSize: new prom.Histogram({
      name: 'fc_processor_fetch_batch_records',
      help: 'Records per fetched partition batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
  };
}

/**
 * Observes a finished record's end-to-end time: from the ingress's `fc-received-at` header (ms since epoch) to now.
 * A record without the header (written by another producer) is not observed.
 */
export function observeEndToEnd(
  metrics: Pick<ProcessorMetrics, 'endToEnd'>,
  headers: RawHeaders | undefined,
  outcome: string,
  now: number = Date.now(),
): void {
  const receivedAt = headerInt(headers, Headers.receivedAt);
  if (receivedAt === undefined || receivedAt <= 0) return;
  metrics.endToEnd.observe({ outcome }, Math.max(0, now - receivedAt) / 1000);
}

/** Prometheus metrics of the processor runtime (prom-client), registered on the registry the caller passes. */
import * as prom from 'prom-client';

export interface ProcessorMetrics {
  /** outcome: applied | skipped | retried | dead-lettered | unrouted-skipped */
  readonly processed: prom.Counter<'name' | 'outcome'>;
  readonly handlerDuration: prom.Histogram<'name'>;
  readonly retries: prom.Counter<'tier'>;
  /** reason: undecodable | no-route | non-retryable | retries-exhausted */
  readonly deadLetters: prom.Counter<'reason'>;
  readonly unknownMessages: prom.Counter<'name' | 'policy'>;
  readonly inFlight: prom.Gauge;
  readonly consumerLag: prom.Gauge<'topic' | 'partition'>;
  readonly paused: prom.Gauge;
  readonly pauses: prom.Counter<'reason'>;
  readonly delayedPartitions: prom.Gauge;
  readonly batchSize: prom.Histogram;
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
      name: 'fc_processor_consumer_lag',
      help: 'High watermark minus the next offset to commit, per topic partition this member holds',
      labelNames: ['topic', 'partition'],
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
      name: 'fc_processor_batch_size',
      help: 'Records per fetched partition batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
  };
}

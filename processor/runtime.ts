/**
 * startProcessor: wires config, router, serde, Kafka and the batch runner into a running consumer-group member.
 * Used by main.ts, the demo and tests (in-process). `stop()` is graceful: stop fetching, let in-flight work finish
 * within `shutdownTimeoutMs` (then abort it; those records stay uncommitted), commit what is done, disconnect.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import * as prom from 'prom-client';
import { createRegistry, WebhookSerde } from '../schemas/index.js';
import type { ProcessorRuntimeConfig } from './config.js';
import { errorMessageOf } from '../common/errors.js';
import { createProcessorKafka, type ProcessorKafka } from './kafka.js';
import { createProcessorMetrics, type ProcessorMetrics } from './metrics.js';
import type { Router } from './router.js';
import { BatchRunner } from './runner.js';

export type { RecordEvent, RecordOutcome } from './runner.js';

export interface StartProcessorOptions {
  readonly config: ProcessorRuntimeConfig;
  readonly router: Router;
  readonly logger: Logger;
  /** Registry for the runtime's metrics. Default: a new registry (see RunningProcessor.metricsRegistry). */
  readonly metrics?: prom.Registry;
  /** Avro serde. Default: one built from config.connection.registry. */
  readonly serde?: WebhookSerde;
}

/**
 * Events: 'record' (RecordEvent) for every finished record, 'paused' ({pauseMs, reason}) / 'resumed' for outage
 * pauses, 'ready' once the member has joined the group, 'crash' (Error) when the consumer stops on its own.
 */
export interface RunningProcessor {
  /** Graceful stop; idempotent. */
  stop(): Promise<void>;
  /** True while the consumer is a group member and consuming (for /health/ready). */
  ready(): boolean;
  /** False once the consumer crashed for good or stopped (for /health/live). */
  alive(): boolean;
  readonly events: EventEmitter;
  readonly metricsRegistry: prom.Registry;
  readonly metrics: ProcessorMetrics;
}

export async function startProcessor(options: StartProcessorOptions): Promise<RunningProcessor> {
  const { config, router, logger } = options;
  const registry = options.metrics ?? new prom.Registry();
  const metrics = createProcessorMetrics(registry);
  const serde = options.serde ?? new WebhookSerde(createRegistry(config.connection.registry));
  const events = new EventEmitter();
  events.setMaxListeners(100);
  router.freeze();

  const handlers = router.handlers();
  for (const handler of handlers) await handler.start?.();

  const kafka: ProcessorKafka = createProcessorKafka(config, logger);
  const runner = new BatchRunner({ config, router, serde, logger, metrics, produce: kafka.produce, events });
  const { consumer, producer } = kafka;

  let joined = false;
  let alive = true;
  let stopped = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    logger.info(
      { groupId: e.payload.groupId, assignment: e.payload.memberAssignment, memberId: e.payload.memberId },
      'joined consumer group',
    );
    events.emit('ready');
  });
  consumer.on(consumer.events.REBALANCING, () => {
    joined = false;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    joined = false;
    const restart = e.payload.restart;
    if (!restart) alive = false;
    logger.error({ err: errorMessageOf(e.payload.error), restart }, 'consumer crashed');
    events.emit('crash', e.payload.error);
  });

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [config.topics.webhooks, ...config.topics.retries], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Offsets are committed after every partition batch and, during long batches, at this interval.
      autoCommitInterval: 2_000,
      partitionsConsumedConcurrently: config.partitionsConcurrency,
      eachBatch: runner.eachBatch,
    });
  } catch (error) {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    for (const handler of handlers) await handler.close?.().catch(() => undefined);
    throw error;
  }
  logger.info(
    {
      groupId: config.groupId,
      topics: [config.topics.webhooks, ...config.topics.retries],
      dlq: config.topics.dlq,
      concurrency: config.concurrency,
      retryDelaysMs: config.retryDelaysMs,
      routes: router.messageNames(),
    },
    'processor started',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'processor stopping');
      runner.beginStop();
      const deadline = setTimeout(() => {
        logger.warn('shutdown deadline reached; aborting in-flight handlers (their records will be redelivered)');
        runner.abortInFlight();
      }, config.shutdownTimeoutMs);
      try {
        // Waits for running batches (which commit their frontier), then leaves the group.
        await consumer.disconnect();
      } finally {
        clearTimeout(deadline);
        runner.abortInFlight();
        joined = false;
        stopped = true;
        await producer.disconnect().catch(() => undefined);
        for (const handler of handlers) {
          await handler.close?.().catch((error: unknown) => {
            logger.warn({ handler: handler.name, err: errorMessageOf(error) }, 'handler close failed');
          });
        }
        logger.info('processor stopped');
      }
    })());

  return {
    stop,
    ready: () => joined && alive && !stopped,
    alive: () => alive && !stopped,
    events,
    metricsRegistry: registry,
    metrics,
  };
}

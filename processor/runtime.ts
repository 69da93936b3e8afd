/**
 * startProcessor: wires config, router, serde, Kafka and the batch runner into a running consumer-group member.
 * Used by main.ts, the demo and tests (in-process). Before joining the group it checks the topics (startup-checks.ts),
 * so a missing topic or a retry delay longer than its topic's retention ends the start with an error a user can act
 * on. `stop()` is graceful: stop fetching, let in-flight work finish within `shutdownTimeoutMs` (then abort it; those
 * records stay uncommitted), commit what is done, disconnect.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import * as prom from 'prom-client';
import { createRegistry, WebhookSerde } from '../schemas/index.js';
import type { ProcessorRuntimeConfig } from './config.js';
import type { MessageHandler } from './handler.js';
import { errorMessageOf } from '../common/errors.js';
import { kafkaSecurityError } from '../common/kafka-security.js';
import { createProcessorKafka, type ProcessorKafka } from './kafka.js';
import { LagPoller } from './lag-poller.js';
import { followConsumer, MemberState } from './member-state.js';
import { createProcessorMetrics, type ProcessorMetrics } from './metrics.js';
import type { Router } from './router.js';
import { BatchRunner } from './runner.js';
import { checkProcessorTopics } from './startup-checks.js';

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
 * pauses, 'ready' once the member has joined the group, 'crash' (Error) when the consumer stops on its own, 'fatal'
 * (reason: string) when the member cannot go on and stops itself (the embedding process should exit non-zero).
 */
export interface RunningProcessor {
  /** Graceful stop; idempotent. */
  stop(): Promise<void>;
  /** True while the consumer is a group member and consuming (for /health/ready). */
  ready(): boolean;
  /** Why the member is not ready (for /health/ready's body), or undefined when it is. */
  notReadyReason(): string | undefined;
  /** False once the consumer crashed for good, failed fatally or stopped (for /health/live). */
  alive(): boolean;
  /** The reason of a fatal state, once there is one. */
  fatal(): string | undefined;
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

  const kafka: ProcessorKafka = createProcessorKafka(config, logger);
  await checkTopics(kafka, config, logger);
  const handlers = router.handlers();
  for (const handler of handlers) await handler.start?.();

  const state = new MemberState({
    stallTimeoutMs: config.consumerStallTimeoutMs,
    onStall: (silentMs) =>
      logger.error(
        { silentMs, stallTimeoutMs: config.consumerStallTimeoutMs },
        'consumer stalled: no poll or heartbeat while holding partitions; failing liveness so the pod is restarted',
      ),
  });
  const lag = new LagPoller({
    admin: kafka.admin,
    groupId: config.groupId,
    topics: config.topics,
    metrics,
    logger,
    intervalMs: config.lagPollIntervalMs,
  });
  const runner = new BatchRunner({
    lag,
    config,
    router,
    serde,
    logger,
    metrics,
    events,
    produce: kafka.produce,
    onFatal: (reason) => fail(reason),
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= stopMember({
      kafka,
      runner,
      lag,
      state,
      handlers,
      logger,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    }));

  /**
   * The runner cannot go on (a retry/DLQ topic refuses records for good). Stop consuming, so the group moves the
   * partitions to members that may still write and nothing spins on the refused record; the embedder exits non-zero
   * (main.ts) so the orchestrator restarts the process, which tries again.
   */
  function fail(reason: string): void {
    if (state.fatal !== undefined) return;
    state.failed(reason);
    logger.error({ reason }, 'processor cannot go on: stopping consumption (records not done stay uncommitted)');
    events.emit('fatal', reason);
    void stop();
  }

  followConsumer(kafka.consumer, { state, runner, logger, events });
  try {
    await runConsumer(kafka, runner, config);
  } catch (error) {
    await Promise.allSettled([kafka.consumer.disconnect(), kafka.producer.disconnect()]);
    await closeHandlers(handlers, logger);
    throw error;
  }
  // Lag is observability, not a start condition: a failing poll is counted, logged and tried again next tick.
  lag.start();
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

  const notReadyReason = (): string | undefined => state.notReadyReason(runner.fatal);
  return {
    stop,
    ready: () => notReadyReason() === undefined,
    notReadyReason,
    alive: () => state.alive(),
    fatal: () => state.fatal,
    events,
    metricsRegistry: registry,
    metrics,
  };
}

/** The start-up checks run on their own admin connection, closed again before the consumer starts. */
async function checkTopics(kafka: ProcessorKafka, config: ProcessorRuntimeConfig, logger: Logger): Promise<void> {
  // Refused TLS or SASL settings are a deployment error naming the setting (exit 78), not a crash to restart.
  await kafka.admin.connect().catch((error: unknown) => {
    throw kafkaSecurityError(error, config.connection.kafka) ?? error;
  });
  try {
    await checkProcessorTopics(kafka.admin, config, logger);
  } finally {
    await kafka.admin.disconnect().catch(() => undefined);
  }
}

async function runConsumer(kafka: ProcessorKafka, runner: BatchRunner, config: ProcessorRuntimeConfig): Promise<void> {
  const { consumer, producer } = kafka;
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
}

async function stopMember(deps: {
  kafka: ProcessorKafka;
  runner: BatchRunner;
  lag: LagPoller;
  state: MemberState;
  handlers: readonly MessageHandler[];
  logger: Logger;
  shutdownTimeoutMs: number;
}): Promise<void> {
  const { kafka, runner, lag, state, handlers, logger, shutdownTimeoutMs } = deps;
  logger.info({ shutdownTimeoutMs }, 'processor stopping');
  state.stopped();
  runner.beginStop();
  const deadline = setTimeout(() => {
    logger.warn('shutdown deadline reached; aborting in-flight handlers (their records will be redelivered)');
    runner.abortInFlight();
  }, shutdownTimeoutMs);
  try {
    // Waits for running batches (which commit their frontier), then leaves the group.
    await kafka.consumer.disconnect();
  } finally {
    clearTimeout(deadline);
    runner.abortInFlight();
    await lag.stop();
    await kafka.producer.disconnect().catch(() => undefined);
    await closeHandlers(handlers, logger);
    logger.info('processor stopped');
  }
}

async function closeHandlers(handlers: readonly MessageHandler[], logger: Logger): Promise<void> {
  for (const handler of handlers) {
    await handler.close?.().catch((error: unknown) => {
      logger.warn({ handler: handler.name, err: errorMessageOf(error) }, 'handler close failed');
    });
  }
}

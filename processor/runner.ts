/**
 * Batch runner: fetched partition batches → per-key lanes → commit frontier.
 *
 * Each partition batch is spread over per-key lanes (same key strictly in order, different keys concurrently up to
 * `concurrency` handlers across all partitions). An offset is resolved (and later committed) only once it and every
 * earlier offset of its partition are done: handled, skipped, or acknowledged (acks=-1) on a retry/DLQ topic.
 * A record abandoned at shutdown is never marked done, so it is redelivered. Retry-tier records that are not due
 * yet pause their partition until their not-before time; outages close the OutageGate and records wait in place.
 * A whole fetched batch is handed to the lanes at once, so stopping or losing group membership (rebalance) halts the
 * batch: records whose handler has not started are abandoned (redelivered), and only running handlers finish, so the
 * member can leave or rejoin promptly instead of first working off the backlog (or waiting out an outage).
 */
import { setMaxListeners, type EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import {
  Headers,
  headerInt,
  headerString,
  orderRefOf,
  toWebhookPayload,
  UndecodableRecordError,
  type FluentWebhookPayload,
  type FluentWebhookRecord,
  type RawHeaders,
  type WebhookSerde,
} from '../schemas/index.js';
import type { ProcessorRuntimeConfig } from './config.js';
import {
  DownstreamUnavailableError,
  errorClassOf,
  errorMessageOf,
  isRetryable,
  NoRouteError,
  RetriesExhaustedError,
} from './errors.js';
import { buildFailureRecord, type OutgoingRecord, type SourceRecord } from './failure-records.js';
import type { HandlerContext, MessageHandler } from './handler.js';
import { CommitFrontier, KeyedLanes, Semaphore } from './lanes.js';
import type { ProcessorMetrics } from './metrics.js';
import { OutageGate } from './outage.js';
import { decideRetry } from './retry-policy.js';
import type { Router } from './router.js';

export type RecordOutcome =
  | 'applied'
  | 'skipped'
  | 'unrouted-skipped'
  | 'retried'
  | 'dead-lettered'
  /** Not done (shutdown or rebalance): the offset stays uncommitted and the record is redelivered. */
  | 'abandoned';

/** Emitted on `events` as 'record' for every finished record (tests and embedding). */
export interface RecordEvent {
  readonly outcome: RecordOutcome;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly messageName: string | undefined;
  readonly eventId: string | undefined;
  readonly attempt: number;
  /** Where the record was sent (retry tier or DLQ topic), if it was. */
  readonly sentTo?: string;
  readonly errorClass?: string;
}

export interface RunnerDeps {
  readonly config: ProcessorRuntimeConfig;
  readonly router: Router;
  readonly serde: WebhookSerde;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly produce: (record: OutgoingRecord) => Promise<void>;
  readonly events: EventEmitter;
}

const DONE = true;
const NOT_DONE = false;

/** Heartbeat errors meaning this member's assignment is going away (KafkaJS error `type`s). */
const MEMBERSHIP_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class BatchRunner {
  readonly limiter: Semaphore;
  readonly lanes: KeyedLanes;
  readonly gate: OutageGate;
  private readonly abortController = new AbortController();
  private stopping = false;
  private readonly delayTimers = new Map<string, NodeJS.Timeout>();
  /** One per running batch: aborted to halt it (stop, rebalance, shutdown deadline). */
  private readonly batchHalts = new Set<AbortController>();
  private readonly retryTierOf = new Map<string, number>();
  private readonly mainTopic: string;

  constructor(private readonly deps: RunnerDeps) {
    // Shared by every in-flight handler (in-place retry sleeps listen to it): many listeners are expected.
    setMaxListeners(0, this.abortController.signal);
    const { config, metrics, logger } = deps;
    this.mainTopic = config.topics.webhooks;
    config.topics.retries.forEach((topic, i) => this.retryTierOf.set(topic, i + 1));
    this.limiter = new Semaphore(config.concurrency);
    this.lanes = new KeyedLanes(this.limiter);
    this.gate = new OutageGate({
      initialBackoffMs: config.pause.initialBackoffMs,
      maxBackoffMs: config.pause.maxBackoffMs,
      windowMs: config.outage.windowMs,
      minFailures: config.outage.minFailures,
      failureRatio: config.outage.failureRatio,
      onChange: (paused, pauseMs, reason) => {
        metrics.paused.set(paused ? 1 : 0);
        if (paused) {
          metrics.pauses.inc({ reason });
          logger.warn({ pauseMs, reason }, 'downstream unavailable: pausing consumption');
          deps.events.emit('paused', { pauseMs, reason });
        } else {
          logger.info('resuming consumption after pause');
          deps.events.emit('resumed');
        }
      },
    });
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** Stop starting records (those not started are abandoned, so redelivered); running handlers continue. */
  beginStop(): void {
    this.stopping = true;
    for (const halt of this.batchHalts) halt.abort();
    for (const timer of this.delayTimers.values()) clearTimeout(timer);
    this.delayTimers.clear();
    this.deps.metrics.delayedPartitions.set(0);
  }

  /** Abort in-flight handlers (shutdown deadline passed): their records stay uncommitted. */
  abortInFlight(): void {
    this.abortController.abort(new Error('processor shutting down'));
    for (const halt of this.batchHalts) halt.abort();
    this.gate.open();
  }

  /** KafkaJS eachBatch callback (use with eachBatchAutoResolve: false). */
  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    const { config, metrics, logger } = this.deps;
    const tier = this.retryTierOf.get(topic) ?? 0;
    metrics.batchSize.observe(batch.messages.length);

    const frontier = new CommitFrontier();
    const pending: Promise<void>[] = [];
    const halt = new AbortController();
    // Every waiting record of the batch listens to it: many listeners are expected, not a leak.
    setMaxListeners(0, halt.signal);
    this.batchHalts.add(halt);
    if (this.stopping || this.abortController.signal.aborted) halt.abort();
    // Heartbeats (and interval commits of the resolved frontier) while slow handlers run.
    const keepAlive = setInterval(() => {
      if (!isRunning() || isStale()) halt.abort();
      heartbeat()
        .then(() => commitOffsetsIfNecessary())
        .catch((error: unknown) => {
          const type = (error as { type?: unknown } | null)?.type;
          // Rebalance: start nothing more, finish what runs, let KafkaJS rejoin (it waits for this batch).
          if (typeof type === 'string' && MEMBERSHIP_ERRORS.has(type)) halt.abort();
          logger.warn({ topic, partition, err: errorMessageOf(error) }, 'heartbeat failed during batch');
        });
    }, config.heartbeatIntervalMs);

    try {
      for (const message of batch.messages) {
        if (halt.signal.aborted || !isRunning() || isStale()) break;
        if (tier > 0) {
          const notBefore = headerInt(message.headers as RawHeaders, Headers.notBefore);
          const waitMs = notBefore === undefined ? 0 : notBefore - Date.now();
          if (waitMs > 0) {
            this.delayPartition(topic, partition, waitMs, pause);
            break; // later records of a tier are due later still
          }
        }
        frontier.track(message.offset);
        const key = message.key ? message.key.toString() : `\u0000${topic}/${partition}/${message.offset}`;
        pending.push(
          this.lanes
            .run(key, () => this.process(message, topic, partition, tier, halt.signal))
            .then(
              (done) => {
                if (!done) return;
                const resolved = frontier.complete(message.offset);
                if (resolved !== undefined) resolveOffset(resolved);
              },
              (error: unknown) => {
                // process() handles every error itself; reaching this is a bug. Leave the offset unresolved.
                logger.error({ topic, partition, offset: message.offset, err: error }, 'unexpected processing failure');
              },
            ),
        );
      }
      await Promise.all(pending);
    } finally {
      clearInterval(keepAlive);
      this.batchHalts.delete(halt);
      const next = frontier.lastDone === undefined ? undefined : Number(frontier.lastDone) + 1;
      if (next !== undefined) {
        metrics.consumerLag.set({ topic, partition }, Math.max(0, Number(batch.highWatermark) - next));
      }
    }
  };

  private delayPartition(topic: string, partition: number, waitMs: number, pause: () => () => void): void {
    const id = `${topic}/${partition}`;
    if (this.delayTimers.has(id)) return;
    const resume = pause();
    this.deps.metrics.delayedPartitions.inc();
    const timer = setTimeout(() => {
      this.delayTimers.delete(id);
      this.deps.metrics.delayedPartitions.dec();
      resume();
    }, waitMs);
    this.delayTimers.set(id, timer);
  }

  /** Runs one record to a final state. Never throws. Returns whether the record is done (offset may be committed). */
  private async process(
    message: KafkaMessage,
    topic: string,
    partition: number,
    tier: number,
    halt: AbortSignal,
  ): Promise<boolean> {
    const signal = this.abortController.signal;
    if (halt.aborted) return this.abandoned(message, topic, partition, undefined, undefined, 0);
    const headers = message.headers as RawHeaders;
    const attempt = tier === 0 ? 1 : (headerInt(headers, Headers.attempt) ?? tier) + 1;
    const source: SourceRecord = {
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers,
    };

    // Decode. Undecodable → DLQ at once; registry unavailable → pause and retry in place. Only a record that found
    // the registry unavailable waits at the gate here and may end a pause: decoding mostly uses cached schemas, so
    // its success says nothing about a downstream outage (the handler stage below probes that).
    let record: FluentWebhookRecord;
    let payload: FluentWebhookPayload;
    let registryFailed = false;
    for (;;) {
      const probe = registryFailed && !this.gate.isOpen ? await this.gate.wait(halt) : false;
      if (signal.aborted || (halt.aborted && !probe)) {
        return this.abandoned(message, topic, partition, undefined, undefined, attempt);
      }
      try {
        record = await this.deps.serde.decode(message.value);
        if (registryFailed) this.gate.reachable();
        payload = toWebhookPayload(record);
        break;
      } catch (error) {
        if (error instanceof UndecodableRecordError || error instanceof SyntaxError) {
          if (registryFailed) this.gate.reachable();
          const reason = error instanceof UndecodableRecordError ? error : new UndecodableRecordError(String(error));
          return this.sendToDlq(source, reason, 'undecodable', attempt, undefined, {
            name: headerString(headers, Headers.messageName),
            eventId: headerString(headers, Headers.eventId),
          });
        }
        registryFailed = true;
        this.gate.trip('registry-unavailable');
        this.deps.logger.warn(
          { topic, partition, offset: message.offset, err: errorMessageOf(error) },
          'cannot decode record: schema registry unavailable',
        );
      }
    }

    const name = record.name;
    const handler = this.deps.router.resolve(name);
    if (!handler) return this.unrouted(source, record, attempt);

    let log: Logger | undefined;
    const baseLogger = this.deps.logger;
    const logger = (): Logger =>
      (log ??= baseLogger.child({
        eventId: record.id,
        orderRef: orderRefOf(record),
        messageName: name,
        topic,
        partition,
        offset: message.offset,
        attempt,
      }));
    const key = message.key ? message.key.toString() : '';
    const ctx: HandlerContext = {
      record,
      payload,
      key,
      topic,
      partition,
      offset: message.offset,
      headers,
      attempt,
      get logger() {
        return logger();
      },
      signal,
    };

    const { metrics } = this.deps;
    for (;;) {
      // The half-open probe always makes its call (and reports), or every other waiter would wait for good.
      const probe = this.gate.isOpen ? false : await this.gate.wait(halt);
      if (signal.aborted || (halt.aborted && !probe)) {
        return this.abandoned(message, topic, partition, name, record.id, attempt);
      }
      metrics.inFlight.inc();
      const started = performance.now();
      try {
        const outcome = await handler.handle(ctx);
        metrics.handlerDuration.observe({ name }, (performance.now() - started) / 1000);
        this.gate.recordSuccess();
        metrics.processed.inc({ name, outcome: outcome.status });
        if (baseLogger.isLevelEnabled('debug')) logger().debug({ detail: outcome.detail }, `record ${outcome.status}`);
        this.emit({ outcome: outcome.status, source, name, eventId: record.id, attempt });
        return DONE;
      } catch (error) {
        metrics.handlerDuration.observe({ name }, (performance.now() - started) / 1000);
        if (signal.aborted) return this.abandoned(message, topic, partition, name, record.id, attempt);
        if (error instanceof DownstreamUnavailableError) {
          this.gate.trip('downstream-unavailable');
          logger().warn({ service: error.service, err: errorMessageOf(error) }, 'downstream unavailable; will retry');
          continue;
        }
        const retryable = isRetryable(error);
        if (!retryable) this.gate.reachable();
        if (retryable && this.gate.recordRetryableFailure()) {
          this.gate.trip('failure-rate');
          logger().warn({ err: errorMessageOf(error) }, 'retryable failure rate high; pausing and retrying in place');
          continue;
        }
        return this.fail(source, error, retryable, attempt, handler, record, logger());
      } finally {
        metrics.inFlight.dec();
      }
    }
  }

  private async fail(
    source: SourceRecord,
    error: unknown,
    retryable: boolean,
    attempt: number,
    handler: MessageHandler,
    record: FluentWebhookRecord,
    logger: Logger,
  ): Promise<boolean> {
    const now = Date.now();
    const decision = decideRetry({
      mainTopic: this.mainTopic,
      delaysMs: this.deps.config.retryDelaysMs,
      attempt,
      retryable,
      now,
    });
    if (decision.kind === 'dlq') {
      const reported =
        decision.reason === 'retries-exhausted'
          ? new RetriesExhaustedError(`retries exhausted after ${attempt} attempts`, { cause: error })
          : error;
      return this.sendToDlq(source, reported, decision.reason, attempt, handler.name, {
        name: record.name,
        eventId: record.id,
        logger,
      });
    }
    const out = buildFailureRecord({
      source,
      mainTopic: this.mainTopic,
      decision,
      attempt,
      error,
      handlerName: handler.name,
      now,
    });
    if (!(await this.produceDurably(out)))
      return this.abandoned(source, source.topic, source.partition, record.name, record.id, attempt);
    this.deps.metrics.retries.inc({ tier: String(decision.tier) });
    this.deps.metrics.processed.inc({ name: record.name, outcome: 'retried' });
    logger.warn(
      {
        errorClass: errorClassOf(error),
        err: errorMessageOf(error),
        retryTopic: decision.topic,
        notBefore: new Date(decision.notBefore).toISOString(),
      },
      `handler failed; retry tier ${decision.tier}`,
    );
    this.emit({
      outcome: 'retried',
      source,
      name: record.name,
      eventId: record.id,
      attempt,
      sentTo: decision.topic,
      errorClass: errorClassOf(error),
    });
    return DONE;
  }

  private async sendToDlq(
    source: SourceRecord,
    error: unknown,
    reason: string,
    attempt: number,
    handlerName: string | undefined,
    about: { name: string | undefined; eventId: string | undefined; logger?: Logger },
  ): Promise<boolean> {
    const topic = this.deps.config.topics.dlq;
    const out = buildFailureRecord({
      source,
      mainTopic: this.mainTopic,
      decision: { kind: 'dlq', topic, reason: reason === 'retries-exhausted' ? reason : 'non-retryable' },
      attempt,
      error,
      handlerName,
      now: Date.now(),
    });
    if (!(await this.produceDurably(out))) {
      return this.abandoned(source, source.topic, source.partition, about.name, about.eventId, attempt);
    }
    this.deps.metrics.deadLetters.inc({ reason });
    this.deps.metrics.processed.inc({ name: about.name ?? 'unknown', outcome: 'dead-lettered' });
    (about.logger ?? this.deps.logger).error(
      {
        ...(about.logger
          ? {}
          : { eventId: about.eventId, messageName: about.name, topic: source.topic, offset: source.offset }),
        reason,
        errorClass: errorClassOf(error),
        err: errorMessageOf(error),
        dlqTopic: topic,
      },
      'record dead-lettered',
    );
    this.emit({
      outcome: 'dead-lettered',
      source,
      name: about.name,
      eventId: about.eventId,
      attempt,
      sentTo: topic,
      errorClass: errorClassOf(error),
    });
    return DONE;
  }

  private async unrouted(source: SourceRecord, record: FluentWebhookRecord, attempt: number): Promise<boolean> {
    const policy = this.deps.config.unknownMessagePolicy;
    this.deps.metrics.unknownMessages.inc({ name: record.name, policy });
    if (policy === 'dlq') {
      const error = new NoRouteError(`no handler is registered for message name "${record.name}"`);
      return this.sendToDlq(source, error, 'no-route', attempt, undefined, { name: record.name, eventId: record.id });
    }
    this.deps.metrics.processed.inc({ name: record.name, outcome: 'unrouted-skipped' });
    this.deps.logger.warn(
      { eventId: record.id, orderRef: orderRefOf(record), messageName: record.name, policy },
      'no handler for message name; skipped',
    );
    this.emit({ outcome: 'unrouted-skipped', source, name: record.name, eventId: record.id, attempt });
    return DONE;
  }

  /** Produces with acks=-1, retrying with backoff until acknowledged; false when aborted by shutdown first. */
  private async produceDurably(record: OutgoingRecord): Promise<boolean> {
    const signal = this.abortController.signal;
    let delay = 500;
    for (;;) {
      try {
        await this.deps.produce(record);
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        this.deps.logger.error(
          { topic: record.topic, err: errorMessageOf(error), retryInMs: delay },
          'cannot produce retry/DLQ record; retrying',
        );
        await sleep(delay, signal);
        if (signal.aborted) return false;
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private abandoned(
    message: Pick<KafkaMessage, 'offset' | 'key'> & { value?: unknown },
    topic: string,
    partition: number,
    name: string | undefined,
    eventId: string | undefined,
    attempt: number,
  ): boolean {
    this.deps.events.emit('record', {
      outcome: 'abandoned',
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      messageName: name,
      eventId,
      attempt,
    } satisfies RecordEvent);
    return NOT_DONE;
  }

  private emit(e: {
    outcome: RecordOutcome;
    source: SourceRecord;
    name: string | undefined;
    eventId: string | undefined;
    attempt: number;
    sentTo?: string;
    errorClass?: string;
  }): void {
    if (this.deps.events.listenerCount('record') === 0) return;
    const event: RecordEvent = {
      outcome: e.outcome,
      topic: e.source.topic,
      partition: e.source.partition,
      offset: e.source.offset,
      key: e.source.key ? e.source.key.toString() : null,
      messageName: e.name,
      eventId: e.eventId,
      attempt: e.attempt,
      ...(e.sentTo ? { sentTo: e.sentTo } : {}),
      ...(e.errorClass ? { errorClass: e.errorClass } : {}),
    };
    this.deps.events.emit('record', event);
  }
}

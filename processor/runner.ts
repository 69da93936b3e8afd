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
  type FluentWebhookPayload,
  type FluentWebhookRecord,
  type RawHeaders,
  type WebhookSerde,
} from '../schemas/index.js';
import { errorCodeOf, errorMessageOf, isConnectorError, isOutage, isRetriable } from '../common/errors.js';
import type { ProcessorRuntimeConfig } from './config.js';
import { decodeValue, type DecodeResult } from './decode.js';
import { NoRouteError, RetriesExhaustedError } from './errors.js';
import {
  buildFailureRecord,
  type DeadLetterReason,
  type OutgoingRecord,
  type SourceRecord,
} from './failure-records.js';
import type { HandlerContext, HandlerOutcome, MessageHandler } from './handler.js';
import { CommitFrontier, KeyedLanes, Semaphore } from './lanes.js';
import type { ProcessorMetrics } from './metrics.js';
import { OutageGate } from './outage.js';
import { decideRetry, type RetryDecision } from './retry-policy.js';
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
    const { batch } = payload;
    // KafkaJS's callbacks are called on the payload (they are closures, but typed as methods).
    const live = (): boolean => payload.isRunning() && !payload.isStale();
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
      if (!live()) halt.abort();
      payload
        .heartbeat()
        .then(() => payload.commitOffsetsIfNecessary())
        .catch((error: unknown) => {
          const type = (error as { type?: unknown } | null)?.type;
          // Rebalance: start nothing more, finish what runs, let KafkaJS rejoin (it waits for this batch).
          if (typeof type === 'string' && MEMBERSHIP_ERRORS.has(type)) halt.abort();
          logger.warn({ topic, partition, err: errorMessageOf(error) }, 'heartbeat failed during batch');
        });
    }, config.heartbeatIntervalMs);

    try {
      for (const message of batch.messages) {
        if (halt.signal.aborted || !live()) break;
        if (tier > 0) {
          const notBefore = headerInt(message.headers, Headers.notBefore);
          const waitMs = notBefore === undefined ? 0 : notBefore - Date.now();
          if (waitMs > 0) {
            this.delayPartition(topic, partition, waitMs, () => payload.pause());
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
                if (resolved !== undefined) payload.resolveOffset(resolved);
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
    const at = recordAttempt(message, topic, partition, tier, halt);
    if (halt.aborted) return this.abandoned(at);
    const decoded = await this.decode(at);
    switch (decoded.kind) {
      case 'decoded':
        return this.run({ ...at, record: decoded.record, payload: decoded.payload });
      case 'undecodable':
        return this.deadLetter({ ...at, error: decoded.error }, 'undecodable');
      case 'abandoned':
        return this.abandoned(at);
    }
  }

  /**
   * Decodes the record; while the registry is unavailable, pauses (outage gate) and decodes again in place. Only a
   * record that found the registry unavailable waits at the gate here and may end a pause: decoding mostly uses
   * cached schemas, so its success says nothing about a downstream outage (the handler stage probes that).
   */
  private async decode(
    at: RecordAttempt,
  ): Promise<Exclude<DecodeResult, { kind: 'unavailable' }> | { readonly kind: 'abandoned' }> {
    let registryFailed = false;
    for (;;) {
      const probe = registryFailed && !this.gate.isOpen ? await this.gate.wait(at.halt) : false;
      if (this.signal.aborted || (at.halt.aborted && !probe)) return { kind: 'abandoned' };
      const result = await decodeValue(this.deps.serde, at.source.value);
      if (result.kind !== 'unavailable') {
        if (registryFailed) this.gate.reachable();
        return result;
      }
      registryFailed = true;
      this.gate.trip('registry-unavailable');
      this.loggerFor(at).warn(
        { err: errorMessageOf(result.error) },
        'cannot decode record: schema registry unavailable',
      );
    }
  }

  /**
   * Routes a decoded record to its handler and calls it; an outage (an outage error, or a retriable failure rate
   * that trips the gate) makes the record wait at the gate and call again in place. A success ends the record, any
   * other failure sends it to a retry tier or the DLQ.
   */
  private async run(at: DecodedAttempt): Promise<boolean> {
    const handler = this.deps.router.resolve(at.record.name);
    if (!handler) return this.unrouted(at);
    const ctx = this.handlerContext(at);
    for (;;) {
      // The half-open probe always makes its call (and reports), or every other waiter would wait for good.
      const probe = this.gate.isOpen ? false : await this.gate.wait(at.halt);
      if (this.signal.aborted || (at.halt.aborted && !probe)) return this.abandoned(at);
      const result = await this.invoke(handler, ctx);
      if (result.ok) {
        this.gate.recordSuccess();
        return this.handled(at, result.outcome);
      }
      if (this.signal.aborted) return this.abandoned(at);
      if (this.waitsOutOutage(at, result.error)) continue;
      return this.fail({ ...at, handler, error: result.error });
    }
  }

  /** One handler call, timed and counted in flight. */
  private async invoke(
    handler: MessageHandler,
    ctx: HandlerContext,
  ): Promise<{ ok: true; outcome: HandlerOutcome } | { ok: false; error: unknown }> {
    const { metrics } = this.deps;
    metrics.inFlight.inc();
    const started = performance.now();
    try {
      return { ok: true, outcome: await handler.handle(ctx) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      metrics.handlerDuration.observe({ name: ctx.record.name }, (performance.now() - started) / 1000);
      metrics.inFlight.dec();
    }
  }

  /**
   * Whether a handler failure is an outage, so the record waits at the (now closed) gate and is handled again in
   * place instead of moving to a retry tier. Decided by the error's flags (common/errors.ts), never its class.
   */
  private waitsOutOutage(at: DecodedAttempt, error: unknown): boolean {
    if (isOutage(error)) {
      this.gate.trip('downstream-unavailable');
      this.loggerFor(at).warn(
        { errorClass: errorCodeOf(error), err: errorMessageOf(error), details: detailsOf(error) },
        'downstream unavailable; will retry',
      );
      return true;
    }
    if (!isRetriable(error)) {
      this.gate.reachable();
      return false;
    }
    if (!this.gate.recordRetryableFailure()) return false;
    this.gate.trip('failure-rate');
    this.loggerFor(at).warn(
      { err: errorMessageOf(error) },
      'retryable failure rate high; pausing and retrying in place',
    );
    return true;
  }

  private handlerContext(at: DecodedAttempt): HandlerContext {
    const { record, payload, source } = at;
    let log: Logger | undefined;
    const loggerFor = (): Logger => (log ??= this.loggerFor(at));
    return {
      record,
      payload,
      key: source.key ? source.key.toString() : '',
      topic: source.topic,
      partition: source.partition,
      offset: source.offset,
      headers: source.headers ?? {},
      attempt: at.attempt,
      get logger() {
        return loggerFor();
      },
      signal: this.signal,
    };
  }

  private handled(at: DecodedAttempt, outcome: HandlerOutcome): boolean {
    this.deps.metrics.processed.inc({ name: at.record.name, outcome: outcome.status });
    if (this.deps.logger.isLevelEnabled('debug')) {
      this.loggerFor(at).debug({ detail: outcome.detail }, `record ${outcome.status}`);
    }
    this.emit(at, outcome.status);
    return DONE;
  }

  /** A handler failure that is not an outage: the next retry tier, or the DLQ (non-retriable, retries exhausted). */
  private async fail(at: HandlerFailure): Promise<boolean> {
    const now = Date.now();
    const decision = decideRetry({
      mainTopic: this.mainTopic,
      delaysMs: this.deps.config.retryDelaysMs,
      attempt: at.attempt,
      retryable: isRetriable(at.error),
      now,
    });
    if (decision.kind === 'dlq') {
      const error =
        decision.reason === 'retries-exhausted'
          ? new RetriesExhaustedError(`retries exhausted after ${at.attempt} attempts`, { cause: at.error })
          : at.error;
      return this.deadLetter({ ...at, error }, decision.reason);
    }
    return this.retryLater(at, decision, now);
  }

  /** Produces the record to its retry tier, due at `decision.notBefore`. */
  private async retryLater(
    at: HandlerFailure,
    decision: Extract<RetryDecision, { kind: 'retry' }>,
    now: number,
  ): Promise<boolean> {
    const out = buildFailureRecord({
      source: at.source,
      mainTopic: this.mainTopic,
      decision,
      attempt: at.attempt,
      error: at.error,
      handlerName: at.handler.name,
      now,
    });
    if (!(await this.produceDurably(out))) return this.abandoned(at);
    const errorClass = errorCodeOf(at.error);
    this.deps.metrics.retries.inc({ tier: String(decision.tier) });
    this.deps.metrics.processed.inc({ name: at.record.name, outcome: 'retried' });
    this.loggerFor(at).warn(
      {
        errorClass,
        err: errorMessageOf(at.error),
        retryTopic: decision.topic,
        notBefore: new Date(decision.notBefore).toISOString(),
      },
      `handler failed; retry tier ${decision.tier}`,
    );
    this.emit(at, 'retried', { sentTo: decision.topic, errorClass });
    return DONE;
  }

  private async deadLetter(
    at: RecordAttempt & { readonly error: unknown },
    reason: DeadLetterReason,
  ): Promise<boolean> {
    const topic = this.deps.config.topics.dlq;
    const out = buildFailureRecord({
      source: at.source,
      mainTopic: this.mainTopic,
      decision: { kind: 'dlq', topic, reason },
      attempt: at.attempt,
      error: at.error,
      handlerName: at.handler?.name,
      now: Date.now(),
    });
    if (!(await this.produceDurably(out))) return this.abandoned(at);
    const errorClass = errorCodeOf(at.error);
    this.deps.metrics.deadLetters.inc({ reason });
    this.deps.metrics.processed.inc({ name: nameOf(at) ?? 'unknown', outcome: 'dead-lettered' });
    this.loggerFor(at).error(
      { reason, errorClass, err: errorMessageOf(at.error), dlqTopic: topic },
      'record dead-lettered',
    );
    this.emit(at, 'dead-lettered', { sentTo: topic, errorClass });
    return DONE;
  }

  private async unrouted(at: DecodedAttempt): Promise<boolean> {
    const { record } = at;
    const policy = this.deps.config.unknownMessagePolicy;
    this.deps.metrics.unknownMessages.inc({ name: record.name, policy });
    if (policy === 'dlq') {
      const error = new NoRouteError(`no handler is registered for message name "${record.name}"`);
      return this.deadLetter({ ...at, error }, 'no-route');
    }
    this.deps.metrics.processed.inc({ name: record.name, outcome: 'unrouted-skipped' });
    this.loggerFor(at).warn({ policy }, 'no handler for message name; skipped');
    this.emit(at, 'unrouted-skipped');
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

  /** The record is not done (shutdown, rebalance): its offset stays uncommitted, so it is redelivered. */
  private abandoned(at: RecordAttempt): boolean {
    this.emit(at, 'abandoned');
    return NOT_DONE;
  }

  /** A child logger carrying what is known of the record (its identity once decoded, else its headers'). */
  private loggerFor(at: RecordAttempt): Logger {
    const { source, record } = at;
    return this.deps.logger.child({
      eventId: eventIdOf(at),
      ...(record ? { orderRef: orderRefOf(record) } : {}),
      messageName: nameOf(at),
      topic: source.topic,
      partition: source.partition,
      offset: source.offset,
      attempt: at.attempt,
    });
  }

  private emit(at: RecordAttempt, outcome: RecordOutcome, sent: { sentTo?: string; errorClass?: string } = {}): void {
    if (this.deps.events.listenerCount('record') === 0) return;
    const { source } = at;
    const event: RecordEvent = {
      outcome,
      topic: source.topic,
      partition: source.partition,
      offset: source.offset,
      key: source.key ? source.key.toString() : null,
      messageName: nameOf(at),
      eventId: eventIdOf(at),
      attempt: at.attempt,
      ...(sent.sentTo ? { sentTo: sent.sentTo } : {}),
      ...(sent.errorClass ? { errorClass: sent.errorClass } : {}),
    };
    this.deps.events.emit('record', event);
  }
}

/**
 * One delivery of one record as it moves through the runner's steps: where it was consumed, which attempt this is,
 * the batch's halt signal, and what later steps learned (the decoded record, the handler, the error to report).
 */
interface RecordAttempt {
  readonly source: SourceRecord;
  /** 1 for the first delivery from the main topic; n+1 in retry tier n. */
  readonly attempt: number;
  /** Aborted when the batch halts (stop, rebalance): a record that has not started is abandoned. */
  readonly halt: AbortSignal;
  readonly record?: FluentWebhookRecord;
  readonly handler?: MessageHandler;
}

interface DecodedAttempt extends RecordAttempt {
  readonly record: FluentWebhookRecord;
  readonly payload: FluentWebhookPayload;
}

interface HandlerFailure extends DecodedAttempt {
  readonly handler: MessageHandler;
  readonly error: unknown;
}

function recordAttempt(
  message: KafkaMessage,
  topic: string,
  partition: number,
  tier: number,
  halt: AbortSignal,
): RecordAttempt {
  const headers: RawHeaders | undefined = message.headers;
  const attempt = tier === 0 ? 1 : (headerInt(headers, Headers.attempt) ?? tier) + 1;
  const { offset, key, value } = message;
  return { source: { topic, partition, offset, key, value, headers }, attempt, halt };
}

/** The message name: the record's once decoded, else the producer's header (for an undecodable record's DLQ entry). */
function nameOf(at: RecordAttempt): string | undefined {
  return at.record ? at.record.name : headerString(at.source.headers, Headers.messageName);
}

function eventIdOf(at: RecordAttempt): string | undefined {
  return at.record ? at.record.id : headerString(at.source.headers, Headers.eventId);
}

/** An error's facts for the log line (never read for decisions). */
function detailsOf(error: unknown): Record<string, unknown> | undefined {
  return isConnectorError(error) ? error.details : undefined;
}

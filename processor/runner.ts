/**
 * Batch runner: fetched partition batches → per-key lanes → commit frontier.
 *
 * Each partition batch is spread over per-key lanes (same key strictly in order, different keys concurrently up to
 * `concurrency` handlers across all partitions). An offset is resolved (and later committed) only once it and every
 * earlier offset of its partition are done: handled, skipped, or acknowledged (acks=-1) on a retry/DLQ topic.
 * A record abandoned at shutdown is never marked done, so it is redelivered. Retry-tier records that are not due
 * yet pause their partition until their not-before time; outages close the OutageGate and records wait in place.
 * A whole fetched batch is handed to the lanes at once, so stopping or losing group membership (rebalance, or
 * heartbeats failing for longer than the session timeout) halts the batch: records whose handler has not started are
 * abandoned (redelivered), and only running handlers finish, so the member can leave or rejoin promptly instead of
 * first working off the backlog (or waiting out an outage). A retry/DLQ topic that refuses a record for good (no write
 * access, record too large, topic missing) makes the runner unhealthy (`fatal`, `onFatal`): that record is abandoned,
 * its partition paused, and the runtime stops the member.
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
import { currentSpan, traceLogFields } from '../common/tracing.js';
import type { ProcessorRuntimeConfig } from './config.js';
import { decodeValue, type DecodeResult } from './decode.js';
import { produceDurably } from './durable-produce.js';
import { NoRouteError, RetriesExhaustedError } from './errors.js';
import {
  buildFailureRecord,
  type DeadLetterReason,
  type OutgoingRecord,
  type SourceRecord,
} from './failure-records.js';
import type { HandlerContext, HandlerOutcome, MessageHandler } from './handler.js';
import { CommitFrontier, KeyedLanes, Semaphore } from './lanes.js';
import { observeEndToEnd, type ProcessorMetrics } from './metrics.js';
import { OutageGate } from './outage.js';
import { PartitionDelays } from './partition-delays.js';
import { decideRetry, type RetryDecision } from './retry-policy.js';
import type { Router } from './router.js';
import { traceRecord } from './tracing.js';

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
  /** Told once, with the reason, when the runner cannot go on (a retry/DLQ topic refuses records for good). */
  readonly onFatal?: (reason: string) => void;
  /** Owns the lag series (lag-poller.ts): told each new assignment, so series of lost partitions go at once. */
  readonly lag?: { assigned(assignment: Readonly<Record<string, readonly number[]>>): void };
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

/** A fetched partition batch while it runs: halting it abandons its records that have not started. */
interface BatchScope {
  readonly halt: AbortController;
  readonly payload: EachBatchPayload;
  readonly tier: number;
}

export class BatchRunner {
  readonly limiter: Semaphore;
  readonly lanes: KeyedLanes;
  readonly gate: OutageGate;
  private readonly abortController = new AbortController();
  private stopping = false;
  private readonly delays: PartitionDelays;
  /** One per running batch: aborted to halt it (stop, rebalance, shutdown deadline). */
  private readonly batchHalts = new Set<AbortController>();
  private readonly retryTierOf = new Map<string, number>();
  private readonly mainTopic: string;
  private fatalReason: string | undefined;

  constructor(private readonly deps: RunnerDeps) {
    // Shared by every in-flight handler (in-place retry sleeps listen to it): many listeners are expected.
    setMaxListeners(0, this.abortController.signal);
    const { config, metrics } = deps;
    this.mainTopic = config.topics.webhooks;
    config.topics.retries.forEach((topic, i) => this.retryTierOf.set(topic, i + 1));
    this.limiter = new Semaphore(config.concurrency);
    this.lanes = new KeyedLanes(this.limiter);
    this.delays = new PartitionDelays((delayed) => metrics.delayedPartitions.set(delayed));
    this.gate = new OutageGate({
      initialBackoffMs: config.pause.initialBackoffMs,
      maxBackoffMs: config.pause.maxBackoffMs,
      windowMs: config.outage.windowMs,
      minFailures: config.outage.minFailures,
      failureRatio: config.outage.failureRatio,
      onChange: (paused, pauseMs, reason) => this.gateChanged(paused, pauseMs, reason),
    });
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** False once a retry/DLQ topic refused a record for good (see `fatal`); the runtime fails readiness on it. */
  get healthy(): boolean {
    return this.fatalReason === undefined;
  }

  /** Why the runner cannot go on, once it cannot. */
  get fatal(): string | undefined {
    return this.fatalReason;
  }

  /** Stop starting records (those not started are abandoned, so redelivered); running handlers continue. */
  beginStop(): void {
    this.stopping = true;
    for (const halt of this.batchHalts) halt.abort();
    this.delays.reset();
  }

  /** Abort in-flight handlers (shutdown deadline passed): their records stay uncommitted. */
  abortInFlight(): void {
    this.abortController.abort(new Error('processor shutting down'));
    for (const halt of this.batchHalts) halt.abort();
    this.gate.open();
  }

  /**
   * Resumes the retry-tier partitions paused until due and forgets their timers. Call on GROUP_JOIN and CRASH: the
   * assignment or KafkaJS's pause state changed, and a partition still not due is paused again by its next batch.
   */
  resetDelays(): void {
    this.delays.reset();
  }

  /**
   * A new assignment (KafkaJS GROUP_JOIN memberAssignment: topic → ids): the lag poller drops the series of
   * partitions not in it. The lag itself is polled on a timer (lag-poller.ts), not set from batches.
   */
  forgetPartitions(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.deps.lag?.assigned(assignment);
  }

  /** KafkaJS eachBatch callback (use with eachBatchAutoResolve: false). */
  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    this.deps.metrics.batchSize.observe(batch.messages.length);
    const scope: BatchScope = { halt: new AbortController(), payload, tier: this.retryTierOf.get(batch.topic) ?? 0 };
    // Every waiting record of the batch listens to it: many listeners are expected, not a leak.
    setMaxListeners(0, scope.halt.signal);
    this.batchHalts.add(scope.halt);
    if (this.stopping || this.abortController.signal.aborted) scope.halt.abort();
    const stopKeepAlive = this.keepAlive(scope);
    const frontier = new CommitFrontier();
    try {
      await Promise.all(this.dispatch(scope, frontier));
    } finally {
      stopKeepAlive();
      this.batchHalts.delete(scope.halt);
    }
  };

  /** Hands the batch's records to the lanes until a not-due retry record or a halt; returns their completions. */
  private dispatch(scope: BatchScope, frontier: CommitFrontier): Promise<void>[] {
    const { payload, halt } = scope;
    const { topic, partition } = payload.batch;
    const live = (): boolean => payload.isRunning() && !payload.isStale();
    const pending: Promise<void>[] = [];
    for (const message of payload.batch.messages) {
      if (halt.signal.aborted || !live()) break;
      if (this.delayedUntilDue(scope, message)) break; // later records of a tier are due later still
      frontier.track(message.offset);
      const key = message.key ? message.key.toString() : `\u0000${topic}/${partition}/${message.offset}`;
      const done = this.lanes.run(key, () => this.process(message, scope));
      pending.push(
        done.then(
          (isDone) => {
            if (!isDone) return;
            const resolved = frontier.complete(message.offset);
            if (resolved !== undefined) payload.resolveOffset(resolved);
          },
          (error: unknown) => {
            // process() handles every error itself; reaching this is a bug. Leave the offset unresolved.
            this.deps.logger.error(
              { topic, partition, offset: message.offset, err: error },
              'unexpected processing failure',
            );
          },
        ),
      );
    }
    return pending;
  }

  /** A retry-tier record not due yet pauses its partition until it is: true when it did. */
  private delayedUntilDue(scope: BatchScope, message: KafkaMessage): boolean {
    if (scope.tier === 0) return false;
    const dueAt = headerInt(message.headers, Headers.notBefore);
    if (dueAt === undefined || dueAt <= Date.now()) return false;
    const { topic, partition } = scope.payload.batch;
    this.delays.delay(`${topic}/${partition}`, dueAt, () => scope.payload.pause());
    return true;
  }

  /**
   * Heartbeats (and interval commits of the resolved frontier) while slow handlers run, at half the heartbeat
   * interval: KafkaJS skips a heartbeat asked for before the interval has passed since the last one *ended*, so
   * ticking at the interval itself would send one only every second tick. Halts the batch when the member is losing
   * its assignment: a rebalance error, or heartbeats failing (any error) for longer than the session timeout.
   */
  private keepAlive(scope: BatchScope): () => void {
    const { payload, halt } = scope;
    const { config, logger } = this.deps;
    const { topic, partition } = payload.batch;
    let lastHeartbeat = Date.now();
    // No heartbeat answered for a whole session timeout (failing or hanging): the coordinator has evicted us.
    const sessionExpired = (): boolean => Date.now() - lastHeartbeat > config.sessionTimeoutMs;
    const timer = setInterval(
      () => {
        if (!payload.isRunning() || payload.isStale() || sessionExpired()) halt.abort();
        payload
          .heartbeat()
          .then(() => {
            lastHeartbeat = Date.now();
            return payload.commitOffsetsIfNecessary();
          })
          .catch((error: unknown) => {
            // Start nothing more, finish what runs, let KafkaJS rejoin (it waits for this batch).
            if (isMembershipError(error) || sessionExpired()) halt.abort();
            logger.warn({ topic, partition, err: errorMessageOf(error) }, 'heartbeat failed during batch');
          });
      },
      Math.max(1, Math.floor(config.heartbeatIntervalMs / 2)),
    );
    return () => clearInterval(timer);
  }

  private gateChanged(paused: boolean, pauseMs: number, reason: string): void {
    const { metrics, logger } = this.deps;
    metrics.paused.set(paused ? 1 : 0);
    if (paused) {
      metrics.pauses.inc({ reason });
      logger.warn({ pauseMs, reason }, 'downstream unavailable: pausing consumption');
      this.notify('paused', { pauseMs, reason });
    } else {
      logger.info('resuming consumption after pause');
      this.notify('resumed');
    }
  }

  /**
   * Runs one record to a final state, inside its trace span (tracing.ts: a child of the ingress request). Never
   * throws. Returns whether the record is done (offset may be committed).
   */
  private process(message: KafkaMessage, scope: BatchScope): Promise<boolean> {
    return traceRecord({ topic: scope.payload.batch.topic, headers: message.headers }, () =>
      this.processRecord(message, scope),
    );
  }

  private async processRecord(message: KafkaMessage, scope: BatchScope): Promise<boolean> {
    const at = recordAttempt(message, scope, () => this.stopPartition(scope));
    if (at.halt.aborted) return this.abandoned(at);
    const decoded = await this.decode(at);
    switch (decoded.kind) {
      case 'decoded':
        return this.run({ ...at, record: decoded.record, payload: decoded.payload }, decoded.probe);
      case 'undecodable':
        return this.deadLetter({ ...at, error: decoded.error }, 'undecodable');
      case 'abandoned':
        return this.abandoned(at);
    }
  }

  /**
   * Decodes the record; while the registry is unavailable, pauses (outage gate) and decodes again in place. Only a
   * record that found the registry unavailable waits at the gate here. When such a record is the half-open probe,
   * decoding says nothing about a downstream outage: it keeps the probe (`probe: true`) and makes the one downstream
   * call in `run`; it ends the probe here only when no call follows (the record is undecodable).
   */
  private async decode(at: RecordAttempt): Promise<DecodeStep> {
    let probe = false;
    for (let registryFailed = false; ; registryFailed = true) {
      if (registryFailed) probe = this.gate.isOpen ? false : await this.gate.wait(at.halt);
      if (this.signal.aborted || (at.halt.aborted && !probe)) return { kind: 'abandoned' };
      const result = await decodeValue(this.deps.serde, at.source.value);
      if (result.kind === 'decoded') return { ...result, probe };
      if (result.kind === 'undecodable') {
        if (probe) this.gate.reachable();
        return result;
      }
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
   * other failure sends it to a retry tier or the DLQ. `holdsProbe`: the decode step already won the half-open probe.
   */
  private async run(at: DecodedAttempt, holdsProbe: boolean): Promise<boolean> {
    const handler = this.deps.router.resolve(at.record.name);
    if (!handler) {
      if (holdsProbe) this.gate.reachable(); // no downstream call follows
      return this.unrouted(at);
    }
    const ctx = this.handlerContext(at);
    for (let held = holdsProbe; ; held = false) {
      // The half-open probe always makes its call (and reports), or every other waiter would wait for good.
      const probe = held || (this.gate.isOpen ? false : await this.gate.wait(at.halt));
      if (this.signal.aborted || (at.halt.aborted && !probe)) return this.abandoned(at);
      const result = await this.invoke(handler, ctx);
      if (result.ok) {
        this.gate.recordSuccess();
        return this.handled(at, result.outcome);
      }
      if (this.signal.aborted) return this.abandoned(at);
      if (this.waitsOutOutage(at, result.error)) continue;
      return await this.fail({ ...at, handler, error: result.error });
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
    if (!(await this.send(at, out))) return this.abandoned(at);
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
    if (!(await this.send(at, out))) return this.abandoned(at);
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

  /**
   * Produces a retry/DLQ record (acks=-1), retrying transient failures until acknowledged; false when the batch
   * halted or the runner shut down first, or the topic refuses the record for good (the runner turns fatal).
   */
  private async send(at: RecordAttempt, out: OutgoingRecord): Promise<boolean> {
    const { produce, logger } = this.deps;
    const result = await produceDurably(produce, out, { halt: at.halt, signal: this.signal, logger });
    if (result.kind === 'refused') this.refused(at, out.topic, result.error);
    return result.kind === 'sent';
  }

  /**
   * A retry/DLQ topic refuses records for good: retrying cannot help and would hold the partition (and, through
   * KafkaJS's fetch, every partition of the broker). The record's partition is paused and its batch halted (not
   * refetched in a loop); the runner turns unhealthy, says why once, and tells the runtime, which stops the member.
   */
  private refused(at: RecordAttempt, topic: string, error: unknown): void {
    at.stopPartition();
    const log = this.loggerFor(at);
    if (this.fatalReason !== undefined) {
      log.debug({ topic, err: errorMessageOf(error) }, 'retry/DLQ record refused; record abandoned');
      return;
    }
    const reason = `cannot produce to ${topic}: ${errorMessageOf(error, 300)}`;
    this.fatalReason = reason;
    log.fatal(
      { topic, errorClass: errorCodeOf(error), err: errorMessageOf(error) },
      'retry/DLQ topic refuses records (no retry can help): record abandoned, partition paused, runner unhealthy',
    );
    try {
      this.deps.onFatal?.(reason);
    } catch (listenerError) {
      this.deps.logger.error({ err: errorMessageOf(listenerError) }, 'fatal-state callback failed');
    }
  }

  /** Halts the batch and pauses its partition until the consumer restarts (the runner is fatal). */
  private stopPartition(scope: BatchScope): void {
    if (scope.halt.signal.aborted) return;
    scope.halt.abort();
    scope.payload.pause();
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
      ...traceLogFields(),
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
    currentSpan()?.setAttribute('fc.outcome', outcome);
    if (outcome !== 'abandoned') observeEndToEnd(this.deps.metrics, at.source.headers, outcome);
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
    this.notify('record', event);
  }

  /** Emits an event; a listener's error is logged and never changes a record's outcome. */
  private notify(name: string, ...args: unknown[]): void {
    try {
      this.deps.events.emit(name, ...args);
    } catch (error) {
      this.deps.logger.error({ event: name, err: errorMessageOf(error) }, 'event listener failed; outcome unchanged');
    }
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
  /** Halts the batch and pauses its partition (a retry/DLQ topic refused the record for good). */
  readonly stopPartition: () => void;
  readonly record?: FluentWebhookRecord;
  readonly handler?: MessageHandler;
}

interface DecodedAttempt extends RecordAttempt {
  readonly record: FluentWebhookRecord;
  readonly payload: FluentWebhookPayload;
}

/** The decode step's result as the runner uses it: a decoded record says whether it holds the half-open probe. */
type DecodeStep =
  | (Extract<DecodeResult, { kind: 'decoded' }> & { readonly probe: boolean })
  | Extract<DecodeResult, { kind: 'undecodable' }>
  | { readonly kind: 'abandoned' };

interface HandlerFailure extends DecodedAttempt {
  readonly handler: MessageHandler;
  readonly error: unknown;
}

function recordAttempt(message: KafkaMessage, scope: BatchScope, stopPartition: () => void): RecordAttempt {
  const { topic, partition } = scope.payload.batch;
  const headers: RawHeaders | undefined = message.headers;
  const attempt = scope.tier === 0 ? 1 : (headerInt(headers, Headers.attempt) ?? scope.tier) + 1;
  const { offset, key, value } = message;
  return { source: { topic, partition, offset, key, value, headers }, attempt, halt: scope.halt.signal, stopPartition };
}

/** Heartbeat errors meaning this member's assignment is going away (KafkaJS error `type`s). */
function isMembershipError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && MEMBERSHIP_ERRORS.has(type);
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
